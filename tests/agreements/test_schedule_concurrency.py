"""Two runs of ``run-schedule`` at once (two hosts' cron, or a slow run
overlapping the next one) record each renewal once: the second run waits for
the first (an advisory lock), and the database refuses a second record of the
same renewal, expiry or reminder (unique indexes)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.datasud_partnership.agreements import schedule
from ckanext.datasud_partnership.agreements.model import AgreementEvent

CKAN = str(Path(sys.executable).with_name("ckan"))
AGREEMENTS = 6  # in force from 31 January 2024: renewed on 31 January 2025 and 2026


def _run_schedule(ini: str) -> subprocess.Popen:
    command = [CKAN, "-c", ini, "datasud-partnership", "run-schedule", "--date", "2026-02-01"]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ
    )


def _waiting_on_the_lock(connection: sa.Connection) -> int:
    """How many sessions wait for the schedule's lock (pg_locks shows a
    bigint key as its two halves: the lower one is ``objid``)."""
    return connection.execute(
        sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = :low"),
        {"low": schedule.RUN_LOCK & 0xFFFFFFFF},
    ).scalar_one()


@pytest.mark.usefixtures("clean_db")
def test_two_runs_at_once_record_each_renewal_once(agreement_factory, pytestconfig):
    ids = [agreement_factory(in_force=True)["id"] for _ in range(AGREEMENTS)]
    model.Session.remove()
    ini = str(Path(pytestconfig.getoption("ckan_ini")).resolve())

    # Hold the lock, start both runs, and see both wait for it before letting them go.
    with model.ensure_engine().connect() as holder, model.ensure_engine().connect() as watcher:
        holder.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": schedule.RUN_LOCK})
        runs = [_run_schedule(ini), _run_schedule(ini)]
        deadline = time.monotonic() + 120
        while _waiting_on_the_lock(watcher) < 2 and time.monotonic() < deadline:
            assert all(run.poll() is None for run in runs), [run.communicate()[0] for run in runs]
            time.sleep(0.2)
        both_waited = _waiting_on_the_lock(watcher)
        holder.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": schedule.RUN_LOCK})
        holder.commit()
        outputs = [run.communicate(timeout=180)[0] for run in runs]

    assert both_waited == 2
    assert [run.returncode for run in runs] == [0, 0], outputs
    renewals = (
        model.Session.query(AgreementEvent.agreement_id, AgreementEvent.on)
        .filter(AgreementEvent.event == "renewed", AgreementEvent.agreement_id.in_(ids))
        .all()
    )
    assert len(renewals) == 2 * AGREEMENTS
    assert len(set(renewals)) == 2 * AGREEMENTS
    printed = sorted(output.count(": renouvellement") for output in outputs)
    assert printed == [0, 2 * AGREEMENTS]  # the second run found everything done


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize(
    ("event", "data"),
    [
        ("renewed", {}),
        ("expired", {}),
        ("reminder", {"reminder": "anniversary_notice", "for": "2027-01-31"}),
    ],
)
def test_the_database_refuses_a_second_record(agreement_factory, event, data):
    agreement_id = agreement_factory(in_force=True)["id"]

    def insert() -> None:
        model.Session.add(AgreementEvent(agreement_id=agreement_id, event=event, on="2026-01-31", data=data))
        model.Session.flush()

    insert()
    with pytest.raises(sa.exc.IntegrityError):
        insert()
    model.Session.rollback()
