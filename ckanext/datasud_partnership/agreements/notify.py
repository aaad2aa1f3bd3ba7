"""E-mails about agreements, queued in the outbox with the events that call
for them, in their transaction.

:func:`on_events` is subscribed to ``events.agreement_events_to_commit``
(plugin.py, ISignal): just before the events are committed it writes to the
outbox (``common/outbox.py``, which sends once committed), for the events of
``MAILED``, one e-mail to each of: the agreement's referent, the partner
organization's admins and the portal's admins (sysadmins), each address once;
users without an e-mail address are skipped.

Digest: the reminders of one run (``schedule.send_reminders``) that concern
the same person (a partner's admin with several agreements, the portal's
team) are one e-mail to them, listing each.

Language: each recipient's own (``common/user_language.py``: the user's
choice, else the portal's default, ``ckan.locale_default``; the referent
reads the language of the user who has the referent's address, if any).
The texts are jinja templates under ``templates/emails/agreements/``,
rendered with CKAN's ``render`` inside the recipient's locale (flask-babel's
``force_locale``), every sentence through the translation catalogue.

A failure to compose is logged and counted and never reaches the action
that records the events; an SMTP failure is the outbox's (retried).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask_babel import force_locale

from ..common import outbox
from ..common.mail import (
    Mail,
    Recipient,
    count_failure,
    deduplicated,
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
REGION_REFERENT = "region_referent"


def recipients(agreement: Agreement) -> list[Recipient]:
    """The partner's referent, the region's referent, the partner's admins,
    then the portal's admins: each e-mail address once, under the first role
    it comes with."""
    region = Session.get(model.User, agreement.region_referent_id) if agreement.region_referent_id else None
    region_referent = [(region.display_name, region.email, REGION_REFERENT)] if region is not None else []
    return deduplicated(
        [(agreement.referent_name, agreement.referent_email, REFERENT)]
        + region_referent
        + partner_and_portal_admins(agreement.organization_id)
    )


def letter_attachments(event: dict[str, Any], agreement: Agreement) -> tuple[tuple[str, bytes, str], ...]:
    """The letter generated with the event (letters.py), attached to its e-mails."""
    from .documents.storage import read_bytes

    data = event.get("data") or {}
    if event.get("event") == "notice_served":
        wanted = {"letter": "formal_notice", "notice_id": data.get("notice_id")}
    elif event.get("event") == "termination_notified":
        wanted = {"letter": "termination", "termination": True}
    else:
        return ()
    for entry in reversed(agreement.documents or []):
        letter = entry.get("letter") or {}
        if all(letter.get(key) == value for key, value in wanted.items()):
            content = read_bytes(entry)
            return ((entry["file"]["name"], content, "application/pdf"),) if content else ()
    return ()


# -- the signal subscriber -------------------------------------------------------------
def on_events(sender: Any, events: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
    """Queue the e-mails the events call for (in their transaction); never raises."""
    reminders: list[dict[str, Any]] = []
    for event in events or []:
        if event.get("event") not in MAILED:
            continue
        if event.get("event") == "reminder":
            reminders.append(event)
            continue
        _guarded(event, lambda event=event: queue_event(event))
    if reminders:
        queue_reminders(reminders)


def _guarded(event: dict[str, Any], work: Any) -> None:
    try:
        work()
    except Exception:  # counted as one failure: how many were due is unknown
        count_failure()
        log.exception(
            "Agreement %s, event %s (%s): e-mails not composed",
            event.get("agreement_id"),
            event.get("id"),
            event.get("event"),
        )


def _agreement_of(event: dict[str, Any]) -> Agreement | None:
    agreement = Session.get(Agreement, event["agreement_id"])
    if agreement is None or K.registered().get(agreement.kind) is None:
        log.warning("Agreement event %s: no agreement of a known kind, no e-mail", event.get("id"))
        return None
    return agreement


def queue_event(event: dict[str, Any]) -> None:
    agreement = _agreement_of(event)
    if agreement is None:
        return
    people = recipients(agreement)
    if not people:
        log.warning("Agreement %s: nobody to tell about %s", agreement.reference, event["event"])
        return
    with request_context():
        mails = [compose(event, agreement, person) for person in people]
    attachments = letter_attachments(event, agreement)
    for mail in mails:
        outbox.enqueue(dataclasses.replace(mail, attachments=attachments) if attachments else mail)


def queue_reminders(reminders: list[dict[str, Any]]) -> None:
    """One e-mail per person: the reminder itself, or a digest of theirs."""
    by_address: dict[str, tuple[Recipient, list[tuple[dict[str, Any], Agreement, Recipient]]]] = {}
    for event in reminders:
        agreement = _agreement_of(event)
        if agreement is None:
            continue
        for person in recipients(agreement):
            key = person.email.lower()
            by_address.setdefault(key, (person, []))[1].append((event, agreement, person))
    for first, items in by_address.values():
        if len(items) == 1:
            event, agreement, person = items[0]
            _guarded(event, lambda e=event, a=agreement, p=person: _queue_one(e, a, p))
        else:
            _guarded(items[0][0], lambda first=first, items=items: _queue_digest(first, items))


def _queue_one(event: dict[str, Any], agreement: Agreement, person: Recipient) -> None:
    with request_context():
        outbox.enqueue(compose(event, agreement, person))


def _queue_digest(first: Recipient, items: list[tuple[dict[str, Any], Agreement, Recipient]]) -> None:
    with request_context():
        outbox.enqueue(compose_digest(first, items))


def compose_digest(first: Recipient, items: list[tuple[dict[str, Any], Agreement, Recipient]]) -> Mail:
    """The reminders of one run for one person, in one e-mail: each one's
    text under its subject, then why they receive each."""
    site_title = tk.config.get("ckan.site_title") or ""
    with force_locale(first.language):
        sections = []
        reasons: list[str] = []
        for event, agreement, person in items:
            person = Recipient(person.name, person.email, person.role, first.language)
            subject, text = _rendered(event, agreement, person, section=True)
            sections.append({"subject": subject, "text": tidy(text).rstrip("\n")})
            reason = _reason(person, agreement, site_title)
            if reason not in reasons:
                reasons.append(reason)
        body = tk.render(
            TEMPLATES + "digest.txt",
            {
                "recipient": first,
                "sections": sections,
                "reasons": reasons,
                "site_title": site_title,
                "site_url": tk.config.get("ckan.site_url") or "",
            },
        )
        subject = _("%(count)s reminders about agreements", count=len(items))
        prefix = f"[{site_title}] " if site_title else ""
    return Mail(recipient=first, subject=prefix + subject, body=tidy(body), topic="agreement:reminder_digest")


def _reason(person: Recipient, agreement: Agreement, site_title: str) -> str:
    """Why ``person`` is told about ``agreement`` (one line of the footer)."""
    if person.role == REFERENT:
        return _(
            "You receive this message as the referent named in the agreement %(reference)s.",
            reference=agreement.reference,
        )
    if person.role == REGION_REFERENT:
        return _(
            "You receive this message as the region's referent of the agreement %(reference)s.",
            reference=agreement.reference,
        )
    if person.role == "partner_admin":
        organization = model.Group.get(agreement.organization_id)
        return _(
            "You receive this message as an administrator of %(organization)s on %(site)s.",
            organization=organization.display_name if organization else "",
            site=site_title,
        )
    return _("You receive this message as an administrator of %(site)s.", site=site_title)


def compose(event: dict[str, Any], agreement: Agreement, recipient: Recipient) -> Mail:
    """The subject and text of one recipient's e-mail, in their language."""
    site_title = tk.config.get("ckan.site_title") or ""
    with force_locale(recipient.language):
        subject, body = _rendered(event, agreement, recipient)
        prefix = f"[{site_title}] " if site_title else ""
    topic = "agreement:" + str(event.get("event"))
    if event.get("event") == "reminder":
        topic += ":" + str((event.get("data") or {}).get("reminder", ""))
    return Mail(recipient=recipient, subject=prefix + subject, body=tidy(body), topic=topic)


