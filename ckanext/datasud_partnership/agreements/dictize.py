"""Agreements as the API shows them: the public register, the full record,
the history's events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ckan import model

from ..common.dates import iso
from ..common.language import current_language
from . import kinds as K
from . import queries
from . import rules as R
from .documents.storage import listed as documents_listed
from .model import Agreement, AgreementEvent, Amendment, Contribution, Milestone

Session = model.Session


def register_dict(
    agreement: Agreement,
    kind: K.Kind,
    summary: dict[str, Any],
    day: dt.date,
    org: model.Group | None | bool = False,
) -> dict[str, Any]:
    """What anybody may read: the public register. (``org``: the
    organization, when the caller has loaded it already.)"""
    org = queries.organization_of(agreement) if org is False else org
    return {
        "id": agreement.id,
        "organization": org.name if org else None,
        "organization_id": agreement.organization_id,
        "organization_title": org.title if org else None,
        "kind": agreement.kind,
        "kind_title": kind.title.get(current_language()),
        "reference": agreement.reference,
        "status": summary["status"],
        "in_force_from": iso(summary["in_force_from"]),
        "next_anniversary": iso(summary["next_anniversary"]),
        "ends_on": iso(summary["ends_on"]),
        "grants_publication": summary["grants_publication"],
        "as_of": day.isoformat(),
    }


def full_dict(agreement: Agreement, kind: K.Kind, day: dt.date) -> dict[str, Any]:
    """Everything on record, for the portal's admins and the partner's admins."""
    notice_rows = queries.notices(agreement)
    ended = queries.termination(agreement.id)
    agreement_facts = queries.facts(agreement, notice_rows, ended)
    summary = R.summary(kind, agreement_facts, day)
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
            "current_term_end": iso(summary["current_term_end"]),
            "anniversary_notice_deadline": iso(summary["anniversary_notice_deadline"]),
            "parties": agreement.parties,
            "deliberation_number": agreement.deliberation_number,
            "deliberation_date": iso(agreement.deliberation_date),
            "signed_on": iso(agreement.signed_on),
            "notified_on": iso(agreement.notified_on),
            "end_on": iso(R.fixed_end(kind, agreement_facts)),
            "cancelled_on": iso(agreement.cancelled_on),
            "referent": {
                "name": agreement.referent_name,
                "email": agreement.referent_email,
                "phone": agreement.referent_phone,
            },
            "region_referent": region_referent_dict(agreement),
            "printable": bool(kind.agreement_template),
            "documents": documents_listed(agreement),
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
                "beneficiary_invoice_on": iso(agreement.beneficiary_invoice_on),
            },
            "milestones": [
                {
                    "code": m.code,
                    "phase": m.phase,
                    "title": m.title,
                    "session": m.session,
                    "done_on": iso(m.done_on),
                    "note": m.note,
                }
                for m in milestones
            ],
            "amendments": [
                {
                    "number": a.number,
                    "signed_on": iso(a.signed_on),
                    "description": a.description,
                    "end_on": iso(a.end_on),
                    "contributions": a.contributions,
                }
                for a in amendments
            ],
            "notices": [
                {
                    "id": n.id,
                    "served_by": n.served_by,
                    "served_on": iso(n.served_on),
                    "breaches": n.breaches,
                    "deadline": iso(n.deadline),
                    "observations": n.observations,
                    "observations_on": iso(n.observations_on),
                    "lifted_on": iso(n.lifted_on),
                    "lift_reason": n.lift_reason,
                }
                for n in notice_rows
            ],
            "termination": (
                {
                    "mode": ended.mode,
                    "clause": ended.clause,
                    "initiator": ended.initiator,
                    "requested_on": iso(ended.requested_on),
                    "effective_on": iso(ended.effective_on),
                    "reason": ended.reason,
                    "motives": ended.reason,
                    "actions": ended.actions,
                    "modalities": ended.modalities,
                    "expert": ended.expert,
                    "withdraw": ended.withdraw,
                    "applied_at": iso(ended.applied_at),
                }
                if ended
                else None
            ),
            "created": iso(agreement.created),
        }
    )
    return data


def region_referent_dict(agreement: Agreement) -> dict[str, Any] | None:
    """The region's referent: a user of the portal team (name, display name, e-mail)."""
    user = Session.get(model.User, agreement.region_referent_id) if agreement.region_referent_id else None
    if user is None:
        return None
    return {"name": user.name, "display_name": user.display_name, "email": user.email}


def event_dict(row: AgreementEvent) -> dict[str, Any]:
    user = Session.get(model.User, row.actor) if row.actor else None
    return {
        "id": row.id,
        "agreement_id": row.agreement_id,
        "event": row.event,
        "actor": user.name if user else None,
        "at": row.at.isoformat(),
        "on": iso(row.on),
        "reason": row.reason,
        "data": row.data,
    }
