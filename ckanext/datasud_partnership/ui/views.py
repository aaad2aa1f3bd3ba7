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
from flask import Blueprint, request

from ..claims.model import KINDS as CLAIM_KINDS
from . import helpers as H
from .answers import call, context, may
from .shared import form_data, harvest_outcomes_context

_ = tk._

dataset = Blueprint("datasud_dataset", __name__, url_prefix="/dataset")
organization = Blueprint("datasud_organization", __name__, url_prefix="/organization")
deposit = Blueprint("datasud_deposit", __name__, url_prefix="/deposit")
partners = Blueprint("datasud_partners", __name__)

JOURNAL_FILTERS = ("action", "since", "until", "dataset")


def _dataset_or_abort(reference: str) -> dict[str, Any]:
    return call(
        "package_show",
        id=reference,
        not_found=_("Dataset not found"),
        forbidden=_("Not authorized to see this dataset"),
    )


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
            "errors": {},
            "values": {},
            **extra,
        },
    )


def _publish(reference: str, template: str, done: Any) -> Any:
    pkg = _dataset_or_abort(reference)
    if not may("package_update", id=pkg["id"]) or not H.may_publish(pkg):
        return tk.abort(403, _("Only the organization's publishers may publish this dataset"))
    if request.method == "GET":
        return _publish_page(pkg, template)
    form = form_data()
    declaration: dict[str, Any] = {"text_version": form.get("text_version") or ""}
    if form.get("personal_data"):
        declaration["personal_data"] = form["personal_data"]
    if form.get("note"):
        declaration["note"] = form["note"]
    data: dict[str, Any] = {"id": pkg["id"]}
    if form.get("personal_data"):
        data["publication_declaration"] = declaration
    if form.get("to") == "sandbox":  # the Challenge sandbox: the declaration, not the licence
        call(
            "dataset_sandbox",
            invalid=lambda errors: _publish_page(pkg, template, errors=errors, values=form),
            **data,
        )
        tk.h.flash_success(
            _("The dataset is in the Challenge sandbox: the cohort sees it, the public does not.")
        )
        return done(pkg)
    if form.get("license_id"):
        data["license_id"] = form["license_id"]
    call(
        "dataset_publish",
        invalid=lambda errors: _publish_page(pkg, template, errors=errors, values=form),
        **data,
    )
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
    """The partner withdraws with a reason; the portal's team also cites its
    ground: a claim filed on the dataset, or a legal takedown with its text."""
    pkg = _dataset_or_abort(id)
    if not may("package_update", id=pkg["id"]):
        return tk.abort(403, _("Only the organization's publishers may withdraw this dataset"))
    if pkg.get("publication_status") != "published":
        tk.h.flash_notice(_("This dataset is not published: there is nothing to withdraw."))
        return tk.redirect_to("dataset.read", id=pkg["name"])
    team = H.is_portal_team()
    claims = call("claim_list", dataset=pkg["id"], limit=100)["results"] if team else []
    extra = {
        "pkg": pkg,
        "pkg_dict": pkg,
        "dataset_type": pkg.get("type") or "dataset",
        "team": team,
        "claims": claims,
    }
    if request.method == "GET":
        return tk.render("datasud_ui/withdraw.html", {**extra, "errors": {}, "values": {}})
    form = form_data()
    data: dict[str, Any] = {"id": pkg["id"], "reason": form.get("reason") or ""}
    if team and form.get("ground_type") == "claim":
        data["ground"] = {"type": "claim", "claim_id": form.get("claim_id") or ""}
    elif team and form.get("ground_type") == "takedown":
        data["ground"] = {"type": "takedown", "text": form.get("takedown_text") or ""}
    call(
        "dataset_withdraw",
        invalid=lambda errors: tk.render(
            "datasud_ui/withdraw.html", {**extra, "errors": errors, "values": form}
        ),
        **data,
    )
    tk.h.flash_success(_("The dataset is withdrawn: it is private again, and everything is kept."))
    return tk.redirect_to("dataset.read", id=pkg["name"])


