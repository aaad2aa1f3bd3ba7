"""What every agreement action shares: loading, checking, finishing."""

from __future__ import annotations

import datetime as dt
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
    return invalid(error.field, error.message, **error.params)


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
        other_facts = queries.facts(other)
        other_start = R.start_date(kind, other_facts)
        other_end = R.ends_on(kind, other_facts)
        # another one being drawn up, or in force over the same days
        conflict = other_start is None or other_end is None or other_end >= (start or today())
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
