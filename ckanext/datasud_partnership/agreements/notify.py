"""E-mails about agreements, sent once their events are committed.

:func:`on_events` is subscribed to ``store.events_committed`` (plugin.py,
ISignal). It mails, for the events of ``MAILED``: the agreement's referent,
the partner organization's admins and the portal's admins (sysadmins), each
address once; users without an e-mail address are skipped.

Language: CKAN 2.12 keeps no language per user, and the referent is not a
user at all; every message is written in the portal's default language
(``ckan.locale_default``, French on DataSud). ``Recipient.language`` is the
single place to change if a per-user setting comes one day.

The texts are jinja templates under ``templates/emails/agreements/``, rendered
with CKAN's ``render`` inside the recipient's locale (flask-babel's
``force_locale``), every sentence through the translation catalogue.

A failure (a template, the SMTP server) is logged and never reaches the
action that committed the events: what was recorded stays recorded, and
nothing claims that the e-mail went out.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask_babel import force_locale

from ..common.mail import (
    Mail,
    Recipient,
    count_failure,
    deduplicated,
    deliver,
    long_date,
    partner_and_portal_admins,
    request_context,
    tidy,
)
from . import kinds as K
from . import rules as R
from .model import Agreement, Notice

log = logging.getLogger(__name__)
Session = model.Session
_ = tk._

TEMPLATES = "emails/agreements/"
MAILED = ("notice_served", "notice_answered", "notice_lifted", "termination_notified", "reminder")

REFERENT = "referent"


def recipients(agreement: Agreement) -> list[Recipient]:
    """The referent, the partner's admins, then the portal's admins: each
    e-mail address once, under the first role it comes with."""
    return deduplicated(
        [(agreement.referent_name, agreement.referent_email, REFERENT)]
        + partner_and_portal_admins(agreement.organization_id)
    )


# -- the signal subscriber -------------------------------------------------------------
def on_events(sender: Any, events: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
    """Mail what the committed events call for; never raises."""
    for event in events or []:
        if event.get("event") not in MAILED:
            continue
        try:
            send_event(event)
        except Exception:  # counted as one failure: how many were due is unknown
            count_failure()
            log.exception(
                "Agreement %s, event %s (%s): e-mails not sent",
                event.get("agreement_id"),
                event.get("id"),
                event.get("event"),
            )


def send_event(event: dict[str, Any]) -> None:
    agreement = Session.get(Agreement, event["agreement_id"])
    if agreement is None or K.registered().get(agreement.kind) is None:
        log.warning("Agreement event %s: no agreement of a known kind, no e-mail", event.get("id"))
        return
    people = recipients(agreement)
    if not people:
        log.warning("Agreement %s: nobody to tell about %s", agreement.reference, event["event"])
        return
    with request_context():
        mails = [compose(event, agreement, person) for person in people]
    for mail in mails:
        deliver(mail)


def compose(event: dict[str, Any], agreement: Agreement, recipient: Recipient) -> Mail:
    """The subject and text of one recipient's e-mail, in their language."""
    kind = K.registered()[agreement.kind]
    with force_locale(recipient.language):
        name, subject, extra = _details(event, agreement, kind, recipient.language)
        site_title = tk.config.get("ckan.site_title") or ""
        organization = model.Group.get(agreement.organization_id)
        variables = {
            "recipient": recipient,
            "agreement": agreement,
            "kind": kind,
            "kind_title": kind.title.get(recipient.language),
            "organization_title": organization.display_name if organization else "",
            "site_title": site_title,
            "site_url": tk.config.get("ckan.site_url") or "",
            "event": event,
            **extra,
        }
        body = tk.render(TEMPLATES + name + ".txt", variables)
        prefix = f"[{site_title}] " if site_title else ""
    return Mail(recipient=recipient, subject=prefix + subject, body=tidy(body))


def party_name(agreement: Agreement, party: str | None) -> str:
    """The name of the operator or of the partner, as the agreement gives it."""
    for entry in agreement.parties or []:
        if entry.get("role") == party and entry.get("name"):
            return entry["name"]
    if party == "partner":
        organization = model.Group.get(agreement.organization_id)
        if organization is not None:
            return organization.display_name
        return _("The partner")
    return _("The portal operator")


def _fault_mode(kind: K.Kind) -> K.TerminationMode | None:
    return next((m for m in kind.terminations.values() if m.requires_formal_notice), None)


def _notice(event: dict[str, Any]) -> Notice | None:
    notice_id = (event.get("data") or {}).get("notice_id")
    return Session.get(Notice, notice_id) if notice_id else None


def _details(
    event: dict[str, Any], agreement: Agreement, kind: K.Kind, language: str
) -> tuple[str, str, dict[str, Any]]:
    """(template name, subject, template variables) for the event."""
    data = event.get("data") or {}
    reference = agreement.reference

    def when(day: Any) -> str:
        return long_date(day, language)

    name = event["event"]
    if name == "reminder":
        name = "reminder_" + data.get("reminder", "")
    notice = _notice(event)
    extra: dict[str, Any] = {"when": when, "notice": notice, "fault_mode": _fault_mode(kind)}
    if notice is not None:
        extra["served_by"] = party_name(agreement, notice.served_by)
    if name == "notice_served":
        return name, _("Formal notice: agreement %(reference)s", reference=reference), extra
    if name == "notice_answered":
        extra["replaced"] = bool(data.get("before"))
        return name, _("Observations filed: agreement %(reference)s", reference=reference), extra
    if name == "notice_lifted":
        extra["reason"] = event.get("reason") or ""
        return name, _("Formal notice lifted: agreement %(reference)s", reference=reference), extra
    if name == "termination_notified":
        mode = kind.terminations.get(data.get("mode", ""))
        effective = dt.date.fromisoformat(data["effective_on"])
        extra.update(
            {
                "mode_title": mode.title.get(language) if mode else data.get("mode"),
                "mode_note": mode.note.get(language) if mode and mode.note else "",
                "clause": data.get("clause", ""),
                "initiated_by": party_name(agreement, data.get("initiator")),
                "requested_on": data.get("requested_on"),
                "effective_on": effective,
                "last_day": effective - dt.timedelta(days=1),
                "withdraw": data.get("withdraw") or "none",
                "datasets": _datasets(data.get("withdraw")),
                "reason": event.get("reason") or "",
            }
        )
        return name, _("Termination notified: agreement %(reference)s", reference=reference), extra
    about = data.get("for")
    if name == "reminder_" + R.ANNIVERSARY_NOTICE:
        extra.update({"anniversary": about, "deadline": data.get("deadline"), "mode": kind.anniversary_mode})
        subject = _(
            "Agreement %(reference)s renews on %(date)s: notice until %(deadline)s",
            reference=reference,
            date=when(about),
            deadline=when(data.get("deadline")),
        )
        return name, subject, extra
    if name == "reminder_" + R.NOTICE_DEADLINE:
        subject = _(
            "Formal notice deadline on %(date)s: agreement %(reference)s",
            reference=reference,
            date=when(about),
        )
        return name, subject, extra
    if name == "reminder_" + R.EXPIRY:
        extra["last_day"] = about
        subject = _("Agreement %(reference)s ends on %(date)s", reference=reference, date=when(about))
        return name, subject, extra
    raise ValueError(f"no e-mail for the event {event['event']!r} {data!r}")


def _datasets(choice: Any) -> list[model.Package]:
    if not isinstance(choice, list) or not choice:
        return []
    return (
        Session.query(model.Package).filter(model.Package.id.in_(choice)).order_by(model.Package.title).all()
    )
