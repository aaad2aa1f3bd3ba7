"""The date rules of agreements: pure functions, no database, no CKAN.

Conventions used throughout:

- every date is a ``datetime.date``; "on day D" means the whole day D;
- ``effective_on`` of a termination is the first day the agreement is no
  longer in force; ``ends_on`` is the last day it is in force (the day before);
- a term of N months from day S ends the day before ``add_months(S, N)``;
  anniversaries are counted from the start, never chained, so a start on
  31 January has its anniversaries on 31 January, and one on 29 February has
  them on 28 February except in leap years.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from collections.abc import Iterable

from ..common.messages import N_
from .kinds import Kind, TerminationMode

DRAFT = "draft"
CANCELLED = "cancelled"
SIGNED = "signed"
IN_FORCE = "in_force"
UNDER_NOTICE = "in_force_under_notice"
TERMINATING = "terminating"
TERMINATED = "terminated"
EXPIRED = "expired"
STATUSES = (DRAFT, CANCELLED, SIGNED, IN_FORCE, UNDER_NOTICE, TERMINATING, TERMINATED, EXPIRED)
IN_FORCE_STATUSES = (IN_FORCE, UNDER_NOTICE, TERMINATING)
# each status in words (msgids; the pages and the refusals translate them)
STATUS_LABELS = {
    DRAFT: N_("Draft agreement"),
    CANCELLED: N_("Cancelled"),
    SIGNED: N_("Signed, not yet in force"),
    IN_FORCE: N_("In force"),
    UNDER_NOTICE: N_("In force, under formal notice"),
    TERMINATING: N_("Terminating"),
    TERMINATED: N_("Terminated"),
    EXPIRED: N_("Expired"),
}


class RuleError(ValueError):
    """A request the rules refuse. ``field`` names the field at fault;
    ``message`` is an English msgid (translated by the caller) with
    ``%(name)s`` placeholders filled from ``params``."""

    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.field = field
        self.message = message
        self.params = params


@dataclasses.dataclass(frozen=True)
class Notice:
    """A formal notice ("mise en demeure")."""

    served_on: dt.date
    deadline: dt.date
    served_by: str = "operator"
    lifted_on: dt.date | None = None

    def running_on(self, day: dt.date) -> bool:
        """Is the notice running on ``day``? Served, and not lifted yet: the
        one rule of "a formal notice is running"."""
        return self.served_on <= day and (self.lifted_on is None or self.lifted_on > day)


def running_notice(notices: Iterable[Notice], day: dt.date) -> Notice | None:
    """The last of ``notices`` (in the order served) running on ``day``."""
    running = [notice for notice in notices if notice.running_on(day)]
    return running[-1] if running else None


@dataclasses.dataclass(frozen=True)
class Termination:
    mode: str
    initiator: str
    requested_on: dt.date
    effective_on: dt.date


@dataclasses.dataclass(frozen=True)
class Facts:
    """What is on record about one agreement."""

    signed_on: dt.date | None = None
    notified_on: dt.date | None = None
    # a later entry into force than the signature or notification states
    in_force_from: dt.date | None = None
    # the fixed end of fixed-term kinds, as last amended (None: the kind's)
    end_on: dt.date | None = None
    cancelled_on: dt.date | None = None
    notices: tuple[Notice, ...] = ()
    termination: Termination | None = None


# -- calendar arithmetic ------------------------------------------------------
def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def anniversary(start: dt.date, years: int) -> dt.date:
    return add_months(start, 12 * years)


def next_anniversary(start: dt.date, day: dt.date) -> dt.date:
    """The first anniversary of ``start`` strictly after ``day``."""
    years = max(1, day.year - start.year)
    while anniversary(start, years) <= day:
        years += 1
    while years > 1 and anniversary(start, years - 1) > day:
        years -= 1
    return anniversary(start, years)


def is_anniversary(start: dt.date, day: dt.date) -> bool:
    return day > start and next_anniversary(start, day - dt.timedelta(days=1)) == day


def end_of_year(day: dt.date) -> dt.date:
    return dt.date(day.year, 12, 31)


# -- what follows from the kind and the facts ---------------------------------
def start_date(kind: Kind, facts: Facts) -> dt.date | None:
    """The first day in force: the signature or the notification date (by
    the kind), or the later entry into force it states (a successor)."""
    recorded = facts.signed_on if kind.term.starts_on == "signature" else facts.notified_on
    if recorded is None:
        return None
    return max(recorded, facts.in_force_from) if facts.in_force_from else recorded


def fixed_end(kind: Kind, facts: Facts) -> dt.date | None:
    """The last day of a fixed-term agreement: its own ``end_on`` (as
    amended). A signed row recorded before each agreement had its end falls
    back on the kind's ``fixed_end``; None for a kind that is not fixed-term."""
    if not kind.term.fixed:
        return None
    return facts.end_on or (kind.term.fixed_end if facts.signed_on else None)


