"""The portal team's pages: every agreement in one table (filters, CSV), and
one page per agreement to run it from draft to termination. Each form calls
one agreement action and shows its refusals; no rule is decided here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz
from flask import Blueprint, Response, request

from ..agreements import kinds as K
from ..common import csv
from ..common.messages import N_
from . import helpers as H
from .answers import call
from .shared import csv_choices, form_data, harvest_outcomes_context

_ = tk._

blueprint = Blueprint("datasud_admin", __name__, url_prefix="/ckan-admin/agreements")
terms_blueprint = Blueprint("datasud_admin_terms", __name__, url_prefix="/ckan-admin/terms-of-use")
claims_blueprint = Blueprint("datasud_admin_claims", __name__, url_prefix="/ckan-admin/claims")
harvest_blueprint = Blueprint("datasud_admin_harvest", __name__, url_prefix="/ckan-admin/harvest-outcomes")
mail_blueprint = Blueprint("datasud_admin_mail", __name__, url_prefix="/ckan-admin/mail")

# the agreement_list filters the table offers, and what each form sends
WITHIN_DAYS = 60
OPERATIONS: dict[str, tuple[str, ...]] = {
    "sign": ("signed_on", "in_force_from"),
    "notify": ("notified_on", "in_force_from"),
    "cancel": ("reason",),
    "notice_serve": ("served_on", "deadline", "breaches", "served_by", "letter_language"),
    "notice_lift": ("lifted_on", "reason"),
    "terminate": (
        "mode",
        "initiator",
        "requested_on",
        "effective_on",
        "motives",
        "actions",
        "modalities",
        "expert",
        "letter_language",
    ),
    "milestone_update": ("code", "done_on", "note"),
    "amend": ("signed_on", "description", "end_on"),
}
# agreement_patch's contract fields the edit form offers (documents have their form)
EDIT_FIELDS = (
    "reference",
    "deliberation_number",
    "deliberation_date",
    "end_on",
    "referent_name",
    "referent_email",
    "referent_phone",
    "region_referent",
    "beneficiary_invoice_on",
)
PARTY_FIELDS = ("name", "signatory", "signatory_title")
CREATE_FIELDS = (
    "organization",
    "kind",
    "reference",
    "signed_on",
    "notified_on",
    "in_force_from",
    "end_on",
    "region_referent",
    "referent_name",
    "referent_email",
    "referent_phone",
)
# Each column's machine name and its label (the download's header in the reader's language).
CSV_COLUMNS = {
    "reference": N_("Reference"),
    "organization": N_("Organization id"),
    "organization_title": N_("Organization"),
    "kind": N_("Kind"),
    "status": N_("Status"),
    "in_force_from": N_("In force from"),
    "next_anniversary": N_("Next anniversary"),
    "ends_on": N_("Ends on"),
    "grants_publication": N_("Grants publication"),
}


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


def _listing_page(
    action: str, page: int, per_page: int, shown: Callable[..., str], filters: dict[str, Any]
) -> str:
    """One page of a list action's results, shown by ``shown(listed,
    errors)``; a filter the action refuses is shown in place, over no results."""
    listed = call(
        action,
        limit=per_page,
        offset=(page - 1) * per_page,
        invalid=lambda errors: shown({"count": 0, "results": []}, errors),
        invalid_status=200,
        **filters,
    )
    return shown(listed, {})


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

    return _listing_page("agreement_list", page, per_page, shown, data)


@blueprint.route("/agreements.csv")
def export() -> Any:
    _sysadmins_only()
    data, _args = _filters()
    lines = []
    offset = 0
    while True:
        rows = call("agreement_list", limit=1000, offset=offset, **data)["results"]  # bad filters: 400
        lines.extend([row.get(column, "") for column in CSV_COLUMNS] for row in rows)
        if len(rows) < 1000:
            break
        offset += 1000
    name = f"conventions-{dt.date.today().isoformat()}.csv"
    choices = csv_choices()
    header = CSV_COLUMNS if choices["header"] == "names" else [_(label) for label in CSV_COLUMNS.values()]
    return Response(
        csv.text(header, lines, choices["separator"]),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _new_page(errors: dict[str, list[str]] | None = None, values: dict[str, Any] | None = None) -> str:
    return tk.render(
        "datasud_ui/admin_agreement_new.html",
        {
            "kinds": call("agreement_kind_list"),
            "organizations": call("organization_list", all_fields=True, limit=1000),
            "team": portal_team(),
            "errors": errors or {},
            "values": values or {},
        },
    )


def portal_team() -> list[Any]:
    """The users who may be the region's referent of an agreement: the portal team."""
    from ckan import model

    return (
        model.Session.query(model.User)
        .filter(
            model.User.sysadmin.is_(True),
            model.User.state == "active",
            model.User.name != tk.config.get("ckan.site_id"),
        )
        .order_by(model.User.fullname, model.User.name)
        .all()
    )


