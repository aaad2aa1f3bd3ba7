"""Validation schemas of the claim actions (CKAN navl, ``validator_args``)."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema

from ..common.validation import pagination, text_value
from .model import CLOSED, KINDS, OPEN

RESOLVED = ("corrected", "unfounded")  # the outcomes claim_resolve records


@validator_args
def text(not_empty, strip_value) -> list:
    """A text that is not blank once stripped."""
    return [not_empty, text_value, strip_value, not_empty]


@validator_args
def claim_create(not_empty, one_of) -> Schema:
    return {
        "dataset": [not_empty, text_value],
        "kind": [not_empty, one_of(list(KINDS))],
        "description": text(),
    }


@validator_args
def one_claim(not_empty) -> Schema:
    return {"id": [not_empty, text_value]}


@validator_args
def claim_list(ignore_missing, one_of) -> Schema:
    return {
        "organization": [ignore_missing, text_value],
        "dataset": [ignore_missing, text_value],
        "status": [ignore_missing, one_of([OPEN, CLOSED])],
        **pagination(100),
    }


def claim_answer() -> Schema:
    return {**one_claim(), "text": text()}


@validator_args
def claim_resolve(not_empty, one_of) -> Schema:
    return {**one_claim(), "outcome": [not_empty, one_of(list(RESOLVED))], "text": text()}
