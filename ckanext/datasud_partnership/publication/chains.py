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

from . import gate as G
from . import publishing, withdrawal
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
    harvest_object = harvest.importing_object(context, package)
    if harvest_object is not None:  # a harvest import: published or kept private, never refused
        harvest.apply_import(context, before, package, harvest_object)
        return
    if after.published and not was_published:
        publishing.publish_checked(context, package, extra.get(DECLARATION), path)
    elif after.published and was_published:
        if before.owner_org != after.owner_org:  # a new publication, by another organization
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
    result = _guarded("package_create", original, context, data_dict, None)
    package = model.Package.get(result.get("id") or "") if isinstance(result, dict) else None
    if package is not None and package.type != "harvest" and (package.state != "active" or package.private):
        # a draft: what publication will still ask for
        result = {**result, "missing_for_publication": publishing.missing_for_publication(package)}
    return result


@tk.chained_action
def package_update(original: Any, context: Context, data_dict: DataDict) -> Any:
    return _guarded(
        "package_update", original, context, data_dict, data_dict.get("id") or data_dict.get("name")
    )


@tk.chained_action
def package_delete(original: Any, context: Context, data_dict: DataDict) -> Any:
    return _guarded("package_delete", original, context, data_dict, data_dict.get("id"))


@tk.chained_action
def package_owner_org_update(original: Any, context: Context, data_dict: DataDict) -> Any:
    """Moving a dataset: CKAN's action has no dataset hook, so the check runs
    here, between CKAN's change and the commit."""
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
    tk.check_access("bulk_update_public", context, data_dict)
    declaration = data_dict.get(DECLARATION)
    ids = [
        row[0]
        for row in model.Session.query(model.Package.id, model.Package.name)
        .filter(model.Package.id.in_(data_dict.get("datasets") or []))
        .filter(model.Package.owner_org == data_dict.get("org_id"))
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
        "package_delete": package_delete,
        "bulk_update_public": bulk_update_public,
    }
