"""The portal team's pages: every agreement in one table (filters, CSV), and
one page per agreement to run it from draft to termination. Each form calls
one agreement action and shows its refusals; no rule is decided here."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz
from flask import Blueprint, Response, request

from . import helpers as H
from .answers import call
from .views import _form

_ = tk._

blueprint = Blueprint("datasud_admin", __name__, url_prefix="/ckan-admin/agreements")
terms_blueprint = Blueprint("datasud_admin_terms", __name__, url_prefix="/ckan-admin/terms-of-use")

# the agreement_list filters the table offers, and what each form sends
WITHIN_DAYS = 60
OPERATIONS: dict[str, tuple[str, ...]] = {
    "sign": ("signed_on",),
    "notify": ("notified_on",),
    "cancel": ("reason",),
    "notice_serve": ("served_on", "deadline", "breaches", "served_by"),
    "notice_lift": ("lifted_on", "reason"),
    "terminate": ("mode", "initiator", "requested_on", "effective_on", "reason"),
    "milestone_update": ("code", "done_on", "note"),
    "amend": ("signed_on", "description", "end_on"),
}
CREATE_FIELDS = (
    "organization",
    "kind",
    "reference",
    "signed_on",
    "notified_on",
    "referent_name",
    "referent_email",
    "referent_phone",
)
CSV_COLUMNS = (
    "reference",
    "organization",
    "organization_title",
    "kind",
    "status",
    "in_force_from",
    "next_anniversary",
    "ends_on",
    "grants_publication",
)


def _sysadmins_only() -> None:
    user = tk.current_user
    if not (user.is_authenticated and authz.is_sysadmin(user.name)):
        tk.abort(403, _("Only the portal's administrators manage agreements"))


def _filters() -> tuple[dict[str, Any], dict[str, str]]:
    """The list action's filters, from the page's query string."""
    args = {key: request.args.get(key, "") for key in ("kind", "status", "organization", "soon")}
    data: dict[str, Any] = {key: args[key] for key in ("kind", "status", "organization") if args[key]}
    if args["soon"] == "anniversary":
        data["anniversary_within"] = WITHIN_DAYS
    elif args["soon"] == "end":
        data["ending_within"] = WITHIN_DAYS
    return data, args


@blueprint.route("/")
def index() -> Any:
    _sysadmins_only()
    data, args = _filters()
    page = max(tk.h.get_page_number(request.args), 1)
    per_page = 50

    def shown(listed: dict[str, Any], errors: dict[str, list[str]]) -> str:
        return tk.render(
            "datasud_ui/admin_agreements.html",
            {
                "listed": listed,
                "args": args,
                "errors": errors,
                "kinds": call("agreement_kind_list"),
                "page": page,
                "per_page": per_page,
                "within": WITHIN_DAYS,
            },
        )

    listed = call(
        "agreement_list",
        limit=per_page,
        offset=(page - 1) * per_page,
        invalid=lambda errors: shown({"count": 0, "results": []}, errors),
        invalid_status=200,
        **data,
    )
    return shown(listed, {})


@blueprint.route("/agreements.csv")
def export() -> Any:
    _sysadmins_only()
    data, _args = _filters()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    offset = 0
    while True:
        rows = call("agreement_list", limit=1000, offset=offset, **data)["results"]  # bad filters: 400
        for row in rows:
            writer.writerow([row.get(column, "") for column in CSV_COLUMNS])
        if len(rows) < 1000:
            break
        offset += 1000
    name = f"conventions-{dt.date.today().isoformat()}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _new_page(errors: dict[str, list[str]] | None = None, values: dict[str, Any] | None = None) -> str:
    return tk.render(
        "datasud_ui/admin_agreement_new.html",
        {
            "kinds": call("agreement_kind_list"),
            "organizations": call("organization_list", all_fields=True, limit=1000),
            "errors": errors or {},
            "values": values or {},
        },
    )


@blueprint.route("/new", methods=["GET", "POST"])
def new() -> Any:
    _sysadmins_only()
    if request.method == "GET":
        return _new_page(values={"organization": request.args.get("organization", "")})
    form = _form()
    data = {key: form[key] for key in CREATE_FIELDS if form.get(key)}
    created = call("agreement_create", invalid=lambda errors: _new_page(errors, form), **data)
    tk.h.flash_success(_("The agreement is created."))
    return tk.redirect_to("datasud_admin.manage", id=created["id"])


def _manage_page(agreement_id: str, errors: dict[str, list[str]] | None = None, **extra: Any) -> Any:
    agreement = call("agreement_show", id=agreement_id, not_found=_("Agreement not found"))
    history = call("agreement_history", id=agreement_id, limit=1000)["results"]
    kind = next((k for k in call("agreement_kind_list") if k["name"] == agreement["kind"]), None)
    datasets = call(
        "package_search",
        fq=f"owner_org:{agreement['organization_id']}",
        include_private=True,
        include_drafts=False,
        rows=1000,
        sort="title_string asc",
    )["results"]
    return tk.render(
        "datasud_ui/admin_agreement.html",
        {
            "item": {"agreement": agreement, "history": history},
            "kind": kind,
            "datasets": [d for d in datasets if d.get("publication_status") == "published"],
            "today": dt.date.today().isoformat(),
            "errors": errors or {},
            "values": extra.get("values") or {},
            "failed": extra.get("failed"),
        },
    )


@blueprint.route("/<id>")
def manage(id: str) -> Any:
    _sysadmins_only()
    return _manage_page(id)


@blueprint.route("/<id>/<operation>", methods=["POST"])
def operate(id: str, operation: str) -> Any:
    _sysadmins_only()
    if operation not in OPERATIONS:
        return tk.abort(404)
    form = _form()
    data: dict[str, Any] = {key: form[key] for key in OPERATIONS[operation] if form.get(key)}
    if operation == "notice_serve" and data.get("breaches"):
        data["breaches"] = [line for line in data["breaches"].splitlines() if line.strip()]
    if operation == "terminate":
        choice = form.get("withdraw") or "none"
        data["withdraw"] = request.form.getlist("datasets") if choice == "picked" else choice
        if choice == "picked" and not data["withdraw"]:
            data["withdraw"] = "none"
    call(
        f"agreement_{operation}",
        id=id,
        invalid=lambda errors: _manage_page(id, errors, values=form, failed=operation),
        not_found=_("Agreement not found"),
        **data,
    )
    tk.h.flash_success(H.operation_done_label(operation))
    return tk.redirect_to("datasud_admin.manage", id=id)


# -- the terms of use ------------------------------------------------------------------
def _terms_page(errors: dict[str, list[str]] | None = None, values: dict[str, Any] | None = None) -> str:
    return tk.render(
        "datasud_ui/admin_terms.html",
        {"versions": call("terms_version_list"), "errors": errors or {}, "values": values or {}},
    )


@terms_blueprint.route("/", methods=["GET", "POST"], strict_slashes=False)
def terms() -> Any:
    _sysadmins_only()
    if request.method == "GET":
        return _terms_page()
    form = _form()
    data = {key: form[key] for key in ("version", "title", "url", "summary") if form.get(key)}
    call("terms_version_create", invalid=lambda errors: _terms_page(errors, form), **data)
    tk.h.flash_success(
        _("The new version is in force: every partner must accept it before publishing again.")
    )
    return tk.redirect_to("datasud_admin_terms.terms")
