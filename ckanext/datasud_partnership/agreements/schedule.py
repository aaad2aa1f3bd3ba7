"""What the calendar makes happen to agreements: renewals, expiries and
terminations reaching their effective date, each recorded once as an event;
and the reminders it calls for, each recorded once as a ``reminder`` event
(the e-mails follow the events: see ``notify.py``).

Several machines may run the schedule (two hosts' cron, or a slow run that
overlaps the next one): each run that records anything first takes one
PostgreSQL advisory lock (``exclusive``), so runs follow one another and the
second reads what the first recorded. Unique indexes on the events (migration
``0006_schedule_once``) make a second record impossible even without it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from ckan import model

from ..common import settings
from . import kinds as K
from . import queries, state
from . import rules as R
from .actions.termination import take_effect
from .history import record
from .model import Agreement, AgreementEvent, AgreementState

Session = model.Session

# The advisory lock key of the schedule ("datasud" in ASCII): one number for
# every host of the portal, since they share the database.
RUN_LOCK = 0x64_61_74_61_73_75_64


def exclusive() -> None:
    """Wait until no other schedule run holds the lock, then hold it until
    this transaction ends (its commit or rollback releases it)."""
    Session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": RUN_LOCK})


@dataclasses.dataclass(frozen=True)
class Happening:
    """One thing the calendar made happen (or would, in a dry run)."""

    agreement_id: str
    reference: str
    event: str  # renewed | expired | terminated
    on: dt.date


@dataclasses.dataclass
class Outcome:
    renewed: int = 0
    expired: int = 0
    terminated: int = 0
    happenings: list[Happening] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"renewed": self.renewed, "expired": self.expired, "terminated": self.terminated}

    def add(self, agreement: Agreement, event: str, on: dt.date) -> None:
        setattr(self, event, getattr(self, event) + 1)
        self.happenings.append(Happening(agreement.id, agreement.reference, event, on))


def _signed_agreements() -> list[Agreement]:
    """The agreements the calendar concerns, oldest first."""
    return (
        Session.query(Agreement)
        .filter(Agreement.cancelled_on.is_(None), Agreement.signed_on.isnot(None))
        .order_by(Agreement.created, Agreement.id)
        .all()
    )


def _recorded() -> set[tuple[str, str, dt.date]]:
    """The renewals and expiries already on record, in one query."""
    rows = Session.query(AgreementEvent.agreement_id, AgreementEvent.event, AgreementEvent.on).filter(
        AgreementEvent.event.in_(("renewed", "expired"))
    )
    return {tuple(row) for row in rows}


def run(day: dt.date, dry_run: bool = False, progress: Callable[[Any], Any] | None = None) -> Outcome:
    """Apply what is due on ``day``; running it twice changes nothing more,
    nor does running it twice at once (see ``exclusive``)."""
    if not dry_run:
        exclusive()
    outcome = Outcome()
    registry = K.registered()
    rows = _signed_agreements()
    notices_by, endings_by = queries.notices_and_terminations([a.id for a in rows])
    done = _recorded()
    states = {state.agreement_id: state for state in Session.query(AgreementState)}
    for agreement in progress(rows) if progress else rows:
        kind = registry.get(agreement.kind)
        if kind is None:
            continue
        ended = endings_by.get(agreement.id)
        facts = queries.facts(agreement, notices_by.get(agreement.id, []), ended)
        if not dry_run and not state.is_current(states.get(agreement.id), day):
            state.refresh(agreement, kind, facts, day)
        for anniversary in R.renewals_until(kind, facts, day):
            if (agreement.id, "renewed", anniversary) not in done:
                outcome.add(agreement, "renewed", anniversary)
                if not dry_run:
                    record(agreement, "renewed", None, on=anniversary)
        expiry = R.expiry_date(kind, facts)
        if expiry is not None and expiry <= day and (agreement.id, "expired", expiry) not in done:
            outcome.add(agreement, "expired", expiry)
            if not dry_run:
                record(agreement, "expired", None, on=expiry)
        if ended is not None and ended.applied_at is None and ended.effective_on <= day:
            outcome.add(agreement, "terminated", ended.effective_on)
            if not dry_run:
                take_effect(agreement, ended, None)
    if not dry_run:
        _refresh_others(registry, states, day)
        Session.commit()
    return outcome


def _refresh_others(registry: dict[str, K.Kind], states: dict[str, AgreementState], day: dt.date) -> None:
    """Drafts and cancelled agreements whose computed fields are missing or
    out of date (e.g. written before those fields existed): the register's
    fast listing needs every row current."""
    others = Session.query(Agreement).filter(
        sa.or_(Agreement.cancelled_on.isnot(None), Agreement.signed_on.is_(None))
    )
    for agreement in others:
        kind = registry.get(agreement.kind)
        if kind is not None and not state.is_current(states.get(agreement.id), day):
            state.refresh(agreement, kind, queries.facts(agreement), day)


# -- reminders ------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class DueReminder:
    agreement: Agreement
    reminder: R.Reminder
    notice_id: str | None = None

    def event_data(self) -> dict[str, Any]:
        """The data of its ``reminder`` event ("for": the date it is about)."""
        data: dict[str, Any] = {"reminder": self.reminder.reminder, "for": self.reminder.about.isoformat()}
        if self.reminder.deadline is not None:
            data["deadline"] = self.reminder.deadline.isoformat()
        if self.notice_id is not None:
            data["notice_id"] = self.notice_id
        return data


def _key(agreement_id: str, data: dict[str, Any]) -> tuple[str, str, str, str | None]:
    return (agreement_id, data.get("reminder", ""), data.get("for", ""), data.get("notice_id"))


def _reminders_sent() -> set[tuple[str, str, str, str | None]]:
    rows = Session.query(AgreementEvent.agreement_id, AgreementEvent.data).filter(
        AgreementEvent.event == "reminder"
    )
    return {_key(agreement_id, data or {}) for agreement_id, data in rows}


def reminders_due(
    day: dt.date, days_before: int | None = None, progress: Callable[[Any], Any] | None = None
) -> list[DueReminder]:
    """The reminders due on ``day`` that were not sent yet."""
    days_before = settings.reminder_days() if days_before is None else days_before
    registry = K.registered()
    rows = _signed_agreements()
    notices_by, endings_by = queries.notices_and_terminations([a.id for a in rows])
    sent = _reminders_sent()
    due = []
    for agreement in progress(rows) if progress else rows:
        kind = registry.get(agreement.kind)
        if kind is None:
            continue
        notice_rows = notices_by.get(agreement.id, [])
        facts = queries.facts(agreement, notice_rows, endings_by.get(agreement.id))
        row_of = dict(zip(facts.notices, notice_rows, strict=True))
        for reminder in R.reminders_due(kind, facts, day, days_before):
            notice = row_of.get(reminder.notice) if reminder.notice is not None else None
            item = DueReminder(agreement, reminder, notice.id if notice is not None else None)
            if _key(agreement.id, item.event_data()) not in sent:
                due.append(item)
    return due


def send_reminders(
    day: dt.date,
    dry_run: bool = False,
    days_before: int | None = None,
    progress: Callable[[Any], Any] | None = None,
) -> list[DueReminder]:
    """Record each reminder due on ``day`` as a ``reminder`` event, once; the
    e-mails go out when the events are committed. Returns the reminders."""
    if not dry_run:
        exclusive()
    due = reminders_due(day, days_before, progress)
    if not dry_run:
        for item in due:
            record(item.agreement, "reminder", None, on=day, **item.event_data())
        Session.commit()  # also releases the lock when nothing was due
    return due
