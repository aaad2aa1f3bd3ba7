"""The agreement actions of CKAN's action API.

Each action checks access, validates its input with a schema, applies the
rules of ``rules.py`` and records what it changed as an event. A refused
request raises a ValidationError naming the field and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from . import kinds as K
from . import rules as R
from . import schedule, store
from . import schema as S
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
_ = tk._


# -- helpers ---------------------------------------------------------------------
def invalid(field: str, message: str, **params: Any) -> tk.ValidationError:
    text = _(message)
    return tk.ValidationError({field: [text % params if params else text]})


def rule_error(error: R.RuleError) -> tk.ValidationError:
    return invalid(error.field, error.message, **error.params)


def validate(data_dict: dict[str, Any], schema: dict[str, Any], context: Any) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    data.pop("__extras", None)
    return data


def actor(context: Any) -> str | None:
    user = model.User.get(context.get("user") or "")
    return user.id if user else None


def organization(value: str) -> model.Group:
    org = model.Group.get(value)
    if org is None or not org.is_organization or org.state != "active":
        raise invalid("organization", "Organization not found: %(value)s", value=value)
    return org


def kind_named(name: str) -> K.Kind:
    kind = K.registered().get(name)
    if kind is None:
        raise invalid(
            "kind",
            "Unknown agreement kind %(kind)s; the kinds are: %(kinds)s",
            kind=name,
            kinds=", ".join(sorted(K.registered())),
        )
    return kind


def not_in_future(field: str, day: dt.date) -> None:
    if day > store.today():
        raise invalid(field, "This date cannot be in the future")


def loaded(data_dict: dict[str, Any], context: Any, action: str, schema: dict[str, Any]):
    """Validate, load the agreement and check access; returns the trio."""
    data = validate(data_dict, schema, context)
    agreement = store.get(data["id"])
    tk.check_access(
        action, context, {"id": agreement.id, "organization_id": agreement.organization_id, **data}
    )
    return data, agreement, store.kind_of(agreement)


def finish(agreement: Agreement, kind: K.Kind, context: Any) -> dict[str, Any]:
    Session.flush()
    store.refresh_state(agreement, kind, store.facts(agreement), store.today())
    if not context.get("defer_commit"):
        store.commit()
    return store.full_dict(agreement, kind, store.today())


def check_single_in_force(
    agreement: Agreement | None, org_id: str, kind: K.Kind, start: dt.date | None
) -> None:
    """At most one agreement of a kind in force (or pending) per organization."""
    others = Session.query(Agreement).filter(
        Agreement.organization_id == org_id,
        Agreement.kind == kind.name,
        Agreement.cancelled_on.is_(None),
    )
    for other in others:
        if agreement is not None and other.id == agreement.id:
            continue
        other_facts = store.facts(other)
        other_start = R.start_date(kind, other_facts)
        other_end = R.ends_on(kind, other_facts)
        # another one being drawn up, or in force over the same days
        conflict = other_start is None or other_end is None or other_end >= (start or store.today())
        if conflict:
            raise invalid(
                "kind",
                "The organization already has an agreement of this kind in force or pending (%(reference)s)",
                reference=other.reference,
            )


def set_fields(agreement: Agreement, data: dict[str, Any]) -> dict[str, Any]:
    """Copy contract fields onto the row; returns {field: [before, after]}."""
    changes = {}
    for field in S.contract_fields():
        if field not in data:
            continue
        value = data[field]
        before = getattr(agreement, field)
        if before != value:
            changes[field] = [before, value]
            setattr(agreement, field, value)
    return changes


# -- kinds -----------------------------------------------------------------------
@tk.side_effect_free
def agreement_kind_list(context: Any, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The agreement kinds this portal knows, with their rules."""
    tk.check_access("agreement_kind_list", context, data_dict)
    result = []
    for kind in K.registered().values():
        result.append(
            {
                "name": kind.name,
                "title": {"fr": kind.title.fr, "en": kind.title.en},
                "description": {"fr": kind.description.fr, "en": kind.description.en},
                "grants_publication": kind.grants_publication,
                "starts_on": kind.term.starts_on,
                "term_months": kind.term.months,
                "fixed_end": kind.term.fixed_end.isoformat() if kind.term.fixed_end else None,
                "tacit_renewal": kind.renewal.tacit,
                "terminations": {
                    name: {
                        "clause": mode.clause,
                        "title": {"fr": mode.title.fr, "en": mode.title.en},
                        "initiators": mode.initiators,
                        "partner_alone": mode.partner_alone,
                        "effective": mode.effective,
                        "notice_months": mode.notice_months,
                        "requires_formal_notice": mode.requires_formal_notice,
                        "may_withdraw_datasets": mode.may_withdraw_datasets,
                    }
                    for name, mode in kind.terminations.items()
                },
                "free": kind.financial.free,
                "milestones": len(kind.milestones),
                # the phases in order, with their titles and their milestones' codes
                "phases": [
                    {
                        "code": phase.code,
                        "title": {"fr": phase.title.fr, "en": phase.title.en},
                        "milestones": [m.code for m in kind.milestones if m.phase == phase.code],
                    }
                    for phase in kind.phases
                ],
            }
        )
    return result


