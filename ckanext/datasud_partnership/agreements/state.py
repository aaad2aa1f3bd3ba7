"""The agreements' computed fields, stored: status and dates as of a day,
and until when they hold (the register lists and filters from them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ckan import model

from . import kinds as K
from . import rules as R
from .model import AgreementState

Session = model.Session

SUMMARY_FIELDS = (
    "status",
    "in_force_from",
    "current_term_end",
    "next_anniversary",
    "anniversary_notice_deadline",
    "ends_on",
    "grants_publication",
)


def refresh(agreement: Any, kind: K.Kind, agreement_facts: R.Facts, day: dt.date) -> None:
    """Store the agreement's computed fields as of ``day`` and how long they hold."""
    summary = R.summary(kind, agreement_facts, day)
    row = Session.get(AgreementState, agreement.id) or AgreementState(agreement_id=agreement.id)
    for field in SUMMARY_FIELDS:
        setattr(row, field, summary[field])
    row.computed_on = day
    row.valid_until = R.valid_until(kind, agreement_facts, day)
    Session.add(row)


def cached_summary(row: AgreementState) -> dict[str, Any]:
    return {field: getattr(row, field) for field in SUMMARY_FIELDS}


def is_current(row: AgreementState | None, day: dt.date) -> bool:
    return row is not None and row.computed_on <= day and (row.valid_until is None or day < row.valid_until)
