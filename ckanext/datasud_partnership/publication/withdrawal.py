"""Withdrawal: the partner always may; the portal's team only with a ground;
a termination that takes effect withdraws the datasets it decided.

A withdrawal makes the dataset private again and keeps everything (metadata,
resources, history); publishing again goes through the gate.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ..agreements import queries as agreements
from ..claims import queries as claims
from ..common import events
from ..common.roles import is_publisher, user_of
from . import journal
from .model import JournalEntry

Session = model.Session
_ = tk._


GROUND_TYPES = {
    "fault": "agreement_id",
    "termination": "agreement_id",
    "claim": "claim_id",
    "takedown": "text",
}


def check_withdrawal(
    context: Context,
    package: model.Package,
    reason: str | None,
    ground: Any,
    by_termination: bool = False,
) -> dict[str, Any] | None:
    """The partner always may withdraw; the portal's team only with a ground:
    an agreement terminated for fault, a claim, or a legal takedown. The
    ground ``termination`` is the termination's own, when it takes effect
    (``by_termination``, see :func:`withdraw_for_termination`): no caller
    cites it. Returns the ground to cite."""
    user = user_of(context)
    partner = is_publisher(user, package.owner_org)
    if not partner and (user is None or not user.sysadmin):
        raise tk.NotAuthorized(_("Only the partner withdraws its datasets"))
    if partner and not ground:
        return None  # the partner needs no ground; one it cites is checked
    kind = ground.get("type") if isinstance(ground, dict) else None
    if kind not in GROUND_TYPES:
        raise tk.ValidationError(
            {
                "ground": [
                    _(
                        "The portal withdraws a partner's dataset only with a ground: "
                        "a termination for fault, a claim or a legal takedown"
                    )
                ]
            }
        )
    if kind == "termination" and not by_termination:
        raise tk.ValidationError(
            {
                "ground": [
                    _(
                        "Only a termination withdraws on its own ground, when it takes effect; "
                        "cite a termination for fault, a claim or a legal takedown"
                    )
                ]
            }
        )
    needed = GROUND_TYPES[kind]
    value = str(ground.get(needed) or "").strip()
    if not value:
        raise tk.ValidationError({"ground": [_("The ground must give %s") % needed]})
    if needed == "agreement_id":
        termination = agreements.termination(value)
        if termination is None or agreements.get(value).organization_id != package.owner_org:
            raise tk.ValidationError(
                {"ground": [_("No termination of this organization's agreement is on record")]}
            )
        if kind == "fault" and termination.mode != "fault":
            raise tk.ValidationError({"ground": [_("This agreement was not terminated for fault")]})
        return {"type": kind, "agreement_id": value, "clause": termination.clause}
    if kind == "claim":
        claims.citable(value, package.id)
    return {"type": kind, needed: value}


def withdraw_checked(
    context: Context, package: model.Package, reason: str | None, ground: Any, path: str
) -> JournalEntry:
    cited = check_withdrawal(context, package, reason, ground)
    entry = journal.record(package, "withdrawn", context, path, reason=reason, ground=cited)
    if cited and cited["type"] == "claim":  # the claim it answers is closed with it
        claims.close(claims.get(cited["claim_id"]), user_of(context), "withdrawn", reason or "")
    return entry


def withdraw_for_termination(agreement: Any, termination: Any = None, **kwargs: Any) -> None:
    """Withdraw the datasets a termination decided, when it takes effect.

    Done on the models in the caller's transaction, so all of them or none
    (CKAN 2.12's package_update discards its changes when asked not to
    commit); the search index follows once that transaction is committed
    (``index.refresh_index``, a receiver of ``datasets_made_private``). Each
    journal entry cites the agreement and the clause. The receiver of
    ``termination_took_effect`` (sender: the agreement)."""
    if termination is None or termination.withdraw == "none":
        return
    query = Session.query(model.Package).filter(
        model.Package.owner_org == agreement.organization_id,
        model.Package.state == "active",
        model.Package.private.is_(False),
        model.Package.type != "harvest",
    )
    if termination.withdraw != "all":
        query = query.filter(model.Package.id.in_(termination.withdraw))
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"]}
    ground = {"type": "termination", "agreement_id": agreement.id}
    reason = _("Termination of agreement %(reference)s (clause %(clause)s)") % {
        "reference": agreement.reference,
        "clause": termination.clause,
    }
    withdrawn = []
    cited = None
    for package in query.order_by(model.Package.name).all():
        # the ground is the same for every dataset of the organization: checked once
        cited = cited or check_withdrawal(context, package, reason, ground, by_termination=True)
        package.private = True
        journal.record(package, "withdrawn", context, "termination", reason=reason, ground=cited)
        withdrawn.append(package.id)
    if withdrawn:
        events.send_once_committed(
            Session, events.datasets_made_private, "publication", dataset_ids=withdrawn
        )
