"""Actions on claims: file, read, answer, resolve.

A claim is withdrawn-from only through ``dataset_withdraw`` citing it
(``ground={"type": "claim", "claim_id": ...}``): the withdrawal closes the
claim with the outcome ``withdrawn`` (see ``publication/withdrawal.py``,
:func:`withdraw_checked`, and :func:`queries.close`).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict, Schema

from ..common import lookups
from ..common.lookups import organization
from ..common.roles import user_of
from ..common.validation import invalid, validate
from ..publication import sandbox
from . import mail
from . import schema as S
from .model import OPEN, Claim, ClaimMessage
from .queries import close, get

Session = model.Session
_ = tk._


def claim_dict(claim: Claim) -> dict[str, Any]:
    ids = {claim.filed_by, claim.closed_by} | {m.author for m in claim.messages}
    names = lookups.names(model.User, ids)
    package = model.Package.get(claim.dataset_id)
    organization = model.Group.get(claim.organization_id)
    return {
        "id": claim.id,
        "dataset_id": claim.dataset_id,
        "dataset_name": package.name if package else None,
        "dataset_title": package.title if package else None,
        "organization_id": claim.organization_id,
        "organization_name": organization.name if organization else None,
        "organization_title": (organization.title or organization.name) if organization else None,
        "kind": claim.kind,
        "description": claim.description,
        "filed_by": names.get(claim.filed_by),
        "filed_at": claim.filed_at.isoformat(),
        "status": claim.status,
        "outcome": claim.outcome,
        "closed_at": claim.closed_at.isoformat() if claim.closed_at else None,
        "closed_by": names.get(claim.closed_by or ""),
        "messages": [
            {
                "author": names.get(m.author),
                "written_at": m.written_at.isoformat(),
                "text": m.text,
                "outcome": m.outcome,
            }
            for m in claim.messages
        ],
    }


def claim_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Report a problem with a published dataset (any logged-in user). The
    partner's admins and the portal's team are told by e-mail.

    :param dataset: id or name of a published dataset (or, for the
        Challenge cohort, of a dataset in the sandbox)
    :param kind: ``personal_data``, ``inaccurate``, ``outdated``, ``rights`` or ``other``
    :param description: what is wrong
    """
    tk.check_access("claim_create", context, data_dict)
    data = validate(data_dict, S.claim_create(), context)
    package = model.Package.get(data["dataset"])
    if package is None or package.state != "active" or not package.owner_org:
        raise invalid("dataset", "Claims are about published datasets: no such dataset is published")
    if package.private and not sandbox.seen_in_sandbox(context, package):  # the cohort files on the sandbox
        raise invalid("dataset", "Claims are about published datasets: no such dataset is published")
    claim = Claim(
        dataset_id=package.id,
        organization_id=package.owner_org,
        kind=data["kind"],
        description=data["description"],
        filed_by=user_of(context).id,
        status=OPEN,
    )
    Session.add(claim)
    Session.flush()
    mail.filed(claim)  # queued with the claim, in its transaction
    Session.commit()
    return claim_dict(claim)


@tk.side_effect_free
def claim_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A claim with its messages (its partner's admins, the portal's team, whoever filed it).

    :param id: the claim's id
    :returns: the claim (``id``, ``dataset_id``, ``organization_id``, ``kind``,
        ``status``, ``messages``...), as ``claim_list`` gives each
    """
    data = validate(data_dict, S.one_claim(), context)
    claim = get(data["id"])
    tk.check_access("claim_show", context, {"id": claim.id})
    return claim_dict(claim)


@tk.side_effect_free
def claim_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Claims, newest first: an organization's (its admins; the portal's team
    reads all), or else the caller's own.

    :param organization: id or name
    :param dataset: id or name
    :param status: ``open`` or ``closed``
    :param limit: (default 100), :param offset:
    """
    data = validate(data_dict, S.claim_list(), context)
    query = Session.query(Claim)
    organization_id = None
    if data.get("organization"):
        organization_id = organization(data["organization"]).id
        query = query.filter(Claim.organization_id == organization_id)
    tk.check_access("claim_list", context, {"organization_id": organization_id})
    user = user_of(context)
    if organization_id is None and not (user and user.sysadmin):
        query = query.filter(Claim.filed_by == user.id)
    if data.get("dataset"):
        package = model.Package.get(data["dataset"])
        query = query.filter(Claim.dataset_id == (package.id if package else data["dataset"]))
    if data.get("status"):
        query = query.filter(Claim.status == data["status"])
    count = query.count()
    rows = query.order_by(Claim.filed_at.desc(), Claim.id).offset(data["offset"]).limit(data["limit"]).all()
    return {"count": count, "results": [claim_dict(c) for c in rows]}


def _open_claim(
    context: Context, data_dict: DataDict, schema: Schema, auth: str
) -> tuple[dict[str, Any], Claim]:
    data = validate(data_dict, schema, context)
    claim = get(data["id"])
    tk.check_access(auth, context, {"id": claim.id})
    if claim.status != OPEN:
        raise invalid("id", "This claim is closed")
    return data, claim


def claim_answer(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Answer an open claim (the partner's admins, the portal's team);
    whoever filed it is told by e-mail.

    :param id: the claim
    :param text: the answer
    """
    data, claim = _open_claim(context, data_dict, S.claim_answer(), "claim_answer")
    message = ClaimMessage(claim_id=claim.id, author=user_of(context).id, text=data["text"])
    Session.add(message)
    Session.flush()
    Session.refresh(claim)
    mail.answered(claim, message)
    Session.commit()
    return claim_dict(claim)


def claim_resolve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Close an open claim: the data was corrected, or the claim is unfounded.
    (To withdraw the dataset, use ``dataset_withdraw`` citing the claim.)

    :param id: the claim
    :param outcome: ``corrected`` or ``unfounded``
    :param text: what was done, or why
    """
    data, claim = _open_claim(context, data_dict, S.claim_resolve(), "claim_resolve")
    message = close(claim, user_of(context), data["outcome"], data["text"])
    Session.flush()
    Session.refresh(claim)
    mail.answered(claim, message)
    Session.commit()
    return claim_dict(claim)


def get_actions() -> dict[str, Any]:
    return {
        "claim_create": claim_create,
        "claim_show": claim_show,
        "claim_list": claim_list,
        "claim_answer": claim_answer,
        "claim_resolve": claim_resolve,
    }
