"""Concurrent publications and withdrawals of one dataset on a real
multi-process server (issue 13, section 6).

gunicorn serves the portal with 4 worker processes (``bin/wsgi.py``, the
command of README's "Security and operations"); 8 threads send 50
``dataset_publish`` and ``dataset_withdraw`` calls on one dataset over HTTP,
with the API token of the partner's editor, then 24 ``package_update`` calls
that make another dataset public or private, as CKAN's own API allows.
Whatever the interleaving, the partner must find: one journal entry per
publication or withdrawal that succeeded, publications and withdrawals
alternating in the journal, the dataset as the last entry says, and search
saying the same as the database. Some 30 to 50 s on two shared cores: the
server starts in about 9 s (``--preload``), the calls take the rest.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

from ckan.tests import factories

from . import race
from .conftest import draft_dataset, published

CALLS = 50
PATCHES = 24
THREADS = 8
WORKERS = 4
LOGS = Path(__file__).resolve().parents[2] / "tests" / "screenshots"


def _agree(base: str, token: str, dataset: str, entries: list[dict[str, Any]]) -> None:
    """The dataset is as its last journal entry says, in the database and in
    search (for the partner, private ones included, and for the public)."""
    assert race.repeated(entries) == [], [entry["action"] for entry in entries]
    assert entries[0]["action"] == "published"  # the dataset started private
    is_published = published(dataset)
    assert is_published == (entries[-1]["action"] == "published")
    as_partner = race.search(base, token, dataset)
    assert [(d["name"], d["private"]) for d in as_partner] == [(dataset, not is_published)]
    assert as_partner[0]["publication_status"] == ("published" if is_published else "withdrawn")
    assert [d["name"] for d in race.search(base, None, dataset)] == ([dataset] if is_published else [])


def test_concurrent_publications_and_withdrawals_of_one_dataset(
    partner: dict[str, Any], pytestconfig: Any
) -> None:
    draft_dataset("budget-2026")
    draft_dataset("budget-2025", title="Budget primitif 2025")
    token = factories.APIToken(user="cd13-editor")["token"]
    # half publications, half withdrawals, interleaved
    actions = ["dataset_publish" if n % 2 == 0 else "dataset_withdraw" for n in range(CALLS)]
    patches = ["make_public" if n % 2 == 0 else "make_private" for n in range(PATCHES)]
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"gunicorn-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"
    with race.serve(pytestconfig.getoption("ckan_ini"), WORKERS, log=log) as base:
        outcomes = race.fire(base, token, "budget-2026", actions, THREADS)
        entries = race.journal(base, token, "cd13", "budget-2026")

        # every call was answered: done, or refused by the action's own check, naming the dataset
        assert {o.status for o in outcomes} <= {200, 409}, [o.reason for o in outcomes if o.status != 409]
        assert all(o.success == (o.status == 200) for o in outcomes)
        assert all(o.error.get("id") for o in outcomes if not o.success), [o.error for o in outcomes]
        successes = [o for o in outcomes if o.success]
        # one journal entry per call that succeeded, of its kind
        done = Counter(race.ENTRY[o.action] for o in successes)
        assert Counter(entry["action"] for entry in entries) == done
        assert len(entries) == len(successes) > 0
        _agree(base, token, "budget-2026", entries)

        # CKAN's package_update: making a public dataset public changes nothing and
        # says so by succeeding; a change is journalled once, never twice
        shown = race.show(base, token, "budget-2025")
        outcomes = race.fire(base, token, "budget-2025", patches, THREADS, shown)
        entries = race.journal(base, token, "cd13", "budget-2025")
        assert [o.reason for o in outcomes if not o.success] == []
        assert 0 < len(entries) <= len(outcomes)
        _agree(base, token, "budget-2025", entries)
