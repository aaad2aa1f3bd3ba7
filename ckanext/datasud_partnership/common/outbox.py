"""The outbox: every e-mail the extension sends is first a row here, written
in the transaction of the action that causes it (queued), then sent by
CKAN's background jobs (``ckan jobs worker``) once that transaction is
committed; the row then says ``sent``, or ``failed`` with the SMTP server's
error, the number of attempts and when the next one is due (back-off).

Nothing of this runs inside the action: if Redis cannot take the job, or the
SMTP server refuses, the action has answered already and the e-mail waits in
the outbox; ``ckan datasud-partnership mail retry`` sends what waits (``--due``:
only what its back-off allows, for cron).

``ckanext.datasud_partnership.mail_delivery = inline`` sends in the process
that queued, after the commit (a portal without a worker; the tests)."""

from __future__ import annotations

import base64
import datetime as dt
import logging
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from sqlalchemy import Column, DateTime, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB

from . import events, settings
from .mail import Mail, NotSent, Sender, count, html_of, message_of, new_message_id
from .tables import PREFIX, new_id, utcnow

log = logging.getLogger(__name__)
Session = model.Session

QUEUED = "queued"
SENT = "sent"
FAILED = "failed"
STATUSES = (QUEUED, SENT, FAILED)
# minutes to wait after the 1st, 2nd... failed attempt; after the last, only
# a `mail retry` without --due tries again
BACKOFF_MINUTES = (1, 5, 15, 60, 240, 720)
# a queued e-mail older than this is taken as lost by the queue (Redis was down)
STALE_QUEUED = dt.timedelta(minutes=10)
JOB_TITLE = "datasud_partnership: e-mails"


