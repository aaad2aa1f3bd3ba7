"""The partners' pages: publish, withdraw, the journal, the Convention tab,
the terms of use and the simplified deposit.

Every page calls the actions and shows what they answer (their
``ValidationError`` messages included): no rule is decided here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib import munge
from ckan.lib.navl.dictization_functions import unflatten
from ckan.logic import clean_dict, tuplize_dict
from flask import Blueprint, request

from . import helpers as H

_ = tk._

dataset = Blueprint("datasud_dataset", __name__, url_prefix="/dataset")
organization = Blueprint("datasud_organization", __name__, url_prefix="/organization")
deposit = Blueprint("datasud_deposit", __name__, url_prefix="/deposit")

JOURNAL_FILTERS = ("action", "since", "until", "dataset")


def _context() -> dict[str, Any]:
    user = tk.current_user
    return {"user": user.name if user.is_authenticated else "", "auth_user_obj": user}


def _call(action_name: str, /, **data: Any) -> Any:
    return tk.get_action(action_name)(_context(), data)


def _form() -> dict[str, Any]:
    return clean_dict(unflatten(tuplize_dict(dict(request.form.items()))))


def _errors(error: tk.ValidationError) -> dict[str, list[str]]:
    """A ValidationError as ``{field: [messages]}`` (nested errors flattened)."""
    found: dict[str, list[str]] = {}
    for key, value in (error.error_dict or {}).items():
        found[key] = list(_messages(value))
    return found


def _messages(value: Any) -> Any:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _messages(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from _messages(inner)


def _dataset_or_abort(reference: str) -> dict[str, Any]:
    try:
        return _call("package_show", id=reference)
    except tk.ObjectNotFound:
        return tk.abort(404, _("Dataset not found"))
    except tk.NotAuthorized:
        return tk.abort(403, _("Not authorized to see this dataset"))


def _may(auth: str, **data: Any) -> bool:
    try:
        tk.check_access(auth, _context(), data)
    except tk.NotAuthorized:
        return False
    return True


# -- the dataset: publish --------------------------------------------------------------
def _publish_page(pkg: dict[str, Any], template: str, **extra: Any) -> str:
    return tk.render(
        template,
        {
            "pkg": pkg,
            "pkg_dict": pkg,
            "dataset_type": pkg.get("type") or "dataset",
            "checklist": H.publication_checklist(pkg),
            "licences": H.open_licence_options(),
            "declaration_version": H.declaration_version(),
            "errors": {},
            "values": {},
            **extra,
        },
    )


def _publish(reference: str, template: str, done: Any) -> Any:
    pkg = _dataset_or_abort(reference)
    if not _may("package_update", id=pkg["id"]):
        return tk.abort(403, _("Only the organization's publishers may publish this dataset"))
    if request.method == "GET":
        return _publish_page(pkg, template)
    form = _form()
    declaration: dict[str, Any] = {"text_version": form.get("text_version") or ""}
    if form.get("personal_data"):
        declaration["personal_data"] = form["personal_data"]
    if form.get("note"):
        declaration["note"] = form["note"]
    data: dict[str, Any] = {"id": pkg["id"]}
    if form.get("personal_data"):
        data["publication_declaration"] = declaration
    if form.get("license_id"):
        data["license_id"] = form["license_id"]
    try:
        _call("dataset_publish", **data)
    except tk.ValidationError as error:
        return _publish_page(pkg, template, errors=_errors(error), values=form), 400
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    tk.h.flash_success(_("The dataset is published: it is now public on the portal."))
    return done(pkg)


@dataset.route("/publish/<id>", methods=["GET", "POST"])
def publish(id: str) -> Any:
    return _publish(
        id,
        "datasud_ui/publish.html",
        lambda pkg: tk.redirect_to("dataset.read", id=pkg["name"]),
    )


# -- the dataset: withdraw --------------------------------------------------------------
@dataset.route("/withdraw/<id>", methods=["GET", "POST"])
def withdraw(id: str) -> Any:
    pkg = _dataset_or_abort(id)
    if not _may("package_update", id=pkg["id"]):
        return tk.abort(403, _("Only the organization's publishers may withdraw this dataset"))
    extra = {"pkg": pkg, "pkg_dict": pkg, "dataset_type": pkg.get("type") or "dataset"}
    if request.method == "GET":
        return tk.render("datasud_ui/withdraw.html", {**extra, "errors": {}, "values": {}})
    form = _form()
    try:
        _call("dataset_withdraw", id=pkg["id"], reason=form.get("reason") or "")
    except tk.ValidationError as error:
        return tk.render("datasud_ui/withdraw.html", {**extra, "errors": _errors(error), "values": form}), 400
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    tk.h.flash_success(_("The dataset is withdrawn: it is private again, and everything is kept."))
    return tk.redirect_to("dataset.read", id=pkg["name"])


# -- the dataset: journal tab -------------------------------------------------------------
@dataset.route("/journal/<id>")
def dataset_journal(id: str) -> Any:
    pkg = _dataset_or_abort(id)
    try:
        journal = _call("publication_journal_list", organization=pkg.get("owner_org"), dataset=pkg["id"])
    except tk.NotAuthorized:
        return tk.abort(403, _("Only the organization's members read its publication journal"))
    return tk.render(
        "datasud_ui/dataset_journal.html",
        {"pkg": pkg, "pkg_dict": pkg, "dataset_type": pkg.get("type") or "dataset", "journal": journal},
    )


# -- the dataset: report a problem (a claim) ---------------------------------------------
CLAIM_KINDS = ("personal_data", "inaccurate", "outdated", "rights", "other")


@dataset.route("/claim/<id>", methods=["GET", "POST"])
def claim(id: str) -> Any:
    pkg = _dataset_or_abort(id)
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.h.url_for("datasud_dataset.claim", id=pkg["name"]))
    extra = {"pkg": pkg, "pkg_dict": pkg, "dataset_type": pkg.get("type") or "dataset", "kinds": CLAIM_KINDS}
    if request.method == "GET":
        return tk.render("datasud_ui/claim_new.html", {**extra, "errors": {}, "values": {}})
    form = _form()
    try:
        _call(
            "claim_create",
            dataset=pkg["id"],
            kind=form.get("kind") or "",
            description=form.get("description") or "",
        )
    except tk.ValidationError as error:
        return tk.render(
            "datasud_ui/claim_new.html", {**extra, "errors": _errors(error), "values": form}
        ), 400
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    tk.h.flash_success(_("Thank you: the partner and the portal's team are told of your report."))
    return tk.redirect_to("dataset.read", id=pkg["name"])


# -- the organization ----------------------------------------------------------------------
def _organization_or_abort(reference: str) -> dict[str, Any]:
    try:
        return _call("organization_show", id=reference, include_datasets=False)
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, _("Organization not found"))


def _organization_page(template: str, group: dict[str, Any], **extra: Any) -> str:
    return tk.render(
        template,
        {"group_dict": group, "group_type": group.get("type") or "organization", **extra},
    )


def _convention(group: dict[str, Any], **extra: Any) -> str:
    listed = _call("agreement_list", organization=group["id"], limit=1000)["results"]
    agreements = []
    for row in listed:
        shown = _call("agreement_show", id=row["id"])
        history = None
        if _may("agreement_history", organization_id=group["id"]):
            history = _call("agreement_history", id=row["id"], limit=1000)["results"]
        agreements.append({"agreement": shown, "history": history})
    current = [a for a in agreements if H.agreement_in_force(a["agreement"])]
    kinds = {k["name"]: k for k in _call("agreement_kind_list")}
    for item in current:
        kind = kinds.get(item["agreement"]["kind"]) or {}
        item["partner_modes"] = {
            name: mode
            for name, mode in (kind.get("terminations") or {}).items()
            if mode.get("partner_alone") and "partner" in (mode.get("initiators") or [])
        }
    past = [a for a in agreements if not H.agreement_in_force(a["agreement"])]
    return _organization_page(
        "datasud_ui/convention.html",
        group,
        current=current,
        past=list(reversed(past)),
        may_answer=_may("agreement_notice_answer", organization_id=group["id"]),
        today=dt.date.today().isoformat(),
        errors=extra.pop("errors", {}),
        values=extra.pop("values", {}),
        **extra,
    )


@organization.route("/convention/<id>")
def convention(id: str) -> Any:
    return _convention(_organization_or_abort(id))


@organization.route("/convention/<id>/observations", methods=["POST"])
def convention_observations(id: str) -> Any:
    group = _organization_or_abort(id)
    form = _form()
    try:
        _call(
            "agreement_notice_answer",
            id=form.get("agreement_id") or "",
            observations=form.get("observations") or "",
        )
    except tk.ValidationError as error:
        return _convention(group, errors=_errors(error), values=form), 400
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ObjectNotFound:
        return tk.abort(404, _("Agreement not found"))
    tk.h.flash_success(_("Your observations are filed."))
    return tk.redirect_to("datasud_organization.convention", id=group["name"])


@organization.route("/journal/<id>")
def organization_journal(id: str) -> Any:
    group = _organization_or_abort(id)
    filters = {key: request.args[key] for key in JOURNAL_FILTERS if request.args.get(key)}
    page = max(tk.h.get_page_number(request.args), 1)
    per_page = 50
    errors: dict[str, list[str]] = {}
    try:
        journal = _call(
            "publication_journal_list",
            organization=group["id"],
            limit=per_page,
            offset=(page - 1) * per_page,
            **filters,
        )
    except tk.NotAuthorized:
        return tk.abort(403, _("Only the organization's members read its publication journal"))
    except tk.ValidationError as error:
        errors = _errors(error)
        journal = {"count": 0, "results": []}
    datasets = H.dataset_names([row["dataset_id"] for row in journal["results"]])
    return _organization_page(
        "datasud_ui/organization_journal.html",
        group,
        journal=journal,
        datasets=datasets,
        filters=filters,
        errors=errors,
        page=page,
        per_page=per_page,
        csv_args={"organization": group["name"], **filters},
    )


@organization.route("/bulk-publish/<id>", methods=["POST"])
def bulk_publish(id: str) -> Any:
    """The bulk "Make public" with the declaration; each refused dataset is
    listed with the action's reasons."""
    group = _organization_or_abort(id)
    form = _form()
    datasets = [key[len("dataset_") :] for key in request.form if key.startswith("dataset_")]
    data: dict[str, Any] = {"datasets": datasets, "org_id": group["id"]}
    if form.get("personal_data"):
        data["publication_declaration"] = {
            "personal_data": form["personal_data"],
            "text_version": form.get("text_version") or "",
            **({"note": form["note"]} if form.get("note") else {}),
        }
    try:
        _call("bulk_update_public", **data)
    except tk.ValidationError as error:
        for message in (m for messages in _errors(error).values() for m in messages):
            tk.h.flash_error(message)
    except tk.NotAuthorized:
        return tk.abort(403, _("Not authorized to publish these datasets"))
    else:
        tk.h.flash_success(_("The selected datasets are published."))
    return tk.redirect_to("organization.bulk_process", id=group["name"])