def default_end(kind: Kind, day: dt.date) -> dt.date | None:
    """The end a new fixed-term agreement starting on ``day`` gets unless it
    gives its own: the end of the kind's season running on ``day``, else the
    kind's ``fixed_end`` while it is not past; None when neither fits (the
    agreement must then give its ``end_on`` before it is signed)."""
    if not kind.term.fixed:
        return None
    for season in sorted(kind.term.seasons, key=lambda s: s.starts_on):
        if season.starts_on <= day <= season.ends_on:
            return season.ends_on
    if kind.term.fixed_end is not None and kind.term.fixed_end >= day:
        return kind.term.fixed_end
    return None


def check_term_not_over(kind: Kind, facts: Facts, field: str) -> None:
    """A fixed-term agreement whose start (signature or notification, by the
    kind) is being recorded needs its end, and a term that is not over on its
    first day: else a RuleError naming ``end_on``. ``field`` is the date
    being recorded (for the message)."""
    if not kind.term.fixed:
        return
    start = start_date(kind, facts)
    if facts.end_on is None:
        raise RuleError(
            "end_on",
            N_("A fixed-term agreement needs its end (end_on) before %(date)s is recorded"),
            date=field,
        )
    if start is not None and facts.end_on < start:
        raise RuleError(
            "end_on",
            N_(
                "The term would be over before it starts: the agreement ends on %(end)s "
                "(end_on), before %(start)s; record its end first"
            ),
            end=facts.end_on.isoformat(),
            start=start.isoformat(),
        )


def term_end_without_termination(kind: Kind, facts: Facts, day: dt.date) -> dt.date | None:
    """The last day of the term running on ``day``, before any termination."""
    start = start_date(kind, facts)
    if start is None:
        return None
    end = fixed_end(kind, facts)
    if end is not None:
        return end
    if kind.renewal.tacit:
        return next_anniversary(start, max(day, start)) - dt.timedelta(days=1)
    if kind.term.months is None:  # a fixed-term agreement with no end on record
        return None
    return add_months(start, kind.term.months) - dt.timedelta(days=1)


def status(kind: Kind, facts: Facts, day: dt.date) -> str:
    """The status on ``day``, derived from the facts alone."""
    if facts.cancelled_on is not None and facts.cancelled_on <= day:
        return CANCELLED
    if facts.signed_on is None or facts.signed_on > day:
        return DRAFT
    start = start_date(kind, facts)
    if start is None or start > day:
        return SIGNED
    termination = facts.termination
    if termination is not None and termination.effective_on <= day:
        return TERMINATED
    end = term_end_without_termination(kind, facts, day)
    if end is not None and not kind.renewal.tacit and day > end:
        return EXPIRED
    if termination is not None and termination.requested_on <= day:
        return TERMINATING
    if any(notice.running_on(day) for notice in facts.notices):
        return UNDER_NOTICE
    return IN_FORCE


