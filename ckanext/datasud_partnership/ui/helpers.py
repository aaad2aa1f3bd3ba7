"""Template helpers of the web UI: what the pages show, read through the
actions and the portal's settings (no rule is decided here)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ..agreements import rules as R
from ..agreements.rules import IN_FORCE_STATUSES
from ..common import settings
from ..common.language import current_language, localized
from .answers import context as _context
from .answers import may

_ = tk._


def publication_status_label(status: str | None) -> str:
    return {
        "draft": _("Draft"),
        "published": _("Published"),
        "withdrawn": _("Withdrawn"),
        "never_published": _("Never published"),
    }.get(status or "", status or "")


def agreement_status_label(status: str | None) -> str:
    label = R.STATUS_LABELS.get(status or "")
    return _(label) if label else status or ""


def journal_action_label(action: str | None) -> str:
    return {"published": _("Published"), "withdrawn": _("Withdrawn")}.get(action or "", action or "")


def personal_data_label(value: str | None) -> str:
    return {
        "none": _("No personal data"),
        "anonymized": _("Personal data anonymized"),
    }.get(value or "", value or "")


def agreement_event_label(event: str | None) -> str:
    return {
        "created": _("Agreement created"),
        "updated": _("Draft updated"),
        "cancelled": _("Agreement cancelled"),
        "signed": _("Agreement signed"),
        "notified": _("Agreement notified"),
        "amended": _("Amendment"),
        "milestone": _("Milestone"),
        "document_added": _("Document added"),
        "reminder": _("Reminder sent"),
        "notice_served": _("Formal notice served"),
        "notice_answered": _("Observations filed"),
        "notice_lifted": _("Formal notice lifted"),
        "termination_notified": _("Termination notified"),
        "terminated": _("Terminated"),
        "renewed": _("Renewed"),
        "expired": _("Expired"),
    }.get(event or "", event or "")


# Bootstrap classes for the badges: the text says the status, the colour repeats it
BADGE_CLASSES = {
    "published": "bg-success",
    "private": "bg-warning text-dark",
    "in_force": "bg-success",
    "draft": "bg-info text-dark",
    "signed": "bg-info text-dark",
    "withdrawn": "bg-warning text-dark",
    "in_force_under_notice": "bg-warning text-dark",
    "terminating": "bg-warning text-dark",
    "terminated": "bg-danger",
}


def badge_class(status: str | None) -> str:
    return BADGE_CLASSES.get(status or "", "bg-secondary")


def operation_done_label(operation: str) -> str:
    return {
        "sign": _("The signature is recorded."),
        "notify": _("The notification is recorded."),
        "cancel": _("The draft is cancelled."),
        "notice_serve": _("The formal notice is served."),
        "notice_lift": _("The formal notice is lifted."),
        "terminate": _("The termination is recorded."),
        "milestone_update": _("The milestone is recorded."),
        "amend": _("The amendment is recorded."),
    }.get(operation, operation)


def kind_phases(kind_name: str | None) -> list[dict[str, Any]]:
    """The phases of an agreement kind, in order, each title in the user's
    language (``agreement_kind_list``)."""
    kinds = tk.get_action("agreement_kind_list")(_context(), {})
    kind = next((k for k in kinds if k["name"] == kind_name), None) or {}
    return [
        {"code": p["code"], "title": localized(p["title"]), "milestones": p["milestones"]}
        for p in kind.get("phases") or []
    ]


def milestones_by_phase(agreement: dict[str, Any]) -> list[dict[str, Any]]:
    """The agreement's milestones under the titles of their phases, in the
    kind's order; those of no known phase come last, untitled."""
    milestones = agreement.get("milestones") or []
    groups = []
    placed: set[str] = set()
    for phase in kind_phases(agreement.get("kind")):
        items = [m for m in milestones if m.get("phase") == phase["code"]]
        if items:
            groups.append({"code": phase["code"], "title": phase["title"], "milestones": items})
            placed.update(m["code"] for m in items)
    rest = [m for m in milestones if m["code"] not in placed]
    if rest:
        groups.append({"code": "", "title": "", "milestones": rest})
    return groups


