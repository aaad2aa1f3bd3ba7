"""An agreement from its draft to its signature, notification, amendments
and milestones (sysadmins)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ...common.dates import act_day, today
from ...common.tables import jsonable
from ...common.validation import invalid, validate
from .. import history, queries
from .. import rules as R
from .. import schema as S
from ..model import Agreement, Amendment, Contribution, Milestone
from .base import (
    actor,
    check_in_force_alone,
    check_term,
    finish,
    kind_named,
    loaded,
    organization,
    set_fields,
)

Session = model.Session


def agreement_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record a new agreement for an organization (sysadmins).

    :param organization: id or name of the partner organization
    :param kind: ``datasud_partnership``, ``challenge_open_data``...
    :param reference: the agreement's reference
    :param signed_on, notified_on: optional ISO dates, for an agreement
        already signed or notified
    :param end_on: the last day of a fixed-term agreement (default: the
        end of the kind's season running on the signature day or today, or
        the kind's ``fixed_end`` while it is not past)
    :param region_referent: the region's referent, a user of the portal team
        (name or id)
    Other contract fields: parties, deliberation_number, deliberation_date,
    referent_name, referent_email, referent_phone, documents,
    beneficiary_invoice_on.
    """
    tk.check_access("agreement_create", context, data_dict)
    data = validate(data_dict, S.agreement_create(), context)
    org = organization(data["organization"])
    kind = kind_named(data["kind"])
    signed_on, notified_on = data.get("signed_on"), data.get("notified_on")
    if notified_on and not signed_on:
        raise invalid("notified_on", "An agreement is notified after it is signed: give signed_on")
    for field in ("signed_on", "notified_on", "deliberation_date"):
        if data.get(field):
            act_day(context, field, data[field])
    if signed_on and notified_on and notified_on < signed_on:
        raise invalid("notified_on", "The notification cannot be before the signature")
    if data.get("end_on") and not kind.term.fixed:
        raise invalid("end_on", "This kind of agreement has no fixed end")
    if kind.term.fixed and not data.get("end_on"):
        default = R.default_end(kind, signed_on or today())
        if default is not None:
            data["end_on"] = default
    referent_id = region_referent(data["region_referent"]) if data.get("region_referent") else None
    later = data.get("in_force_from")
    if later is not None:
        _check_later_start(kind, later, signed_on if kind.term.starts_on == "signature" else notified_on)
    agreement_facts = R.Facts(
        signed_on=signed_on, notified_on=notified_on, in_force_from=later, end_on=data.get("end_on")
    )
    if R.start_date(kind, agreement_facts) is not None:
        field = "signed_on" if kind.term.starts_on == "signature" else "notified_on"
        check_term(kind, agreement_facts, field)
        check_in_force_alone(None, data["reference"], org.id, kind, agreement_facts, field)

    agreement = Agreement(organization_id=org.id, kind=kind.name, parties=[], documents=[])
    agreement.created_by = actor(context)
    set_fields(agreement, data)
    agreement.region_referent_id = referent_id
    agreement.signed_on, agreement.notified_on = signed_on, notified_on
    agreement.in_force_from = later
    Session.add(agreement)
    Session.flush()
    for position, milestone in enumerate(kind.milestones):
        Session.add(
            Milestone(
                agreement_id=agreement.id,
                code=milestone.code,
                phase=milestone.phase,
                position=position,
                title={"fr": milestone.title.fr, "en": milestone.title.en},
                session=milestone.session,
            )
        )
    for position, share in enumerate(kind.financial.contributions):
        Session.add(
            Contribution(
                agreement_id=agreement.id,
                position=position,
                funder={"fr": share.funder.fr, "en": share.funder.en},
                amount=share.amount,
                beneficiary=share.beneficiary,
            )
        )
    who = actor(context)
    history.record(agreement, "created", who, reference=agreement.reference, kind=kind.name)
    starting = {"in_force_from": later} if later else {}
    if signed_on:
        history.record(
            agreement, "signed", who, on=signed_on, **(starting if kind.term.starts_on == "signature" else {})
        )
    if notified_on:
        history.record(agreement, "notified", who, on=notified_on, **starting)
    return finish(agreement, kind, context)


def region_referent(value: str) -> str:
    """The id of the region's referent: an active user of the portal team."""
    user = model.User.get(value)
    if user is None or user.state != "active" or not user.sysadmin:
        raise invalid(
            "region_referent",
            "The region's referent is a user of the portal team (a sysadmin): %(user)s is not one",
            user=value,
        )
    return user.id


def _check_later_start(kind: Any, later: Any, recorded: Any) -> None:
    """A later entry into force is stated with the act that brings the
    agreement into force, and is not before it."""
    if recorded is None:
        act = "signature" if kind.term.starts_on == "signature" else "notification"
        raise invalid(
            "in_force_from", "The entry into force is stated with the %(act)s: record it then", act=act
        )
    if later < recorded:
        raise invalid(
            "in_force_from",
            "The entry into force cannot be before the act that states it (%(day)s)",
            day=recorded.isoformat(),
        )