def in_force(kind: Kind, facts: Facts, day: dt.date) -> bool:
    return status(kind, facts, day) in IN_FORCE_STATUSES


def grants_publication(kind: Kind, facts: Facts, day: dt.date) -> bool:
    return kind.grants_publication and in_force(kind, facts, day)


def ends_on(kind: Kind, facts: Facts) -> dt.date | None:
    """The last day in force when it is known (a termination or a fixed end)."""
    end = fixed_end(kind, facts)
    if facts.termination is not None:
        last = facts.termination.effective_on - dt.timedelta(days=1)
        return last if end is None else min(last, end)
    if end is not None:
        return end
    if not kind.renewal.tacit and kind.term.months is not None:
        start = start_date(kind, facts)
        return add_months(start, kind.term.months) - dt.timedelta(days=1) if start else None
    return None


# -- one agreement of a kind in force on a day -----------------------------------
Span = tuple[dt.date, "dt.date | None"]  # first and last day in force (None: no end known)


def in_force_span(kind: Kind, facts: Facts) -> Span | None:
    """The days the agreement is (or will be) in force as the facts stand:
    (first, last), ``last`` None while no end is known (a tacitly renewed
    agreement with no termination); None when it is never in force (not
    started yet, cancelled, or ending before it starts)."""
    if facts.cancelled_on is not None or facts.signed_on is None:
        return None
    start = start_date(kind, facts)
    if start is None:
        return None
    last = ends_on(kind, facts)
    if last is not None and last < start:
        return None
    return start, last


def overlap(one: Span, other: Span) -> Span | None:
    """The days two spans share, or None."""
    first = max(one[0], other[0])
    ends = [last for last in (one[1], other[1]) if last is not None]
    last = min(ends) if ends else None
    if last is not None and last < first:
        return None
    return first, last


def check_no_overlap(
    kind: Kind, facts: Facts, reference: str, others: Iterable[tuple[str, Facts]], field: str
) -> None:
    """Any number of drafts and signed agreements of a kind may exist; two
    agreements of one kind in force on the same day may not. Called when a
    date that brings ``facts`` into force (or moves its end) is recorded:
    a RuleError on ``field`` names both agreements and the days they share."""
    span = in_force_span(kind, facts)
    if span is None:
        return
    for other_reference, other_facts in others:
        other_span = in_force_span(kind, other_facts)
        shared = overlap(span, other_span) if other_span is not None else None
        if shared is None or other_span is None:
            continue
        if shared[1] is None:
            raise RuleError(
                field,
                N_(
                    "%(reference)s and %(other)s, of the same kind, would both be in force from "
                    "%(first)s on (no end is known for %(open)s): an organization holds one agreement "
                    "of a kind in force on a given day; record the end of the current one first"
                ),
                reference=reference,
                other=other_reference,
                first=shared[0].isoformat(),
                open=other_reference if other_span[1] is None else reference,
            )
        raise RuleError(
            field,
            N_(
                "%(reference)s and %(other)s, of the same kind, would both be in force from "
                "%(first)s to %(last)s: an organization holds one agreement of a kind in force on "
                "a given day"
            ),
            reference=reference,
            other=other_reference,
            first=shared[0].isoformat(),
            last=shared[1].isoformat(),
        )


def summary(kind: Kind, facts: Facts, day: dt.date) -> dict[str, object]:
    """The computed fields of an agreement as of ``day``."""
    current = status(kind, facts, day)
    start = start_date(kind, facts)
    running = current in IN_FORCE_STATUSES
    upcoming = running and start is not None and kind.renewal.tacit
    anniversary_day = next_anniversary(start, day) if upcoming and start is not None else None
    mode = kind.anniversary_mode
    deadline = (
        add_months(anniversary_day, -mode.notice_months) if anniversary_day is not None and mode else None
    )
    term_end = term_end_without_termination(kind, facts, day) if running or current == SIGNED else None
    final = ends_on(kind, facts)
    if term_end is not None and final is not None:
        term_end = min(term_end, final)
    return {
        "status": current,
        "in_force_from": start,
        "current_term_end": term_end,
        "next_anniversary": anniversary_day,
        "anniversary_notice_deadline": deadline,
        "ends_on": final,
        "grants_publication": kind.grants_publication and running,
    }


