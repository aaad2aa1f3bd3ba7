"""Who reads what harvesting did, and who declares for a harvest source."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ...common.roles import role_in_organization

_ = tk._


def _member(context: Context, data_dict: DataDict) -> AuthResult:
    """Members of the organization (sysadmins pass every check in CKAN)."""
    if role_in_organization(context.get("user"), (data_dict or {}).get("organization_id")):
        return {"success": True}
    return {"success": False, "msg": _("Only the organization's members read what harvesting did")}


def harvest_source_declare_auth(context: Context, data_dict: DataDict) -> AuthResult:
    """Those who may edit the source; the declaration itself then needs an
    admin of its organization (a field error otherwise)."""
    try:
        tk.check_access("harvest_source_update", context, {"id": (data_dict or {}).get("id")})
    except tk.NotAuthorized:
        return {"success": False, "msg": _("You may not edit this harvest source")}
    return {"success": True}


def get_auth_functions() -> dict[str, Any]:
    return {
        "harvest_source_declare": harvest_source_declare_auth,
        "harvest_source_declaration_show": _member,
        "harvest_publication_show": _member,
        "harvest_publication_list": _member,
    }
