"""Validation schemas of the agreement actions (CKAN navl)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk

from . import kinds as K

Invalid = tk.Invalid
_ = tk._


def iso_date(value: Any, context: Any) -> Any:
    """A date written ``YYYY-MM-DD``; returns a ``datetime.date``."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise Invalid(_("Expected a date written YYYY-MM-DD")) from None


def party(value: Any, context: Any) -> Any:
    if value not in K.PARTIES:
        raise Invalid(_("Expected one of: %s") % ", ".join(K.PARTIES))
    return value


def list_of_texts(value: Any, context: Any) -> Any:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise Invalid(_("Expected a list of non-empty texts"))
    if not value:
        raise Invalid(_("Missing value"))
    return [v.strip() for v in value]


def withdraw_choice(value: Any, context: Any) -> Any:
    """``all``, ``none``, or a list of dataset ids or names."""
    if value in ("all", "none"):
        return value
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split() if v]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    raise Invalid(_("Expected all, none, or a list of datasets"))


def positive_days(value: Any, context: Any) -> Any:
    value = tk.get_validator("natural_number_validator")(value, context)
    if int(value) > 3660:
        raise Invalid(_("Expected at most %d days") % 3660)
    return int(value)


def page_size(value: Any, context: Any) -> Any:
    """A number of results per page, at most 1000."""
    return min(int(tk.get_validator("natural_number_validator")(value, context)), 1000)


def _v(name: str) -> Any:
    return tk.get_validator(name)


def contract_fields() -> dict[str, Any]:
    """Fields of the contract itself, settable while the agreement is a draft."""
    ignore_missing, unicode_safe = _v("ignore_missing"), _v("unicode_safe")
    return {
        "reference": [ignore_missing, unicode_safe, _v("not_empty")],
        "parties": {
            "role": [_v("not_empty"), party],
            "name": [_v("not_empty"), unicode_safe],
            "signatory": [ignore_missing, unicode_safe],
            "signatory_title": [ignore_missing, unicode_safe],
        },
        "deliberation_number": [ignore_missing, unicode_safe],
        "deliberation_date": [ignore_missing, iso_date],
        "end_on": [ignore_missing, iso_date],
        "referent_name": [ignore_missing, unicode_safe],
        "referent_email": [ignore_missing, unicode_safe, _v("email_validator")],
        "referent_phone": [ignore_missing, unicode_safe],
        "documents": {
            "title": [_v("not_empty"), unicode_safe],
            "url": [_v("not_empty"), unicode_safe, _v("url_validator")],
        },
        "beneficiary_invoice_on": [ignore_missing, iso_date],
    }


def agreement_create() -> dict[str, Any]:
    schema = contract_fields()
    schema.update(
        {
            "organization": [_v("not_empty"), _v("unicode_safe")],
            "kind": [_v("not_empty"), _v("unicode_safe")],
            "reference": [_v("not_empty"), _v("unicode_safe")],
            "signed_on": [_v("ignore_missing"), iso_date],
            "notified_on": [_v("ignore_missing"), iso_date],
        }
    )
    return schema


def agreement_patch() -> dict[str, Any]:
    schema = contract_fields()
    schema["id"] = [_v("not_empty"), _v("unicode_safe")]
    return schema


def _id_and(**fields: Any) -> dict[str, Any]:
    return {"id": [_v("not_empty"), _v("unicode_safe")], **fields}


def agreement_show() -> dict[str, Any]:
    return _id_and(date=[_v("ignore_missing"), iso_date])


def agreement_sign() -> dict[str, Any]:
    return _id_and(signed_on=[_v("not_empty"), iso_date])


def agreement_notify() -> dict[str, Any]:
    return _id_and(notified_on=[_v("not_empty"), iso_date])


def agreement_cancel() -> dict[str, Any]:
    return _id_and(reason=[_v("not_empty"), _v("unicode_safe")])


def agreement_amend() -> dict[str, Any]:
    return _id_and(
        signed_on=[_v("not_empty"), iso_date],
        description=[_v("not_empty"), _v("unicode_safe")],
        end_on=[_v("ignore_missing"), iso_date],
        contributions={
            "funder": [_v("not_empty"), _v("unicode_safe")],
            "amount": [_v("not_empty"), _v("unicode_safe")],
            "beneficiary": [_v("ignore_missing"), _v("boolean_validator")],
        },
    )


def agreement_milestone_update() -> dict[str, Any]:
    return _id_and(
        code=[_v("not_empty"), _v("unicode_safe")],
        done_on=[_v("ignore_missing"), iso_date],
        note=[_v("ignore_missing"), _v("unicode_safe")],
    )


def agreement_notice_serve() -> dict[str, Any]:
    return _id_and(
        breaches=[_v("not_empty"), list_of_texts],
        deadline=[_v("not_empty"), iso_date],
        served_on=[_v("ignore_missing"), iso_date],
        served_by=[_v("default")("operator"), party],
    )


def agreement_notice_answer() -> dict[str, Any]:
    return _id_and(
        observations=[_v("not_empty"), _v("unicode_safe")],
        answered_on=[_v("ignore_missing"), iso_date],
    )


def agreement_notice_lift() -> dict[str, Any]:
    return _id_and(
        reason=[_v("not_empty"), _v("unicode_safe")],
        lifted_on=[_v("ignore_missing"), iso_date],
    )


def agreement_terminate() -> dict[str, Any]:
    return _id_and(
        mode=[_v("not_empty"), _v("unicode_safe")],
        initiator=[_v("not_empty"), party],
        requested_on=[_v("ignore_missing"), iso_date],
        effective_on=[_v("ignore_missing"), iso_date],
        withdraw=[_v("default")("none"), withdraw_choice],
        reason=[_v("ignore_missing"), _v("unicode_safe")],
    )


def agreement_list() -> dict[str, Any]:
    ignore_missing = _v("ignore_missing")
    return {
        "organization": [ignore_missing, _v("unicode_safe")],
        "kind": [ignore_missing, _v("unicode_safe")],
        "status": [ignore_missing, _v("unicode_safe")],
        "in_force_on": [ignore_missing, iso_date],
        "anniversary_within": [ignore_missing, positive_days],
        "ending_within": [ignore_missing, positive_days],
        "date": [ignore_missing, iso_date],
        "limit": [_v("default")(20), page_size],
        "offset": [_v("default")(0), _v("natural_number_validator")],
    }


def agreement_history() -> dict[str, Any]:
    return _id_and(
        limit=[_v("default")(100), page_size],
        offset=[_v("default")(0), _v("natural_number_validator")],
    )