# -- terminations --------------------------------------------------------------
def termination_mode(kind: Kind, mode: str) -> TerminationMode:
    if mode not in kind.terminations:
        raise RuleError(
            "mode",
            N_("This kind of agreement has no termination mode %(mode)s; its modes are: %(modes)s"),
            mode=mode,
            modes=", ".join(kind.terminations),
        )
    return kind.terminations[mode]


def earliest_effective_date(kind: Kind, facts: Facts, mode: str, requested_on: dt.date) -> dt.date:
    """The first day the agreement would no longer be in force, for a
    termination of ``mode`` requested on ``requested_on``."""
    rule = termination_mode(kind, mode)
    if rule.effective == "anniversary":
        start = start_date(kind, facts)
        assert start is not None
        candidate = next_anniversary(start, requested_on)
        while add_months(candidate, -rule.notice_months) < requested_on:
            candidate = next_anniversary(start, candidate)
        return candidate
    if rule.effective == "after_notice":
        return add_months(requested_on, rule.notice_months)
    if rule.effective == "end_of_year":
        return end_of_year(requested_on) + dt.timedelta(days=1)
    return requested_on  # "given": the date the termination states, from the request on


def check_termination(
    kind: Kind,
    facts: Facts,
    mode: str,
    initiator: str,
    requested_on: dt.date,
    effective_on: dt.date | None = None,
) -> Termination:
    """The termination the rules allow, or a RuleError naming the field."""
    rule = termination_mode(kind, mode)
    if initiator not in rule.initiators:
        raise RuleError(
            "initiator",
            N_("Only %(parties)s may use this termination mode"),
            parties=" / ".join(rule.initiators),
        )
    current = status(kind, facts, requested_on)
    if facts.termination is not None:
        raise RuleError("mode", N_("A termination is already recorded for this agreement"))
    if current not in (IN_FORCE, UNDER_NOTICE):
        raise RuleError(
            "requested_on",
            N_("Only an agreement in force can be terminated; on %(day)s it is %(status)s"),
            day=requested_on.isoformat(),
            status=current,
        )
    if rule.requires_formal_notice:
        _check_formal_notice(facts, initiator, requested_on)
    earliest = earliest_effective_date(kind, facts, mode, requested_on)
    if effective_on is None:
        effective_on = earliest
    elif rule.effective == "anniversary":
        start = start_date(kind, facts)
        assert start is not None
        if effective_on < earliest or not is_anniversary(start, effective_on):
            raise RuleError(
                "effective_on",
                N_(
                    "A termination at the anniversary date takes effect on an anniversary, "
                    "%(earliest)s at the earliest"
                ),
                earliest=earliest.isoformat(),
            )
    elif effective_on < earliest:
        raise RuleError(
            "effective_on",
            N_("The effective date cannot be before %(earliest)s"),
            earliest=earliest.isoformat(),
        )
    elif effective_on != earliest and rule.effective != "given" and not rule.later_allowed:
        raise RuleError(
            "effective_on",
            N_("This termination takes effect on %(earliest)s"),
            earliest=earliest.isoformat(),
        )
    end = fixed_end(kind, facts)
    if end is not None and effective_on > end + dt.timedelta(days=1):
        raise RuleError(
            "effective_on",
            N_("The agreement ends on %(end)s anyway: a termination cannot take effect after that"),
            end=end.isoformat(),
        )
    return Termination(mode=mode, initiator=initiator, requested_on=requested_on, effective_on=effective_on)