def _claims_page(group: dict[str, Any], **extra: Any) -> Any:
    status = request.args.get("status") or ""
    try:
        claims = _call("claim_list", organization=group["id"], **({"status": status} if status else {}))
    except tk.NotAuthorized:
        return tk.abort(403, _("Only the organization's admins read its claims"))
    return _organization_page(
        "datasud_ui/claims.html",
        group,
        claims=claims,
        status=status,
        errors=extra.pop("errors", {}),
        values=extra.pop("values", {}),
        failed=extra.pop("failed", None),
    )


@organization.route("/claims/<id>")
def claims(id: str) -> Any:
    return _claims_page(_organization_or_abort(id))


@organization.route("/claims/<id>/<claim_id>/<operation>", methods=["POST"])
def claim_operate(id: str, claim_id: str, operation: str) -> Any:
    group = _organization_or_abort(id)
    if operation not in ("answer", "resolve"):
        return tk.abort(404)
    form = _form()
    data: dict[str, Any] = {"id": claim_id, "text": form.get("text") or ""}
    if operation == "resolve":
        data["outcome"] = form.get("outcome") or ""
    try:
        _call(f"claim_{operation}", **data)
    except tk.ValidationError as error:
        page = _claims_page(group, errors=_errors(error), values=form, failed=claim_id)
        return (page, 400) if isinstance(page, str) else page
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ObjectNotFound:
        return tk.abort(404, _("Claim not found"))
    tk.h.flash_success(_("Your answer is recorded."))
    return tk.redirect_to("datasud_organization.claims", id=group["name"])