class OutboxMail(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = PREFIX + "mail_outbox"

    id = Column(Text, primary_key=True, default=new_id)
    created = Column(DateTime, nullable=False, default=utcnow, index=True)
    topic = Column(Text, nullable=False)
    recipient_name = Column(Text, nullable=False)
    recipient_email = Column(Text, nullable=False, index=True)
    role = Column(Text, nullable=False)
    language = Column(Text, nullable=False)
    subject = Column(Text, nullable=False)
    body_text = Column(Text, nullable=False)
    body_html = Column(Text, nullable=False)
    message_id = Column(Text, nullable=False, unique=True)
    attachments = Column(JSONB, nullable=False, default=list)  # [{filename, mimetype, content (base64)}]
    status = Column(Text, nullable=False, default=QUEUED, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text)
    last_attempt_at = Column(DateTime)
    next_attempt_at = Column(DateTime, index=True)
    sent_at = Column(DateTime)

    def attachment_tuples(self) -> list[tuple[str, bytes, str]]:
        return [
            (a["filename"], base64.b64decode(a["content"]), a["mimetype"]) for a in self.attachments or []
        ]


def next_attempt(attempts: int, now: dt.datetime) -> dt.datetime | None:
    """When to try again after ``attempts`` failed attempts (``None``: not by itself)."""
    if 1 <= attempts <= len(BACKOFF_MINUTES):
        return now + dt.timedelta(minutes=BACKOFF_MINUTES[attempts - 1])
    return None


# -- queueing, in the action's transaction ---------------------------------------------------
def enqueue(mail: Mail) -> OutboxMail:
    row = OutboxMail(
        id=new_id(),
        created=utcnow(),
        topic=mail.topic or "mail",
        recipient_name=mail.recipient.name,
        recipient_email=mail.recipient.email,
        role=mail.recipient.role,
        language=mail.recipient.language,
        subject=mail.subject,
        body_text=mail.body,
        body_html=html_of(mail.body, mail.recipient.language),
        message_id=new_message_id(),
        attachments=[
            {"filename": name, "mimetype": mimetype, "content": base64.b64encode(content).decode("ascii")}
            for name, content, mimetype in mail.attachments
        ],
        status=QUEUED,
        attempts=0,
    )
    Session.add(row)
    events.collect_once_committed(Session, events.mails_queued, "mail", "mail_ids", row.id)
    count("queued")
    return row


def on_queued(sender: Any, mail_ids: list[str] | None = None, **kwargs: Any) -> None:
    """Once the e-mails are committed: hand them to the worker (one job for
    the batch), or send them here (inline). Never raises: what cannot be
    handed over stays queued for ``mail retry``."""
    if not mail_ids:
        return
    if settings.mail_delivery() == "inline":
        deliver(mail_ids)
        return
    try:
        tk.enqueue_job(send_job, [list(mail_ids)], title=JOB_TITLE)
    except Exception as error:  # Redis unreachable: the rows wait in the outbox
        log.warning(
            "%d e-mail(s) stay queued in the outbox, the job queue refused them: %s", len(mail_ids), error
        )


# what one job sends at most besides its own e-mails: the others still queued
SWEEP_LIMIT = 1000


def send_job(mail_ids: list[str]) -> dict[str, int]:
    """The background job: send these e-mails of the outbox, then the others
    that are queued (each job of CKAN's worker is a new process that loads
    CKAN, about a second: under load, the first job sends what the next ones
    would; they find it sent and skip it)."""
    result = deliver(mail_ids)
    others = [
        mail_id
        for (mail_id,) in Session.query(OutboxMail.id)
        .filter(OutboxMail.status == QUEUED)
        .order_by(OutboxMail.created, OutboxMail.id)
        .limit(SWEEP_LIMIT)
    ]
    if others:
        swept = deliver(others)
        result = {key: result[key] + swept[key] for key in result}
    return result


# -- sending ---------------------------------------------------------------------------------
def deliver(mail_ids: list[str]) -> dict[str, int]:
    """Try each e-mail not sent yet, one at a time over one SMTP connection
    (a row being sent by another process is skipped); each outcome is
    committed at once."""
    result = {SENT: 0, FAILED: 0}
    with Sender() as sender:
        for mail_id in mail_ids:
            row = (
                Session.query(OutboxMail)
                .filter(OutboxMail.id == mail_id, OutboxMail.status != SENT)
                .with_for_update(skip_locked=True)
                .one_or_none()
            )
            if row is None:  # sent, or being sent by another process
                Session.commit()  # (not a rollback: that would drop the signals the commit still sends)
                continue
            outcome = attempt(row, sender)
            Session.commit()
            result[outcome] += 1
    return result


def attempt(row: OutboxMail, sender: Sender) -> str:
    now = utcnow()
    row.attempts = (row.attempts or 0) + 1
    row.last_attempt_at = now
    try:
        message = message_of(
            to_name=row.recipient_name,
            to_email=row.recipient_email,
            subject=row.subject,
            text=row.body_text,
            html_body=row.body_html,
            language=row.language,
            message_id=row.message_id,
            attachments=row.attachment_tuples(),
        )
        sender.send(message, row.recipient_email)
    except NotSent as error:
        return _failed(row, str(error), now)
    except Exception as error:  # anything else is a failure of this e-mail, not of the caller
        return _failed(row, f"{type(error).__name__}: {error}", now)
    row.status = SENT
    row.sent_at = utcnow()
    row.last_error = None
    row.next_attempt_at = None
    count("sent")
    log.info("E-mail %r sent to %s", row.subject, row.recipient_email)
    return SENT


def _failed(row: OutboxMail, error: str, now: dt.datetime) -> str:
    row.status = FAILED
    row.last_error = error[:2000]
    row.next_attempt_at = next_attempt(row.attempts, now)
    count("failed")
    log.warning(
        "E-mail %r to %s could not be sent (attempt %d): %s",
        row.subject,
        row.recipient_email,
        row.attempts,
        error,
    )
    return FAILED


def waiting(due_only: bool, now: dt.datetime | None = None) -> list[str]:
    """The e-mails a retry sends, oldest first: every failed one and every
    queued one; ``due_only``: the failed ones whose back-off has passed and
    the queued ones the job queue seems to have lost."""
    now = now or utcnow()
    query = Session.query(OutboxMail.id).filter(OutboxMail.status.in_((QUEUED, FAILED)))
    if due_only:
        query = query.filter(
            sa.or_(
                sa.and_(OutboxMail.status == FAILED, OutboxMail.next_attempt_at <= now),
                sa.and_(OutboxMail.status == QUEUED, OutboxMail.created <= now - STALE_QUEUED),
            )
        )
    return [mail_id for (mail_id,) in query.order_by(OutboxMail.created, OutboxMail.id)]


def retry(due_only: bool = False) -> dict[str, int]:
    """Send what waits in the outbox now, in this process."""
    return deliver(waiting(due_only))


# -- reading ---------------------------------------------------------------------------------
def listing(
    status: str | None = None, recipient: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[int, list[OutboxMail]]:
    """The outbox, newest first, filtered by status and by (part of) the address."""
    query = Session.query(OutboxMail)
    if status:
        query = query.filter(OutboxMail.status == status)
    if recipient:
        pattern = "%" + recipient.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.filter(
            sa.or_(OutboxMail.recipient_email.ilike(pattern), OutboxMail.recipient_name.ilike(pattern))
        )
    total = query.count()
    rows = query.order_by(OutboxMail.created.desc(), OutboxMail.id).offset(offset).limit(limit).all()
    return total, rows


def counts() -> dict[str, int]:
    rows = Session.query(OutboxMail.status, sa.func.count()).group_by(OutboxMail.status)
    found = dict(rows.all())
    return {status: int(found.get(status, 0)) for status in STATUSES}
