"""Actions and auth of harvesting under the publication gate: the
declaration of a harvest source, and what harvest imports did and why."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model

from ..agreements.actions import validate
from ..agreements.schema import page_size
from . import harvest
from . import harvest_rules as R
from .harvest import HarvestOutcome

Session = model.Session
_ = tk._


def _v(name: str) -> Any:
    return tk.get_validator(name)


def _source(reference: str) -> model.Package:
    package = model.Package.get(reference)
    if package is None or package.type != "harvest" or package.state == "deleted":
        raise tk.ObjectNotFound(_("Harvest source not found"))
    return package


def _user_name(user_id: str | None) -> str | None:
    user = Session.get(model.User, user_id) if user_id else None
    return user.name if user else None


def _declaration_dict(source: model.Package) -> dict[str, Any]:
    row = harvest.current_declaration(source.id)
    problems = harvest.declaration_problems(source)
    return {
        "source_id": source.id,
        "organization_id": source.owner_org,
        "declaration": (
            {
                "personal_data": row.personal_data,
                "text_version": row.text_version,
                "note": row.note or "",
                "terms_version": row.terms_version,
                "declared_by": _user_name(row.declared_by),
                "declared_at": row.declared_at.isoformat(),
            }
            if row
            else None
        ),
        "counts": not problems,
        "problems": [r["message"] for r in harvest.translated([harvest.unmet_dict(u) for u in problems])],
    }


def harvest_source_declare(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """(Re)make the personal-data declaration of a harvest source, for the
    datasets it brings (admins of the source's organization).

    :param id: the harvest source's id or name
    :param publication_declaration: ``{"personal_data": "none"|"anonymized",
        "text_version": ..., "note": ...}``
    :returns: the declaration in force for the source (``harvest_source_declaration_show``)
    """
    schema = {
        "id": [_v("not_empty"), _v("unicode_safe")],
        harvest.FIELD: [_v("ignore_missing")],
    }
    data = validate(data_dict, schema, context)
    source = _source(data["id"])
    tk.check_access("harvest_source_declare", context, {"id": source.id})
    try:
        harvest.declare(context, source, data.get(harvest.FIELD))
    except Exception:
        Session.rollback()
        raise
    Session.commit()
    return _declaration_dict(source)


@tk.side_effect_free
def harvest_source_declaration_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The declaration recorded for a harvest source, whether it still counts
    and, if not, why (members of the source's organization).

    :param id: the harvest source's id or name
    """
    data = validate(data_dict, {"id": [_v("not_empty"), _v("unicode_safe")]}, context)
    source = _source(data["id"])
    tk.check_access("harvest_source_declaration_show", context, {"organization_id": source.owner_org})
    return _declaration_dict(source)


def _outcome_dict(row: HarvestOutcome) -> dict[str, Any]:
    return {
        "dataset_id": row.dataset_id,
        "organization_id": row.organization_id,
        "source_id": row.source_id,
        "harvest_job_id": row.harvest_job_id,
        "harvest_object_id": row.harvest_object_id,
        "outcome": row.outcome,
        "reasons": harvest.translated(row.reasons),
        "at": row.at.isoformat(),
    }


@tk.side_effect_free
def harvest_publication_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """What the last harvest import did to a dataset (published, kept private
    and why, kept withdrawn), for the members of its organization.

    :param id: the dataset's id or name
    """
    data = validate(data_dict, {"id": [_v("not_empty"), _v("unicode_safe")]}, context)
    package = model.Package.get(data["id"])
    if package is None:
        raise tk.ObjectNotFound(_("Dataset not found"))
    tk.check_access("harvest_publication_show", context, {"organization_id": package.owner_org})
    row = Session.get(HarvestOutcome, package.id)
    if row is None:
        raise tk.ObjectNotFound(_("This dataset was not harvested"))
    return _outcome_dict(row)


@tk.side_effect_free
def harvest_publication_list(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """What the last harvest import did to each dataset of a harvest source,
    newest first (members of the source's organization).

    :param id: the harvest source's id or name
    :param outcome: ``published``, ``private``, ``withdrawn`` or ``private_at_source``
    :param limit: (default 100, at most 1000), :param offset:
    """
    schema = {
        "id": [_v("not_empty"), _v("unicode_safe")],
        "outcome": [_v("ignore_missing"), _v("one_of")(list(R.OUTCOMES))],
        "limit": [_v("default")(100), page_size],
        "offset": [_v("default")(0), _v("natural_number_validator")],
    }
    data = validate(data_dict, schema, context)
    source = _source(data["id"])
    tk.check_access("harvest_publication_list", context, {"organization_id": source.owner_org})
    query = Session.query(HarvestOutcome).filter(HarvestOutcome.source_id == source.id)
    if source.owner_org:  # a partner reads its own datasets only
        query = query.filter(HarvestOutcome.organization_id == source.owner_org)
    if data.get("outcome"):
        query = query.filter(HarvestOutcome.outcome == data["outcome"])
    count = query.count()
    rows = (
        query.order_by(HarvestOutcome.at.desc(), HarvestOutcome.dataset_id)
        .offset(data["offset"])
        .limit(data["limit"])
        .all()
    )
    return {"count": count, "results": [_outcome_dict(row) for row in rows]}


# -- auth --------------------------------------------------------------------------
def _member(context: Any, data_dict: Any) -> dict[str, Any]:
    """Members of the organization (sysadmins pass every check in CKAN)."""
    user = context.get("user")
    organization_id = (data_dict or {}).get("organization_id")
    if user and organization_id and authz.users_role_for_group_or_org(organization_id, user):
        return {"success": True}
    return {"success": False, "msg": _("Only the organization's members read what harvesting did")}


def harvest_source_declare_auth(context: Any, data_dict: Any) -> dict[str, Any]:
    """Those who may edit the source; the declaration itself then needs an
    admin of its organization (a field error otherwise)."""
    try:
        tk.check_access("harvest_source_update", context, {"id": (data_dict or {}).get("id")})
    except tk.NotAuthorized:
        return {"success": False, "msg": _("You may not edit this harvest source")}
    return {"success": True}


# -- template helpers (the harvest source form) -------------------------------------
def declaration_for_form(source_id: str) -> dict[str, Any] | None:
    """The source's declaration as ``harvest_source_declaration_show`` gives
    it, if the current user may read it."""
    try:
        return tk.get_action("harvest_source_declaration_show")({}, {"id": source_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


def helpers() -> dict[str, Any]:
    from . import service

    return {
        "datasud_harvest_declaration": declaration_for_form,
        "datasud_declaration_version": service.declaration_version,
    }


def get_actions() -> dict[str, Any]:
    return {
        "harvest_source_declare": harvest_source_declare,
        "harvest_source_declaration_show": harvest_source_declaration_show,
        "harvest_publication_show": harvest_publication_show,
        "harvest_publication_list": harvest_publication_list,
    }


def get_auth_functions() -> dict[str, Any]:
    return {
        "harvest_source_declare": harvest_source_declare_auth,
        "harvest_source_declaration_show": _member,
        "harvest_publication_show": _member,
        "harvest_publication_list": _member,
    }