@organization.route("/convention/<id>/terminate", methods=["POST"])
def convention_terminate(id: str) -> Any:
    """The termination the partner may record alone (the kind says which)."""
    group = _organization_or_abort(id)
    form = _form()
    data = {
        key: form[key] for key in ("id", "mode", "requested_on", "effective_on", "reason") if form.get(key)
    }
    try:
        _call("agreement_terminate", initiator="partner", **data)
    except tk.ValidationError as error:
        return _convention(group, errors=_errors(error), values=form), 400
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ObjectNotFound:
        return tk.abort(404, _("Agreement not found"))
    tk.h.flash_success(_("The termination is recorded."))
    return tk.redirect_to("datasud_organization.convention", id=group["name"])


def _terms(group: dict[str, Any], **extra: Any) -> str:
    return _organization_page(
        "datasud_ui/terms.html",
        group,
        status=_call("terms_status", organization=group["id"]),
        may_accept=_may("terms_accept", organization_id=group["id"]),
        errors=extra.pop("errors", {}),
        **extra,
    )


@organization.route("/terms/<id>", methods=["GET", "POST"])
def terms(id: str) -> Any:
    group = _organization_or_abort(id)
    if request.method == "GET":
        return _terms(group)
    form = _form()
    try:
        _call("terms_accept", organization=group["id"], version=form.get("version") or "")
    except tk.ValidationError as error:
        return _terms(group, errors=_errors(error)), 400
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    tk.h.flash_success(_("The terms of use are accepted for your organization."))
    return tk.redirect_to("datasud_organization.terms", id=group["name"])


