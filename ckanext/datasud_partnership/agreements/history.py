"""The append-only history of each agreement: every change is an event
(who, when, what, why). Just before their commit they are sent as
``common.events.agreement_events_to_commit`` (the e-mails they call for join
the transaction); once committed, the events are sent as the signal
``common.events.agreement_events_committed`` (plugin.py: who receives it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ckan import model

from ..common import events
from ..common.tables import jsonable
from .dictize import event_dict
from .model import Agreement, AgreementEvent

Session = model.Session


def record(
    agreement: Agreement,
    event: str,
    actor: str | None,
    on: dt.date | None = None,
    reason: str | None = None,
    **data: Any,
) -> AgreementEvent:
    """Append one event to the agreement's history (in the caller's transaction)."""
    row = AgreementEvent(
        agreement_id=agreement.id, event=event, actor=actor, on=on, reason=reason, data=jsonable(data)
    )
    Session.add(row)
    events.collect_before_commit(
        Session, events.agreement_events_to_commit, "agreements", "events", row, convert=_as_dicts
    )
    events.collect_once_committed(
        Session, events.agreement_events_committed, "agreements", "events", row, convert=_as_dicts
    )
    return row


def _as_dicts(rows: list[AgreementEvent]) -> list[dict[str, Any]]:
    return [event_dict(row) for row in rows]
