"""The partnership's real flows on the Solr path: what reaches Solr is what
CKAN's ``schema.xml`` accepts, and the "gone for the public at once" paths
return only after a commit that waits for the new searcher."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.lib import jobs
from ckan.lib.search import query as search_query

from ckanext.datasud_partnership.publication import index
from tests.publication.conftest import DECLARATION, act, draft_dataset
from tests.publication.harvesting import RemoteCkan, run_job
from tests.publication.test_harvest import make_source
from tests.publication.test_termination_withdrawals import terminate_for_fault

from .solr import FakeSolr


def visible(update) -> bool:
    """A commit after which searches see the change (Solr waits by default)."""
    return update.commit and update.wait_searcher is not False


def test_our_backend_is_out_of_the_way(solr):
    from ckan.lib.search import index as search_index

    assert type(search_index.make_connection()).__module__ == "pysolr"


def test_publishing_sends_a_document_solr_accepts(solr: FakeSolr, partner):
    published = draft_dataset("budget-2026", private=False, publication_declaration=DECLARATION)

    [doc] = [d for d in solr.documents.values() if d["id"] == published["id"]]
    assert doc["capacity"] == "public"
    assert doc["publication_status"] == "published"
    assert doc["publication_year"] == published["publication_date"][:4]
    assert doc["publication_date"].endswith("T00:00:00Z")  # Solr's date format
    assert visible(solr.last_update)


def test_a_withdrawal_is_gone_once_it_returns(solr: FakeSolr, partner):
    dataset = draft_dataset("budget-2026", private=False, publication_declaration=DECLARATION)
    solr.clear()

    act("dataset_withdraw", id=dataset["id"], reason="Erreur de publication")

    assert dataset["id"] not in solr.public_ids()
    assert visible(solr.last_update)


@pytest.fixture
def two_published(partner):
    names = ["budget-2025", "budget-2026"]
    for name in names:
        draft_dataset(name, private=False, publication_declaration=DECLARATION)
    return {model.Package.get(name).id for name in names}


def test_a_small_termination_is_gone_once_it_returns(solr: FakeSolr, partner, two_published):
    assert two_published <= solr.public_ids()
    solr.clear()

    terminate_for_fault(partner)

    assert not two_published & solr.public_ids()
    assert {d["id"] for d in solr.documents.values()} >= two_published  # private, for the members
    assert visible(solr.last_update)


@pytest.mark.usefixtures("clean_queues", "with_test_worker")
@pytest.mark.ckan_config("ckanext.datasud_partnership.inline_reindex_limit", "1")
def test_a_large_termination_deletes_by_unique_key_and_waits(solr: FakeSolr, partner, two_published):
    solr.clear()

    terminate_for_fault(partner)

    deletes = [update for update in solr.updates if update.deleted_ids]
    assert sorted(deletes[0].deleted_ids) == sorted(index.index_id(i) for i in two_published)
    assert not any(update.deleted_queries for update in solr.updates)
    assert visible(solr.last_update)
    assert not two_published & {d["id"] for d in solr.documents.values()}

    jobs.Worker().work(burst=True)  # the members find them again

    assert {d["id"] for d in solr.documents.values()} >= two_published
    assert not two_published & solr.public_ids()


def test_check_index_reads_and_repairs_through_solr(solr: FakeSolr, partner, two_published):
    some = sorted(two_published)[0]
    model.Session.query(model.Package).filter_by(id=some).update({"private": True})
    model.Session.commit()

    [difference] = index.check()
    assert (difference.dataset_id, difference.exposed) == (some, True)
    index.fix([difference])
    assert index.check() == []
    assert some not in solr.public_ids()


def test_a_harvest_import_sends_documents_solr_accepts(solr: FakeSolr, partner):
    remote = RemoteCkan()
    remote.serve(solr.mock)
    remote.add("comptages-velo")
    source = make_source()

    results = run_job(source["id"])

    assert {r["report_status"] for r in results.values()} == {"added"}, results
    harvested = [d for d in solr.documents.values() if d.get("name") == "comptages-velo"]
    assert [d["capacity"] for d in harvested] == ["public"]


def test_members_facet_on_what_solr_can_facet(solr: FakeSolr, partner, two_published):
    solr.clear()
    fields = '["publication_status", "published_licence_id", "publication_year"]'

    act(
        "package_search",
        user="cd13-member",
        include_private=True,
        **{"facet.field": fields, "facet.sort": "index"},
    )

    [select] = solr.selects
    assert select["facet.field"] == ["publication_status", "published_licence_id", "publication_year"]
    assert select["facet.sort"] == "index"  # allowed by the partnership plugin, not only by our backend
    assert "facet.sort" in search_query.VALID_SOLR_PARAMETERS


def test_a_facet_on_a_publication_date_is_what_solr_refuses(solr: FakeSolr, partner):
    from ckan.lib.search import SearchError

    with pytest.raises(SearchError):
        act("package_search", user=None, **{"facet.field": '["publication_date"]'})
    assert solr.problems == ["Can't facet on a PointField without docValues: publication_date"]
    solr.problems.clear()


def test_the_demo_data_loads_on_solr(solr: FakeSolr, clean_db):
    from ckanext.datasud_partnership import demo

    demo.load_demo_data()

    assert len(solr.public_ids()) >= 10


def test_the_test_fixtures_empty_solr_too(solr: FakeSolr, partner):
    """``clean_db`` (conftest.py) empties this site's index: on Solr, earlier
    tests' documents would otherwise remain."""
    from ckan.lib import search

    draft_dataset("budget-2026", private=False, publication_declaration=DECLARATION)
    assert solr.documents

    search.clear_all()  # what clean_db does after the database

    assert solr.documents == {}
    [query] = [q for update in solr.updates for q in update.deleted_queries]
    assert query.startswith('+site_id:"datasud_test')
