"""Validation shared by every action: CKAN's navl schemas, and errors that
name the field."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict, Schema
from sqlalchemy.engine import Row

from .messages import N_

_ = tk._


def invalid(field: str, message: str, **params: Any) -> tk.ValidationError:
    """A ValidationError on ``field`` with ``message`` (an English msgid,
    translated here) filled with ``params``, dates in words."""
    text = _(message)
    return tk.ValidationError({field: [text % in_words(params) if params else text]})


ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def in_words(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with each date (an ISO day) written in words in the
    reader's language ("1 décembre 2026", "December 1, 2026"): a sentence
    never holds an ISO date. Outside a request (a command), ISO stays."""
    from flask import has_request_context

    if not has_request_context():
        return params
    from flask_babel import format_date

    shown = {}
    for key, value in params.items():
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = format_date(value, "long")
        elif isinstance(value, str) and ISO_DAY.match(value):
            with contextlib.suppress(ValueError):  # a day that does not exist stays as written
                value = format_date(dt.date.fromisoformat(value), "long")
        shown[key] = value
    return shown


def validate(data_dict: DataDict, schema: Schema, context: Context) -> DataDict:
    """``data_dict`` validated and converted by ``schema``, or a
    ValidationError naming each field at fault. A text holding a character
    the database refuses is refused first (:func:`reject_unsafe`)."""
    reject_unsafe(data_dict)
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    data.pop("__extras", None)
    return data


# --- what never reaches the database ------------------------------------------
# PostgreSQL refuses NUL in a text, and UTF-8 has no lone surrogate (JSON may
# carry both as \u escapes): either one, anywhere in an input, is a 500 deep
# down. They are refused here, on the field that holds them.

UNSAFE_TEXT = N_("Contains a character that is not allowed (a NUL byte or a lone surrogate)")