# -- the dataset: journal tab -------------------------------------------------------------
@dataset.route("/journal/<id>")
def dataset_journal(id: str) -> Any:
    pkg = _dataset_or_abort(id)
    journal = call(
        "publication_journal_list",
        organization=pkg.get("owner_org"),
        dataset=pkg["id"],
        forbidden=_("Only the organization's members read its publication journal"),
    )
    return tk.render(
        "datasud_ui/dataset_journal.html",
        {"pkg": pkg, "pkg_dict": pkg, "dataset_type": pkg.get("type") or "dataset", "journal": journal},
    )


# -- the dataset: report a problem (a claim) ---------------------------------------------
@dataset.route("/claim/<id>", methods=["GET", "POST"])
def claim(id: str) -> Any:
    pkg = _dataset_or_abort(id)
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.h.url_for("datasud_dataset.claim", id=pkg["name"]))
    extra = {"pkg": pkg, "pkg_dict": pkg, "dataset_type": pkg.get("type") or "dataset", "kinds": CLAIM_KINDS}
    if request.method == "GET":
        return tk.render("datasud_ui/claim_new.html", {**extra, "errors": {}, "values": {}})
    form = form_data()
    call(
        "claim_create",
        dataset=pkg["id"],
        kind=form.get("kind") or "",
        description=form.get("description") or "",
        invalid=lambda errors: tk.render(
            "datasud_ui/claim_new.html", {**extra, "errors": errors, "values": form}
        ),
    )
    tk.h.flash_success(_("Thank you: the partner and the portal's team are told of your report."))
    return tk.redirect_to("dataset.read", id=pkg["name"])


# -- the organization ----------------------------------------------------------------------
def _organization_or_abort(reference: str) -> dict[str, Any]:
    return call(
        "organization_show", id=reference, include_datasets=False, not_found=_("Organization not found")
    )


def _organization_page(template: str, group: dict[str, Any], **extra: Any) -> str:
    return tk.render(
        template,
        {"group_dict": group, "group_type": group.get("type") or "organization", **extra},
    )


def _convention(group: dict[str, Any], **extra: Any) -> str:
    listed = call("agreement_list", organization=group["id"], limit=1000)["results"]
    agreements = []
    for row in listed:
        shown = call("agreement_show", id=row["id"])
        history = None
        if may("agreement_history", organization_id=group["id"]):
            history = call("agreement_history", id=row["id"], limit=1000)["results"]
        agreements.append({"agreement": shown, "history": history})
    current = [a for a in agreements if H.agreement_in_force(a["agreement"])]
    kinds = {k["name"]: k for k in call("agreement_kind_list")}
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
        may_answer=may("agreement_notice_answer", organization_id=group["id"]),
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
    form = form_data()
    call(
        "agreement_notice_answer",
        id=form.get("agreement_id") or "",
        observations=form.get("observations") or "",
        invalid=lambda errors: _convention(group, errors=errors, values=form),
    )
    tk.h.flash_success(_("Your observations are filed."))
    return tk.redirect_to("datasud_organization.convention", id=group["name"])


@organization.route("/journal/<id>")
def organization_journal(id: str) -> Any:
    group = _organization_or_abort(id)
    filters = {key: request.args[key] for key in JOURNAL_FILTERS if request.args.get(key)}
    page = max(tk.h.get_page_number(request.args), 1)
    per_page = 50

    def shown(journal: dict[str, Any], errors: dict[str, list[str]]) -> str:
        return _organization_page(
            "datasud_ui/organization_journal.html",
            group,
            journal=journal,
            datasets=H.dataset_names([row["dataset_id"] for row in journal["results"]]),
            filters=filters,
            errors=errors,
            page=page,
            per_page=per_page,
            csv_args={"organization": group["name"], **filters},
        )

    journal = call(
        "publication_journal_list",
        organization=group["id"],
        limit=per_page,
        offset=(page - 1) * per_page,
        forbidden=_("Only the organization's members read its publication journal"),
        invalid=lambda errors: shown({"count": 0, "results": []}, errors),
        invalid_status=200,
        **filters,
    )
    return shown(journal, {})


