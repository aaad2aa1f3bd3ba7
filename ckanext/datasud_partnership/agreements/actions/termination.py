"""Termination of an agreement: notified, then taking effect (at once, or
by the calendar: see schedule.py)."""

from __future__ import annotations

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
    allow it, the datasets to withdraw when it takes effect."""
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
        reason=data.get("reason"),
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
        reason=data.get("reason"),
        mode=decided.mode,
        clause=rule.clause,
        initiator=decided.initiator,
        requested_on=decided.requested_on,
        effective_on=decided.effective_on,
        withdraw=withdraw,
    )
    Session.flush()
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
