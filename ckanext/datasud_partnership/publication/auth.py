"""Who reads the journal and handles the terms of use."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ..common.roles import is_partner_admin, is_publisher, role_in_organization

_ = tk._


def publication_journal_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Members of the organization read its journal (sysadmins read all)."""
    if role_in_organization(context.get("user"), (data_dict or {}).get("organization_id")):
        return {"success": True}
    return {"success": False, "msg": _("Only the organization's members read its publication journal")}


@tk.auth_sysadmins_check
def terms_accept(context: Context, data_dict: DataDict) -> AuthResult:
    """The organization accepts, through one of its admins; the portal's team
    does not accept for a partner (sysadmins are checked too)."""
    user = model.User.get(context.get("user") or "")
    if user is not None and user.sysadmin:
        return {
            "success": False,
            "msg": _("The portal's team does not accept the terms of use for a partner"),
        }
    if is_partner_admin(context.get("user"), (data_dict or {}).get("organization_id")):
        return {"success": True}
    return {"success": False, "msg": _("Only the organization's admins accept the terms of use for it")}


def terms_version_create(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": _("Only the portal's administrators publish the terms of use")}


def declaration_version_create(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": False, "msg": _("Only the portal's administrators record the declaration texts")}


def _publishers_bulk(original: Any, context: Context, data_dict: DataDict) -> AuthResult:
    """The organization's bulk "Make public" / "Make private" follows the
    publishing roles (CKAN asks for the organization's ``update``: its admins
    only): its publishers publish and withdraw, one dataset at a time or many
    (each dataset still goes through the gate)."""
    org_id = (data_dict or {}).get("org_id")
    user = model.User.get(context.get("user") or "")
    group = model.Group.get(org_id) if isinstance(org_id, str) and org_id else None
    if group is not None and is_publisher(user, group.id):
        return {"success": True}
    return original(context, data_dict)


@tk.chained_auth_function
def bulk_update_public(original: Any, context: Context, data_dict: DataDict) -> AuthResult:
    return _publishers_bulk(original, context, data_dict)


@tk.chained_auth_function
def bulk_update_private(original: Any, context: Context, data_dict: DataDict) -> AuthResult:
    return _publishers_bulk(original, context, data_dict)


@tk.auth_allow_anonymous_access
def _everybody(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def get_auth_functions() -> dict[str, Any]:
    return {
        "publication_journal_list": publication_journal_list,
        "publication_journal_export": publication_journal_list,
        "terms_accept": terms_accept,
        "terms_version_create": terms_version_create,
        "terms_version_list": _everybody,
        "terms_status": _everybody,
        "bulk_update_public": bulk_update_public,
        "bulk_update_private": bulk_update_private,
        "declaration_version_create": declaration_version_create,
        "declaration_version_list": _everybody,
    }