@organization.route("/bulk-publish/<id>", methods=["POST"])
def bulk_publish(id: str) -> Any:
    """The bulk "Make public" with the declaration; each refused dataset is
    listed with the action's reasons."""
    group = _organization_or_abort(id)
    form = form_data()
    datasets = [key[len("dataset_") :] for key in request.form if key.startswith("dataset_")]
    data: dict[str, Any] = {"datasets": datasets, "org_id": group["id"]}
    if form.get("personal_data"):
        data["publication_declaration"] = {
            "personal_data": form["personal_data"],
            "text_version": form.get("text_version") or "",
            **({"note": form["note"]} if form.get("note") else {}),
        }
    back = tk.h.url_for("organization.bulk_process", id=group["name"])

    def refused(errors: dict[str, list[str]]) -> Any:
        for message in (m for messages in errors.values() for m in messages):
            tk.h.flash_error(message)
        return tk.redirect_to(back)

    call(
        "bulk_update_public",
        invalid=refused,
        invalid_status=None,
        forbidden=_("Not authorized to publish these datasets"),
        **data,
    )
    tk.h.flash_success(_("The selected datasets are published."))
    return tk.redirect_to(back)


@organization.before_app_request
def _bulk_make_public_through_the_gate() -> Any:
    """CKAN's own bulk form posts "Make public" to ``organization.bulk_process``,
    whose view turns the gate's refusal into a server error: that one action
    is answered as our form's button is (each refusal listed). The other bulk
    actions stay CKAN's."""
    if (
        request.method == "POST"
        and request.endpoint == "organization.bulk_process"
        and "bulk_action.public" in request.form
    ):
        return bulk_publish(request.view_args["id"])
    return None


def _claims_page(group: dict[str, Any], **extra: Any) -> Any:
    status = request.args.get("status") or ""
    claims = call(
        "claim_list",
        organization=group["id"],
        forbidden=_("Only the organization's admins read its claims"),
        **({"status": status} if status else {}),
    )
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
    form = form_data()
    data: dict[str, Any] = {"id": claim_id, "text": form.get("text") or ""}
    if operation == "resolve":
        data["outcome"] = form.get("outcome") or ""
    call(
        f"claim_{operation}",
        invalid=lambda errors: _claims_page(group, errors=errors, values=form, failed=claim_id),
        not_found=_("Claim not found"),
        **data,
    )
    tk.h.flash_success(_("Your answer is recorded."))
    return tk.redirect_to("datasud_organization.claims", id=group["name"])


@organization.route("/convention/<id>/terminate", methods=["POST"])
def convention_terminate(id: str) -> Any:
    """The termination the partner may record alone (the kind says which)."""
    group = _organization_or_abort(id)
    form = form_data()
    data = {
        # no request date: the server dates a partner's request (common/dates.py act_day)
        key: form[key]
        for key in ("id", "mode", "effective_on", "motives", "actions", "reason")
        if form.get(key)
    }
    call(
        "agreement_terminate",
        initiator="partner",
        invalid=lambda errors: _convention(group, errors=errors, values=form),
        **data,
    )
    tk.h.flash_success(_("The termination is recorded."))
    return tk.redirect_to("datasud_organization.convention", id=group["name"])


def _terms(group: dict[str, Any], **extra: Any) -> str:
    return _organization_page(
        "datasud_ui/terms.html",
        group,
        status=call("terms_status", organization=group["id"]),
        may_accept=may("terms_accept", organization_id=group["id"]),
        errors=extra.pop("errors", {}),
        **extra,
    )


@organization.route("/terms/<id>", methods=["GET", "POST"])
def terms(id: str) -> Any:
    group = _organization_or_abort(id)
    if request.method == "GET":
        return _terms(group)
    form = form_data()
    call(
        "terms_accept",
        organization=group["id"],
        version=form.get("version") or "",
        invalid=lambda errors: _terms(group, errors=errors),
    )
    tk.h.flash_success(_("The terms of use are accepted for your organization."))
    return tk.redirect_to("datasud_organization.terms", id=group["name"])


@organization.route("/harvest/<id>")
def harvest_outcomes(id: str) -> Any:
    group = _organization_or_abort(id)
    if not may("harvest_publication_list", organization_id=group["id"]):
        return tk.abort(403, _("Only the organization's members read what harvesting did"))
    return _organization_page("datasud_ui/harvest_outcomes.html", group, **harvest_outcomes_context(group))


