"""The profile's validators, registered through IValidators. Each refuses
bad input with a message that names what is wrong, in the user's language;
the rules themselves are in :mod:`codes` and :mod:`vocabularies`."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ..common.messages import N_
from . import codes, vocabularies

_ = tk._
missing = tk.missing
Invalid = tk.Invalid
StopOnError = tk.StopOnError


def _empty(value: Any) -> bool:
    return value is missing or value is None or (isinstance(value, str) and not value.strip()) or value == []


def _drop(key: Any, data: dict[Any, Any]) -> None:
    """An empty optional value is not stored (nor checked further)."""
    data.pop(key, None)
    raise StopOnError


def text_list(value: Any) -> list[str]:
    """A list of texts from a list, a JSON list or a comma-separated text (as
    a form, the API, the database and ckanext-dcat's extras give it); nothing
    gives none."""
    if value is None or value is missing:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                return [text]
        else:
            return [part.strip() for part in text.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        return [str(item).strip() for item in value if str(item).strip()]
    return [str(value)]


def datasud_themes(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Context) -> None:
    """Zero or more of the portal's themes, stored as a JSON list."""
    if _empty(data.get(key, missing)):
        _drop(key, data)
    known = vocabularies.themes()
    chosen = text_list(data[key])
    unknown = [value for value in chosen if value not in known]
    if unknown:
        errors[key].append(
            _("Unknown theme: %(values)s. Choose among: %(known)s")
            % {"values": ", ".join(unknown), "known": ", ".join(known)}
        )
        raise StopOnError
    if not chosen:
        _drop(key, data)
    data[key] = json.dumps(list(dict.fromkeys(chosen)))  # in the order given, once each


def datasud_themes_output(value: Any) -> list[str]:
    return text_list(value)


def _one_of(choices: Any, message: str) -> Any:
    """A validator accepting a value of ``choices`` (or nothing); ``message``
    (a msgid with ``%(value)s`` and ``%(known)s``) names the others."""

    def validator(value: Any) -> Any:
        if _empty(value):
            return ""
        if value not in choices:
            raise Invalid(_(message) % {"value": value, "known": ", ".join(choices)})
        return value

    return validator


datasud_frequency = _one_of(
    vocabularies.FREQUENCIES, N_("Unknown update frequency: %(value)s. Choose among: %(known)s")
)
datasud_body_type = _one_of(
    vocabularies.BODY_TYPES, N_("Unknown type of public body: %(value)s. Choose among: %(known)s")
)
datasud_spatial_level = _one_of(codes.SPATIAL_LEVELS, N_("Unknown level: %(value)s. Choose among: %(known)s"))


LEVEL_MESSAGES = {
    "commune": N_("%(code)s is not the INSEE code of a commune (5 characters, e.g. 04070 or 2A004)"),
    "departement": N_("%(code)s is not the INSEE code of a département (e.g. 04, 2A or 974)"),
    "region": N_("%(code)s is not the INSEE code of a region (e.g. 93)"),
}


def datasud_insee_code(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Context) -> None:
    """An INSEE code of the level chosen in ``spatial_level`` (any level if none)."""
    value = data.get(key)
    if _empty(value):
        _drop(key, data)
    code = str(value).strip().upper()
    level = data.get(("spatial_level",))
    level = level if level in codes.SPATIAL_LEVELS else None
    if not codes.insee_code_valid(code, level):
        if level:
            errors[key].append(_(LEVEL_MESSAGES[level]) % {"code": code})
        else:
            errors[key].append(
                _("%(code)s is not an INSEE code of a commune, département or region") % {"code": code}
            )
        raise StopOnError
    data[key] = code


def datasud_date(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Context) -> None:
    """A calendar date, stored as YYYY-MM-DD."""
    value = data.get(key)
    if _empty(value):
        _drop(key, data)
    day = codes.parse_date(value)
    if day is None:
        errors[key].append(_("Enter a date as YYYY-MM-DD, e.g. 2024-01-31"))
        raise StopOnError
    data[key] = day.isoformat()


def datasud_temporal_end(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Context) -> None:
    start = codes.parse_date(data.get(("temporal_start",)))
    end = codes.parse_date(data.get(key))
    if codes.period_problem(start, end):
        errors[key].append(_("The temporal coverage ends before it starts"))


def datasud_siren(value: Any) -> Any:
    if _empty(value):
        return ""
    problem = codes.siren_problem(str(value))
    if problem == "format":
        raise Invalid(_("A SIREN number has 9 digits"))
    if problem == "checksum":
        raise Invalid(_("This SIREN number is not valid: its check digit is wrong"))
    return codes.normalize_siren(str(value))


def datasud_licence(value: Any) -> Any:
    """A licence of the portal's list (publication asks more: an open one)."""
    if _empty(value):
        return value
    if model.Package.get_license_register().get(value) is None:
        raise Invalid(_("Unknown licence: %(value)s") % {"value": value})
    return value


def datasud_system_set(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Context) -> None:
    """A field the portal sets (the publication date): what a client sends is
    ignored, the stored value is kept."""
    reference = data.get(("id",))
    package = model.Package.get(reference) if reference and reference is not missing else None
    stored = package.extras.get(key[-1]) if package is not None else None
    if stored:
        data[key] = stored
    else:
        _drop(key, data)


def get_validators() -> dict[str, Any]:
    return {
        "datasud_themes": datasud_themes,
        "datasud_themes_output": datasud_themes_output,
        "datasud_frequency": datasud_frequency,
        "datasud_body_type": datasud_body_type,
        "datasud_spatial_level": datasud_spatial_level,
        "datasud_insee_code": datasud_insee_code,
        "datasud_date": datasud_date,
        "datasud_temporal_end": datasud_temporal_end,
        "datasud_siren": datasud_siren,
        "datasud_licence": datasud_licence,
        "datasud_system_set": datasud_system_set,
    }