def check_termination_terms(
    mode: TerminationMode, motives: str | None, modalities: str | None, expert: str | None
) -> None:
    """What a termination letter must state (seed 000, art. 7): its motives,
    unless the mode needs none; for an agreed termination (art. 7.2) the
    modalities agreed by the parties, or the expert they appointed."""
    if mode.motives_required and not (motives or "").strip():
        raise RuleError("motives", N_("A termination states its motives (art. 7 of the agreement)"))
    if mode.modalities and not ((modalities or "").strip() or (expert or "").strip()):
        raise RuleError(
            "modalities",
            N_(
                "A termination by mutual agreement records the modalities agreed by the parties, "
                "or the expert appointed by them to set them"
            ),
        )
    if not mode.modalities and ((modalities or "").strip() or (expert or "").strip()):
        raise RuleError("modalities", N_("This termination mode has no modalities agreed by the parties"))


def _check_formal_notice(facts: Facts, initiator: str, requested_on: dt.date) -> None:
    served = [n for n in facts.notices if n.served_by == initiator and n.served_on <= requested_on]
    running = [n for n in served if n.running_on(requested_on)]
    if not running:
        raise RuleError(
            "mode",
            N_("A termination for fault needs a formal notice served by the same party, not lifted"),
        )
    if all(requested_on <= n.deadline for n in running):
        deadline = min(n.deadline for n in running)
        raise RuleError(
            "requested_on",
            N_("The formal notice's deadline (%(deadline)s) has not passed yet"),
            deadline=deadline.isoformat(),
        )


# -- what the calendar makes happen -------------------------------------------
def renewals_until(kind: Kind, facts: Facts, day: dt.date) -> list[dt.date]:
    """The anniversaries on which the agreement renewed, up to ``day``."""
    start = start_date(kind, facts)
    if not kind.renewal.tacit or start is None or facts.cancelled_on is not None or start > day:
        return []
    stop = facts.termination.effective_on if facts.termination else None
    dates, years = [], 1
    while (when := anniversary(start, years)) <= day:
        if stop is not None and when >= stop:
            break
        dates.append(when)
        years += 1
    return dates


def expiry_date(kind: Kind, facts: Facts) -> dt.date | None:
    """The first day an agreement that does not renew is expired (None if it
    renews, has not started, or a termination comes first)."""
    start = start_date(kind, facts)
    if start is None or kind.renewal.tacit:
        return None
    end = fixed_end(kind, facts)
    if end is None:
        if kind.term.months is None:  # a fixed-term agreement with no end on record
            return None
        end = add_months(start, kind.term.months) - dt.timedelta(days=1)
    expiry = end + dt.timedelta(days=1)
    if facts.termination is not None and facts.termination.effective_on <= expiry:
        return None
    return expiry


def valid_until(kind: Kind, facts: Facts, day: dt.date) -> dt.date | None:
    """The first day after ``day`` on which ``summary`` may change, the facts
    staying as they are (None: never). Every date the summary depends on is a
    candidate: the signature, the start, a cancellation, a notice served or
    lifted, a termination requested or effective, the next anniversary, the
    day after a fixed end."""
    start = start_date(kind, facts)
    candidates = [facts.signed_on, start, facts.cancelled_on]
    for notice in facts.notices:
        candidates += [notice.served_on, notice.lifted_on]
    if facts.termination is not None:
        candidates += [facts.termination.requested_on, facts.termination.effective_on]
    end = fixed_end(kind, facts)
    if end is not None:
        candidates.append(end + dt.timedelta(days=1))
    if start is not None and kind.renewal.tacit:
        candidates.append(next_anniversary(start, max(day, start)))
    elif start is not None and kind.term.months is not None:
        candidates.append(add_months(start, kind.term.months))
    future = [candidate for candidate in candidates if candidate is not None and candidate > day]
    return min(future) if future else None