def _check_coming_into_force(agreement: Agreement, kind: Any, field: str, **dates: Any) -> None:
    """The date ``field`` brings the agreement into force: its term must not
    be over, and no other of its kind may be in force on the same days."""
    agreement_facts = dataclasses.replace(queries.facts(agreement), **dates)
    check_term(kind, agreement_facts, field)
    check_in_force_alone(
        agreement.id, agreement.reference, agreement.organization_id, kind, agreement_facts, field
    )


def agreement_patch(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change contract fields of a draft agreement (sysadmins).

    :param id: the agreement's id (a draft)
    :param reference, parties, deliberation_number, deliberation_date, end_on,
        referent_name, referent_email, referent_phone, region_referent,
        documents, beneficiary_invoice_on: the contract fields to change (only those given)
    :returns: the agreement, as ``agreement_show`` gives it
    """
    data, agreement, kind = loaded(data_dict, context, "agreement_patch", S.agreement_patch())
    if R.status(kind, queries.facts(agreement), today()) != R.DRAFT or agreement.signed_on:
        raise invalid("id", "Only a draft agreement can be changed; a signed one is changed by amendment")
    if data.get("end_on") and not kind.term.fixed:
        raise invalid("end_on", "This kind of agreement has no fixed end")
    if data.get("deliberation_date"):
        act_day(context, "deliberation_date", data["deliberation_date"])
    changes = set_fields(agreement, data)
    if "region_referent" in data:
        referent_id = region_referent(data["region_referent"]) if data["region_referent"] else None
        if referent_id != agreement.region_referent_id:
            changes["region_referent"] = [agreement.region_referent_id, referent_id]
            agreement.region_referent_id = referent_id
    if changes:
        history.record(agreement, "updated", actor(context), changes=changes)
    return finish(agreement, kind, context)


def agreement_cancel(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Cancel a mistaken draft: it stays on record, as cancelled (sysadmins).

    :param id: the agreement's id (a draft)
    :param reason: why it is cancelled
    :returns: the agreement, as ``agreement_show`` gives it
    """
    data, agreement, kind = loaded(data_dict, context, "agreement_cancel", S.agreement_cancel())
    if agreement.signed_on or agreement.cancelled_on:
        raise invalid("id", "Only an unsigned draft can be cancelled")
    agreement.cancelled_on = today()
    history.record(agreement, "cancelled", actor(context), on=agreement.cancelled_on, reason=data["reason"])
    return finish(agreement, kind, context)


def agreement_sign(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record the signature date (sysadmins).

    :param id: the agreement's id (a draft)
    :param signed_on: the signature date (ISO)
    :param in_force_from: optional: a later entry into force (a successor)
    :returns: the agreement, as ``agreement_show`` gives it
    """
    data, agreement, kind = loaded(data_dict, context, "agreement_sign", S.agreement_sign())
    if agreement.cancelled_on:
        raise invalid("id", "This agreement was cancelled")
    if agreement.signed_on:
        raise invalid(
            "signed_on", "The agreement is already signed (on %(day)s)", day=agreement.signed_on.isoformat()
        )
    act_day(context, "signed_on", data["signed_on"])
    later = data.get("in_force_from")
    if kind.term.starts_on == "signature":
        if later is not None:
            _check_later_start(kind, later, data["signed_on"])
        _check_coming_into_force(
            agreement, kind, "signed_on", signed_on=data["signed_on"], in_force_from=later
        )
        agreement.in_force_from = later
    elif later is not None:
        raise invalid(
            "in_force_from",
            "This kind of agreement enters into force at its notification: give the date then",
        )
    agreement.signed_on = data["signed_on"]
    history.record(
        agreement,
        "signed",
        actor(context),
        on=agreement.signed_on,
        **({"in_force_from": later} if later else {}),
    )
    return finish(agreement, kind, context)


def agreement_notify(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record the notification date (sysadmins). The DataSud partnership is in
    force from it.

    :param id: the agreement's id (signed)
    :param notified_on: the notification date (ISO)
    :param in_force_from: optional: a later entry into force (a successor)
    :returns: the agreement, as ``agreement_show`` gives it
    """
    data, agreement, kind = loaded(data_dict, context, "agreement_notify", S.agreement_notify())
    day = data["notified_on"]
    if not agreement.signed_on:
        raise invalid("notified_on", "An agreement is notified after it is signed")
    if agreement.notified_on:
        raise invalid(
            "notified_on",
            "The agreement is already notified (on %(day)s)",
            day=agreement.notified_on.isoformat(),
        )
    if day < agreement.signed_on:
        raise invalid("notified_on", "The notification cannot be before the signature")
    act_day(context, "notified_on", day)
    later = data.get("in_force_from")
    if kind.term.starts_on == "notification":
        if later is not None:
            _check_later_start(kind, later, day)
        _check_coming_into_force(agreement, kind, "notified_on", notified_on=day, in_force_from=later)
        agreement.in_force_from = later
    elif later is not None:
        raise invalid(
            "in_force_from", "This kind of agreement enters into force at its signature: give the date then"
        )
    agreement.notified_on = day
    history.record(
        agreement, "notified", actor(context), on=day, **({"in_force_from": later} if later else {})
    )
    return finish(agreement, kind, context)


def _contributions(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for row in rows:
        try:
            amount = Decimal(str(row["amount"]).replace(",", "."))
        except InvalidOperation:
            raise invalid("contributions", "Amounts must be numbers") from None
        if amount < 0:
            raise invalid("contributions", "Amounts cannot be negative")
        result.append(
            {"funder": row["funder"], "amount": amount, "beneficiary": bool(row.get("beneficiary"))}
        )
    return result


def agreement_amend(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record an amendment ("avenant"): numbered, dated, described; it may
    change the end date or the financial terms. Every version stays on record.

    :param id: the agreement's id
    :param signed_on: the amendment's signature date (ISO)
    :param description: what it changes
    :param end_on: optional: the new end (fixed-term kinds)
    :param contributions: optional: the financial terms, ``[{"funder", "amount", "beneficiary"}]``
    :returns: the agreement, as ``agreement_show`` gives it
    """
    data, agreement, kind = loaded(data_dict, context, "agreement_amend", S.agreement_amend())
    if not agreement.signed_on or agreement.cancelled_on:
        raise invalid("id", "Only a signed agreement can be amended")
    # judged on the day the amendment was signed: an amendment signed in time
    # may be recorded after the end it postpones
    current = R.status(kind, queries.facts(agreement), data["signed_on"])
    if current in (R.TERMINATED, R.EXPIRED):
        raise invalid("id", "An agreement that has ended cannot be amended")
    if data["signed_on"] < agreement.signed_on:
        raise invalid("signed_on", "An amendment cannot be signed before the agreement")
    act_day(context, "signed_on", data["signed_on"])
    new_end = data.get("end_on")
    if new_end is not None:
        if not kind.term.fixed:
            raise invalid("end_on", "This kind of agreement has no fixed end")
        start = R.start_date(kind, queries.facts(agreement)) or agreement.signed_on
        if new_end < start:
            raise invalid("end_on", "The end cannot be before the agreement starts")
        moved = dataclasses.replace(queries.facts(agreement), end_on=new_end)
        check_in_force_alone(
            agreement.id, agreement.reference, agreement.organization_id, kind, moved, "end_on"
        )
    shares = _contributions(data["contributions"]) if data.get("contributions") else None
    number = (
        Session.query(sa.func.max(Amendment.number)).filter_by(agreement_id=agreement.id).scalar() or 0
    ) + 1
    before_end = R.fixed_end(kind, queries.facts(agreement))
    old_rows = (
        Session.query(Contribution).filter_by(agreement_id=agreement.id).order_by(Contribution.position).all()
    )
    before_shares = [{"funder": c.funder, "amount": c.amount, "beneficiary": c.beneficiary} for c in old_rows]
    amendment = Amendment(
        agreement_id=agreement.id,
        number=number,
        signed_on=data["signed_on"],
        description=data["description"],
        end_on=new_end,
        contributions=jsonable(shares),
        created_by=actor(context),
    )
    Session.add(amendment)
    if new_end is not None:
        agreement.end_on = new_end
    if shares is not None:
        for row in old_rows:
            Session.delete(row)  # the previous terms stay in the history and the amendment
        for position, share in enumerate(shares):
            funder = {"fr": share["funder"], "en": share["funder"]}
            Session.add(
                Contribution(
                    agreement_id=agreement.id,
                    position=position,
                    funder=funder,
                    amount=share["amount"],
                    beneficiary=share["beneficiary"],
                )
            )
    history.record(
        agreement,
        "amended",
        actor(context),
        on=data["signed_on"],
        reason=data["description"],
        number=number,
        end_on=[before_end, new_end] if new_end else None,
        contributions=[before_shares, shares] if shares is not None else None,
    )
    return finish(agreement, kind, context)


def agreement_milestone_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record that a milestone was done (or undo it with an empty date).

    :param id: the agreement's id
    :param code: the milestone's code (``agreement_kind_list``)
    :param done_on: the date it was done (ISO); empty to undo
    :param note: optional
    :returns: the agreement, as ``agreement_show`` gives it
    """
    data, agreement, kind = loaded(
        data_dict, context, "agreement_milestone_update", S.agreement_milestone_update()
    )
    milestone = Session.query(Milestone).filter_by(agreement_id=agreement.id, code=data["code"]).one_or_none()
    if milestone is None:
        codes = [m.code for m in kind.milestones]
        raise invalid(
            "code",
            "Unknown milestone %(code)s; the milestones are: %(codes)s",
            code=data["code"],
            codes=", ".join(codes) or "-",
        )
    done_on = data.get("done_on")
    if done_on is not None:
        act_day(context, "done_on", done_on)
    before = [milestone.done_on, milestone.note]
    milestone.done_on = done_on
    if "note" in data:
        milestone.note = data["note"]
    history.record(
        agreement,
        "milestone",
        actor(context),
        on=done_on,
        code=milestone.code,
        before=before,
        after=[milestone.done_on, milestone.note],
    )
    return finish(agreement, kind, context)
