"""The gate on every path that can make a dataset public.

Chained *actions*, not auth functions: harvesting and other internal callers
run with ``ignore_auth``, and must meet the same gate. Each chained action
runs CKAN's own action without committing, looks at what the dataset became,
applies the gate (publication), the who-decides rule (withdrawal) and the
licence rule (a published dataset keeps its licence), then commits, or rolls
everything back and raises: a refused request changes nothing.

``package_patch``, ``package_revise`` and the bulk "Make public" all end in
``package_update``: they are covered by it.
"""

from __future__ import annotations

import contextvars
import dataclasses
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ..common.validation import checked_input, invalid, reference, references, reject_unsafe, whole_number
from . import gate as G
from . import publishing, sandbox, withdrawal
from .harvest import imports as harvest
from .publishing import Snapshot

_ = tk._

DECLARATION = G.DECLARATION_FIELD
WITHDRAWAL = "publication_withdrawal"  # {"reason": ..., "ground": {...}}
PATH = "datasud_publication_path"  # context key: which way the change came


def locked(reference: Any) -> model.Package | None:
    """The dataset ``reference`` names (id or name), its row locked until the
    transaction ends (``SELECT ... FOR UPDATE``) and read afresh. Concurrent
    changes of one dataset then take turns, and each judges what the one
    before it committed: CKAN's ``package_patch`` reads the row FOR UPDATE too,
    but keeps the copy the session already held (the state it saw before
    waiting), hence ``populate_existing``; the session's unsaved changes are
    flushed first, which it would otherwise drop."""
    if not reference:
        return None
    model.Session.flush()
    query = model.Session.query(model.Package).with_for_update().populate_existing()
    reference = str(reference)
    return (
        query.filter(model.Package.id == reference).one_or_none()
        or query.filter(model.Package.name == reference).one_or_none()
    )


def _snapshot(reference: str | None) -> Snapshot | None:
    package = locked(reference)
    return Snapshot.of(package) if package is not None else None


def _apply(context: Context, before: Snapshot | None, package: model.Package, extra: dict[str, Any]) -> None:
    after = Snapshot.of(package)
    if extra["action"] == "package_delete":  # CKAN calls the hook just before deleting
        after = dataclasses.replace(after, state="deleted")
    if after.type == "harvest":  # harvest sources are datasets too: left alone, but
        # the declaration made for the datasets they bring is recorded
        harvest.on_source_change(context, package, extra.get(DECLARATION))
        return
    path = context.get(PATH) or extra["action"]
    was_published = before is not None and before.published
    licence_changed = G.licence_change_unmet(
        was_published, before.license_id if before else None, after.published, after.license_id
    )
    if licence_changed is not None:
        raise publishing.refusal([licence_changed])
    staying_published = was_published and after.published and before.owner_org == after.owner_org
    if staying_published:  # on every path, harvesting included, as the licence
        # the metadata required for publication stays required while published
        publishing.check_metadata_kept(package)
    harvest_object = harvest.importing_object(context, package)
    if harvest_object is not None:  # a harvest import: published or kept private (refused
        # only where a published dataset would change its licence or blank its required metadata)
        harvest.apply_import(context, before, package, harvest_object)
        return
    if after.published and not was_published:
        publishing.publish_checked(context, package, extra.get(DECLARATION), path)
        sandbox.left_by_publication(context, package, path)  # published for real
    elif after.published and was_published and not staying_published:
        # a new publication, by another organization
        publishing.publish_checked(context, package, extra.get(DECLARATION), path)
    elif was_published and not after.published:
        asked = extra.get(WITHDRAWAL) or {}
        withdrawal.withdraw_checked(context, package, asked.get("reason"), asked.get("ground"), path)


STASH = "datasud_publication"  # context key: what the chained action saw before
# Set while a guarded action runs: CKAN's package_update moves the dataset
# through package_owner_org_update, which the outer check already covers.
_guarding: contextvars.ContextVar[bool] = contextvars.ContextVar("datasud_guarding", default=False)


