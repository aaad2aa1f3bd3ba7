"""What every agreement action shares: loading, checking, finishing."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict, Schema

from ...common import lookups
from ...common.dates import today
from ...common.validation import invalid, validate
from .. import dictize, queries, state
from .. import kinds as K
from .. import rules as R
from .. import schema as S
from ..model import Agreement

Session = model.Session


def rule_error(error: R.RuleError) -> tk.ValidationError:
    return invalid(error.field, error.message, **status_in_words(error.params))


def status_in_words(params: dict[str, Any]) -> dict[str, Any]:
    """A refusal's ``status`` in words ("signée, pas encore en vigueur"), not its code."""
    label = R.STATUS_LABELS.get(params.get("status") or "")
    return {**params, "status": tk._(label).lower()} if label else params


def actor(context: Context) -> str | None:
    user = model.User.get(context.get("user") or "")
    return user.id if user else None


def organization(value: str) -> model.Group:
    """The partner organization: an active one."""
    return lookups.organization(value, active_only=True)


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


def loaded(
    data_dict: DataDict, context: Context, action: str, schema: Schema
) -> tuple[dict[str, Any], Agreement, K.Kind]:
    """Validate, load the agreement and check access; returns the trio."""
    data = validate(data_dict, schema, context)
    agreement = queries.get(data["id"])
    tk.check_access(
        action, context, {"id": agreement.id, "organization_id": agreement.organization_id, **data}
    )
    return data, agreement, queries.kind_of(agreement)


def finish(agreement: Agreement, kind: K.Kind, context: Context) -> dict[str, Any]:
    Session.flush()
    state.refresh(agreement, kind, queries.facts(agreement), today())
    if not context.get("defer_commit"):
        Session.commit()  # the events are sent once committed (common/events.py)
    return dictize.full_dict(agreement, kind, today())


def check_in_force_alone(
    agreement_id: str | None, reference: str, org_id: str, kind: K.Kind, agreement_facts: R.Facts, field: str
) -> None:
    """Two agreements of one kind in force on the same day are refused
    (``rules.check_no_overlap``), checked when ``field``, a date that brings
    the agreement into force or moves its end, is recorded. Drafts and signed
    agreements of the kind are not counted: any number may exist."""
    others = (
        Session.query(Agreement)
        .filter(
            Agreement.organization_id == org_id,
            Agreement.kind == kind.name,
            Agreement.cancelled_on.is_(None),
            Agreement.signed_on.isnot(None),
        )
        .order_by(Agreement.created, Agreement.id)
        .all()
    )
    others = [other for other in others if other.id != agreement_id]
    notices_by, endings_by = queries.notices_and_terminations([other.id for other in others])
    try:
        R.check_no_overlap(
            kind,
            agreement_facts,
            reference,
            (
                (
                    other.reference,
                    queries.facts(other, notices_by.get(other.id, []), endings_by.get(other.id)),
                )
                for other in others
            ),
            field,
        )
    except R.RuleError as error:
        raise rule_error(error) from None


def check_term(kind: K.Kind, agreement_facts: R.Facts, field: str) -> None:
    """A fixed-term agreement coming into force needs an end not yet over."""
    try:
        R.check_term_not_over(kind, agreement_facts, field)
    except R.RuleError as error:
        raise rule_error(error) from None


def set_fields(agreement: Agreement, data: dict[str, Any]) -> dict[str, Any]:
    """Copy contract fields onto the row; returns {field: [before, after]}."""
    changes = {}
    for field in S.contract_fields():
        if field not in data or field == "region_referent":  # a user, not a column: see lifecycle
            continue
        value = data[field]
        before = getattr(agreement, field)
        if before != value:
            changes[field] = [before, value]
            setattr(agreement, field, value)
    return changes
