"""The search index says what the database says about who may see a dataset,
even when the index could not be reached when a withdrawal was committed:
the update is queued again, and ``check-index`` finds and repairs what is
still out of step (``run-schedule`` runs it with ``--fix``)."""

from __future__ import annotations

import socket

import pysolr
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan
from ckan.lib import jobs
from ckan.lib.search import index as search_index

from ckanext.datasud_partnership.publication import index

from .conftest import DECLARATION, draft_dataset
from .test_termination_withdrawals import member_search, public_search, terminate_for_fault


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def index_down(monkeypatch):
    """The search index unreachable: a real Solr client on a port nobody
    listens to (as when Solr is down). Undo it to bring the index back."""
    url = f"http://127.0.0.1:{_closed_port()}/solr/ckan"
    monkeypatch.setattr(search_index, "make_connection", lambda *a, **k: pysolr.Solr(url, timeout=2))
    return monkeypatch


@pytest.fixture
def two_published(partner):
    for name in ("budget-2025", "budget-2026"):
        draft_dataset(name, private=False, publication_declaration=DECLARATION)
    assert public_search() == {"budget-2025", "budget-2026"}
    return ["budget-2025", "budget-2026"]


def _made_private_behind_the_index(name: str) -> None:
    """What a process killed between the database's commit and the index
    leaves: the dataset private in the database, public in the index."""
    with model.ensure_engine().begin() as connection:
        connection.execute(sa.text("UPDATE package SET private = true WHERE name = :n"), {"n": name})
    model.Session.remove()


@pytest.mark.usefixtures("clean_queues")
def test_a_termination_while_the_index_is_down_stands_and_is_indexed_by_a_retry(
    partner, two_published, index_down
):
    terminate_for_fault(partner)  # answers: the withdrawal does not depend on the index

    queued = [job.meta["title"] for job in jobs.get_queue().jobs]
    assert queued == ["datasud_partnership: retry: reindex withdrawn datasets (1/1)"]
    index_down.undo()  # the index is back
    assert public_search() == set(two_published)  # still exposed until the retry runs
    assert [d.exposed for d in index.check()] == [True, True]

    jobs.Worker().work(burst=True)

    assert public_search() == set()
    assert member_search() == set(two_published)
    assert index.check() == []


def test_check_index_finds_a_dataset_public_in_the_index_only_and_fix_repairs_it(cli, partner, two_published):
    _made_private_behind_the_index("budget-2025")
    assert public_search() == set(two_published)

    listed = cli.invoke(ckan, ["datasud-partnership", "check-index"])
    assert listed.exit_code == 1, listed.output
    assert "budget-2025 : privé dans la base, public dans l'index !" in listed.output
    assert "budget-2026" not in listed.output

    fixed = cli.invoke(ckan, ["datasud-partnership", "check-index", "--fix"])
    assert fixed.exit_code == 0, fixed.output
    assert "Réparés : 1 ; restants : 0" in fixed.output
    assert public_search() == {"budget-2026"}
    assert member_search() == set(two_published)

    again = cli.invoke(ckan, ["datasud-partnership", "check-index"])
    assert again.exit_code == 0 and "Conforme à la base" in again.output


def test_check_index_finds_datasets_missing_from_the_index_and_deleted_ones_left_in_it(
    partner, two_published
):
    kept = index.index_id(model.Package.get("budget-2026").id)
    search_index.make_connection().delete(id=[kept])
    with model.ensure_engine().begin() as connection:
        connection.execute(sa.text("UPDATE package SET state = 'deleted' WHERE name = 'budget-2025'"))
    model.Session.remove()

    found = {(d.name, d.database, d.index, d.exposed) for d in index.check()}

    assert found == {("budget-2025", "absent", "public", True), ("budget-2026", "public", "absent", False)}
    index.fix(index.check())
    assert index.check() == []
    assert public_search() == {"budget-2026"}


def test_run_schedule_repairs_the_index(cli, partner, two_published, mail_server):
    _made_private_behind_the_index("budget-2026")

    result = cli.invoke(ckan, ["datasud-partnership", "run-schedule"])

    assert result.exit_code == 0, result.output
    assert "index de recherche réparé : 1" in result.output
    assert public_search() == {"budget-2025"}


def test_withdrawals_leave_the_index_by_unique_key_past_solr_clause_limit(partner):
    """A delete by query of 1,500 ids would pass Solr's 1,024-clause limit:
    the datasets leave the index by their ``index_id``, whatever their number."""
    ids = [f"not-a-dataset-{n}" for n in range(1500)]
    docs = [
        {"index_id": index.index_id(i), "id": i, "site_id": "x", "name": i, "capacity": "public"} for i in ids
    ]
    connection = search_index.make_connection()
    connection.add(docs)
    assert connection.search(q="*:*", fq='+site_id:"x"', rows=0).hits == 1500

    index.remove(ids)

    assert connection.search(q="*:*", fq='+site_id:"x"', rows=0).hits == 0
