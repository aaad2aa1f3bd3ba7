"""Template helpers of the profile: the choices of the controlled fields,
labelled in the user's language (ckanext-scheming's ``choices_helper``)."""

from __future__ import annotations

from typing import Any

from ..common.language import current_language
from . import vocabularies


def datasud_theme_choices(field: dict[str, Any] | None = None) -> list[dict[str, str]]:
    lang = current_language()
    return [{"value": key, "label": theme.label.get(lang)} for key, theme in vocabularies.themes().items()]


def datasud_frequency_choices(field: dict[str, Any] | None = None) -> list[dict[str, str]]:
    lang = current_language()
    return [{"value": key, "label": label.get(lang)} for key, label in vocabularies.FREQUENCIES.items()]


def datasud_body_type_choices(field: dict[str, Any] | None = None) -> list[dict[str, str]]:
    lang = current_language()
    return [{"value": key, "label": label.get(lang)} for key, label in vocabularies.BODY_TYPES.items()]


def get_helpers() -> dict[str, Any]:
    return {
        "datasud_theme_choices": datasud_theme_choices,
        "datasud_frequency_choices": datasud_frequency_choices,
        "datasud_body_type_choices": datasud_body_type_choices,
    }
