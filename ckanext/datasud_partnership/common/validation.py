"""Validation shared by every action: CKAN's navl schemas, and errors that
name the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict, Schema

_ = tk._


def invalid(field: str, message: str, **params: Any) -> tk.ValidationError:
    """A ValidationError on ``field`` with ``message`` (an English msgid,
    translated here) filled with ``params``."""
    text = _(message)
    return tk.ValidationError({field: [text % params if params else text]})


def validate(data_dict: DataDict, schema: Schema, context: Context) -> DataDict:
    """``data_dict`` validated and converted by ``schema``, or a
    ValidationError naming each field at fault."""
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    data.pop("__extras", None)
    return data


def iso_date(value: Any, context: Context) -> Any:
    """A date written ``YYYY-MM-DD``; returns a ``datetime.date``."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise tk.Invalid(_("Expected a date written YYYY-MM-DD")) from None


MAX_PAGE = 1000


def page_size(value: Any, context: Context) -> Any:
    """A number of results per page, at most 1000."""
    return min(int(tk.get_validator("natural_number_validator")(value, context)), MAX_PAGE)


def pagination(limit: int) -> Schema:
    """``limit`` (default ``limit``, at most 1000) and ``offset`` (default 0),
    on CKAN's own pagination schema."""
    from ckan.logic.schema import default_pagination_schema

    schema = default_pagination_schema()
    schema["limit"] = [tk.get_validator("default")(limit), page_size]
    schema["offset"] = [tk.get_validator("default")(0), *schema["offset"][1:]]
    return schema
