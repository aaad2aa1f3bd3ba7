"""The date rules of both seed agreements, table-driven, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.datasud_partnership.agreements import rules as R
from ckanext.datasud_partnership.agreements.rules import Facts, Notice, RuleError, Termination


@pytest.fixture(autouse=True)
def load_standard_plugins():
    """Pure functions: no CKAN plugins needed (overrides conftest's)."""


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2024-01-31", 1, "2024-02-29"),  # leap year month end
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-03-31", -1, "2024-02-29"),
        ("2024-04-30", 1, "2024-05-30"),
        ("2024-02-29", 12, "2025-02-28"),  # 29 February falls on 28 February
        ("2024-02-29", 48, "2028-02-29"),
        ("2024-12-31", 1, "2025-01-31"),  # year end
        ("2025-01-15", -13, "2023-12-15"),
    ],
)
def test_add_months(day, months, expected):
    assert R.add_months(d(day), months) == d(expected)


@pytest.mark.parametrize(
    ("start", "day", "expected"),
    [
        ("2024-01-31", "2024-01-31", "2025-01-31"),
        ("2024-01-31", "2025-01-30", "2025-01-31"),
        ("2024-01-31", "2025-01-31", "2026-01-31"),  # on the anniversary: the next one
        ("2024-02-29", "2024-03-01", "2025-02-28"),
        ("2024-02-29", "2025-02-28", "2026-02-28"),
        ("2024-02-29", "2027-03-01", "2028-02-29"),  # leap year again
        ("2023-12-31", "2024-12-30", "2024-12-31"),
        ("2024-04-30", "2031-05-01", "2032-04-30"),
    ],
)
def test_next_anniversary(start, day, expected):
    assert R.next_anniversary(d(start), d(day)) == d(expected)


# -- DataSud partnership (seed 000) -------------------------------------------
SIGNED = Facts(signed_on=d("2024-01-15"), notified_on=d("2024-01-31"))


@pytest.mark.parametrize(
    ("facts", "day", "status"),
    [
        (Facts(), "2024-01-01", R.DRAFT),
        (SIGNED, "2024-01-10", R.DRAFT),
        (Facts(signed_on=d("2024-01-15")), "2024-06-01", R.SIGNED),  # not notified
        (SIGNED, "2024-01-20", R.SIGNED),  # signed, notification ahead
        (SIGNED, "2024-01-31", R.IN_FORCE),  # in force from the notification
        (SIGNED, "2031-07-14", R.IN_FORCE),  # renewed tacitly, year after year
        (Facts(signed_on=d("2024-01-15"), cancelled_on=d("2024-01-16")), "2024-02-01", R.CANCELLED),
    ],
)
def test_datasud_status(datasud, facts, day, status):
    assert R.status(datasud, facts, d(day)) == status


def test_datasud_summary(datasud):
    summary = R.summary(datasud, SIGNED, d("2024-06-01"))
    assert summary == {
        "status": R.IN_FORCE,
        "in_force_from": d("2024-01-31"),
        "current_term_end": d("2025-01-30"),
        "next_anniversary": d("2025-01-31"),
        "anniversary_notice_deadline": d("2024-12-31"),
        "ends_on": None,
        "grants_publication": True,
    }
    # a year later, after the tacit renewal
    later = R.summary(datasud, SIGNED, d("2025-01-31"))
    assert later["next_anniversary"] == d("2026-01-31")
    assert later["current_term_end"] == d("2026-01-30")