# -- creating and drawing up -------------------------------------------------------
def agreement_create(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Record a new agreement for an organization (sysadmins).

    :param organization: id or name of the partner organization
    :param kind: ``datasud_partnership``, ``challenge_open_data``...
    :param reference: the agreement's reference
    :param signed_on, notified_on: optional ISO dates, for an agreement
        already signed or notified
    Other contract fields: parties, deliberation_number, deliberation_date,
    end_on (fixed-term kinds), referent_name, referent_email,
    referent_phone, documents, beneficiary_invoice_on.
    """
    tk.check_access("agreement_create", context, data_dict)
    data = validate(data_dict, S.agreement_create(), context)
    org = organization(data["organization"])
    kind = kind_named(data["kind"])
    signed_on, notified_on = data.get("signed_on"), data.get("notified_on")
    if notified_on and not signed_on:
        raise invalid("notified_on", "An agreement is notified after it is signed: give signed_on")
    for field in ("signed_on", "notified_on"):
        if data.get(field):
            not_in_future(field, data[field])
    if signed_on and notified_on and notified_on < signed_on:
        raise invalid("notified_on", "The notification cannot be before the signature")
    if data.get("end_on") and kind.term.fixed_end is None:
        raise invalid("end_on", "This kind of agreement has no fixed end")
    start = signed_on if kind.term.starts_on == "signature" else notified_on
    check_single_in_force(None, org.id, kind, start)

    agreement = Agreement(organization_id=org.id, kind=kind.name, parties=[], documents=[])
    agreement.created_by = actor(context)
    set_fields(agreement, data)
    agreement.signed_on, agreement.notified_on = signed_on, notified_on
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
    store.record(agreement, "created", who, reference=agreement.reference, kind=kind.name)
    if signed_on:
        store.record(agreement, "signed", who, on=signed_on)
    if notified_on:
        store.record(agreement, "notified", who, on=notified_on)
    return finish(agreement, kind, context)


def agreement_patch(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Change contract fields of a draft agreement (sysadmins)."""
    data, agreement, kind = loaded(data_dict, context, "agreement_patch", S.agreement_patch())
    if R.status(kind, store.facts(agreement), store.today()) != R.DRAFT or agreement.signed_on:
        raise invalid("id", "Only a draft agreement can be changed; a signed one is changed by amendment")
    if data.get("end_on") and kind.term.fixed_end is None:
        raise invalid("end_on", "This kind of agreement has no fixed end")
    changes = set_fields(agreement, data)
    if changes:
        store.record(agreement, "updated", actor(context), changes=changes)
    return finish(agreement, kind, context)


def agreement_cancel(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Cancel a mistaken draft: it stays on record, as cancelled (sysadmins)."""
    data, agreement, kind = loaded(data_dict, context, "agreement_cancel", S.agreement_cancel())
    if agreement.signed_on or agreement.cancelled_on:
        raise invalid("id", "Only an unsigned draft can be cancelled")
    agreement.cancelled_on = store.today()
    store.record(agreement, "cancelled", actor(context), on=agreement.cancelled_on, reason=data["reason"])
    return finish(agreement, kind, context)


def agreement_sign(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Record the signature date (sysadmins)."""
    data, agreement, kind = loaded(data_dict, context, "agreement_sign", S.agreement_sign())
    if agreement.cancelled_on:
        raise invalid("id", "This agreement was cancelled")
    if agreement.signed_on:
        raise invalid(
            "signed_on", "The agreement is already signed (on %(day)s)", day=agreement.signed_on.isoformat()
        )
    not_in_future("signed_on", data["signed_on"])
    if kind.term.starts_on == "signature":
        check_single_in_force(agreement, agreement.organization_id, kind, data["signed_on"])
    agreement.signed_on = data["signed_on"]
    store.record(agreement, "signed", actor(context), on=agreement.signed_on)
    return finish(agreement, kind, context)


def agreement_notify(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Record the notification date (sysadmins). The DataSud partnership is in
    force from it."""
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
    not_in_future("notified_on", day)
    if kind.term.starts_on == "notification":
        check_single_in_force(agreement, agreement.organization_id, kind, day)
    agreement.notified_on = day
    store.record(agreement, "notified", actor(context), on=day)
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


def agreement_amend(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Record an amendment ("avenant"): numbered, dated, described; it may
    change the end date or the financial terms. Every version stays on record."""
    data, agreement, kind = loaded(data_dict, context, "agreement_amend", S.agreement_amend())
    if not agreement.signed_on or agreement.cancelled_on:
        raise invalid("id", "Only a signed agreement can be amended")
    # judged on the day the amendment was signed: an amendment signed in time
    # may be recorded after the end it postpones
    current = R.status(kind, store.facts(agreement), data["signed_on"])
    if current in (R.TERMINATED, R.EXPIRED):
        raise invalid("id", "An agreement that has ended cannot be amended")
    if data["signed_on"] < agreement.signed_on:
        raise invalid("signed_on", "An amendment cannot be signed before the agreement")
    not_in_future("signed_on", data["signed_on"])
    new_end = data.get("end_on")
    if new_end is not None:
        if kind.term.fixed_end is None:
            raise invalid("end_on", "This kind of agreement has no fixed end")
        start = R.start_date(kind, store.facts(agreement)) or agreement.signed_on
        if new_end < start:
            raise invalid("end_on", "The end cannot be before the agreement starts")
    shares = _contributions(data["contributions"]) if data.get("contributions") else None
    number = (
        Session.query(sa.func.max(Amendment.number)).filter_by(agreement_id=agreement.id).scalar() or 0
    ) + 1
    before_end = R.fixed_end(kind, store.facts(agreement))
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
        contributions=store.jsonable(shares),
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
    store.record(
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


def agreement_milestone_update(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Record that a milestone was done (or undo it with an empty date)."""
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
        not_in_future("done_on", done_on)
    before = [milestone.done_on, milestone.note]
    milestone.done_on = done_on
    if "note" in data:
        milestone.note = data["note"]
    store.record(
        agreement,
        "milestone",
        actor(context),
        on=done_on,
        code=milestone.code,
        before=before,
        after=[milestone.done_on, milestone.note],
    )
    return finish(agreement, kind, context)


# -- formal notice ------------------------------------------------------------------
def running_notice(agreement: Agreement, day: dt.date) -> Notice | None:
    running = [
        n
        for n in store.notices(agreement)
        if R.Notice(n.served_on, n.deadline, n.served_by, n.lifted_on).running_on(day)
    ]
    return running[-1] if running else None


def agreement_notice_serve(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Serve a formal notice ("mise en demeure", art. 7.1): the breaches and a
    written deadline to remedy them."""
    data, agreement, kind = loaded(data_dict, context, "agreement_notice_serve", S.agreement_notice_serve())
    served_on = data.get("served_on") or store.today()
    not_in_future("served_on", served_on)
    current = R.status(kind, store.facts(agreement), served_on)
    if current not in (R.IN_FORCE, R.UNDER_NOTICE):
        raise invalid(
            "id",
            "A formal notice is served on an agreement in force; on %(day)s it is %(status)s",
            day=served_on.isoformat(),
            status=current,
        )
    if data["deadline"] <= served_on:
        raise invalid("deadline", "The deadline must be after the day the notice is served")
    if running_notice(agreement, served_on) is not None:
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
    store.record(
        agreement,
        "notice_served",
        actor(context),
        on=served_on,
        notice_id=notice.id,
        served_by=notice.served_by,
        breaches=notice.breaches,
        deadline=notice.deadline,
    )
    return finish(agreement, kind, context)


def agreement_notice_answer(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """File the notified party's observations, before the deadline."""
    data, agreement, kind = loaded(data_dict, context, "agreement_notice_answer", S.agreement_notice_answer())
    day = data.get("answered_on") or store.today()
    not_in_future("answered_on", day)
    notice = running_notice(agreement, day)
    if notice is None:
        raise invalid("id", "No formal notice is running on this agreement")
    if day > notice.deadline:
        raise invalid(
            "answered_on", "The deadline (%(deadline)s) has passed", deadline=notice.deadline.isoformat()
        )
    before = notice.observations
    notice.observations = data["observations"]
    notice.observations_on = day
    store.record(
        agreement,
        "notice_answered",
        actor(context),
        on=day,
        notice_id=notice.id,
        observations=notice.observations,
        before=before,
    )
    return finish(agreement, kind, context)


def agreement_notice_lift(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Lift the running formal notice: the breaches were remedied."""
    data, agreement, kind = loaded(data_dict, context, "agreement_notice_lift", S.agreement_notice_lift())
    day = data.get("lifted_on") or store.today()
    not_in_future("lifted_on", day)
    notice = running_notice(agreement, day)
    if notice is None:
        raise invalid("id", "No formal notice is running on this agreement")
    if store.termination(agreement) is not None:
        raise invalid("id", "A termination is already recorded for this agreement")
    notice.lifted_on = day
    notice.lift_reason = data["reason"]
    store.record(
        agreement, "notice_lifted", actor(context), on=day, reason=data["reason"], notice_id=notice.id
    )
    return finish(agreement, kind, context)


# -- termination ----------------------------------------------------------------------
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


def agreement_terminate(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Notify a termination: mode, initiator, request date, effective date
    (computed by the rules, or a later one they allow) and, for the modes that
    allow it, the datasets to withdraw when it takes effect."""
    data, agreement, kind = loaded(data_dict, context, "agreement_terminate", S.agreement_terminate())
    requested_on = data.get("requested_on") or store.today()
    not_in_future("requested_on", requested_on)
    try:
        decided = R.check_termination(
            kind,
            store.facts(agreement),
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
    notice = running_notice(agreement, requested_on) if rule.requires_formal_notice else None
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
    store.record(
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
    if decided.effective_on <= store.today():
        schedule.apply_termination(agreement, termination, actor(context))
    return finish(agreement, kind, context)


# -- reading --------------------------------------------------------------------------
def may_read_everything(context: Any, agreement: Agreement) -> bool:
    try:
        tk.check_access("agreement_show_full", context, {"organization_id": agreement.organization_id})
    except tk.NotAuthorized:
        return False
    return True


@tk.side_effect_free
def agreement_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """An agreement with its computed fields as of today (or ``date``).

    Anybody reads the public register (organization, kind, reference, status,
    in force since, next anniversary or end); sysadmins and the partner's
    admins read everything (referent, money, notices, milestones...)."""
    data = validate(data_dict, S.agreement_show(), context)
    agreement = store.get(data["id"])
    tk.check_access("agreement_show", context, data)
    kind = store.kind_of(agreement)
    day = data.get("date") or store.today()
    if may_read_everything(context, agreement):
        return store.full_dict(agreement, kind, day)
    return store.register_dict(agreement, kind, R.summary(kind, store.facts(agreement), day), day)


@tk.side_effect_free
def agreement_list(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
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
    day = data.get("date") or store.today()
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
    orgs = store.organizations([agreement for agreement, _summary in page])
    return {
        "count": count,
        "results": [
            store.register_dict(a, registry[a.kind], summary, day, orgs.get(a.organization_id))
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
        return [(agreement, store.cached_summary(state)) for agreement, state in rows]


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
    notices_by, endings_by = store.notices_and_terminations([a.id for a in rows])
    registry = K.registered()
    matches = []
    for agreement in rows:
        kind = registry.get(agreement.kind)
        if kind is None:
            continue
        facts = store.facts(agreement, notices_by.get(agreement.id, []), endings_by.get(agreement.id))
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
def agreement_history(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Every change to an agreement, oldest first: who, when, what, why."""
    data = validate(data_dict, S.agreement_history(), context)
    agreement = store.get(data["id"])
    tk.check_access("agreement_history", context, {"organization_id": agreement.organization_id})
    query = Session.query(AgreementEvent).filter_by(agreement_id=agreement.id)
    rows = (
        query.order_by(AgreementEvent.at, AgreementEvent.id).offset(data["offset"]).limit(data["limit"]).all()
    )
    return {"count": query.count(), "results": [store.event_dict(r) for r in rows]}


def get_actions() -> dict[str, Any]:
    return {
        f.__name__: f
        for f in (
            agreement_kind_list,
            agreement_create,
            agreement_patch,
            agreement_cancel,
            agreement_sign,
            agreement_notify,
            agreement_amend,
            agreement_milestone_update,
            agreement_notice_serve,
            agreement_notice_answer,
            agreement_notice_lift,
            agreement_terminate,
            agreement_show,
            agreement_list,
            agreement_history,
        )
    }
