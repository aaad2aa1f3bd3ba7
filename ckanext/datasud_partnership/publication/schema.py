"""Validation schemas of the publication actions (CKAN navl, as CKAN writes
its own: ``validator_args`` passes each named CKAN validator)."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema

from ..common.validation import iso_date, pagination
from .gate import DECLARATION_FIELD

JOURNAL_ACTIONS = ("published", "withdrawn")


@validator_args
def dataset_publish(not_empty, unicode_safe, ignore_missing) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "license_id": [ignore_missing, unicode_safe],
        DECLARATION_FIELD: [ignore_missing],
    }


@validator_args
def dataset_withdraw(not_empty, unicode_safe, ignore_missing) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "reason": [not_empty, unicode_safe],
        "ground": [ignore_missing],
    }


@validator_args
def journal_filters(ignore_missing, unicode_safe, one_of) -> Schema:
    return {
        "organization": [ignore_missing, unicode_safe],
        "dataset": [ignore_missing, unicode_safe],
        "action": [ignore_missing, one_of(list(JOURNAL_ACTIONS))],
        "since": [ignore_missing, iso_date],
        "until": [ignore_missing, iso_date],
    }


def publication_journal_list() -> Schema:
    return {**journal_filters(), **pagination(100)}


@validator_args
def terms_version_create(not_empty, unicode_safe, url_validator, ignore_missing) -> Schema:
    return {
        "version": [not_empty, unicode_safe],
        "title": [not_empty, unicode_safe],
        "url": [not_empty, unicode_safe, url_validator],
        "summary": [ignore_missing, unicode_safe],
    }


@validator_args
def terms_accept(not_empty, unicode_safe) -> Schema:
    return {"organization": [not_empty, unicode_safe], "version": [not_empty, unicode_safe]}


@validator_args
def terms_status(not_empty, unicode_safe) -> Schema:
    return {"organization": [not_empty, unicode_safe]}