# -- the simplified deposit ----------------------------------------------------------------
def _deposit_organizations() -> list[dict[str, Any]]:
    return tk.h.organizations_available("create_dataset")


def _free_name(title: str) -> str:
    base = munge.munge_title_to_name(title)[:90] or "jeu-de-donnees"
    name, n = base, 1
    while True:
        try:
            _call("package_show", id=name)
        except tk.ObjectNotFound:
            return name
        except tk.NotAuthorized:
            pass
        n += 1
        name = f"{base}-{n}"


@deposit.route("/", methods=["GET", "POST"], strict_slashes=False)
def deposit_file() -> Any:
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.h.url_for("datasud_deposit.deposit_file"))
    orgs = _deposit_organizations()
    page = {"organizations": orgs, "step": 1, "errors": {}, "values": {}}
    if request.method == "GET":
        if not orgs:
            return tk.abort(403, _("You are not a publisher of any organization"))
        return tk.render("datasud_ui/deposit_file.html", page)
    form = _form()
    upload = request.files.get("upload")
    has_upload = bool(upload and upload.filename)
    errors: dict[str, list[str]] = {}
    if not has_upload and not form.get("url"):
        errors["upload"] = [_("Choose a file, or give the address of the data")]
    if errors:
        return tk.render("datasud_ui/deposit_file.html", {**page, "errors": errors, "values": form}), 400
    title = form.get("title") or (upload.filename if has_upload else form.get("url")) or ""
    try:
        # a draft, as CKAN's own form makes at its first step
        pkg = tk.get_action("package_create")(
            {**_context(), "allow_state_change": True},
            {
                "name": _free_name(title),
                "title": title,
                "owner_org": form.get("owner_org") or "",
                "private": True,
                "state": "draft",
            },
        )
        resource: dict[str, Any] = {"package_id": pkg["id"], "name": form.get("resource_name") or title}
        if has_upload:
            resource.update(upload=upload, url=upload.filename)
        else:
            resource["url"] = form["url"]
        _call("resource_create", **resource)
    except tk.ValidationError as error:
        return tk.render(
            "datasud_ui/deposit_file.html", {**page, "errors": _errors(error), "values": form}
        ), 400
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    return tk.redirect_to("datasud_deposit.describe", id=pkg["name"])


DESCRIBED = ("title", "notes", "tag_string", "spatial_text", "temporal_start", "temporal_end")


@deposit.route("/<id>/describe", methods=["GET", "POST"])
def describe(id: str) -> Any:
    pkg = _dataset_or_abort(id)
    if not _may("package_update", id=pkg["id"]):
        return tk.abort(403, _("Only the organization's publishers may describe this dataset"))
    page = {"pkg": pkg, "step": 2, "errors": {}, "values": H.described_values(pkg)}
    if request.method == "GET":
        return tk.render("datasud_ui/deposit_describe.html", page)
    form = _form()
    themes = request.form.getlist("theme")
    patch: dict[str, Any] = {key: form[key] for key in DESCRIBED if form.get(key)}
    patch["theme"] = themes
    try:
        _call("package_patch", id=pkg["id"], **patch)
    except tk.ValidationError as error:
        values = {**form, "theme": themes}
        return tk.render(
            "datasud_ui/deposit_describe.html", {**page, "errors": _errors(error), "values": values}
        ), 400
    return tk.redirect_to("datasud_deposit.publish_step", id=pkg["name"])


@deposit.route("/<id>/publish", methods=["GET", "POST"])
def publish_step(id: str) -> Any:
    return _publish(
        id,
        "datasud_ui/deposit_publish.html",
        lambda pkg: tk.redirect_to("dataset.read", id=pkg["name"]),
    )


def blueprints() -> list[Blueprint]:
    from . import admin

    return [dataset, organization, deposit, admin.blueprint, admin.terms_blueprint]
