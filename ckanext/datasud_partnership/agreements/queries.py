"""Reading agreements: rows, and the facts the rules judge."""

from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
from ckan import model

from ..common.dates import today
from . import kinds as K
from . import rules as R
from .model import Agreement, Notice, Termination

Session = model.Session


def get(agreement_id: str) -> Agreement:
    agreement = Session.get(Agreement, agreement_id) if agreement_id else None
    if agreement is None:
        raise tk.ObjectNotFound(tk._("Agreement not found"))
    return agreement


def named(reference: str, organization_id: str | None = None) -> Agreement:
    """The agreement ``reference`` names: its id, else its reference (unique
    within an organization and kind). A reference several agreements carry
    is refused, naming ``id``: give the id, or the ``organization``."""
    found = Session.get(Agreement, reference) if reference else None
    if found is not None:
        return found
    query = Session.query(Agreement).filter(Agreement.reference == reference)
    if organization_id:
        query = query.filter(Agreement.organization_id == organization_id)
    matches = query.limit(2).all()
    if not matches:
        raise tk.ObjectNotFound(tk._("Agreement not found"))
    if len(matches) > 1:
        raise tk.ValidationError(
            {
                "id": [
                    tk._(
                        "Several agreements have the reference %s: give the agreement's id, "
                        "or its organization"
                    )
                    % reference
                ]
            }
        )
    return matches[0]


def kind_of(agreement: Agreement) -> K.Kind:
    kind = K.registered().get(agreement.kind)
    if kind is None:  # a kind file was removed while agreements of it remain
        raise tk.ValidationError({"kind": [tk._("Unknown agreement kind: %s") % agreement.kind]})
    return kind


def notices(agreement: Agreement) -> list[Notice]:
    return Session.query(Notice).filter_by(agreement_id=agreement.id).order_by(Notice.served_on).all()


def termination(agreement_id: str) -> Termination | None:
    """The termination recorded for the agreement, if any (at most one)."""
    return Session.query(Termination).filter_by(agreement_id=agreement_id).one_or_none()


def as_rule_notice(notice: Notice) -> R.Notice:
    return R.Notice(notice.served_on, notice.deadline, notice.served_by, notice.lifted_on)


def facts(agreement: Agreement, notice_rows: list[Notice] | None = None, ended: object = False) -> R.Facts:
    """What the rules judge of ``agreement`` (``notice_rows``, ``ended``: its
    notices and termination, when the caller has read them already)."""
    notice_rows = notices(agreement) if notice_rows is None else notice_rows
    ended = termination(agreement.id) if ended is False else ended
    return R.Facts(
        signed_on=agreement.signed_on,
        notified_on=agreement.notified_on,
        in_force_from=agreement.in_force_from,
        end_on=agreement.end_on,
        cancelled_on=agreement.cancelled_on,
        notices=tuple(as_rule_notice(n) for n in notice_rows),
        termination=(
            R.Termination(ended.mode, ended.initiator, ended.requested_on, ended.effective_on)  # type: ignore[attr-defined]
            if ended
            else None
        ),
    )


def running_notice(agreement: Agreement, day: dt.date) -> Notice | None:
    """The formal notice running on ``day`` (the rule: ``rules.Notice.running_on``)."""
    pairs = [(as_rule_notice(row), row) for row in notices(agreement)]
    running = R.running_notice([rule for rule, _row in pairs], day)
    return next((row for rule, row in pairs if rule is running), None)


def organization_of(agreement: Agreement) -> model.Group | None:
    return Session.get(model.Group, agreement.organization_id)


def organizations(agreements: list[Agreement]) -> dict[str, model.Group]:
    ids = {a.organization_id for a in agreements}
    if not ids:
        return {}
    return {g.id: g for g in Session.query(model.Group).filter(model.Group.id.in_(ids))}


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


def sandbox_organizations(
    day: dt.date | None = None, organization_ids: list[str] | None = None
) -> dict[str, Agreement]:
    """The organizations whose agreement of a kind granting sandbox
    publication is in force on ``day`` (among ``organization_ids``, if
    given): organization id -> that agreement."""
    day = day or today()
    registry = K.registered()
    names = [name for name, kind in registry.items() if kind.grants_sandbox]
    if not names or organization_ids == []:
        return {}
    query = Session.query(Agreement).filter(Agreement.kind.in_(names))
    if organization_ids is not None:
        query = query.filter(Agreement.organization_id.in_(organization_ids))
    rows = query.order_by(Agreement.created).all()
    notices, terminations = notices_and_terminations([a.id for a in rows])
    found: dict[str, Agreement] = {}
    for agreement in rows:
        facts_of = facts(agreement, notices.get(agreement.id, []), terminations.get(agreement.id))
        if agreement.organization_id not in found and R.in_force(registry[agreement.kind], facts_of, day):
            found[agreement.organization_id] = agreement
    return found


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