@pytest.mark.parametrize(
    ("notified", "requested", "effective"),
    [
        # the deadline is the anniversary minus one month
        ("2024-01-31", "2024-12-31", "2025-01-31"),  # exactly on the deadline
        ("2024-01-31", "2025-01-01", "2026-01-31"),  # one day after: next anniversary
        ("2024-03-31", "2025-02-28", "2025-03-31"),  # deadline clamped to 28 February
        ("2024-03-31", "2025-03-01", "2026-03-31"),
        ("2024-04-30", "2025-03-30", "2025-04-30"),
        ("2024-04-30", "2025-03-31", "2026-04-30"),
        ("2024-02-29", "2025-01-28", "2025-02-28"),  # 29 February: anniversary 28 February
        ("2024-02-29", "2025-01-29", "2026-02-28"),
        ("2024-02-29", "2028-01-29", "2028-02-29"),  # and 29 February in a leap year
        ("2023-12-31", "2024-11-30", "2024-12-31"),  # year end
        ("2023-12-31", "2024-12-01", "2025-12-31"),
        ("2024-01-31", "2024-02-01", "2025-01-31"),  # early in the first year
    ],
)
def test_anniversary_termination(datasud, notified, requested, effective):
    facts = Facts(signed_on=d(notified), notified_on=d(notified))
    termination = R.check_termination(datasud, facts, "anniversary", "partner", d(requested))
    assert termination.effective_on == d(effective)
    # a later anniversary is allowed too, another day is not
    later = R.anniversary(d(notified), (d(effective).year - d(notified).year) + 1)
    assert (
        R.check_termination(datasud, facts, "anniversary", "operator", d(requested), later).effective_on
        == later
    )
    with pytest.raises(RuleError) as error:
        R.check_termination(
            datasud, facts, "anniversary", "partner", d(requested), d(effective) + dt.timedelta(1)
        )
    assert error.value.field == "effective_on"


@pytest.mark.parametrize(
    ("requested", "wanted", "effective"),
    [
        ("2025-01-31", None, "2025-02-28"),  # one month's notice, clamped
        ("2024-12-31", None, "2025-01-31"),
        ("2025-03-15", "2025-06-01", "2025-06-01"),  # a later date agreed
    ],
)
def test_mutual_termination(datasud, requested, wanted, effective):
    wanted_date = d(wanted) if wanted else None
    termination = R.check_termination(datasud, SIGNED, "mutual", "operator", d(requested), wanted_date)
    assert termination.effective_on == d(effective)


def test_mutual_termination_needs_a_month(datasud):
    with pytest.raises(RuleError) as error:
        R.check_termination(datasud, SIGNED, "mutual", "partner", d("2025-01-31"), d("2025-02-27"))
    assert error.value.field == "effective_on"
    assert "2025-02-28" in str(error.value)


NOTICE = Notice(served_on=d("2024-06-01"), deadline=d("2024-06-30"), served_by="operator")


def test_fault_termination_only_after_the_deadline(datasud):
    facts = Facts(signed_on=d("2024-01-15"), notified_on=d("2024-01-31"), notices=(NOTICE,))
    with pytest.raises(RuleError) as before:
        R.check_termination(datasud, facts, "fault", "operator", d("2024-06-30"))
    assert before.value.field == "requested_on"
    after = R.check_termination(datasud, facts, "fault", "operator", d("2024-07-01"), d("2024-08-01"))
    assert after == Termination("fault", "operator", d("2024-07-01"), d("2024-08-01"))
    assert R.check_termination(datasud, facts, "fault", "operator", d("2024-07-01")).effective_on == d(
        "2024-07-01"
    )


@pytest.mark.parametrize(
    ("notices", "initiator", "effective", "field"),
    [
        ((), "operator", None, "mode"),  # no formal notice
        ((Notice(d("2024-06-01"), d("2024-06-30"), "operator", d("2024-06-20")),), "operator", None, "mode"),
        ((NOTICE,), "partner", None, "mode"),  # served by the other party
        ((NOTICE,), "operator", "2024-06-30", "effective_on"),  # before the request
    ],
)
def test_fault_termination_refused(datasud, notices, initiator, effective, field):
    facts = Facts(signed_on=d("2024-01-15"), notified_on=d("2024-01-31"), notices=notices)
    with pytest.raises(RuleError) as error:
        R.check_termination(
            datasud, facts, "fault", initiator, d("2024-07-01"), d(effective) if effective else None
        )
    assert error.value.field == field


