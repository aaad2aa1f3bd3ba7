"""Sending e-mail: who is told (each address once), rendering outside a
request, delivery through CKAN's mailer. A failure is logged and counted,
never raised: what was recorded stays recorded, and nothing claims that the
e-mail went out."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterator
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from babel.dates import format_date
from ckan import model
from ckan.lib import mailer
from flask import has_request_context

from .language import portal_language

log = logging.getLogger(__name__)
Session = model.Session

PARTNER_ADMIN = "partner_admin"
PORTAL_ADMIN = "portal_admin"


@dataclasses.dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    role: str  # REFERENT | PARTNER_ADMIN | PORTAL_ADMIN: why this person is told
    language: str


@dataclasses.dataclass(frozen=True)
class Mail:
    recipient: Recipient
    subject: str
    body: str


@dataclasses.dataclass
class Tally:
    sent: int = 0
    failed: int = 0


_tallies: list[Tally] = []


@contextlib.contextmanager
def counting() -> Iterator[Tally]:
    """Count the e-mails sent (and failed) while the block runs."""
    tally = Tally()
    _tallies.append(tally)
    try:
        yield tally
    finally:
        _tallies.remove(tally)


def count_failure() -> None:
    """One e-mail (or one batch whose size is unknown) that did not go out."""
    _count(sent=False)


def _count(sent: bool) -> None:
    for tally in _tallies:
        if sent:
            tally.sent += 1
        else:
            tally.failed += 1


# -- who is told --------------------------------------------------------------------
def partner_and_portal_admins(organization_id: str) -> list[tuple[str | None, str | None, str]]:
    """(name, e-mail, role) of the organization's admins, then of the portal's."""
    partner_admins = (
        Session.query(model.User)
        .join(model.Member, model.Member.table_id == model.User.id)
        .filter(
            model.Member.group_id == organization_id,
            model.Member.table_name == "user",
            model.Member.state == "active",
            model.Member.capacity == "admin",
            model.User.state == "active",
        )
        .order_by(model.User.name)
    )
    portal_admins = (
        Session.query(model.User)
        .filter(model.User.sysadmin.is_(True), model.User.state == "active")
        .order_by(model.User.name)
    )
    return [(user.display_name, user.email, PARTNER_ADMIN) for user in partner_admins] + [
        (user.display_name, user.email, PORTAL_ADMIN) for user in portal_admins
    ]


def deduplicated(candidates: list[tuple[str | None, str | None, str]]) -> list[Recipient]:
    """Each e-mail address once, under the first role it comes with; people
    without an address are skipped."""
    language = portal_language()
    seen: set[str] = set()
    result = []
    for name, email, role in candidates:
        address = (email or "").strip()
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        result.append(Recipient(name=(name or "").strip(), email=address, role=role, language=language))
    return result


def request_context() -> Any:
    """CKAN renders templates inside a request: outside one (a command, a
    background job), use the test request context that CKAN itself sets up
    for ``url_for`` at start-up."""
    if has_request_context():
        return contextlib.nullcontext()
    from ckan.config.middleware import _internal_test_request_context

    if _internal_test_request_context is None:
        raise RuntimeError("no CKAN application to render the e-mails with")
    return _internal_test_request_context


def _mail_configured() -> bool:
    return bool(tk.config.get("smtp.server")) or any(True for _ in p.PluginImplementations(p.INotifier))


def deliver(mail: Mail) -> bool:
    if not _mail_configured():
        log.warning("smtp.server is not set: e-mail %r to %s not sent", mail.subject, mail.recipient.email)
        _count(sent=False)
        return False
    try:
        mailer.mail_recipient(
            mail.recipient.name,
            mail.recipient.email,
            mail.subject,
            mail.body,
            headers={"Auto-Submitted": "auto-generated"},
        )
    except Exception:
        log.exception("E-mail %r to %s could not be sent", mail.subject, mail.recipient.email)
        _count(sent=False)
        return False
    _count(sent=True)
    return True


# -- what they are told -------------------------------------------------------------------
def long_date(day: dt.date | str | None, language: str) -> str:
    """``1er juin 2024``, ``31 janvier 2025``; ``June 1, 2024`` in English."""
    if day is None:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if language.startswith("fr") and day.day == 1:
        return "1er " + format_date(day, "MMMM y", locale="fr")
    return format_date(day, "long", locale=language)


def tidy(text: str) -> str:
    """Jinja leaves blank lines where blocks were: at most one in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"
