"""Per-group facet counts (migration 0003): a search on visibility alone (the
/dataset page) reads its number of hits and its facets from them; they follow
every write of the index exactly."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from ckan import model
from ckan.tests import factories, helpers
from sqlalchemy import text

from ckanext.datasud_pgsearch import connection as conn_module
from ckanext.datasud_pgsearch.compiler import only_filters
from ckanext.datasud_pgsearch.connection import COUNTS, TABLE, PgSolrConnection

from .conftest import ADMIN, search

FACETS = ["organization", "tags", "res_format", "license_id", "groups", "owner_org"]
# Always true, but not a condition on visibility: the search is counted from its hits.
THROUGH_HITS = "metadata_modified:[* TO *]"


def _kept() -> dict[tuple[tuple[str, ...], str], int]:
    with model.ensure_engine().connect() as conn:
        rows = conn.execute(text(f"SELECT filter_terms, word, n FROM {COUNTS}"))
        return {(tuple(r[0]), r[1]): r[2] for r in rows}


def _recounted() -> dict[tuple[tuple[str, ...], str], int]:
    """The counts computed afresh from the documents."""
    with model.ensure_engine().connect() as conn:
        rows = conn.execute(
            text(
                f"SELECT filter_terms, word, count(*) FROM {TABLE},"
                " unnest(tsvector_to_array(facets)) AS word GROUP BY filter_terms, word"
            )
        )
        return {(tuple(r[0]), r[1]): r[2] for r in rows}


def _facets_and_count(user: str | None, **params: Any) -> tuple[int, dict[str, Any]]:
    result = search(user, rows=0, **{"facet.field": FACETS, "facet.limit": -1}, **params)
    return result["count"], result["facets"]


@pytest.mark.parametrize(
    ("user", "params"),
    [
        (None, {}),
        ("cd13-member", {"include_private": True}),
        ("outsider", {"include_private": True}),
        ("region-admin", {"include_private": True, "include_drafts": True}),
        ("region-admin", {"fq": "-permission_labels:public", "include_private": True}),
    ],
)
def test_counts_from_the_groups_equal_the_counts_from_the_hits(corpus, user, params):
    grouped = _facets_and_count(user, **params)
    extra_fq = f"{params.get('fq', '')} {THROUGH_HITS}".strip()
    through_hits = _facets_and_count(user, **{**params, "fq": extra_fq})
    assert grouped == through_hits
    assert grouped[0] > 0


def test_the_dataset_page_counts(corpus):
    count, facets = _facets_and_count(None)
    assert count == 5
    assert facets["organization"] == {"cd13": 2, "digne": 3}
    assert facets["tags"]["energie"] == 2
    assert facets["license_id"] == {"cc-by": 2, "odc-odbl": 1, "notspecified": 1, "cc-zero": 1}
    member_count, member_facets = _facets_and_count("cd13-member", include_private=True)
    assert member_count == 6 and member_facets["tags"]["sante"] == 1


def test_the_upgrade_counts_what_is_indexed_and_the_downgrade_removes_it(corpus, migrate_db_for):
    before = _kept()
    assert before == _recounted() and before
    migrate_db_for("datasud_pgsearch", "0002_pgsearch_terms", False)
    with model.ensure_engine().begin() as conn:
        assert conn.execute(text("SELECT to_regclass(:t)"), {"t": COUNTS}).scalar() is None
        # rows indexed before 0003 had no owner_org in their facet vector
        conn.execute(
            text(
                f"UPDATE {TABLE} SET facets = array_to_tsvector(ARRAY(SELECT w FROM"
                " unnest(tsvector_to_array(facets)) AS w WHERE w NOT LIKE 'owner_org%'))"
            )
        )
    migrate_db_for("datasud_pgsearch")
    assert _kept() == before
    count, facets = _facets_and_count(None)
    orgs = corpus["orgs"]
    assert count == 5 and facets["owner_org"] == {orgs["cd13"]["id"]: 2, orgs["digne"]["id"]: 3}


def test_only_visibility_conditions_are_counted_from_the_groups():
    compile_ = PgSolrConnection()._compiler
    with model.ensure_engine().connect() as conn:

        def where(*queries: str) -> str:
            compiler = compile_(conn, {})
            return compiler.all_of([compiler.lucene(q) for q in queries])

        assert only_filters(where("*:*", '+site_id:"x" +state:active +capacity:public'))
        assert only_filters(where("*:*", "+permission_labels:(public OR member-1) -state:deleted"))
        assert only_filters(where("dataset_type:dataset"))
        assert not only_filters(where("*:*", "tags:energie"))
        assert not only_filters(where("energie"))
        assert not only_filters(where("*:*", THROUGH_HITS))
        assert not only_filters(where("*:*", "state:" + "x" * 1200))  # a hashed value is confirmed on doc


def test_counts_follow_every_write(clean_db, clean_index):
    factories.Sysadmin(name="region-admin")
    org = factories.Organization(name="cd13")
    other = factories.Organization(name="digne")
    dataset = helpers.call_action(
        "package_create",
        context=dict(ADMIN),
        owner_org=org["id"],
        name="energie",
        tags=[{"name": "energie"}],
        resources=[{"url": "http://example.org/a.csv", "format": "CSV"}],
    )
    assert _kept() == _recounted() and _kept()
    helpers.call_action("package_patch", context=dict(ADMIN), id=dataset["id"], tags=[{"name": "climat"}])
    helpers.call_action("package_patch", context=dict(ADMIN), id=dataset["id"], private=True)
    helpers.call_action("package_patch", context=dict(ADMIN), id=dataset["id"], owner_org=other["id"])
    assert _kept() == _recounted()
    private = search("region-admin", include_private=True, **{"facet.field": ["tags", "organization"]})
    assert private["facets"] == {"tags": {"climat": 1}, "organization": {"digne": 1}}
    assert search(None)["count"] == 0
    helpers.call_action("package_delete", context=dict(ADMIN), id=dataset["id"])
    assert _kept() == _recounted()
    helpers.call_action("dataset_purge", context=dict(ADMIN), id=dataset["id"])
    assert _kept() == _recounted() == {}


def test_clearing_the_index_clears_the_counts(clean_db, clean_index):
    from ckan.lib.search import clear_all

    factories.Sysadmin(name="region-admin")
    org = factories.Organization(name="cd13")
    helpers.call_action("package_create", context=dict(ADMIN), owner_org=org["id"], name="jeu-a")
    assert _kept()
    clear_all()
    assert _kept() == {}
    helpers.call_action("package_create", context=dict(ADMIN), owner_org=org["id"], name="jeu-b")
    with model.ensure_engine().begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLE}"))
    assert _kept() == {}


def test_concurrent_writes_keep_exact_counts(clean_db, clean_index):
    """Two writers indexing into the same groups at once: no deadlock, no lost count."""
    solr = PgSolrConnection()

    def doc(i: int, writer: int) -> dict[str, Any]:
        return {
            "index_id": f"doc-{writer}-{i % 7}",
            "id": f"doc-{writer}-{i % 7}",
            "site_id": "s",
            "state": "active",
            "capacity": "public",
            "permission_labels": ["public"],
            "tags": [f"t{(i + writer) % 5}", f"t{i % 3}"],
            "organization": f"org{writer}",
            "title": f"Jeu {i}",
        }

    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            for i in range(40):
                # both writers touch the same count rows, in batches of two
                solr.add([doc(i, writer), doc(i + 1, writer)])
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _kept() == _recounted()
    every = [n for (_, word), n in _kept().items() if word == conn_module.A.EVERY_DOCUMENT]
    assert every == [14]  # 7 documents per writer