def test_status_through_a_formal_notice_and_a_termination(datasud):
    facts = Facts(signed_on=d("2024-01-15"), notified_on=d("2024-01-31"), notices=(NOTICE,))
    assert R.status(datasud, facts, d("2024-05-31")) == R.IN_FORCE
    assert R.status(datasud, facts, d("2024-06-01")) == R.UNDER_NOTICE
    assert R.status(datasud, facts, d("2024-07-15")) == R.UNDER_NOTICE  # deadline passed, not lifted
    ended = Facts(
        signed_on=facts.signed_on,
        notified_on=facts.notified_on,
        notices=facts.notices,
        termination=Termination("fault", "operator", d("2024-07-01"), d("2024-08-01")),
    )
    assert R.status(datasud, ended, d("2024-07-01")) == R.TERMINATING
    assert R.status(datasud, ended, d("2024-07-31")) == R.TERMINATING
    assert R.status(datasud, ended, d("2024-08-01")) == R.TERMINATED
    assert R.summary(datasud, ended, d("2024-07-15"))["ends_on"] == d("2024-07-31")
    assert R.grants_publication(datasud, ended, d("2024-07-31"))
    assert not R.grants_publication(datasud, ended, d("2024-08-01"))
    lifted = Facts(
        signed_on=facts.signed_on,
        notified_on=facts.notified_on,
        notices=(Notice(d("2024-06-01"), d("2024-06-30"), "operator", d("2024-06-20")),),
    )
    assert R.status(datasud, lifted, d("2024-06-19")) == R.UNDER_NOTICE
    assert R.status(datasud, lifted, d("2024-06-20")) == R.IN_FORCE


def test_no_termination_of_an_agreement_not_in_force(datasud):
    with pytest.raises(RuleError) as error:
        R.check_termination(datasud, Facts(signed_on=d("2024-01-15")), "mutual", "operator", d("2024-02-01"))
    assert error.value.field == "requested_on"


def test_unknown_mode_and_initiator(datasud, challenge):
    with pytest.raises(RuleError) as mode:
        R.check_termination(
            challenge, Facts(signed_on=d("2022-03-15")), "anniversary", "partner", d("2022-05-01")
        )
    assert mode.value.field == "mode"
    with pytest.raises(RuleError) as party:
        R.check_termination(
            challenge, Facts(signed_on=d("2022-03-15")), "beneficiary_early", "operator", d("2022-05-01")
        )
    assert party.value.field == "initiator"


def test_renewals(datasud):
    assert R.renewals_until(datasud, SIGNED, d("2026-02-01")) == [d("2025-01-31"), d("2026-01-31")]
    assert R.renewals_until(datasud, SIGNED, d("2025-01-30")) == []
    ended = Facts(
        signed_on=SIGNED.signed_on,
        notified_on=SIGNED.notified_on,
        termination=Termination("anniversary", "partner", d("2025-12-01"), d("2026-01-31")),
    )
    assert R.renewals_until(datasud, ended, d("2027-06-01")) == [d("2025-01-31")]


# -- Challenge Open Data (seed 003) -------------------------------------------
CHALLENGE = Facts(signed_on=d("2022-03-15"))


@pytest.mark.parametrize(
    ("day", "status"),
    [
        ("2022-03-14", R.DRAFT),
        ("2022-03-15", R.IN_FORCE),
        ("2023-12-31", R.IN_FORCE),
        ("2024-01-01", R.EXPIRED),
    ],
)
def test_challenge_status(challenge, day, status):
    assert R.status(challenge, CHALLENGE, d(day)) == status


def test_challenge_summary_and_expiry(challenge):
    summary = R.summary(challenge, CHALLENGE, d("2023-06-01"))
    assert summary["in_force_from"] == d("2022-03-15")
    assert summary["ends_on"] == d("2023-12-31")
    assert summary["current_term_end"] == d("2023-12-31")
    assert summary["next_anniversary"] is None
    assert summary["anniversary_notice_deadline"] is None
    assert R.expiry_date(challenge, CHALLENGE) == d("2024-01-01")
    assert R.renewals_until(challenge, CHALLENGE, d("2030-01-01")) == []


def test_an_amendment_moves_the_end(challenge):
    amended = Facts(signed_on=d("2022-03-15"), end_on=d("2024-06-30"))
    assert R.status(challenge, amended, d("2024-01-01")) == R.IN_FORCE
    assert R.status(challenge, amended, d("2024-07-01")) == R.EXPIRED
    assert R.expiry_date(challenge, amended) == d("2024-07-01")


@pytest.mark.parametrize(
    ("mode", "initiator", "requested", "wanted", "effective"),
    [
        ("beneficiary_early", "partner", "2023-05-10", "2023-06-01", "2023-06-01"),
        ("beneficiary_early", "partner", "2023-05-10", None, "2023-05-10"),
        ("membership_loss", "operator", "2022-10-10", None, "2023-01-01"),  # ends 31 December
        ("mutual", "partner", "2023-03-01", None, "2024-01-01"),
    ],
)
def test_challenge_terminations(challenge, mode, initiator, requested, wanted, effective):
    termination = R.check_termination(
        challenge, CHALLENGE, mode, initiator, d(requested), d(wanted) if wanted else None
    )
    assert termination.effective_on == d(effective)


