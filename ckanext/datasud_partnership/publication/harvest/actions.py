"""Actions of harvesting under the publication gate: the declaration of a
harvest source, and what harvest imports did and why."""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ...common import lookups
from ...common.validation import reference, validate
from .. import journal
from . import imports as harvest
from . import schema as S
from .model import HarvestOutcome

Session = model.Session
_ = tk._


def _source(reference: str) -> model.Package:
    package = model.Package.get(reference)
    if package is None or package.type != "harvest" or package.state == "deleted":
        raise tk.ObjectNotFound(_("Harvest source not found"))
    return package


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
                "declared_by": lookups.names(model.User, [row.declared_by]).get(row.declared_by),
                "declared_at": row.declared_at.isoformat(),
            }
            if row
            else None
        ),
        "counts": not problems,
        "problems": [r["message"] for r in harvest.translated([harvest.unmet_dict(u) for u in problems])],
    }


def harvest_source_declare(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """(Re)make the personal-data declaration of a harvest source, for the
    datasets it brings (admins of the source's organization).

    :param id: the harvest source's id or name
    :param publication_declaration: ``{"personal_data": "none"|"anonymized",
        "text_version": ..., "note": ...}``
    :returns: the declaration in force for the source (``harvest_source_declaration_show``)
    """
    data = validate(data_dict, S.harvest_source_declare(), context)
    source = _source(data["id"])
    tk.check_access("harvest_source_declare", context, {"id": source.id})
    try:
        harvest.declare(context, source, data.get(harvest.FIELD))
    except Exception:
        Session.rollback()
        raise
    Session.commit()
    # the datasets its imports kept private for want of it: judged again now
    harvest.rejudge_source(source.id)
    return _declaration_dict(source)


@tk.side_effect_free
def harvest_source_declaration_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The declaration recorded for a harvest source, whether it still counts
    and, if not, why (members of the source's organization).

    :param id: the harvest source's id or name
    """
    data = validate(data_dict, S.one_id(), context)
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
def harvest_publication_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What the last harvest import did to a dataset (published, kept private
    and why, kept withdrawn), for the members of its organization.

    :param id: the dataset's id or name
    """
    data = validate(data_dict, S.one_id(), context)
    package = model.Package.get(data["id"])
    if package is None:
        raise tk.ObjectNotFound(_("Dataset not found"))
    tk.check_access("harvest_publication_show", context, {"organization_id": package.owner_org})
    row = Session.get(HarvestOutcome, package.id)
    if row is None:
        raise tk.ObjectNotFound(_("This dataset was not harvested"))
    return _outcome_dict(row)


@tk.side_effect_free
def harvest_publication_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What the last harvest import did to each dataset of a harvest source,
    newest first (members of the source's organization).

    :param id: the harvest source's id or name
    :param outcome: ``published``, ``private``, ``withdrawn`` or ``private_at_source``
    :param limit: (default 100, at most 1000), :param offset:
    """
    data = validate(data_dict, S.harvest_publication_list(), context)
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


@tk.chained_action
def harvest_source_reindex(original: Any, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest's reindex of a source (at the end of each of its jobs,
    by ``harvest_jobs_run``) caches the source as ``harvest_source_show`` gives
    it *unvalidated*; CKAN 2.12's ``package_show`` then serves that copy, and
    ``harvest_source_patch`` fails (``source_type: Missing value``). Here the
    source is indexed as any dataset (validated, CKAN's own
    ``index_update_package``), and the datasets its imports kept private are
    judged again (the condition they missed may be met now)."""
    from ckan import logic

    source_id = reference(data_dict, "id")  # a NUL or a list: 400 naming id, not a 500 down in SQL
    package = model.Package.get(source_id)
    if package is None or package.type != "harvest":
        return original(context, data_dict)
    context["ignore_auth"] = True  # as ckanext-harvest's own: an internal call
    tk.check_access("harvest_source_reindex", context, data_dict)
    deferred = bool(context.get("defer_commit"))
    logic.index_update_package({"ignore_auth": True}, package.id, deferred)
    if not deferred:  # it commits
        harvest.rejudge_source(package.id)
    return True


@tk.chained_action
def harvest_source_clear(original: Any, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest's "Clear" (and "Clear and delete") purges every dataset
    the source brought, with SQL. Here the published ones are withdrawn first,
    each with its journal entry (path ``harvest_clear``), by the rule of any
    withdrawal: the partner's publishers may; the portal's team, which needs a
    ground to withdraw a partner's dataset, is refused while any is published
    (withdraw them with a ground first), and nothing changes."""
    from .. import withdrawal

    source_id = reference(data_dict, "id")
    tk.check_access("harvest_source_clear", context, data_dict)
    found = model.Package.get(source_id)
    published = harvest.published_from_source(found.id if found else source_id)
    reason = tk._("The harvest source was cleared")
    for package in published:
        try:
            withdrawal.check_withdrawal(context, package, reason, None)
        except tk.ValidationError:
            raise tk.ValidationError(
                {
                    "id": [
                        tk._(
                            "This source's datasets include published ones (%(count)s): the portal's "
                            "team withdraws them with a ground before clearing the source"
                        )
                        % {"count": len(published)}
                    ]
                }
            ) from None
    for package in published:
        journal.record(package, "withdrawn", context, "harvest_clear", reason=reason)
    if published:
        model.Session.commit()
    return original(context, data_dict)


def get_actions() -> dict[str, Any]:
    if plugins.plugin_loaded("harvest"):
        return {
            **_actions(),
            "harvest_source_reindex": harvest_source_reindex,
            "harvest_source_clear": harvest_source_clear,
        }
    return _actions()


def _actions() -> dict[str, Any]:
    return {
        "harvest_source_declare": harvest_source_declare,
        "harvest_source_declaration_show": harvest_source_declaration_show,
        "harvest_publication_show": harvest_publication_show,
        "harvest_publication_list": harvest_publication_list,
    }
