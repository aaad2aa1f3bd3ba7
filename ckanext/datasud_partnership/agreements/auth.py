"""Who may do what with agreements.

Sysadmins (the portal's team) pass every check (CKAN's rule). The partner's
admins read all of their own agreements, answer a formal notice, and
terminate in the modes their kind lets the partner use alone. Everybody,
anonymous included, reads the public register.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ..common.roles import is_partner_admin
from . import kinds as K
from . import queries

_ = tk._


def _portal_team_only(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": _("Only the portal's administrators manage agreements")}


@tk.auth_allow_anonymous_access
def _everybody(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def _partner_admins(context: Context, data_dict: DataDict) -> AuthResult:
    if is_partner_admin(context.get("user"), (data_dict or {}).get("organization_id")):
        return {"success": True}
    return {"success": False, "msg": _("Only the partner organization's admins may do this")}


def agreement_terminate(context: Context, data_dict: DataDict) -> AuthResult:
    """A partner's admin terminates alone only in the modes its kind allows."""
    data_dict = data_dict or {}
    refusal = {"success": False, "msg": _("Only the portal's administrators may record this termination")}
    if not is_partner_admin(context.get("user"), data_dict.get("organization_id")):
        return refusal
    agreement = queries.get(data_dict["id"])
    kind = K.registered().get(agreement.kind)
    mode = kind.terminations.get(data_dict.get("mode", "")) if kind else None
    if mode is None:
        return {"success": True}  # the action then names the unknown mode
    if mode.partner_alone and data_dict.get("initiator") == "partner":
        return {"success": True}
    return refusal


def get_auth_functions() -> dict[str, Any]:
    team_only = (
        "agreement_create",
        "agreement_patch",
        "agreement_cancel",
        "agreement_sign",
        "agreement_notify",
        "agreement_amend",
        "agreement_milestone_update",
        "agreement_notice_serve",
        "agreement_notice_lift",
    )
    functions: dict[str, Any] = dict.fromkeys(team_only, _portal_team_only)
    functions.update(
        {
            "agreement_kind_list": _everybody,
            "agreement_show": _everybody,
            "agreement_list": _everybody,
            "agreement_show_full": _partner_admins,
            "agreement_history": _partner_admins,
            "agreement_notice_answer": _partner_admins,
            "agreement_terminate": agreement_terminate,
            "agreement_document_add": _portal_team_only,
        }
    )
    return functions
