"""Harvesting (ckanext-harvest) under the publication gate."""