# -- reminders -------------------------------------------------------------------
# Each reminder is due from the day ``days_before`` days before the date it is
# about, up to that date included: a scheduled run that missed the first day
# still sends it, and the caller sends each one once (it keys them by kind and
# ``about``).
ANNIVERSARY_NOTICE = "anniversary_notice"  # the notice window before an anniversary opens
NOTICE_DEADLINE = "notice_deadline"  # a formal notice's deadline is near
EXPIRY = "expiry"  # a fixed-term agreement's end is near
REMINDERS = (ANNIVERSARY_NOTICE, NOTICE_DEADLINE, EXPIRY)


@dataclasses.dataclass(frozen=True)
class Reminder:
    reminder: str  # one of REMINDERS
    # the date it is about: the anniversary, the notice's deadline, the last day in force
    about: dt.date
    opens_on: dt.date  # the first day it is due
    # ANNIVERSARY_NOTICE: the last day to give notice for that anniversary
    deadline: dt.date | None = None
    notice: Notice | None = None  # NOTICE_DEADLINE: the notice concerned


def _window(about: dt.date, days_before: int) -> dt.date:
    if days_before < 0:
        raise ValueError("days_before: must not be negative")
    return about - dt.timedelta(days=days_before)


def anniversary_notice_reminder(kind: Kind, facts: Facts, day: dt.date, days_before: int) -> Reminder | None:
    """The window to give notice before the next anniversary opens: due from
    ``days_before`` days before the last day to give notice, up to that day;
    only for a renewing agreement in force with no termination on record."""
    mode = kind.anniversary_mode
    start = start_date(kind, facts)
    if mode is None or start is None or facts.termination is not None:
        return None
    if status(kind, facts, day) not in (IN_FORCE, UNDER_NOTICE):
        return None
    upcoming = next_anniversary(start, day)
    deadline = add_months(upcoming, -mode.notice_months)
    opens = _window(deadline, days_before)
    if opens <= day <= deadline:
        return Reminder(ANNIVERSARY_NOTICE, about=upcoming, opens_on=opens, deadline=deadline)
    return None


def notice_deadline_reminders(kind: Kind, facts: Facts, day: dt.date, days_before: int) -> list[Reminder]:
    """A running formal notice's deadline is near: due from ``days_before``
    days before it, up to it. When that first day is not after the day the
    notice was served, the notice itself (which states its deadline) stands
    for the reminder: none is due."""
    if status(kind, facts, day) not in IN_FORCE_STATUSES:
        return []
    due = []
    for notice in facts.notices:
        opens = _window(notice.deadline, days_before)
        if notice.running_on(day) and notice.served_on < opens <= day <= notice.deadline:
            due.append(Reminder(NOTICE_DEADLINE, about=notice.deadline, opens_on=opens, notice=notice))
    return due


def expiry_reminder(kind: Kind, facts: Facts, day: dt.date, days_before: int) -> Reminder | None:
    """A fixed-term agreement ends by itself: due from ``days_before`` days
    before its last day, up to that day (not when a termination comes first)."""
    expiry = expiry_date(kind, facts)
    if expiry is None or status(kind, facts, day) not in IN_FORCE_STATUSES:
        return None
    last_day = expiry - dt.timedelta(days=1)
    opens = _window(last_day, days_before)
    if opens <= day <= last_day:
        return Reminder(EXPIRY, about=last_day, opens_on=opens)
    return None


def reminders_due(kind: Kind, facts: Facts, day: dt.date, days_before: int) -> list[Reminder]:
    """Every reminder due on ``day`` (whether already sent is the caller's business)."""
    due: list[Reminder] = []
    anniversary_reminder = anniversary_notice_reminder(kind, facts, day, days_before)
    if anniversary_reminder is not None:
        due.append(anniversary_reminder)
    due.extend(notice_deadline_reminders(kind, facts, day, days_before))
    ending = expiry_reminder(kind, facts, day, days_before)
    if ending is not None:
        due.append(ending)
    return due