# -- the simplified deposit ----------------------------------------------------------------
def _deposit_organizations() -> list[dict[str, Any]]:
    return tk.h.organizations_available("create_dataset")


def _free_name(title: str) -> str:
    base = munge.munge_title_to_name(title)[:90] or "jeu-de-donnees"
    name, n = base, 1
    while True:
        try:
            tk.get_action("package_show")(context(), {"id": name})
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
    form = form_data()
    upload = request.files.get("upload")
    has_upload = bool(upload and upload.filename)
    errors: dict[str, list[str]] = {}
    if not has_upload and not form.get("url"):
        errors["upload"] = [_("Choose a file, or give the address of the data")]
    if errors:
        return tk.render("datasud_ui/deposit_file.html", {**page, "errors": errors, "values": form}), 400
    title = form.get("title") or (upload.filename if has_upload else form.get("url")) or ""

    def refused(errors: dict[str, list[str]]) -> str:
        return tk.render("datasud_ui/deposit_file.html", {**page, "errors": errors, "values": form})

    # a draft, as CKAN's own form makes at its first step
    pkg = call(
        "package_create",
        context_extra={"allow_state_change": True},
        invalid=refused,
        name=_free_name(title),
        title=title,
        owner_org=form.get("owner_org") or "",
        private=True,
        state="draft",
    )
    resource: dict[str, Any] = {"package_id": pkg["id"], "name": form.get("resource_name") or title}
    if has_upload:
        resource.update(upload=upload, url=upload.filename)
    else:
        resource["url"] = form["url"]
    call("resource_create", invalid=refused, **resource)
    return tk.redirect_to("datasud_deposit.describe", id=pkg["name"])


DESCRIBED = ("title", "notes", "tag_string", "spatial_text", "temporal_start", "temporal_end")


@deposit.route("/<id>/describe", methods=["GET", "POST"])
def describe(id: str) -> Any:
    pkg = _dataset_or_abort(id)
    if not may("package_update", id=pkg["id"]):
        return tk.abort(403, _("Only the organization's publishers may describe this dataset"))
    page = {"pkg": pkg, "step": 2, "errors": {}, "values": H.described_values(pkg)}
    if request.method == "GET":
        return tk.render("datasud_ui/deposit_describe.html", page)
    form = form_data()
    themes = request.form.getlist("theme")
    patch: dict[str, Any] = {key: form[key] for key in DESCRIBED if form.get(key)}
    patch["theme"] = themes
    call(
        "package_patch",
        id=pkg["id"],
        invalid=lambda errors: tk.render(
            "datasud_ui/deposit_describe.html",
            {**page, "errors": errors, "values": {**form, "theme": themes}},
        ),
        **patch,
    )
    return tk.redirect_to("datasud_deposit.publish_step", id=pkg["name"])


@deposit.route("/<id>/publish", methods=["GET", "POST"])
def publish_step(id: str) -> Any:
    return _publish(
        id,
        "datasud_ui/deposit_publish.html",
        lambda pkg: tk.redirect_to("dataset.read", id=pkg["name"]),
    )


# -- the public register of the partners ------------------------------------------------
# which of a partner's agreements the register shows first
REGISTER_ORDER = ("in_force", "in_force_under_notice", "terminating", "signed", "terminated", "expired")


@partners.route("/partners")
def register() -> Any:
    """Every partner with its agreement (the one in force first), from the
    public register (``agreement_list``), and its published datasets (the
    public's search: what anybody sees)."""
    listed = call("agreement_list", status=",".join(REGISTER_ORDER), limit=1000)["results"]
    rows: dict[str, dict[str, Any]] = {}
    for agreement in sorted(listed, key=lambda a: REGISTER_ORDER.index(a["status"])):
        rows.setdefault(agreement["organization_id"], agreement)
    found = call("package_search", rows=0, **{"facet.field": '["owner_org"]', "facet.limit": -1})
    counts = {i["name"]: i["count"] for i in found["search_facets"].get("owner_org", {}).get("items", [])}
    partners_rows = sorted(rows.values(), key=lambda a: (a["organization_title"] or "").casefold())
    return tk.render(
        "datasud_ui/partners.html",
        {"partners": partners_rows, "published": counts, "total": found["count"]},
    )
