"""Who may do what with claims.

Any logged-in user files a claim about a published dataset. The partner's
admins (of the organization that owned the dataset when the claim was
filed) and the portal's team (sysadmins pass every check) read and answer
claims; whoever filed a claim reads it.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ..common.roles import is_partner_admin, user_of
from .model import Claim

_ = tk._


def claim_create(context: Context, data_dict: DataDict) -> AuthResult:
    # CKAN 2.12 puts an AnonymousUser in ``auth_user_obj`` for visitors: only
    # a real user counts
    if user_of(context) is not None:
        return {"success": True}
    return {"success": False, "msg": _("Log in to report a problem with a dataset")}


def _claim(data_dict: Any) -> Claim | None:
    claim_id = (data_dict or {}).get("id")
    return model.Session.get(Claim, claim_id) if claim_id else None


def claim_show(context: Context, data_dict: DataDict) -> AuthResult:
    claim = _claim(data_dict)
    user = model.User.get(context.get("user") or "")
    if (
        claim is not None
        and user is not None
        and (claim.filed_by == user.id or is_partner_admin(user.name, claim.organization_id))
    ):
        return {"success": True}
    return {"success": False, "msg": _("Only the partner's admins and whoever filed it read a claim")}


def claim_answer(context: Context, data_dict: DataDict) -> AuthResult:
    claim = _claim(data_dict)
    if claim is not None and is_partner_admin(context.get("user"), claim.organization_id):
        return {"success": True}
    return {"success": False, "msg": _("Only the partner's admins and the portal's team answer a claim")}


def claim_list(context: Context, data_dict: DataDict) -> AuthResult:
    """An organization's claims: its admins. One's own claims: anyone logged in."""
    organization_id = (data_dict or {}).get("organization_id")
    if organization_id is None:
        return claim_create(context, data_dict)
    if is_partner_admin(context.get("user"), organization_id):
        return {"success": True}
    return {"success": False, "msg": _("Only the organization's admins read its claims")}


def get_auth_functions() -> dict[str, Any]:
    return {
        "claim_create": claim_create,
        "claim_show": claim_show,
        "claim_list": claim_list,
        "claim_answer": claim_answer,
        "claim_resolve": claim_answer,
    }
