"""Termination of an agreement: notified, then taking effect (at once, or
by the calendar: see schedule.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ckan import model
from ckan.types import Context, DataDict

from ...common import events
from ...common.dates import act_day, today
from ...common.tables import utcnow
from ...common.validation import invalid
from .. import history, queries
from .. import rules as R
from .. import schema as S
from ..model import Agreement, Termination
from .base import actor, finish, loaded, rule_error
from .letter import issue_safely, senders

Session = model.Session


def _datasets_to_withdraw(choice: Any, organization_id: str) -> Any:
    if choice in ("all", "none"):
        return choice
    ids = []
    for ref in choice:
        dataset = model.Package.get(ref)
        if dataset is None or dataset.owner_org != organization_id or dataset.state == "deleted":
            raise invalid("withdraw", "%(dataset)s is not a dataset of this organization", dataset=ref)
        ids.append(dataset.id)
    return sorted(set(ids))


def agreement_terminate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Notify a termination: mode, initiator, request date, effective date
    (computed by the rules, or a later one they allow) and, for the modes that
    allow it, the datasets to withdraw when it takes effect.

    :param motives: the motives (art. 7), required unless the kind says the
        mode needs none (``motives_required: false``); ``reason`` is their
        former name, still accepted
    :param actions: the actions announced against either party (optional)
    :param modalities: an agreed termination (``modalities: true`` in the
        kind): the modalities the parties agreed, or
    :param expert: the expert they appointed to set them (art. 7.2)
    :param letter_language: ``fr`` (default) or ``en``: the letter's language
    """
    data, agreement, kind = loaded(data_dict, context, "agreement_terminate", S.agreement_terminate())
    requested_on = act_day(context, "requested_on", data.get("requested_on"))
    try:
        decided = R.check_termination(
            kind,
            queries.facts(agreement),
            data["mode"],
            data["initiator"],
            requested_on,
            data.get("effective_on"),
        )
    except R.RuleError as error:
        raise rule_error(error) from None
    rule = kind.terminations[decided.mode]
    motives = data.get("motives") or data.get("reason")
    try:
        R.check_termination_terms(rule, motives, data.get("modalities"), data.get("expert"))
    except R.RuleError as error:
        raise rule_error(error) from None
    withdraw = data["withdraw"]
    if withdraw != "none" and not rule.may_withdraw_datasets:
        raise invalid("withdraw", "This termination mode does not withdraw datasets")
    withdraw = _datasets_to_withdraw(withdraw, agreement.organization_id)
    notice = queries.running_notice(agreement, requested_on) if rule.requires_formal_notice else None
    termination = Termination(
        agreement_id=agreement.id,
        mode=decided.mode,
        clause=rule.clause,
        initiator=decided.initiator,
        requested_on=decided.requested_on,
        effective_on=decided.effective_on,
        reason=motives,
        actions=data.get("actions"),
        modalities=data.get("modalities"),
        expert=data.get("expert"),
        notice_id=notice.id if notice else None,
        withdraw=withdraw,
        recorded_by=actor(context),
    )
    Session.add(termination)
    history.record(
        agreement,
        "termination_notified",
        actor(context),
        on=decided.effective_on,
        reason=motives,
        mode=decided.mode,
        clause=rule.clause,
        initiator=decided.initiator,
        requested_on=decided.requested_on,
        effective_on=decided.effective_on,
        withdraw=withdraw,
        actions=data.get("actions"),
        modalities=data.get("modalities"),
        expert=data.get("expert"),
    )
    Session.flush()
    _letter(agreement, kind, termination, rule, notice, data["letter_language"], actor(context))
    if decided.effective_on <= today():
        take_effect(agreement, termination, actor(context))
    return finish(agreement, kind, context)


def take_effect(agreement: Agreement, termination: Termination, actor_id: str | None) -> None:
    """Record that a termination took effect, and say so: the signal
    ``termination_took_effect`` is sent inside this transaction (its
    receivers, see plugin.py, withdraw the datasets it decided: all of them
    with the termination, or nothing)."""
    termination.applied_at = utcnow()
    history.record(
        agreement,
        "terminated",
        actor_id,
        on=termination.effective_on,
        mode=termination.mode,
        clause=termination.clause,
        withdraw=termination.withdraw,
    )
    events.send_now(events.termination_took_effect, agreement, termination=termination)


def _letter(
    agreement: Agreement,
    kind: Any,
    termination: Termination,
    rule: Any,
    notice: Any,
    language: str,
    who: str | None,
) -> None:
    """The termination letter (seed 000, art. 7 and 7.1): parties, clause,
    motives, actions announced, modalities, effective date, datasets withdrawn."""
    organization = Session.get(model.Group, agreement.organization_id)
    datasets = []
    if isinstance(termination.withdraw, list) and termination.withdraw:
        rows = Session.query(model.Package).filter(model.Package.id.in_(termination.withdraw))
        datasets = sorted(row.title or row.name for row in rows)
    issue_safely(
        agreement,
        kind,
        "termination",
        language,
        {
            "termination": {
                "mode_title": rule.title.get(language),
                "clause": rule.clause,
                "requested_on": termination.requested_on,
                "effective_on": termination.effective_on,
                "last_day": termination.effective_on - dt.timedelta(days=1),
                "motives": termination.reason or "",
                "actions": termination.actions or "",
                "modalities": termination.modalities or "",
                "expert": termination.expert or "",
                "withdraw": termination.withdraw if isinstance(termination.withdraw, str) else "some",
                "datasets": datasets,
                "note": rule.note.get(language) if rule.note else "",
            },
            "notice": (
                {"served_on": notice.served_on, "deadline": notice.deadline, "breaches": notice.breaches}
                if notice is not None
                else None
            ),
            **senders(agreement, organization.display_name if organization else "", termination.initiator),
        },
        who,
        {"termination": True},
        dated=termination.requested_on,
    )
