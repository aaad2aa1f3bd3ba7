"""A PostgreSQL search backend for CKAN: a Solr-compatible core stored in PostgreSQL."""
