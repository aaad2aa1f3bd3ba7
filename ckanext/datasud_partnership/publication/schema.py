"""Validation schemas of the publication actions (CKAN navl, as CKAN writes
its own: ``validator_args`` passes each named CKAN validator)."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema

from ..common import csv
from ..common.validation import iso_date, pagination, text_value
from .gate import DECLARATION_FIELD

JOURNAL_ACTIONS = ("published", "withdrawn", "sandboxed", "unsandboxed")


@validator_args
def dataset_publish(not_empty, ignore_missing) -> Schema:
    return {
        "id": [not_empty, text_value],
        "license_id": [ignore_missing, text_value],
        DECLARATION_FIELD: [ignore_missing],
    }


@validator_args
def dataset_publication_check(not_empty, ignore_missing) -> Schema:
    return {"id": [not_empty, text_value], DECLARATION_FIELD: [ignore_missing]}


@validator_args
def dataset_sandbox(not_empty, ignore_missing) -> Schema:
    return {"id": [not_empty, text_value], DECLARATION_FIELD: [ignore_missing]}


@validator_args
def dataset_unsandbox(not_empty, ignore_missing) -> Schema:
    return {"id": [not_empty, text_value], "reason": [ignore_missing, text_value]}


@validator_args
def dataset_withdraw(not_empty, ignore_missing) -> Schema:
    return {
        "id": [not_empty, text_value],
        "reason": [not_empty, text_value],
        "ground": [ignore_missing],
    }


@validator_args
def journal_filters(ignore_missing, one_of) -> Schema:
    return {
        "organization": [ignore_missing, text_value],
        "dataset": [ignore_missing, text_value],
        "action": [ignore_missing, one_of(list(JOURNAL_ACTIONS))],
        "since": [ignore_missing, iso_date],
        "until": [ignore_missing, iso_date],
    }


@validator_args
def journal_export(ignore_missing, one_of) -> Schema:
    return {
        **journal_filters(),
        "separator": [ignore_missing, one_of(list(csv.SEPARATORS))],
        "header": [ignore_missing, one_of(list(csv.HEADERS))],
    }


def publication_journal_list() -> Schema:
    return {**journal_filters(), **pagination(100)}


@validator_args
def terms_version_create(not_empty, url_validator, ignore_missing) -> Schema:
    return {
        "version": [not_empty, text_value],
        "title": [not_empty, text_value],
        "url": [not_empty, text_value, url_validator],
        "summary": [ignore_missing, text_value],
    }


@validator_args
def terms_accept(not_empty) -> Schema:
    return {"organization": [not_empty, text_value], "version": [not_empty, text_value]}


@validator_args
def terms_status(not_empty) -> Schema:
    return {"organization": [not_empty, text_value]}


@validator_args
def declaration_version_create(not_empty, ignore_missing) -> Schema:
    return {
        "version": [not_empty, text_value],
        "text_fr": [not_empty, text_value],
        "text_en": [not_empty, text_value],
        "in_force_from": [ignore_missing, iso_date],
    }


@validator_args
def declaration_version_show(ignore_missing, not_empty) -> Schema:
    return {"version": [ignore_missing, text_value, not_empty]}
