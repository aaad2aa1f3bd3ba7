"""E-mail: who is told (each address once, each in their own language),
rendering outside a request, and the message itself (a text part and an HTML
part made from the same rendered template, ``Message-ID``, ``Reply-To``,
``Auto-Submitted``, attachments). Nothing here talks to the SMTP server at
the moment of an action: ``outbox.enqueue`` writes the e-mail to the outbox,
in the caller's transaction (``outbox.py`` sends it, and retries it)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import html
import logging
import re
import smtplib
from collections.abc import Iterator
from email import utils
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlparse

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from babel.dates import format_date
from ckan import model
from flask import has_request_context

from . import settings
from .language import portal_language
from .user_language import languages_by_address

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
    body: str  # the text part; the HTML part is made from it (html_of)
    topic: str = ""  # what it is about, for the outbox page: "agreement:notice_served", "claim:filed"
    # (filename, content, mimetype): the generated letters, for instance
    attachments: tuple[tuple[str, bytes, str], ...] = ()


@dataclasses.dataclass
class Tally:
    queued: int = 0
    sent: int = 0
    failed: int = 0


_tallies: list[Tally] = []


@contextlib.contextmanager
def counting() -> Iterator[Tally]:
    """Count the e-mails queued, sent and failed while the block runs (a
    failure to compose is counted as one failed)."""
    tally = Tally()
    _tallies.append(tally)
    try:
        yield tally
    finally:
        _tallies.remove(tally)


def count_failure() -> None:
    """One e-mail (or one batch whose size is unknown) that could not be made."""
    count("failed")


def count(what: str) -> None:
    for tally in _tallies:
        setattr(tally, what, getattr(tally, what) + 1)


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
    without an address are skipped. Each reads the language the user with
    that address chose, else the portal's (a referent who is no user)."""
    default = portal_language().split("_")[0]
    chosen = languages_by_address(email or "" for _name, email, _role in candidates)
    seen: set[str] = set()
    result = []
    for name, email, role in candidates:
        address = (email or "").strip()
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        language = chosen.get(address.lower(), default)
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


# -- the message ----------------------------------------------------------------------------
_URL = re.compile(r"(https?://[^\s<>()]+[^\s<>().,;:!?])")


def _inline(text: str) -> str:
    """One line of text as HTML: escaped, its addresses made links."""
    parts = _URL.split(text)
    return "".join(
        f'<a href="{html.escape(part)}">{html.escape(part)}</a>' if i % 2 else html.escape(part)
        for i, part in enumerate(parts)
    )


def _block(lines: list[str]) -> str:
    if len(lines) == 1 and lines[0].startswith("== "):  # a digest's section
        return f'<h2 style="font-size:1.1em">{_inline(lines[0][3:])}</h2>'
    if all(line.startswith("  - ") for line in lines):
        items = "".join(f"<li>{_inline(line[4:])}</li>" for line in lines)
        return f"<ul>{items}</ul>"
    if all(line.startswith("  > ") or line == "  >" for line in lines):
        quoted = "<br>".join(_inline(line[4:]) for line in lines)
        return (
            f'<blockquote style="border-left:3px solid #ccc;margin:0;padding-left:1em">{quoted}</blockquote>'
        )
    if all(line.startswith("  ") for line in lines):
        return '<p style="margin-left:1em">' + "<br>".join(_inline(line.strip()) for line in lines) + "</p>"
    return "<p>" + "<br>".join(_inline(line.strip()) for line in lines) + "</p>"


def html_of(text: str, language: str) -> str:
    """The HTML part of an e-mail, made from its text part (the rendered
    template): the same words, paragraphs, lists and quotes; the footer
    after the ``--`` line in small print."""
    body, _sep, footer = text.partition("\n--\n")
    blocks: list[str] = []
    for chunk in re.split(r"\n\s*\n", body.strip("\n")):
        lines = [line for line in chunk.split("\n") if line.strip()]
        run: list[str] = []
        kind = None
        for line in lines:  # a list or a quote inside a paragraph is a block of its own
            this = "-" if line.startswith("  - ") else ">" if line.startswith("  >") else "p"
            if run and this != kind:
                blocks.append(_block(run))
                run = []
            run.append(line)
            kind = this
        if run:
            blocks.append(_block(run))
    if footer.strip():
        small = "<br>".join(_inline(line) for line in footer.strip().split("\n"))
        blocks.append(f'<hr><p style="color:#555;font-size:small">{small}</p>')
    lang = html.escape(language)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"></head>'
        f'<body style="font-family:sans-serif;line-height:1.4">\n' + "\n".join(blocks) + "\n</body></html>\n"
    )


