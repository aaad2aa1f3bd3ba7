"""The formal notice ("mise en demeure", art. 7.1 of the DataSud partnership):
served, answered, lifted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ckan import model
from ckan.types import Context, DataDict

from ...common.dates import act_day
from ...common.validation import invalid
from .. import history, queries
from .. import rules as R
from .. import schema as S
from ..model import Agreement, Notice
from .base import actor, finish, loaded, status_in_words
from .letter import issue_safely, senders

Session = model.Session


def agreement_notice_serve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Serve a formal notice ("mise en demeure", art. 7.1): the breaches and a
    written deadline to remedy them. The letter is generated as a PDF (in
    ``letter_language``: ``fr``, the default, or ``en``), added to the
    agreement's documents and attached to the e-mails.

    :param id: the agreement's id (in force)
    :param breaches: the breaches, a list of texts
    :param deadline: the date to remedy them by (ISO)
    :param served_on: optional ISO date (today by default)
    :param served_by: ``operator`` (default) or ``partner``
    :param letter_language: ``fr`` (default) or ``en``: the letter generated
    :returns: the agreement, as ``agreement_show`` gives it
    """
    data, agreement, kind = loaded(data_dict, context, "agreement_notice_serve", S.agreement_notice_serve())
    served_on = act_day(context, "served_on", data.get("served_on"))
    current = R.status(kind, queries.facts(agreement), served_on)
    if current not in (R.IN_FORCE, R.UNDER_NOTICE):
        raise invalid(
            "id",
            "A formal notice is served on an agreement in force; on %(day)s it is %(status)s",
            **status_in_words({"day": served_on.isoformat(), "status": current}),
        )
    if data["deadline"] <= served_on:
        raise invalid("deadline", "The deadline must be after the day the notice is served")
    if queries.running_notice(agreement, served_on) is not None:
        raise invalid("id", "A formal notice is already running: lift it before serving another")
    notice = Notice(
        agreement_id=agreement.id,
        served_by=data["served_by"],
        served_on=served_on,
        breaches=data["breaches"],
        deadline=data["deadline"],
    )
    Session.add(notice)
    Session.flush()
    history.record(
        agreement,
        "notice_served",
        actor(context),
        on=served_on,
        notice_id=notice.id,
        served_by=notice.served_by,
        breaches=notice.breaches,
        deadline=notice.deadline,
    )
    fault = next((m for m in kind.terminations.values() if m.requires_formal_notice), None)
    organization = Session.get(model.Group, agreement.organization_id)
    issue_safely(
        agreement,
        kind,
        "formal_notice",
        data["letter_language"],
        {
            "notice": {"served_on": served_on, "deadline": notice.deadline, "breaches": notice.breaches},
            "clause": fault.clause if fault else "",
            **senders(agreement, organization.display_name if organization else "", notice.served_by),
        },
        actor(context),
        {"notice_id": notice.id},
        dated=served_on,
    )
    return finish(agreement, kind, context)


def _the_running_notice(
    context: Context, agreement: Agreement, data: dict[str, Any], field: str
) -> tuple[dt.date, Notice]:
    """The day of the act (``common.dates.act_day``: today, or an earlier day
    the portal's team gives) and the formal notice running then; a
    ValidationError when none is."""
    day = act_day(context, field, data.get(field))
    notice = queries.running_notice(agreement, day)
    if notice is None:
        raise invalid("id", "No formal notice is running on this agreement")
    return day, notice


def agreement_notice_answer(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """File the notified party's observations, before the deadline.

    :param id: the agreement's id
    :param observations: the partner's observations
    :param answered_on: optional ISO date (today by default; earlier only for sysadmins)
    :returns: the agreement, as ``agreement_show`` gives it
    """
    data, agreement, kind = loaded(data_dict, context, "agreement_notice_answer", S.agreement_notice_answer())
    day, notice = _the_running_notice(context, agreement, data, "answered_on")
    if day > notice.deadline:
        raise invalid(
            "answered_on", "The deadline (%(deadline)s) has passed", deadline=notice.deadline.isoformat()
        )
    before = notice.observations
    notice.observations = data["observations"]
    notice.observations_on = day
    history.record(
        agreement,
        "notice_answered",
        actor(context),
        on=day,
        notice_id=notice.id,
        observations=notice.observations,
        before=before,
    )
    return finish(agreement, kind, context)


def agreement_notice_lift(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Lift the running formal notice: the breaches were remedied.

    :param id: the agreement's id
    :param reason: how the breaches were remedied
    :param lifted_on: optional ISO date (today by default)
    :returns: the agreement, as ``agreement_show`` gives it
    """
    data, agreement, kind = loaded(data_dict, context, "agreement_notice_lift", S.agreement_notice_lift())
    day, notice = _the_running_notice(context, agreement, data, "lifted_on")
    if queries.termination(agreement.id) is not None:
        raise invalid("id", "A termination is already recorded for this agreement")
    notice.lifted_on = day
    notice.lift_reason = data["reason"]
    history.record(
        agreement, "notice_lifted", actor(context), on=day, reason=data["reason"], notice_id=notice.id
    )
    return finish(agreement, kind, context)