@blueprint.route("/new", methods=["GET", "POST"])
def new() -> Any:
    _sysadmins_only()
    if request.method == "GET":
        return _new_page(values={"organization": request.args.get("organization", "")})
    form = form_data()
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
            "contributions": extra.get("contributions") or H.contribution_rows(agreement),
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
    form = form_data()
    data: dict[str, Any] = {key: form[key] for key in OPERATIONS[operation] if form.get(key)}
    if operation == "notice_serve" and data.get("breaches"):
        data["breaches"] = [line for line in data["breaches"].splitlines() if line.strip()]
    if operation == "amend":
        rows = _contribution_rows()
        shown = call("agreement_show", id=id, not_found=_("Agreement not found"))
        if _terms_key(rows) != _terms_key(H.contribution_rows(shown)):
            # the financial terms the admin changed: every share as the form gives it
            data["contributions"] = [
                {"funder": r["funder"], "amount": r["amount"], "beneficiary": r["beneficiary"]}
                for r in rows
                if r["funder"] or r["amount"]
            ]
    if operation == "terminate":
        choice = form.get("withdraw") or "none"
        data["withdraw"] = request.form.getlist("datasets") if choice == "picked" else choice
        if choice == "picked" and not data["withdraw"]:
            data["withdraw"] = "none"
    call(
        f"agreement_{operation}",
        id=id,
        invalid=lambda errors: _manage_page(
            id,
            errors,
            values=form,
            failed=operation,
            contributions=_contribution_rows() if operation == "amend" else None,
        ),
        not_found=_("Agreement not found"),
        **data,
    )
    tk.h.flash_success(H.operation_done_label(operation))
    return tk.redirect_to("datasud_admin.manage", id=id)


def _contribution_rows() -> list[dict[str, Any]]:
    """The financial terms of the amendment form, row by row (one empty row
    lets the admin add a funder)."""
    form = request.form
    rows = []
    for index in range(int(form.get("contributions_count") or 0)):
        funder = (form.get(f"contributions__{index}__funder") or "").strip()
        amount = (form.get(f"contributions__{index}__amount") or "").strip()
        beneficiary = bool(form.get(f"contributions__{index}__beneficiary"))
        if funder or amount or beneficiary:
            rows.append({"funder": funder, "amount": amount, "beneficiary": beneficiary})
    return rows


def _terms_key(rows: list[dict[str, Any]]) -> list[tuple[str, Any, bool]]:
    """Rows compared by value ("3000" and "3000.00" are the same amount)."""

    def amount(text: str) -> Any:
        try:
            return Decimal(text.replace(" ", "").replace("\u202f", "").replace(",", "."))
        except InvalidOperation:
            return text

    return [(r["funder"], amount(r["amount"]), r["beneficiary"]) for r in rows]


# -- a draft: edit its contract fields -----------------------------------------------------
def _edit_values(agreement: dict[str, Any]) -> dict[str, Any]:
    """The form's fields as the agreement holds them."""
    referent = agreement.get("referent") or {}
    values = {key: agreement.get(key) or "" for key in EDIT_FIELDS}
    values.update(
        referent_name=referent.get("name") or "",
        referent_email=referent.get("email") or "",
        referent_phone=referent.get("phone") or "",
        beneficiary_invoice_on=(agreement.get("financial") or {}).get("beneficiary_invoice_on") or "",
        region_referent=(agreement.get("region_referent") or {}).get("name") or "",
    )
    parties = {p.get("role"): p for p in agreement.get("parties") or []}
    for role in K.PARTIES:
        for field in PARTY_FIELDS:
            values[f"{role}_{field}"] = (parties.get(role) or {}).get(field) or ""
    return values


def _edit_page(agreement: dict[str, Any], errors: dict[str, list[str]], values: dict[str, Any]) -> str:
    kind = next((k for k in call("agreement_kind_list") if k["name"] == agreement["kind"]), None)
    return tk.render(
        "datasud_ui/admin_agreement_edit.html",
        {
            "a": agreement,
            "kind": kind,
            "errors": errors,
            "values": values,
            "roles": K.PARTIES,
            "team": portal_team(),
        },
    )


@blueprint.route("/<id>/edit", methods=["GET", "POST"])
def edit(id: str) -> Any:
    """A draft's contract fields (``agreement_patch``: the action refuses
    once the agreement is signed). Only the fields changed are sent."""
    _sysadmins_only()
    agreement = call("agreement_show", id=id, not_found=_("Agreement not found"))
    before = _edit_values(agreement)
    if request.method == "GET":
        return _edit_page(agreement, {}, before)
    form = {key: (value or "").strip() for key, value in form_data().items() if isinstance(value, str)}
    data: dict[str, Any] = {
        key: form.get(key, "") for key in EDIT_FIELDS if key in form and form[key] != before[key]
    }
    party_keys = [f"{role}_{field}" for role in K.PARTIES for field in PARTY_FIELDS]
    if any(form.get(key, before[key]) != before[key] for key in party_keys):
        data["parties"] = [
            {"role": role, **{field: form.get(f"{role}_{field}", "") for field in PARTY_FIELDS}}
            for role in K.PARTIES
            if any(form.get(f"{role}_{field}") for field in PARTY_FIELDS)
        ]
    call(
        "agreement_patch",
        id=agreement["id"],
        invalid=lambda errors: _edit_page(agreement, errors, {**before, **form}),
        **data,
    )
    tk.h.flash_success(_("The draft is saved.") if data else _("Nothing was changed."))
    return tk.redirect_to("datasud_admin.manage", id=agreement["id"])