def contribution_rows(agreement: dict[str, Any]) -> list[dict[str, Any]]:
    """The agreement's financial terms as the amendment form shows them: the
    funder in the user's language, the amount as recorded."""
    return [
        {
            "funder": localized(c.get("funder")),
            "amount": str(c.get("amount") or ""),
            "beneficiary": bool(c.get("beneficiary")),
        }
        for c in (agreement.get("financial") or {}).get("contributions") or []
    ]


def claim_kind_label(kind: str | None) -> str:
    return {
        "personal_data": _("It holds personal data"),
        "inaccurate": _("It is inaccurate"),
        "outdated": _("It is out of date"),
        "rights": _("It infringes rights"),
        "other": _("Something else"),
    }.get(kind or "", kind or "")


def claim_status_label(status: str | None) -> str:
    return {"open": _("Open"), "closed": _("Closed")}.get(status or "", status or "")


def harvest_outcome_label(outcome: str | None) -> str:
    return {
        "published": _("Published"),
        "private": _("Kept private: a condition of publication is unmet"),
        "withdrawn": _("Kept withdrawn by its partner"),
        "private_at_source": _("Private at the source"),
        "withdrawn_at_source": _("Withdrawn: no longer offered by the source"),
    }.get(outcome or "", outcome or "")


def claim_outcome_label(outcome: str | None) -> str:
    return {
        "corrected": _("Corrected"),
        "unfounded": _("Unfounded"),
        "withdrawn": _("Dataset withdrawn"),
    }.get(outcome or "", outcome or "")


def agreement_in_force(agreement: dict[str, Any]) -> bool:
    return agreement.get("status") in IN_FORCE_STATUSES


def running_notice(agreement: dict[str, Any]) -> dict[str, Any] | None:
    """The formal notice running while the agreement is under notice, on the
    day it was read as of (``as_of``), by the rules' own test
    (``rules.Notice.running_on``)."""
    if agreement.get("status") != R.UNDER_NOTICE:
        return None
    day = dt.date.fromisoformat(agreement.get("as_of") or dt.date.today().isoformat())
    pairs = [
        (
            R.Notice(
                dt.date.fromisoformat(n["served_on"]),
                dt.date.fromisoformat(n["deadline"]),
                n.get("served_by") or "operator",
                dt.date.fromisoformat(n["lifted_on"]) if n.get("lifted_on") else None,
            ),
            n,
        )
        for n in agreement.get("notices") or []
    ]
    running = R.running_notice([rule for rule, _notice in pairs], day)
    return next((notice for rule, notice in pairs if rule is running), None)


def licence_title(licence_id: str | None) -> str:
    """A licence's title in the reader's language (the one the refusals use)."""
    from ..publication.publishing import licence_titles

    return licence_titles().get(licence_id, licence_id) if licence_id else ""


def open_licence_options() -> list[tuple[str, str]]:
    """The portal's open licences (its setting), with their titles."""
    return [(licence_id, licence_title(licence_id)) for licence_id in sorted(settings.open_licences())]


def may_publish(pkg: dict[str, Any]) -> bool:
    """Whether the current user publishes this dataset's organization's
    datasets (the rule ``dataset_publish`` applies: its publishing roles; the
    portal's team only with ``sysadmins_may_publish``): to show Publish."""
    from ..publication.publishing import may_publish as rule

    return rule(_context(), pkg.get("owner_org"))


def is_portal_team() -> bool:
    user = tk.current_user
    return bool(user and user.is_authenticated and user.sysadmin)


def declaration_version() -> str:
    """The version of the declaration text in force (``declaration_version_show``)."""
    return str(tk.get_action("declaration_version_show")(dict(_context()), {})["version"])