def _guarded(action: str, original: Any, context: Context, data_dict: DataDict, reference: str | None) -> Any:
    """Run CKAN's action with what the gate needs stashed in the context; the
    gate itself runs in ``after_change``, before CKAN commits. On refusal the
    whole transaction is rolled back: nothing changes."""
    data_dict = dict(data_dict)
    reject_unsafe(data_dict)  # PostgreSQL would refuse them, as a 500
    context[STASH] = {
        "action": action,
        "before": _snapshot(reference),
        DECLARATION: data_dict.pop(DECLARATION, None),
        WITHDRAWAL: data_dict.pop(WITHDRAWAL, None),
    }
    token = _guarding.set(True)
    try:
        return original(context, data_dict)
    except Exception:
        model.Session.rollback()
        raise
    finally:
        _guarding.reset(token)
        context.pop(STASH, None)


def after_change(context: Context, pkg_dict: dict[str, Any]) -> None:
    """Called by the IPackageController hooks, after CKAN saved the dataset
    and before it commits: judge the change."""
    stash = context.get(STASH)
    if stash is None or stash.get("done"):
        return
    package = model.Package.get(pkg_dict.get("id") or pkg_dict.get("name") or "")
    if package is None:
        raise tk.ObjectNotFound(_("Dataset not found"))
    stash["done"] = True
    _apply(context, stash["before"], package, stash)
    if stash["action"] != "package_delete" and bool(pkg_dict.get("private")) != bool(package.private):
        pkg_dict["private"] = package.private  # a harvest import kept it private


@tk.chained_action
def package_create(original: Any, context: Context, data_dict: DataDict) -> Any:
    _lists_are_lists(data_dict)
    data_dict = harvest.prepare_import(context, _with_references(data_dict, "owner_org"))
    result = _guarded("package_create", original, context, data_dict, None)
    package = model.Package.get(result.get("id") or "") if isinstance(result, dict) else None
    if package is not None and package.type != "harvest" and (package.state != "active" or package.private):
        # a draft: what publication will still ask for
        result = {**result, "missing_for_publication": publishing.missing_for_publication(package)}
    return result


def _with_references(data_dict: DataDict, *fields: str) -> DataDict:
    """``data_dict`` with each of ``fields`` it gives as text: CKAN core looks
    them up before it validates anything, and a number, a list or a NUL
    there is a database error (a 500)."""
    data_dict = dict(data_dict)
    for field in fields:
        if field in data_dict:
            data_dict[field] = reference(data_dict, field, required=False)
    return data_dict


LIST_FIELDS = ("resources", "tags", "groups", "extras")


def _lists_are_lists(data_dict: DataDict) -> None:
    """CKAN core iterates a dataset's ``resources``, ``tags``, ``groups`` and
    ``extras`` before its schema checks their type (a number there: a 500)."""
    wrong = [f for f in LIST_FIELDS if data_dict.get(f) is not None and not isinstance(data_dict[f], list)]
    if wrong:
        errors: dict[str, Any] = {field: [_("Expected a list")] for field in wrong}
        if "tags" in errors:  # CKAN's ValidationError reads tag errors as [{"name": [...]}]
            errors["tags"] = [{"name": errors["tags"]}]
        raise tk.ValidationError(errors)


@tk.chained_action
def package_update(original: Any, context: Context, data_dict: DataDict) -> Any:
    _lists_are_lists(data_dict)
    data_dict = harvest.prepare_import(context, _with_references(data_dict, "id", "name", "owner_org"))
    return _guarded(
        "package_update", original, context, data_dict, data_dict.get("id") or data_dict.get("name")
    )