# -- documents: a link or an uploaded PDF ------------------------------------------------------
@blueprint.route("/<id>/document", methods=["POST"])
def document(id: str) -> Any:
    """``agreement_document_add`` from a multipart form: a title and either a
    URL or a PDF file (the action checks which, the type and the size)."""
    _sysadmins_only()
    form = form_data()
    data: dict[str, Any] = {"title": form.get("title") or "", "url": form.get("url") or ""}
    upload = request.files.get("upload")
    if upload is not None and upload.filename:
        data["upload"] = upload
    call(
        "agreement_document_add",
        id=id,
        invalid=lambda errors: _manage_page(id, errors, values=form, failed="document"),
        not_found=_("Agreement not found"),
        **data,
    )
    tk.h.flash_success(_("The document is added."))
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
    form = form_data()
    data = {key: form[key] for key in ("version", "title", "url", "summary") if form.get(key)}
    call("terms_version_create", invalid=lambda errors: _terms_page(errors, form), **data)
    tk.h.flash_success(
        _("The new version is in force: every partner must accept it before publishing again.")
    )
    return tk.redirect_to("datasud_admin_terms.terms")


# -- every claim of the portal -------------------------------------------------------------
CLAIMS_PER_PAGE = 50


@claims_blueprint.route("/", strict_slashes=False)
def claims() -> Any:
    """Every claim, across the organizations (``claim_list`` with no
    organization reads all for the portal's team), filtered by status and
    organization; each answered on its organization's Claims tab."""
    _sysadmins_only()
    filters = {key: request.args[key] for key in ("status", "organization") if request.args.get(key)}
    page = max(tk.h.get_page_number(request.args), 1)

    def shown(claims: dict[str, Any], errors: dict[str, list[str]]) -> str:
        return tk.render(
            "datasud_ui/admin_claims.html",
            {
                "claims": claims,
                "filters": filters,
                "errors": errors,
                "organizations": call("organization_list", all_fields=True, limit=1000),
                "page": page,
                "per_page": CLAIMS_PER_PAGE,
            },
        )

    return _listing_page("claim_list", page, CLAIMS_PER_PAGE, shown, filters)


# -- what harvesting did, portal-wide ------------------------------------------------------
@harvest_blueprint.route("/", strict_slashes=False)
def harvest_outcomes() -> Any:
    """Every harvest source of the portal and what its last imports did to
    each dataset (``harvest_publication_list``), filtered by outcome."""
    _sysadmins_only()
    return tk.render("datasud_ui/admin_harvest_outcomes.html", harvest_outcomes_context(None))


# -- the e-mail outbox ------------------------------------------------------------------------
MAILS_PER_PAGE = 50


@mail_blueprint.route("/", strict_slashes=False)
def outbox() -> Any:
    """Every e-mail the portal sent or tries to send (``mail_outbox_list``),
    filtered by status and recipient, with a button to send again what failed."""
    _sysadmins_only()
    filters = {key: request.args[key] for key in ("status", "recipient") if request.args.get(key)}
    page = max(tk.h.get_page_number(request.args), 1)

    def shown(mails: dict[str, Any], errors: dict[str, list[str]]) -> str:
        return tk.render(
            "datasud_ui/admin_mail.html",
            {"mails": mails, "filters": filters, "errors": errors, "page": page, "per_page": MAILS_PER_PAGE},
        )

    return _listing_page("mail_outbox_list", page, MAILS_PER_PAGE, shown, filters)


@mail_blueprint.route("/<id>")
def mail(id: str) -> Any:
    """One e-mail as its reader gets it: headers, text part, HTML part."""
    _sysadmins_only()
    shown = call("mail_outbox_show", id=id, invalid=lambda errors: tk.abort(404, _("No such e-mail")))
    return tk.render("datasud_ui/admin_mail_read.html", {"mail": shown})


@mail_blueprint.route("/retry", methods=["POST"])
def retry() -> Any:
    """Send again now the e-mails that failed or still wait (or one of them)."""
    _sysadmins_only()
    mail_id = request.form.get("id") or None
    done = call("mail_outbox_retry", **({"id": mail_id} if mail_id else {}))
    if done["failed"]:
        tk.h.flash_error(
            _("E-mails sent: %(sent)s; failed again: %(failed)s", sent=done["sent"], failed=done["failed"])
        )
    else:
        tk.h.flash_success(_("E-mails sent: %(count)s", count=done["sent"]))
    return tk.redirect_to("datasud_admin_mail.outbox")
