"""Reading and writing agreements: rows to rule facts, rows to API dicts,
and the append-only history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as SASession

from . import kinds as K
from . import rules as R
from .model import (
    Agreement,
    AgreementEvent,
    AgreementState,
    Amendment,
    Contribution,
    Milestone,
    Notice,
    Termination,
)

Session = model.Session

# Sent once the events are committed, with the list of event dicts: e-mails
# and the activity stream subscribe to it (ISignal), the actions don't know them.
events_committed = tk.signals.ckanext.signal("datasud_partnership_agreement_events")
_PENDING = "datasud_partnership_pending_events"
_AFTER_COMMIT = "datasud_partnership_after_commit"


def today() -> dt.date:
    return dt.date.today()


def get(agreement_id: str) -> Agreement:
    agreement = Session.get(Agreement, agreement_id) if agreement_id else None
    if agreement is None:
        raise tk.ObjectNotFound(tk._("Agreement not found"))
    return agreement


def kind_of(agreement: Agreement) -> K.Kind:
    kind = K.registered().get(agreement.kind)
    if kind is None:  # a kind file was removed while agreements of it remain
        raise tk.ValidationError({"kind": [tk._("Unknown agreement kind: %s") % agreement.kind]})
    return kind


def notices(agreement: Agreement) -> list[Notice]:
    return Session.query(Notice).filter_by(agreement_id=agreement.id).order_by(Notice.served_on).all()


def termination(agreement: Agreement) -> Termination | None:
    return Session.query(Termination).filter_by(agreement_id=agreement.id).one_or_none()


def facts(agreement: Agreement, notice_rows: list[Notice] | None = None, ended: Any = False) -> R.Facts:
    notice_rows = notices(agreement) if notice_rows is None else notice_rows
    ended = termination(agreement) if ended is False else ended
    return R.Facts(
        signed_on=agreement.signed_on,
        notified_on=agreement.notified_on,
        end_on=agreement.end_on,
        cancelled_on=agreement.cancelled_on,
        notices=tuple(R.Notice(n.served_on, n.deadline, n.served_by, n.lifted_on) for n in notice_rows),
        termination=(
            R.Termination(ended.mode, ended.initiator, ended.requested_on, ended.effective_on)
            if ended
            else None
        ),
    )


def record(
    agreement: Agreement,
    event: str,
    actor: str | None,
    on: dt.date | None = None,
    reason: str | None = None,
    **data: Any,
) -> AgreementEvent:
    """Append one event to the agreement's history."""
    row = AgreementEvent(
        agreement_id=agreement.id, event=event, actor=actor, on=on, reason=reason, data=jsonable(data)
    )
    Session.add(row)
    Session.info.setdefault(_PENDING, []).append(row)
    return row


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction is committed by
    :func:`commit` (never if it is rolled back): for what must not happen
    before the change is durable, such as updating the search index."""
    Session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def commit() -> None:
    """Commit, tell the subscribers which events were recorded, then run the
    callbacks waiting for the commit."""
    Session.commit()
    rows = Session.info.pop(_PENDING, [])
    callbacks = Session.info.pop(_AFTER_COMMIT, [])
    if rows:
        events_committed.send("agreements", events=[event_dict(row) for row in rows])
    for callback in callbacks:
        callback()


@sa_event.listens_for(SASession, "after_rollback")
def _forget_rolled_back_events(session: SASession) -> None:
    """Events of a rolled-back transaction were never recorded, and what was
    waiting for its commit never happens: forget them."""
    session.info.pop(_PENDING, None)
    session.info.pop(_AFTER_COMMIT, None)


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def organization_of(agreement: Agreement) -> model.Group | None:
    return Session.get(model.Group, agreement.organization_id)


def register_dict(
    agreement: Agreement,
    kind: K.Kind,
    summary: dict[str, Any],
    day: dt.date,
    org: model.Group | None | bool = False,
) -> dict[str, Any]:
    """What anybody may read: the public register. (``org``: the
    organization, when the caller has loaded it already.)"""
    org = organization_of(agreement) if org is False else org
    lang = (tk.h.lang() if _in_request() else None) or tk.config.get("ckan.locale_default") or "fr"
    return {
        "id": agreement.id,
        "organization": org.name if org else None,
        "organization_id": agreement.organization_id,
        "organization_title": org.title if org else None,
        "kind": agreement.kind,
        "kind_title": kind.title.get(lang),
        "reference": agreement.reference,
        "status": summary["status"],
        "in_force_from": _iso(summary["in_force_from"]),
        "next_anniversary": _iso(summary["next_anniversary"]),
        "ends_on": _iso(summary["ends_on"]),
        "grants_publication": summary["grants_publication"],
        "as_of": day.isoformat(),
    }


def _in_request() -> bool:
    from flask import has_request_context

    return has_request_context()


def full_dict(agreement: Agreement, kind: K.Kind, day: dt.date) -> dict[str, Any]:
    """Everything on record, for the portal's admins and the partner's admins."""
    notice_rows = notices(agreement)
    ended = termination(agreement)
    summary = R.summary(kind, facts(agreement, notice_rows, ended), day)
    data = register_dict(agreement, kind, summary, day)
    milestones = (
        Session.query(Milestone).filter_by(agreement_id=agreement.id).order_by(Milestone.position).all()
    )
    contributions = (
        Session.query(Contribution).filter_by(agreement_id=agreement.id).order_by(Contribution.position).all()
    )
    amendments = (
        Session.query(Amendment).filter_by(agreement_id=agreement.id).order_by(Amendment.number).all()
    )
    total = sum((c.amount for c in contributions), Decimal(0))
    data.update(
        {
            "current_term_end": _iso(summary["current_term_end"]),
            "anniversary_notice_deadline": _iso(summary["anniversary_notice_deadline"]),
            "parties": agreement.parties,
            "deliberation_number": agreement.deliberation_number,
            "deliberation_date": _iso(agreement.deliberation_date),
            "signed_on": _iso(agreement.signed_on),
            "notified_on": _iso(agreement.notified_on),
            "end_on": _iso(R.fixed_end(kind, facts(agreement, notice_rows, ended))),
            "cancelled_on": _iso(agreement.cancelled_on),
            "referent": {
                "name": agreement.referent_name,
                "email": agreement.referent_email,
                "phone": agreement.referent_phone,
            },
            "documents": _documents(agreement),
            "financial": {
                "free": kind.financial.free,
                "currency": kind.financial.currency,
                "total": str(total) if contributions else None,
                "contributions": [
                    {"funder": c.funder, "amount": str(c.amount), "beneficiary": c.beneficiary}
                    for c in contributions
                ],
                "beneficiary_share_due": str(
                    sum((c.amount for c in contributions if c.beneficiary), Decimal(0))
                ),
                "beneficiary_invoice_on": _iso(agreement.beneficiary_invoice_on),
            },
            "milestones": [
                {
                    "code": m.code,
                    "phase": m.phase,
                    "title": m.title,
                    "session": m.session,
                    "done_on": _iso(m.done_on),
                    "note": m.note,
                }
                for m in milestones
            ],
            "amendments": [
                {
                    "number": a.number,
                    "signed_on": _iso(a.signed_on),
                    "description": a.description,
                    "end_on": _iso(a.end_on),
                    "contributions": a.contributions,
                }
                for a in amendments
            ],
            "notices": [
                {
                    "id": n.id,
                    "served_by": n.served_by,
                    "served_on": _iso(n.served_on),
                    "breaches": n.breaches,
                    "deadline": _iso(n.deadline),
                    "observations": n.observations,
                    "observations_on": _iso(n.observations_on),
                    "lifted_on": _iso(n.lifted_on),
                    "lift_reason": n.lift_reason,
                }
                for n in notice_rows
            ],
            "termination": (
                {
                    "mode": ended.mode,
                    "clause": ended.clause,
                    "initiator": ended.initiator,
                    "requested_on": _iso(ended.requested_on),
                    "effective_on": _iso(ended.effective_on),
                    "reason": ended.reason,
                    "withdraw": ended.withdraw,
                    "applied_at": _iso(ended.applied_at),
                }
                if ended
                else None
            ),
            "created": _iso(agreement.created),
        }
    )
    return data


def _documents(agreement: Agreement) -> list[dict[str, Any]]:
    from .documents import listed  # documents.py imports this module

    return listed(agreement)


def event_dict(row: AgreementEvent) -> dict[str, Any]:
    user = Session.get(model.User, row.actor) if row.actor else None
    return {
        "id": row.id,
        "agreement_id": row.agreement_id,
        "event": row.event,
        "actor": user.name if user else None,
        "at": row.at.isoformat(),
        "on": _iso(row.on),
        "reason": row.reason,
        "data": row.data,
    }


def agreements_of(organization_id: str) -> list[Agreement]:
    return (
        Session.query(Agreement).filter_by(organization_id=organization_id).order_by(Agreement.created).all()
    )


def publishing_agreement(organization_id: str, day: dt.date | None = None) -> Agreement | None:
    """The organization's agreement in force on ``day`` whose kind grants
    publication, if any."""
    day = day or today()
    registry = K.registered()
    for agreement in agreements_of(organization_id):
        kind = registry.get(agreement.kind)
        if kind is not None and R.grants_publication(kind, facts(agreement), day):
            return agreement
    return None


def organization_may_publish(organization_id: str, day: dt.date | None = None) -> bool:
    """Does the organization have, on ``day``, an agreement in force whose
    kind grants publication? (For the publication gate.)"""
    return publishing_agreement(organization_id, day) is not None


def notices_and_terminations(
    agreement_ids: list[str],
) -> tuple[dict[str, list[Notice]], dict[str, Termination]]:
    """The notices and terminations of many agreements, in two queries."""
    by_notice: dict[str, list[Notice]] = {}
    by_termination: dict[str, Termination] = {}
    if not agreement_ids:
        return by_notice, by_termination
    for notice in (
        Session.query(Notice).filter(Notice.agreement_id.in_(agreement_ids)).order_by(Notice.served_on)
    ):
        by_notice.setdefault(notice.agreement_id, []).append(notice)
    for ended in Session.query(Termination).filter(Termination.agreement_id.in_(agreement_ids)):
        by_termination[ended.agreement_id] = ended
    return by_notice, by_termination


# -- the cached computed fields ---------------------------------------------------
SUMMARY_FIELDS = (
    "status",
    "in_force_from",
    "current_term_end",
    "next_anniversary",
    "anniversary_notice_deadline",
    "ends_on",
    "grants_publication",
)


def refresh_state(agreement: Agreement, kind: K.Kind, agreement_facts: R.Facts, day: dt.date) -> None:
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


def state_is_current(row: AgreementState | None, day: dt.date) -> bool:
    return row is not None and row.computed_on <= day and (row.valid_until is None or day < row.valid_until)


def organizations(agreements: list[Agreement]) -> dict[str, model.Group]:
    ids = {a.organization_id for a in agreements}
    if not ids:
        return {}
    return {g.id: g for g in Session.query(model.Group).filter(model.Group.id.in_(ids))}


def termination_of(agreement_id: str) -> Termination | None:
    return Session.query(Termination).filter_by(agreement_id=agreement_id).one_or_none()