def _is_unsafe(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unsafe_in(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return _is_unsafe(value)
    if depth > 20:  # deeper than any input of ours: refused as well
        return True
    if isinstance(value, dict):
        return any(_unsafe_in(k, depth + 1) or _unsafe_in(v, depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_unsafe_in(v, depth + 1) for v in value)
    return False


def reject_unsafe(data_dict: Any) -> None:
    """A ValidationError naming each field whose value (or a text inside it)
    holds a NUL byte or a lone surrogate."""
    if not isinstance(data_dict, dict):
        return
    errors: dict[str, Any] = {
        str(key) if not _unsafe_in(key) else "__key": [_(UNSAFE_TEXT)]
        for key, value in data_dict.items()
        if _unsafe_in(key) or _unsafe_in(value)
    }
    if "tags" in errors:  # CKAN's ValidationError reads tag errors as [{"name": [...]}]
        errors["tags"] = [{"name": errors["tags"]}]
    if errors:
        raise tk.ValidationError(errors)


def as_text(value: Any) -> str:
    """A text (CKAN's ``unicode_safe``, stricter): a whole number is written
    as text; a list, an object, a boolean or a fraction is refused, and so is
    a NUL byte or a lone surrogate."""
    if value is None or value is tk.missing:
        return ""
    if isinstance(value, bytes):
        value = tk.get_validator("unicode_safe")(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise tk.Invalid(_("Expected a text"))
    if _is_unsafe(value):
        raise tk.Invalid(_(UNSAFE_TEXT))
    return value


def text_value(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Context) -> None:
    """The schemas' text validator (:func:`as_text`); a refused value stops
    the field's other validators (``strip_value``, ``url_validator``... would
    meet a list)."""
    try:
        data[key] = as_text(data.get(key))
    except tk.Invalid as error:
        errors[key].append(error.error)
        raise tk.StopOnError from None


def comma_list(key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Context) -> None:
    """Several values, as a text separated by commas (``in_force,signed``) or
    as a list of texts (``["in_force", "signed"]``, what a JSON client
    sends): kept as the comma-separated text."""
    value = data.get(key)
    try:
        items = value if isinstance(value, list) else [value]
        data[key] = ",".join(
            part.strip() for item in items for part in as_text(item).split(",") if part.strip()
        )
    except tk.Invalid as error:
        errors[key].append(error.error)
        raise tk.StopOnError from None


def reference(data_dict: Any, field: str, required: bool = True) -> str | None:
    """The id or name ``data_dict[field]`` gives, as text, before anything
    looks it up: a ValidationError naming ``field`` when it is missing (and
    ``required``) or not an id (a list, an object, a fraction, a NUL...)."""
    value = data_dict.get(field) if isinstance(data_dict, dict) else None
    if isinstance(value, (tuple, Row)) and len(value) == 1:
        # CKAN core's own bulk actions pass a query row, ``(id,)`` (JSON never gives one)
        value = value[0]
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise tk.ValidationError({field: [_("Missing value")]})
        return None
    try:
        return as_text(value)
    except tk.Invalid as error:
        raise tk.ValidationError({field: [error.error]}) from None


def references(data_dict: Any, field: str) -> list[str]:
    """The ids ``data_dict[field]`` lists (a list of texts; a single id
    counts as a list of one), or a ValidationError naming ``field``."""
    value = data_dict.get(field) if isinstance(data_dict, dict) else None
    if value is None or value == [] or value == "":
        raise tk.ValidationError({field: [_("Missing value")]})
    items = value if isinstance(value, list) else [value]
    try:
        if any(isinstance(item, (list, dict)) for item in items):
            raise tk.Invalid(_("Expected a list of ids"))
        return [as_text(item) for item in items]
    except tk.Invalid as error:
        raise tk.ValidationError({field: [error.error]}) from None


def iso_date(value: Any, context: Context) -> Any:
    """A date written ``YYYY-MM-DD``; returns a ``datetime.date``."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if not isinstance(value, str):
        raise tk.Invalid(_("Expected a date written YYYY-MM-DD"))
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise tk.Invalid(_("Expected a date written YYYY-MM-DD")) from None


MAX_PAGE = 1000
LARGEST = 2**31 - 1  # what PostgreSQL's integer holds: an offset, a number of days


def whole_number(value: Any, context: Context) -> int:
    """A whole number from 0 to 2**31 - 1, given as a number or a text of
    digits; a blank text, a fraction, a list or a boolean is refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise tk.Invalid(_("Expected a whole number"))
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()):
            raise tk.Invalid(_("Expected a whole number"))
        value = int(text)
    if isinstance(value, float):
        if not value.is_integer():
            raise tk.Invalid(_("Expected a whole number"))
        value = int(value)
    if not 0 <= value <= LARGEST:
        raise tk.Invalid(_("Expected a whole number from 0 to %d") % LARGEST)
    return value


def page_size(value: Any, context: Context) -> Any:
    """A number of results per page, at most 1000."""
    return min(whole_number(value, context), MAX_PAGE)


def pagination(limit: int) -> Schema:
    """``limit`` (default ``limit``, at most 1000) and ``offset`` (default 0),
    on CKAN's own pagination schema."""
    from ckan.logic.schema import default_pagination_schema

    schema = default_pagination_schema()
    schema["limit"] = [tk.get_validator("default")(limit), page_size]
    schema["offset"] = [tk.get_validator("default")(0), whole_number]
    return schema


def checked_input(
    data_dict: Any,
    context: Context,
    ids: tuple[str, ...] = (),
    numbers: tuple[str, ...] = (),
    texts: tuple[str, ...] = (),
) -> DataDict:
    """``data_dict`` checked before CKAN core reads it (core passes ids and
    numbers to SQL as given: a list, a NUL, a blank number is a 500 there):
    no NUL byte or lone surrogate anywhere, ``ids`` as text, ``numbers`` as
    whole numbers, ``texts`` as texts. A ValidationError names each field."""
    if not isinstance(data_dict, dict):
        raise tk.ValidationError({"__input": [_("Expected an object")]})
    reject_unsafe(data_dict)
    data = dict(data_dict)
    errors: dict[str, list[str]] = {}
    for fields, check in ((ids, as_text), (texts, as_text), (numbers, lambda v: whole_number(v, context))):
        for field in fields:
            if data.get(field) is None:
                continue
            try:
                data[field] = check(data[field])
            except tk.Invalid as error:
                errors[field] = [error.error]
    if errors:
        raise tk.ValidationError(errors)
    return data