def _rendered(
    event: dict[str, Any], agreement: Agreement, recipient: Recipient, section: bool = False
) -> tuple[str, str]:
    """(subject, text) of the event's e-mail to ``recipient``, in the current
    locale; ``section``: the text without greeting nor footer (a digest's part)."""
    kind = K.registered()[agreement.kind]
    name, subject, extra = _details(event, agreement, kind, recipient.language)
    organization = model.Group.get(agreement.organization_id)
    variables = {
        "recipient": recipient,
        "agreement": agreement,
        "kind": kind,
        "kind_title": kind.title.get(recipient.language),
        "organization_title": organization.display_name if organization else "",
        "site_title": tk.config.get("ckan.site_title") or "",
        "site_url": tk.config.get("ckan.site_url") or "",
        "event": event,
        "section": section,
        **extra,
    }
    return subject, tk.render(TEMPLATES + name + ".txt", variables)


def party_name(agreement: Agreement, party: str | None, in_sentence: bool = False) -> str:
    """The name of the operator or of the partner, as the agreement gives it;
    else a common noun (``in_sentence``: in lower case, inside a sentence)."""
    for entry in agreement.parties or []:
        if entry.get("role") == party and entry.get("name"):
            return entry["name"]
    if party == "partner":
        organization = model.Group.get(agreement.organization_id)
        if organization is not None:
            return organization.display_name
        return _("the partner") if in_sentence else _("The partner")
    return _("the portal operator") if in_sentence else _("The portal operator")


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
        extra["served_by_in_sentence"] = party_name(agreement, notice.served_by, in_sentence=True)
    if name == "notice_served":
        extra["attached"] = any(
            (d.get("letter") or {}).get("notice_id") == data.get("notice_id")
            for d in agreement.documents or []
        )
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
                "termination": {
                    "actions": data.get("actions"),
                    "modalities": data.get("modalities"),
                    "expert": data.get("expert"),
                },
                "attached": any(
                    (d.get("letter") or {}).get("termination") for d in agreement.documents or []
                ),
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
