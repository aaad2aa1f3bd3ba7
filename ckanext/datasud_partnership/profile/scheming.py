"""The scheming dataset schema, read: what it says about publication (the
one source of truth) and its fields' labels.

A field of the scheming dataset schema marked ``required_for_publication:
true`` must be filled before the dataset becomes public (the publication
gate reads :func:`required_for_publication`); the schema's top-level
``resources_required_for_publication: true`` asks for at least one
resource. ``required: true`` blocks every save (title, URL name only).
"""

from __future__ import annotations

from typing import Any

from ..common.language import localized

RESOURCES = "resources"
RESOURCES_LABEL = {"fr": "Ressources", "en": "Resources"}


def dataset_schema(dataset_type: str = "dataset") -> dict[str, Any] | None:
    """The scheming schema of ``dataset_type``; None when scheming is not loaded."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    return scheming_get_dataset_schema(dataset_type)


def required_for_publication(dataset_type: str = "dataset") -> list[str] | None:
    """The fields the schema requires for publication; None without a schema."""
    schema = dataset_schema(dataset_type)
    if schema is None:
        return None
    fields = [
        field["field_name"] for field in schema["dataset_fields"] if field.get("required_for_publication")
    ]
    if schema.get("resources_required_for_publication"):
        fields.append(RESOURCES)
    return fields


def label(field_name: str, dataset_type: str = "dataset", lang: str | None = None) -> str:
    """The field's label in ``lang`` (default: the user's language)."""
    if field_name == RESOURCES:
        return localized(RESOURCES_LABEL, lang)
    schema = dataset_schema(dataset_type)
    for field in schema["dataset_fields"] if schema else []:
        if field["field_name"] == field_name:
            return localized(field.get("label") or field_name, lang)
    return field_name
