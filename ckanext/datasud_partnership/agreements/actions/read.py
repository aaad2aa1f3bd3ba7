"""Reading agreements: one agreement, the register, the history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict

from ...common.dates import today
from ...common.validation import invalid, validate
from .. import dictize, queries, state
from .. import kinds as K
from .. import rules as R
from .. import schema as S
from ..model import Agreement, AgreementEvent, AgreementState
from .base import kind_named, organization

Session = model.Session


def may_read_everything(context: Context, agreement: Agreement) -> bool:
    try:
        tk.check_access("agreement_show_full", context, {"organization_id": agreement.organization_id})
    except tk.NotAuthorized:
        return False
    return True


@tk.side_effect_free
def agreement_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An agreement with its computed fields as of today (or ``date``).

    Anybody reads the public register (organization, kind, reference, status,
    in force since, next anniversary or end); sysadmins and the partner's
    admins read everything (referent, money, notices, milestones...).

    :param id: the agreement's id, or its reference (``CONV-DATASUD-013``);
        a reference several agreements carry is refused: give the id, or
    :param organization: the organization's id or name, with a reference
    :param date: optional ISO date to compute the fields as of
    :returns: the agreement (the register's fields, or all of them)
    """
    data = validate(data_dict, S.agreement_show(), context)
    org_id = organization(data["organization"]).id if data.get("organization") else None
    agreement = queries.named(data["id"], org_id)
    tk.check_access("agreement_show", context, {**data, "id": agreement.id})
    kind = queries.kind_of(agreement)
    day = data.get("date") or today()
    if may_read_everything(context, agreement):
        return dictize.full_dict(agreement, kind, day)
    return dictize.register_dict(agreement, kind, R.summary(kind, queries.facts(agreement), day), day)


@tk.side_effect_free
def agreement_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The register of agreements, filtered and paginated.

    :param organization: id or name
    :param kind: a kind name
    :param status: a status, or several separated by commas
    :param in_force_on: only those in force on this ISO date
    :param anniversary_within: only those whose next anniversary is within N days
    :param ending_within: only those whose end (termination or fixed end) is within N days
    :param date: compute as of this ISO date (default today)
    :param limit: (default 20, at most 1000), :param offset:
    :returns: ``{"count": n, "results": [...]}``
    """
    tk.check_access("agreement_list", context, data_dict)
    data = validate(data_dict, S.agreement_list(), context)
    day = data.get("date") or today()
    statuses = set(filter(None, (data.get("status") or "").split(",")))
    unknown = statuses - set(R.STATUSES)
    if unknown:
        raise invalid(
            "status",
            "Unknown status %(status)s; the statuses are: %(statuses)s",
            status=", ".join(sorted(unknown)),
            statuses=", ".join(R.STATUSES),
        )
    query = Session.query(Agreement, AgreementState).outerjoin(
        AgreementState, AgreementState.agreement_id == Agreement.id
    )
    if data.get("organization"):
        query = query.filter(Agreement.organization_id == organization(data["organization"]).id)
    if data.get("kind"):
        query = query.filter(Agreement.kind == kind_named(data["kind"]).name)
    query = query.order_by(Agreement.created, Agreement.reference, Agreement.id)
    if "in_force_on" not in data and not _has_stale_state(query, day):
        matches = _list_from_cache(query, data, statuses, day)
    else:
        matches = _list_computed(query, data, statuses, day)
    count = len(matches)
    page = matches[data["offset"] : data["offset"] + data["limit"]]
    registry = K.registered()
    orgs = queries.organizations([agreement for agreement, _summary in page])
    return {
        "count": count,
        "results": [
            dictize.register_dict(a, registry[a.kind], summary, day, orgs.get(a.organization_id))
            for a, summary in page
        ],
    }


def _has_stale_state(query: Any, day: dt.date) -> bool:
    """Does any listed agreement lack computed fields valid on ``day``?"""
    stale = sa.or_(
        AgreementState.agreement_id.is_(None),
        AgreementState.computed_on > day,
        sa.and_(AgreementState.valid_until.isnot(None), AgreementState.valid_until <= day),
    )
    return query.filter(stale).filter(Agreement.kind.in_(list(K.registered()))).first() is not None


class _CachedMatches:
    """The cached path: filtering, counting and paging in SQL."""

    def __init__(self, query: Any) -> None:
        self.query = query

    def __len__(self) -> int:
        return self.query.count()

    def __getitem__(self, window: slice) -> list[tuple[Agreement, dict[str, Any]]]:
        rows = self.query.offset(window.start).limit(window.stop - window.start).all()
        return [(agreement, state.cached_summary(row)) for agreement, row in rows]


def _list_from_cache(query: Any, data: dict[str, Any], statuses: set[str], day: dt.date) -> _CachedMatches:
    query = query.filter(Agreement.kind.in_(list(K.registered())))
    if statuses:
        query = query.filter(AgreementState.status.in_(statuses))
    if "anniversary_within" in data:
        horizon = day + dt.timedelta(days=data["anniversary_within"])
        query = query.filter(AgreementState.next_anniversary <= horizon)
    if "ending_within" in data:
        horizon = day + dt.timedelta(days=data["ending_within"])
        query = query.filter(AgreementState.ends_on >= day, AgreementState.ends_on <= horizon)
    return _CachedMatches(query)


def _list_computed(
    query: Any, data: dict[str, Any], statuses: set[str], day: dt.date
) -> list[tuple[Agreement, dict[str, Any]]]:
    """Every agreement computed from its facts (another day, or stale cache)."""
    rows = [agreement for agreement, _state in query.all()]
    notices_by, endings_by = queries.notices_and_terminations([a.id for a in rows])
    registry = K.registered()
    matches = []
    for agreement in rows:
        kind = registry.get(agreement.kind)
        if kind is None:
            continue
        facts = queries.facts(agreement, notices_by.get(agreement.id, []), endings_by.get(agreement.id))
        summary = R.summary(kind, facts, day)
        if statuses and summary["status"] not in statuses:
            continue
        if data.get("in_force_on") and not R.in_force(kind, facts, data["in_force_on"]):
            continue
        if "anniversary_within" in data:
            upcoming = summary["next_anniversary"]
            if upcoming is None or (upcoming - day).days > data["anniversary_within"]:
                continue
        if "ending_within" in data:
            end = summary["ends_on"]
            if end is None or end < day or (end - day).days > data["ending_within"]:
                continue
        matches.append((agreement, summary))
    return matches


@tk.side_effect_free
def agreement_history(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Every change to an agreement, oldest first: who, when, what, why.

    :param id: the agreement's id
    :param limit: (default 100, at most 1000), :param offset:
    :returns: ``{"count", "results": [{"event", "on" (the date in law), "at" (recorded), "actor", "data"}]}``
    """
    data = validate(data_dict, S.agreement_history(), context)
    agreement = queries.get(data["id"])
    tk.check_access("agreement_history", context, {"organization_id": agreement.organization_id})
    query = Session.query(AgreementEvent).filter_by(agreement_id=agreement.id)
    rows = (
        query.order_by(AgreementEvent.at, AgreementEvent.id).offset(data["offset"]).limit(data["limit"]).all()
    )
    return {"count": query.count(), "results": [dictize.event_dict(r) for r in rows]}
