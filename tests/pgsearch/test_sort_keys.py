"""Sort keys kept in the row (migration 0004): ``sort=name`` reads ``name_sort``,
filled for the rows indexed before the upgrade and kept by every write; a page
sorted by a column is the same whichever way it is read."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.tests import helpers
from sqlalchemy import text

from ckanext.datasud_pgsearch import connection
from ckanext.datasud_pgsearch.connection import TABLE

from .conftest import ADMIN, PUBLIC, search

BEFORE_0004 = "0003_pgsearch_facet_counts"


def _names_in_the_row() -> dict[str, str]:
    with model.ensure_engine().connect() as conn:
        rows = conn.execute(text(f"SELECT doc -> 'name' ->> 0, name_sort FROM {TABLE}"))
        return dict(rows.all())


def _columns(attribute: str = "attstorage") -> dict[str, str]:
    """Each column of the index table with its storage, or its collation's name."""
    value = "c.collname" if attribute == "collation" else f"a.{attribute}"
    with model.ensure_engine().connect() as conn:
        rows = conn.execute(
            text(
                f"SELECT a.attname, {value} FROM pg_attribute a LEFT JOIN pg_collation c ON c.oid = a.attcollation"
                " WHERE a.attrelid = CAST(:t AS regclass) AND a.attnum > 0 AND NOT a.attisdropped"
            ),
            {"t": TABLE},
        )
        return dict(rows.all())


def _sorted_by_name(**params) -> list[str]:
    return [d["name"] for d in search(sort="name asc", rows=100, **params)["results"]]


def test_the_upgrade_fills_the_names_of_the_rows_indexed_before_it(corpus, migrate_db_for):
    assert _sorted_by_name() == sorted(PUBLIC)
    migrate_db_for("datasud_pgsearch", BEFORE_0004, False)
    assert "name_sort" not in _columns()
    migrate_db_for("datasud_pgsearch")
    names = _names_in_the_row()
    assert names and all(name == name_sort for name, name_sort in names.items())
    assert _sorted_by_name() == sorted(PUBLIC)
    assert [d["name"] for d in search(sort="name desc", rows=100)["results"]] == sorted(PUBLIC, reverse=True)
    # the facet counts were not touched by the rewrite
    assert search(**{"facet.field": ["res_format"]})["facets"]["res_format"] == {
        "CSV": 3,
        "GeoJSON": 1,
        "JSON": 1,
    }


def test_every_key_a_search_reads_for_each_hit_stays_in_the_row(corpus):
    storage = _columns()
    # "m": PostgreSQL keeps the value inline (out of line only for a row over 8 kB)
    for column in ("index_id", "id", "title_sort", "name_sort", "filter_terms", "facets", "rank_vector"):
        assert storage[column] == "m", column
    # what only the page's own rows read stays out of line
    for column in ("doc", "text_doc", "stored", "text_vector", "terms"):
        assert storage[column] == "x", column


def test_a_renamed_dataset_moves_in_the_name_order(corpus):
    helpers.call_action("package_patch", context=dict(ADMIN), id="budget-primitif", name="zz-budget-primitif")
    try:
        expected = sorted((PUBLIC - {"budget-primitif"}) | {"zz-budget-primitif"})
        assert _sorted_by_name() == expected
        assert _sorted_by_name()[-1] == "zz-budget-primitif"
    finally:
        helpers.call_action(
            "package_patch", context=dict(ADMIN), id="zz-budget-primitif", name="budget-primitif"
        )
    assert _sorted_by_name() == sorted(PUBLIC)


def test_names_sort_in_byte_order_whatever_the_locale_of_the_database(corpus):
    """As Solr sorts a string field; a French locale would order "transport-a" and
    "transporta" otherwise (this test database's C.UTF-8 cannot show it)."""
    assert _columns("collation")["name_sort"] == "C"


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "metadata_modified desc"},
        {"sort": "metadata_modified asc", "rows": 2, "start": 1},
        {"sort": "title_string desc", "rows": 3},
        {"sort": "name asc", "rows": 2, "start": 2},
        {"q": "energie", "sort": "metadata_modified desc"},
        {"fq": "tags:energie", "sort": "name desc"},
        {"q": "energie", "rows": 2},  # by score
        {"sort": "metadata_created desc", "rows": 0},
    ],
)
def test_a_page_is_the_same_read_from_the_hits_or_along_an_index(corpus, monkeypatch, params):
    """Few hits: the page is sorted from the hits; many: read along the sort
    column's index. The corpus is small, so the second way is forced here."""
    from_the_hits = search(ADMIN["user"], include_private=True, **params)
    monkeypatch.setattr(connection, "WALK_FROM_HITS", 0)
    along_the_index = search(ADMIN["user"], include_private=True, **params)
    assert along_the_index["count"] == from_the_hits["count"] > 0
    assert [d["name"] for d in along_the_index["results"]] == [d["name"] for d in from_the_hits["results"]]
