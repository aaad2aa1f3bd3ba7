"""What the dataset schema says about publication: the one source of truth.

A field of the scheming dataset schema marked ``required_for_publication:
true`` must be filled before the dataset becomes public (the publication
gate reads :func:`required_for_publication`); the schema's top-level
``resources_required_for_publication: true`` asks for at least one
resource. ``required: true`` blocks every save (title, URL name only).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

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


def language() -> str:
    """The user's language; outside a request (command line, tests), English,
    as CKAN's gettext gives the messages untranslated there."""
    from flask import has_request_context

    if not has_request_context():
        return "en"
    try:
        return str(tk.h.lang() or tk.config.get("ckan.locale_default") or "fr")
    except (RuntimeError, TypeError, AttributeError):
        return str(tk.config.get("ckan.locale_default") or "fr")


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(
            value.get(lang) or value.get(lang.split("_")[0]) or value.get("fr") or next(iter(value.values()))
        )
    return str(value)


def label(field_name: str, dataset_type: str = "dataset", lang: str | None = None) -> str:
    """The field's label in ``lang`` (default: the user's language)."""
    lang = lang or language()
    if field_name == RESOURCES:
        return _text(RESOURCES_LABEL, lang)
    schema = dataset_schema(dataset_type)
    for field in schema["dataset_fields"] if schema else []:
        if field["field_name"] == field_name:
            return _text(field.get("label") or field_name, lang)
    return field_name


def missing_for_publication(package: Any) -> list[dict[str, str]]:
    """The fields of ``package`` (a model object) that publication still
    needs, each with its label in the user's language."""
    from ..publication import gate, service

    dataset = service.package_as_dict(package)
    missing = gate.missing_metadata(dataset, service.required_fields(package.type))
    return [{"field": field, "label": label(field, package.type)} for field in missing]