def harvest_declaration(source_id: str) -> dict[str, Any] | None:
    """The harvest source's declaration as ``harvest_source_declaration_show``
    gives it, if the current user may read it (the source's form)."""
    try:
        return tk.get_action("harvest_source_declaration_show")({}, {"id": source_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


def publication_checklist(pkg: dict[str, Any]) -> dict[str, Any]:
    """What the publish pages show before the partner decides:
    ``dataset_publication_check``'s answer (the gate's own judgement, so the
    page cannot drift from it), with each condition also under its name."""
    check = tk.get_action("dataset_publication_check")(dict(_context()), {"id": pkg["id"]})
    return {**check, "by": {c["condition"]: c for c in check["conditions"]}}


def dataset_names(ids: list[str]) -> dict[str, dict[str, str]]:
    """Names and titles of the journal's datasets (one query)."""
    if not ids:
        return {}
    rows = model.Session.query(model.Package.id, model.Package.name, model.Package.title).filter(
        model.Package.id.in_(set(ids))
    )
    return {row.id: {"name": row.name, "title": row.title or row.name} for row in rows}


def described_values(pkg: dict[str, Any]) -> dict[str, Any]:
    tags = ", ".join(t["name"] for t in pkg.get("tags") or [])
    return {
        "title": pkg.get("title") or "",
        "notes": pkg.get("notes") or "",
        "tag_string": tags,
        "theme": pkg.get("theme") or [],
        "spatial_text": pkg.get("spatial_text") or "",
        "temporal_start": pkg.get("temporal_start") or "",
        "temporal_end": pkg.get("temporal_end") or "",
    }


def render_date(value: str | dt.date | None) -> str:
    """An ISO date in words, in the user's language ("31 janvier 2027")."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return tk.h.render_datetime(dt.datetime(value.year, value.month, value.day))


def render_datetime(value: str | dt.datetime | None) -> str:
    """A moment in the user's language and the portal's display time zone:
    "30 novembre 2026, 05:35" / "November 30, 2026, 5:35 AM" (CKAN's own
    ``render_datetime(with_hours=True)`` writes the English order in every
    language: "novembre 30, 2026")."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:  # CKAN records UTC
        value = value.replace(tzinfo=dt.timezone.utc)
    from flask_babel import format_date, format_time

    return f"{format_date(value, 'long')}, {format_time(value, 'short')}"


def render_amount(value: str | None, currency: str | None = "EUR") -> str:
    """An amount in the locale's format ("6 000,00 €")."""
    if value in (None, ""):
        return ""
    from babel.numbers import format_currency

    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format_currency(amount, currency or "EUR", locale=current_language())


def get_helpers() -> dict[str, Any]:
    return {
        "datasud_publication_status_label": publication_status_label,
        "datasud_agreement_status_label": agreement_status_label,
        "datasud_journal_action_label": journal_action_label,
        "datasud_personal_data_label": personal_data_label,
        "datasud_agreement_event_label": agreement_event_label,
        "datasud_running_notice": running_notice,
        "datasud_licence_title": licence_title,
        "datasud_declaration_version": declaration_version,
        "datasud_harvest_declaration": harvest_declaration,
        "datasud_render_date": render_date,
        "datasud_render_amount": render_amount,
        "datasud_render_datetime": render_datetime,
        "datasud_may": may,
        "datasud_may_publish": may_publish,
        "datasud_publication_checklist": publication_checklist,
        "datasud_is_portal_team": is_portal_team,
        "datasud_localized": localized,
        "datasud_claim_kind_label": claim_kind_label,
        "datasud_claim_status_label": claim_status_label,
        "datasud_claim_outcome_label": claim_outcome_label,
        "datasud_harvest_outcome_label": harvest_outcome_label,
        "datasud_badge_class": badge_class,
        "datasud_milestones_by_phase": milestones_by_phase,
    }