@pytest.mark.parametrize(
    ("facts", "mode", "requested", "wanted"),
    [
        (CHALLENGE, "beneficiary_early", "2023-05-10", "2023-05-01"),  # before the request
        (CHALLENGE, "mutual", "2023-03-01", "2024-02-01"),  # end of year only
        (
            Facts(signed_on=d("2022-03-15"), end_on=d("2024-06-30")),
            "mutual",
            "2024-02-01",
            None,
        ),  # after the end
        (CHALLENGE, "beneficiary_early", "2024-02-01", None),  # already expired
    ],
)
def test_challenge_terminations_refused(challenge, facts, mode, requested, wanted):
    with pytest.raises(RuleError):
        R.check_termination(challenge, facts, mode, "partner", d(requested), d(wanted) if wanted else None)


def test_termination_before_expiry_cancels_the_expiry(challenge):
    ended = Facts(
        signed_on=d("2022-03-15"),
        termination=Termination("beneficiary_early", "partner", d("2023-05-10"), d("2023-06-01")),
    )
    assert R.expiry_date(challenge, ended) is None
    assert R.status(challenge, ended, d("2023-06-01")) == R.TERMINATED
    assert R.status(challenge, ended, d("2024-02-01")) == R.TERMINATED


def _random_facts(rng, kind) -> Facts:
    """Facts of an agreement drawn at random around 2023-2026."""
    base = dt.date(2023, 1, 1)

    def some_day(after: dt.date, spread: int = 400) -> dt.date:
        return after + dt.timedelta(days=rng.randrange(0, spread))

    signed = some_day(base)
    notified = some_day(signed, 60) if rng.random() < 0.8 else None
    start = signed if kind.term.starts_on == "signature" else notified
    notices: tuple[Notice, ...] = ()
    termination = None
    if start is not None and rng.random() < 0.4:
        served = some_day(start, 300)
        lifted = some_day(served, 60) if rng.random() < 0.5 else None
        notices = (Notice(served, served + dt.timedelta(days=rng.randrange(1, 45)), "operator", lifted),)
    if start is not None and rng.random() < 0.4:
        requested = some_day(start, 500)
        termination = Termination("mutual", "operator", requested, some_day(requested, 200))
    end_on = some_day(dt.date(2024, 1, 1), 500) if kind.term.fixed_end and rng.random() < 0.5 else None
    return Facts(
        signed_on=signed, notified_on=notified, end_on=end_on, notices=notices, termination=termination
    )


def test_the_summary_holds_until_valid_until(datasud, challenge):
    """The cached computed fields stay right for every day they are used."""
    import random

    rng = random.Random(20261123)
    for kind in (datasud, challenge):
        for _ in range(300):
            facts = _random_facts(rng, kind)
            day = dt.date(2022, 12, 1) + dt.timedelta(days=rng.randrange(0, 1500))
            if facts.notices and rng.random() < 0.5:  # often, while a notice runs
                day = facts.notices[0].served_on + dt.timedelta(days=rng.randrange(0, 30))
            summary = R.summary(kind, facts, day)
            until = R.valid_until(kind, facts, day)
            last = until - dt.timedelta(days=1) if until else day + dt.timedelta(days=800)
            probe = day
            while probe <= last:
                assert R.summary(kind, facts, probe) == summary, (kind.name, facts, day, probe)
                probe += dt.timedelta(days=1 if (probe - day).days < 120 else 7)
            if until is not None and until < day + dt.timedelta(days=3000):
                assert until > day


def test_a_term_that_does_not_renew_expires(datasud):
    import msgspec

    one_year = msgspec.structs.replace(
        datasud, renewal=msgspec.structs.replace(datasud.renewal, tacit=False), terminations={}
    )
    facts = Facts(signed_on=d("2024-01-15"), notified_on=d("2024-01-31"))
    assert R.status(one_year, facts, d("2025-01-30")) == R.IN_FORCE
    assert R.status(one_year, facts, d("2025-01-31")) == R.EXPIRED
    assert R.expiry_date(one_year, facts) == d("2025-01-31")
    assert R.expiry_date(datasud, facts) is None  # the renewing kind never expires
