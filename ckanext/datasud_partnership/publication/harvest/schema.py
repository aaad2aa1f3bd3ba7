"""Validation schemas of the harvesting actions (CKAN navl, ``validator_args``)."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema

from ...common.validation import pagination, text_value
from ..gate import DECLARATION_FIELD
from .rules import OUTCOMES


@validator_args
def one_id(not_empty) -> Schema:
    """The harvest source or the dataset an action is about."""
    return {"id": [not_empty, text_value]}


@validator_args
def harvest_source_declare(ignore_missing) -> Schema:
    return {**one_id(), DECLARATION_FIELD: [ignore_missing]}


@validator_args
def harvest_publication_list(ignore_missing, one_of) -> Schema:
    return {**one_id(), "outcome": [ignore_missing, one_of(list(OUTCOMES))], **pagination(100)}
