"""Validation schemas of the agreement actions (CKAN navl, written as CKAN
writes its own: ``validator_args`` passes each named CKAN validator)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import Context, Schema

from ..common.validation import comma_list, iso_date, pagination, text_value, whole_number
from . import kinds as K
from .documents.validators import file_upload, http_url

Invalid = tk.Invalid
_ = tk._


def party(value: Any, context: Context) -> Any:
    if value not in K.PARTIES:
        raise Invalid(_("Expected one of: %s") % ", ".join(K.PARTIES))
    return value


def list_of_texts(value: Any, context: Context) -> Any:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise Invalid(_("Expected a list of non-empty texts"))
    if not value:
        raise Invalid(_("Missing value"))
    return [v.strip() for v in value]


def withdraw_choice(value: Any, context: Context) -> Any:
    """``all``, ``none``, or a list of dataset ids or names."""
    if value in ("all", "none"):
        return value
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split() if v]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    raise Invalid(_("Expected all, none, or a list of datasets"))


def letter_language(value: Any, context: Context) -> Any:
    """The language of the generated letter: French, or English on request."""
    if value not in ("fr", "en"):
        raise Invalid(_("Expected one of: %s") % "fr, en")
    return value


def positive_days(value: Any, context: Context) -> Any:
    value = whole_number(value, context)
    if value > 3660:
        raise Invalid(_("Expected at most %d days") % 3660)
    return int(value)


@validator_args
def contract_fields(ignore_missing, not_empty, email_validator, url_validator) -> Schema:
    """Fields of the contract itself, settable while the agreement is a draft."""
    return {
        "reference": [ignore_missing, text_value, not_empty],
        "parties": {
            "role": [not_empty, party],
            "name": [not_empty, text_value],
            "signatory": [ignore_missing, text_value],
            "signatory_title": [ignore_missing, text_value],
        },
        "deliberation_number": [ignore_missing, text_value],
        "deliberation_date": [ignore_missing, iso_date],
        "end_on": [ignore_missing, iso_date],
        "referent_name": [ignore_missing, text_value],
        "referent_email": [ignore_missing, text_value, email_validator],
        "referent_phone": [ignore_missing, text_value],
        "region_referent": [ignore_missing, text_value],
        "documents": {
            "title": [not_empty, text_value],
            "url": [not_empty, text_value, url_validator],
        },
        "beneficiary_invoice_on": [ignore_missing, iso_date],
    }


@validator_args
def agreement_create(not_empty, ignore_missing) -> Schema:
    return {
        **contract_fields(),
        "organization": [not_empty, text_value],
        "kind": [not_empty, text_value],
        "reference": [not_empty, text_value],
        "signed_on": [ignore_missing, iso_date],
        "notified_on": [ignore_missing, iso_date],
        "in_force_from": [ignore_missing, iso_date],
    }


@validator_args
def id_only(not_empty) -> Schema:
    """The agreement an action is about."""
    return {"id": [not_empty, text_value]}


def agreement_patch() -> Schema:
    return {**contract_fields(), **id_only()}


@validator_args
def agreement_show(ignore_missing) -> Schema:
    return {**id_only(), "organization": [ignore_missing, text_value], "date": [ignore_missing, iso_date]}


@validator_args
def agreement_sign(not_empty, ignore_missing) -> Schema:
    return {**id_only(), "signed_on": [not_empty, iso_date], "in_force_from": [ignore_missing, iso_date]}


@validator_args
def agreement_notify(not_empty, ignore_missing) -> Schema:
    return {**id_only(), "notified_on": [not_empty, iso_date], "in_force_from": [ignore_missing, iso_date]}


@validator_args
def agreement_cancel(not_empty) -> Schema:
    return {**id_only(), "reason": [not_empty, text_value]}


@validator_args
def agreement_amend(not_empty, ignore_missing, boolean_validator) -> Schema:
    return {
        **id_only(),
        "signed_on": [not_empty, iso_date],
        "description": [not_empty, text_value],
        "end_on": [ignore_missing, iso_date],
        "contributions": {
            "funder": [not_empty, text_value],
            "amount": [not_empty, text_value],
            "beneficiary": [ignore_missing, boolean_validator],
        },
    }


@validator_args
def agreement_milestone_update(not_empty, ignore_missing) -> Schema:
    return {
        **id_only(),
        "code": [not_empty, text_value],
        "done_on": [ignore_missing, iso_date],
        "note": [ignore_missing, text_value],
    }


@validator_args
def agreement_notice_serve(not_empty, ignore_missing, default) -> Schema:
    return {
        **id_only(),
        "breaches": [not_empty, list_of_texts],
        "deadline": [not_empty, iso_date],
        "served_on": [ignore_missing, iso_date],
        "served_by": [default("operator"), party],
        "letter_language": [default("fr"), letter_language],
    }


@validator_args
def agreement_notice_answer(not_empty, ignore_missing) -> Schema:
    return {
        **id_only(),
        "observations": [not_empty, text_value],
        "answered_on": [ignore_missing, iso_date],
    }


@validator_args
def agreement_notice_lift(not_empty, ignore_missing) -> Schema:
    return {
        **id_only(),
        "reason": [not_empty, text_value],
        "lifted_on": [ignore_missing, iso_date],
    }


@validator_args
def agreement_terminate(not_empty, ignore_missing, default) -> Schema:
    return {
        **id_only(),
        "mode": [not_empty, text_value],
        "initiator": [not_empty, party],
        "requested_on": [ignore_missing, iso_date],
        "effective_on": [ignore_missing, iso_date],
        "withdraw": [default("none"), withdraw_choice],
        # the motives (art. 7); ``reason`` is their former name, still accepted
        "motives": [ignore_missing, text_value],
        "reason": [ignore_missing, text_value],
        "actions": [ignore_missing, text_value],
        "modalities": [ignore_missing, text_value],
        "expert": [ignore_missing, text_value],
        "letter_language": [default("fr"), letter_language],
    }


@validator_args
def agreement_list(ignore_missing) -> Schema:
    return {
        "organization": [ignore_missing, text_value],
        "kind": [ignore_missing, text_value],
        "status": [ignore_missing, comma_list],
        "in_force_on": [ignore_missing, iso_date],
        "anniversary_within": [ignore_missing, positive_days],
        "ending_within": [ignore_missing, positive_days],
        "date": [ignore_missing, iso_date],
        **pagination(20),
    }


def agreement_history() -> Schema:
    return {**id_only(), **pagination(100)}


@validator_args
def agreement_document_add(not_empty, ignore_empty, strip_value) -> Schema:
    return {
        **id_only(),
        "title": [not_empty, text_value],
        # empty values (a web form's blank field, no file chosen) count as absent
        "url": [ignore_empty, text_value, strip_value, http_url],
        "upload": [ignore_empty, file_upload],
    }