@tk.chained_action
def package_patch(original: Any, context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``package_patch`` (it ends in ``package_update``) with an id it
    can look up; CKAN's own error for a missing id names no field."""
    reject_unsafe(data_dict)
    return original(
        context, {**_with_references(data_dict, "name", "owner_org"), "id": reference(data_dict, "id")}
    )


@tk.chained_action
def package_delete(original: Any, context: Context, data_dict: DataDict) -> Any:
    data_dict = {**data_dict, "id": reference(data_dict, "id")}
    if harvest.withdraw_instead_of_delete(context, data_dict["id"]):
        tk.check_access("package_delete", context, data_dict)  # ignore_auth: CKAN's audit
        return None  # the source no longer offers it: withdrawn, not deleted
    return _guarded("package_delete", original, context, data_dict, data_dict["id"])


@tk.chained_action
def package_owner_org_update(original: Any, context: Context, data_dict: DataDict) -> Any:
    """Moving a dataset: CKAN's action has no dataset hook, so the check runs
    here, between CKAN's change and the commit."""
    data_dict = {
        **data_dict,
        "id": reference(data_dict, "id"),
        "organization_id": reference(data_dict, "organization_id", required=False),
    }
    if _guarding.get():
        return original(context, data_dict)
    before = _snapshot(data_dict.get("id"))
    deferred = context.get("defer_commit")
    try:
        result = original({**context, "defer_commit": True}, data_dict)
        package = model.Package.get(data_dict.get("id"))
        if package is not None and before is not None:
            _apply(context, before, package, {"action": "package_owner_org_update"})
    except Exception:
        model.Session.rollback()
        raise
    if not deferred:
        model.Session.commit()
    return result


@tk.chained_action
def bulk_update_public(original: Any, context: Context, data_dict: DataDict) -> Any:
    """The organization's "Make public": each dataset goes through the gate on
    its own; those that pass are published, the others are reported."""
    data_dict = _bulk_input("bulk_update_public", context, data_dict)
    declaration = data_dict.get(DECLARATION)
    ids = [
        row[0]
        for row in model.Session.query(model.Package.id, model.Package.name)
        .filter(model.Package.id.in_(data_dict["datasets"]))
        .filter(model.Package.owner_org == data_dict["org_id"])
    ]
    refused: dict[str, list[str]] = {}
    for package_id in ids:
        patch = {"id": package_id, "private": False, DECLARATION: declaration}
        try:
            tk.get_action("package_patch")(_fresh(context), patch)
        except (tk.ValidationError, tk.NotAuthorized) as error:
            package = model.Package.get(package_id)
            refused[package.name if package else package_id] = _reasons(error)
    if refused:
        raise tk.ValidationError(
            {
                "datasets": [
                    _("%(dataset)s was not published: %(reasons)s")
                    % {"dataset": name, "reasons": "; ".join(reasons)}
                    for name, reasons in refused.items()
                ]
            }
        )


@tk.chained_action
def dataset_purge(original: Any, context: Context, data_dict: DataDict) -> Any:
    """Purging a published dataset withdraws it first: the portal's team
    gives a ground (``publication_withdrawal``: ``{"reason": ..., "ground":
    {...}}``, as for ``package_delete``) and the journal records the
    withdrawal, committed with the purge; without one, nothing changes."""
    data_dict = checked_input(data_dict, context, ids=("id",))
    asked = data_dict.pop(WITHDRAWAL, None) or {}
    reference = data_dict.get("id")
    package = model.Package.get(reference) if isinstance(reference, str) and reference else None
    if package is not None and package.type != "harvest" and Snapshot.of(package).published:
        tk.check_access("dataset_purge", {**context, "package": package}, data_dict)
        if not isinstance(asked, dict):
            raise tk.ValidationError({WITHDRAWAL: [_("Expected an object with a reason and a ground")]})
        try:
            withdrawal.withdraw_checked(
                context, package, asked.get("reason"), asked.get("ground"), "dataset_purge"
            )
            return original(context, data_dict)  # CKAN's purge commits the journal entry with it
        except Exception:
            model.Session.rollback()
            raise
    return original(context, data_dict)


def _bulk_input(action: str, context: Context, data_dict: DataDict) -> DataDict:
    """The organization and the datasets a bulk action names, checked before
    CKAN core passes them to SQL as given (a number, a single text, a NUL
    there: a 500), once the caller may act on the organization. Each dataset
    must be one of the organization's: ckanext-activity's ``bulk_changed``
    subscriber looks each one up once the action succeeded, and answers an
    unknown one with "not found" after the others were changed. Changed in
    place: that subscriber reads the caller's ``datasets``."""
    reject_unsafe(data_dict)
    data_dict["org_id"] = reference(data_dict, "org_id")
    tk.check_access(action, context, data_dict)  # who may act, before what they named
    data_dict["datasets"] = references(data_dict, "datasets")
    found = {
        row[0]
        for row in model.Session.query(model.Package.id)
        .filter(model.Package.id.in_(data_dict["datasets"]))
        .filter(model.Package.owner_org == data_dict["org_id"])
    }
    unknown = [dataset for dataset in data_dict["datasets"] if dataset not in found]
    if unknown:
        raise invalid(
            "datasets", "Not datasets of this organization: %(datasets)s", datasets=", ".join(unknown[:20])
        )
    return data_dict


@tk.chained_action
def bulk_update_private(original: Any, context: Context, data_dict: DataDict) -> Any:
    return original(context, _bulk_input("bulk_update_private", context, data_dict))


@tk.chained_action
def bulk_update_delete(original: Any, context: Context, data_dict: DataDict) -> Any:
    return original(context, _bulk_input("bulk_update_delete", context, data_dict))


# --- the core reads the portal exposes: inputs CKAN answers 500 to -----------


@tk.chained_action
@tk.side_effect_free
def package_show(original: Any, context: Context, data_dict: DataDict) -> Any:
    """CKAN core's ``package_show`` passes the id to SQL as given: a number
    (``{"id": 3661}``: ``text = integer``), a list or a NUL byte is a
    database error there (a 500); here a ValidationError names ``id``."""
    reject_unsafe(data_dict)
    return original(context, _with_references(data_dict, "id", "name_or_id"))


# Solr parameters CKAN 2.12 refuses although Solr answers them, and this
# portal's pages and README offer: allowed on every backend (plugin.configure).
SOLR_PARAMETERS = frozenset({"facet.sort"})


def allow_search_parameters() -> None:
    from ckan.lib.search import query

    query.VALID_SOLR_PARAMETERS.update(SOLR_PARAMETERS)


SEARCH_NUMBERS = ("rows", "start")
SEARCH_TEXTS = ("q", "fq", "sort", "df", "qf", "defType")
SEARCH_LISTS = ("fq_list", "facet.field")


@tk.chained_action
@tk.side_effect_free
def package_search(original: Any, context: Context, data_dict: DataDict) -> Any:
    """CKAN core's ``package_search`` schema lets through ``rows: []`` or
    ``rows: " "`` (``int_validator`` gives None, then ``None < 0``), lists as
    ``q`` and NUL bytes to the search engine: each a 500. Refused here, on
    the field."""
    reject_unsafe(data_dict)
    data_dict = dict(data_dict)
    errors: dict[str, list[str]] = {}
    for field in SEARCH_NUMBERS:
        # "" is CKAN's own "not given" (group_package_show passes rows="")
        if data_dict.get(field) not in (None, ""):
            try:
                data_dict[field] = whole_number(data_dict[field], context)
            except tk.Invalid as error:
                errors[field] = [error.error]
    for field in SEARCH_TEXTS:
        if data_dict.get(field) is not None and not isinstance(data_dict[field], str):
            errors[field] = [_("Expected a text")]
    for field in SEARCH_LISTS:
        value = data_dict.get(field)
        if value is not None and not (
            isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        ):
            errors[field] = [_("Expected a list of texts")]
    if errors:
        raise tk.ValidationError(errors)
    return original(context, data_dict)


def _fresh(context: Context) -> dict[str, Any]:
    keys = ("user", "auth_user_obj", "ignore_auth", PATH)
    return {key: context[key] for key in keys if key in context}


def _reasons(error: Exception) -> list[str]:
    if isinstance(error, tk.ValidationError):
        return [f"{field}: {' '.join(map(str, messages))}" for field, messages in error.error_dict.items()]
    return [str(error)]


def get_chained_actions() -> dict[str, Any]:
    return {
        "package_create": package_create,
        "package_update": package_update,
        "package_owner_org_update": package_owner_org_update,
        "package_patch": package_patch,
        "package_delete": package_delete,
        "bulk_update_public": bulk_update_public,
        "dataset_purge": dataset_purge,
        "bulk_update_private": bulk_update_private,
        "bulk_update_delete": bulk_update_delete,
        "package_show": package_show,
        "package_search": package_search,
    }