def new_message_id() -> str:
    host = urlparse(str(tk.config.get("ckan.site_url") or "")).hostname or "localhost"
    return utils.make_msgid(domain=host)


def message_of(
    *,
    to_name: str,
    to_email: str,
    subject: str,
    text: str,
    html_body: str,
    language: str,
    message_id: str,
    attachments: tuple[tuple[str, bytes, str], ...] | list[Any] = (),
) -> EmailMessage:
    """The e-mail as it leaves: text and HTML alternatives, then the attachments."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = utils.formataddr((str(tk.config.get("ckan.site_title") or ""), mail_from()))
    msg["To"] = utils.formataddr((to_name, to_email))
    msg["Date"] = utils.formatdate(localtime=False)
    msg["Message-ID"] = message_id
    reply_to = settings.mail_reply_to()
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html_body, subtype="html", cte="quoted-printable")
    for filename, content, mimetype in attachments:
        main, _slash, sub = (mimetype or "application/octet-stream").partition("/")
        msg.add_attachment(content, maintype=main, subtype=sub or "octet-stream", filename=filename)
    msg["Content-Language"] = language  # after the parts: making them moves the Content-* headers down
    return msg


def mail_from() -> str:
    return str(tk.config.get("smtp.mail_from") or "")


def smtp_configured() -> bool:
    return bool(tk.config.get("smtp.server")) or any(True for _ in p.PluginImplementations(p.INotifier))


SMTP_TIMEOUT = 30  # seconds: a server that does not answer is an attempt that failed


class NotSent(Exception):
    """The SMTP server (or its settings) refused the e-mail: the message says why."""


class Sender:
    """Hands messages to the SMTP server of CKAN's settings (``smtp.server``,
    ``smtp.starttls``, ``smtp.user``, ``smtp.password``), over one connection
    for a batch (opened at the first message, opened again after a failure).
    :meth:`send` raises :class:`NotSent` with a one-line reason and never logs
    a traceback. Use it as a context manager (the connection is closed)."""

    def __init__(self) -> None:
        self.connection: smtplib.SMTP | None = None
        self.server = str(tk.config.get("smtp.server") or "")

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()
            self.connection = None

    def _connect(self) -> smtplib.SMTP:
        if not self.server:
            raise NotSent("smtp.server is not set")
        host, _colon, port = self.server.partition(":")
        try:
            connection = smtplib.SMTP(host, int(port) if port else 0, None, SMTP_TIMEOUT)
        except (OSError, smtplib.SMTPException) as error:
            raise NotSent(f"SMTP server {self.server} could not be reached: {error}") from None
        self.connection = connection
        connection.ehlo()
        if tk.asbool(tk.config.get("smtp.starttls")):
            if not connection.has_extn("STARTTLS"):
                raise NotSent(f"SMTP server {self.server} does not offer STARTTLS")
            connection.starttls()
            connection.ehlo()
        user = tk.config.get("smtp.user")
        if user:
            connection.login(user, tk.config.get("smtp.password") or "")
        return connection

    def send(self, msg: EmailMessage, to_email: str) -> None:
        if any(True for _ in p.PluginImplementations(p.INotifier)):
            _through_ckan(msg, to_email)  # a plugin that sends CKAN's e-mails its own way
            return
        try:
            connection = self.connection or self._connect()
            connection.sendmail(mail_from(), [to_email], msg.as_string())
        except NotSent:
            self.close()
            raise
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise NotSent(f"SMTP server {self.server}: {error!r}") from None


def send_message(msg: EmailMessage, to_email: str) -> None:
    """Send one message over a connection of its own (see :class:`Sender`)."""
    with Sender() as sender:
        sender.send(msg, to_email)


def _through_ckan(msg: EmailMessage, to_email: str) -> None:
    import io

    from ckan.lib import mailer

    html_part = msg.get_body(("html",))
    headers = {key: str(msg[key]) for key in ("Message-ID", "Reply-To", "Auto-Submitted") if msg[key]}
    attachments = [
        (part.get_filename(), io.BytesIO(part.get_content()), part.get_content_type())
        for part in msg.iter_attachments()
    ]
    mailer.mail_recipient(
        str(msg["To"]),
        to_email,
        str(msg["Subject"]),
        msg.get_body(("plain",)).get_content(),
        body_html=html_part.get_content() if html_part is not None else None,
        headers=headers,
        attachments=attachments,
    )
