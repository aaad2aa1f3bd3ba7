"""When each reminder is due: pure date rules, table-driven, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.datasud_partnership.agreements import rules as R
from ckanext.datasud_partnership.agreements.rules import Facts, Notice, Termination


@pytest.fixture(autouse=True)
def load_standard_plugins():
    """Pure functions: no CKAN plugins needed (overrides conftest's)."""


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def datasud_facts(notified: str = "2024-01-31", **more) -> Facts:
    return Facts(signed_on=d("2024-01-15"), notified_on=d(notified), **more)


# -- (a) the window to give notice before an anniversary opens -----------------
@pytest.mark.parametrize(
    ("notified", "day", "days_before", "expected"),
    [
        # anniversary 2025-01-31, last day to give notice 2024-12-31
        ("2024-01-31", "2024-11-30", 30, None),
        ("2024-01-31", "2024-12-01", 30, ("2025-01-31", "2024-12-31", "2024-12-01")),
        ("2024-01-31", "2024-12-20", 30, ("2025-01-31", "2024-12-31", "2024-12-01")),  # catching up
        ("2024-01-31", "2024-12-31", 30, ("2025-01-31", "2024-12-31", "2024-12-01")),
        ("2024-01-31", "2025-01-01", 30, None),  # too late to give notice for this one
        ("2024-01-31", "2025-01-31", 30, None),  # the anniversary itself
        ("2024-01-31", "2025-12-01", 30, ("2026-01-31", "2025-12-31", "2025-12-01")),  # the year after
        ("2024-01-31", "2024-12-30", 0, None),
        ("2024-01-31", "2024-12-31", 0, ("2025-01-31", "2024-12-31", "2024-12-31")),
        ("2024-01-31", "2024-12-16", 15, ("2025-01-31", "2024-12-31", "2024-12-16")),
        # 29 February: the anniversary falls on 28 February, notice by 28 January
        ("2024-02-29", "2024-12-29", 30, ("2025-02-28", "2025-01-28", "2024-12-29")),
        ("2024-02-29", "2024-12-28", 30, None),
        # a month end: 31 March -> notice by 28 February (2025 is not a leap year)
        ("2024-03-31", "2025-01-29", 30, ("2025-03-31", "2025-02-28", "2025-01-29")),
        ("2024-03-31", "2025-03-01", 30, None),
        # 2028 is a leap year: notice by 29 February
        ("2024-03-31", "2028-01-30", 30, ("2028-03-31", "2028-02-29", "2028-01-30")),
        # over the year end
        ("2024-01-15", "2024-11-15", 31, ("2025-01-15", "2024-12-15", "2024-11-14")),
    ],
)
def test_anniversary_notice_reminder(datasud, notified, day, days_before, expected):
    reminder = R.anniversary_notice_reminder(datasud, datasud_facts(notified), d(day), days_before)
    if expected is None:
        assert reminder is None
    else:
        anniversary, deadline, opens = map(d, expected)
        assert reminder == R.Reminder(
            R.ANNIVERSARY_NOTICE, about=anniversary, opens_on=opens, deadline=deadline
        )


@pytest.mark.parametrize(
    ("facts", "day"),
    [
        (Facts(signed_on=d("2024-01-15")), "2024-12-15"),  # signed, never notified
        (datasud_facts(cancelled_on=d("2024-01-20")), "2024-12-15"),
        # a termination is on record: no anniversary to think about
        (
            datasud_facts(termination=Termination("mutual", "partner", d("2024-11-01"), d("2025-03-01"))),
            "2024-12-15",
        ),
        (
            datasud_facts(
                termination=Termination("anniversary", "partner", d("2024-06-01"), d("2025-01-31"))
            ),
            "2024-12-15",
        ),
    ],
)
def test_no_anniversary_reminder(datasud, facts, day):
    assert R.anniversary_notice_reminder(datasud, facts, d(day), 30) is None


def test_an_agreement_under_notice_still_gets_the_anniversary_reminder(datasud):
    notice = Notice(served_on=d("2024-11-20"), deadline=d("2025-01-10"))
    facts = datasud_facts(notices=(notice,))
    assert R.status(datasud, facts, d("2024-12-15")) == R.UNDER_NOTICE
    assert R.anniversary_notice_reminder(datasud, facts, d("2024-12-15"), 30) is not None


def test_a_fixed_term_kind_has_no_anniversary_reminder(challenge):
    facts = Facts(signed_on=d("2022-03-15"))
    assert R.anniversary_notice_reminder(challenge, facts, d("2023-02-15"), 30) is None


# -- (b) a formal notice's deadline is near --------------------------------------
LONG_NOTICE = Notice(served_on=d("2024-06-01"), deadline=d("2024-08-15"))


@pytest.mark.parametrize(
    ("notice", "day", "days_before", "due"),
    [
        (LONG_NOTICE, "2024-07-15", 30, False),
        (LONG_NOTICE, "2024-07-16", 30, True),  # 30 days before the deadline
        (LONG_NOTICE, "2024-08-15", 30, True),  # catching up, up to the deadline
        (LONG_NOTICE, "2024-08-16", 30, False),
        (LONG_NOTICE, "2024-08-05", 10, True),
        (LONG_NOTICE, "2024-08-04", 10, False),
        # lifted: nothing to remind
        (Notice(d("2024-06-01"), d("2024-08-15"), lifted_on=d("2024-07-20")), "2024-07-25", 30, False),
        # a notice shorter than the window: its own e-mail gave the deadline
        (Notice(d("2024-06-01"), d("2024-06-30")), "2024-06-01", 30, False),
        (Notice(d("2024-06-01"), d("2024-06-30")), "2024-06-15", 30, False),
        (Notice(d("2024-06-01"), d("2024-07-01")), "2024-06-01", 30, False),  # the same day
        (Notice(d("2024-06-01"), d("2024-07-02")), "2024-06-02", 30, True),  # the day after
        (Notice(d("2024-06-01"), d("2024-06-30")), "2024-06-20", 10, True),
    ],
)
def test_notice_deadline_reminder(datasud, notice, day, days_before, due):
    facts = datasud_facts(notices=(notice,))
    reminders = R.notice_deadline_reminders(datasud, facts, d(day), days_before)
    if due:
        opens = notice.deadline - dt.timedelta(days=days_before)
        assert reminders == [
            R.Reminder(R.NOTICE_DEADLINE, about=notice.deadline, opens_on=opens, notice=notice)
        ]
    else:
        assert reminders == []


def test_only_the_running_notice_is_reminded(datasud):
    lifted = Notice(d("2024-03-01"), d("2024-05-15"), lifted_on=d("2024-04-01"))
    running = Notice(d("2024-06-01"), d("2024-08-15"))
    facts = datasud_facts(notices=(lifted, running))
    assert [r.notice for r in R.notice_deadline_reminders(datasud, facts, d("2024-08-01"), 30)] == [running]


# -- (c) the end of a fixed-term agreement is near ---------------------------------
CHALLENGE = Facts(signed_on=d("2022-03-15"))


@pytest.mark.parametrize(
    ("facts", "day", "days_before", "last_day"),
    [
        (CHALLENGE, "2023-11-30", 30, None),
        (CHALLENGE, "2023-12-01", 30, "2023-12-31"),  # 30 days before the last day
        (CHALLENGE, "2023-12-31", 30, "2023-12-31"),  # the last day in force
        (CHALLENGE, "2024-01-01", 30, None),  # expired
        (CHALLENGE, "2023-10-02", 90, "2023-12-31"),
        (CHALLENGE, "2023-10-01", 90, None),
        # an amendment moved the end to 30 June 2024
        (Facts(signed_on=d("2022-03-15"), end_on=d("2024-06-30")), "2023-12-15", 30, None),
        (Facts(signed_on=d("2022-03-15"), end_on=d("2024-06-30")), "2024-05-31", 30, "2024-06-30"),
        # a termination comes first: no expiry to remind of
        (
            Facts(
                signed_on=d("2022-03-15"),
                termination=Termination("mutual", "partner", d("2023-03-01"), d("2024-01-01")),
            ),
            "2023-12-15",
            30,
            None,
        ),
        # not signed yet
        (Facts(), "2023-12-15", 30, None),
    ],
)
def test_expiry_reminder(challenge, facts, day, days_before, last_day):
    reminder = R.expiry_reminder(challenge, facts, d(day), days_before)
    if last_day is None:
        assert reminder is None
    else:
        opens = d(last_day) - dt.timedelta(days=days_before)
        assert reminder == R.Reminder(R.EXPIRY, about=d(last_day), opens_on=opens)


def test_a_renewing_kind_never_expires(datasud):
    for day in ("2024-12-01", "2025-01-15", "2030-12-31"):
        assert R.expiry_reminder(datasud, datasud_facts(), d(day), 30) is None


def test_reminders_due_gathers_them(datasud):
    notice = Notice(d("2024-11-01"), d("2024-12-20"))
    facts = datasud_facts(notices=(notice,))
    due = R.reminders_due(datasud, facts, d("2024-12-10"), 30)
    assert [r.reminder for r in due] == [R.ANNIVERSARY_NOTICE, R.NOTICE_DEADLINE]
    assert R.reminders_due(datasud, facts, d("2024-10-01"), 30) == []


def test_a_negative_window_is_refused(datasud):
    with pytest.raises(ValueError):
        R.reminders_due(datasud, datasud_facts(), d("2024-12-10"), -1)
