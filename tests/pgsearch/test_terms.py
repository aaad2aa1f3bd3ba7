"""Exact values as terms (filters) and facet terms (counts), and the migration
that fills them for rows indexed before it."""

from __future__ import annotations

from typing import Any

import pytest
from ckan import model
from ckan.tests import factories, helpers
from sqlalchemy import text

from ckanext.datasud_pgsearch import analysis as A
from ckanext.datasud_pgsearch import compiler as C
from ckanext.datasud_pgsearch import fields as F

from .conftest import ADMIN, names, search

LONG_URL = "http://example.org/" + "tres-long/" * 120 + "fichier.csv"  # > 1,000 bytes


@pytest.fixture
def datasets(clean_db, clean_index) -> dict[str, Any]:
    factories.Sysadmin(name="region-admin")
    org = factories.Organization(name="cd13")
    created = {}
    for name, resources, tags in (
        ("deux-csv", [("a.csv", "CSV"), ("b.csv", "CSV"), ("c.json", "JSON")], ["energie"]),
        ("un-csv", [("d.csv", "CSV")], ["energie", "solaire"]),
        ("lien-long", [(LONG_URL, "CSV")], ["transport"]),
    ):
        created[name] = helpers.call_action(
            "package_create",
            context=dict(ADMIN),
            owner_org=org["id"],
            name=name,
            title=name,
            tags=[{"name": t} for t in tags],
            notes="Production photovoltaique",
            resources=[
                {"url": u if "/" in u else f"http://example.org/{u}", "format": f} for u, f in resources
            ],
        )
    model.Session.remove()
    return created


def _rows() -> dict[str, tuple[Any, ...]]:
    with model.ensure_engine().connect() as conn:
        result = conn.execute(
            text(
                "SELECT id, terms, filter_terms, CAST(facets AS text), CAST(rank_vector AS text)"
                " FROM datasud_pgsearch_document"
            )
        )
        return {row[0]: (sorted(row[1]), sorted(row[2]), row[3], row[4]) for row in result}


def test_facets_count_datasets_not_values(datasets):
    facets = search(**{"facet.field": ["res_format", "tags"]})["facets"]
    assert facets["res_format"] == {"CSV": 3, "JSON": 1}  # deux-csv counts once for CSV
    assert facets["tags"] == {"energie": 2, "solaire": 1, "transport": 1}


def test_facet_on_a_field_outside_the_facet_vector(datasets):
    # name is not a facet field: counted from the documents, with the same result shape
    facets = search(**{"facet.field": ["name", "res_format"], "facet.limit": 2})["facets"]
    assert facets["name"] == {"deux-csv": 1, "lien-long": 1}
    assert facets["res_format"] == {"CSV": 3, "JSON": 1}


def test_a_long_value_is_found_by_its_exact_value(datasets):
    assert names(search(fq=f'res_url:"{LONG_URL}"')) == {"lien-long"}
    assert names(search(fq=f'res_url:"{LONG_URL}x"')) == set()
    row = _rows()[datasets["lien-long"]["id"]]
    assert any(A.HASHED_SEPARATOR in term for term in row[0])


def test_filters_joined_by_and_or_or(datasets):
    assert names(search(fq="+tags:energie +res_format:JSON")) == {"deux-csv"}
    # CKAN writes "+capacity:public <fq> +state:(active)": Lucene's OR makes the
    # first tag optional as well, so both only rank (see test_lucene_semantics)
    assert names(search(fq="(tags:solaire OR tags:transport)")) == {"un-csv", "lien-long"}
    assert names(search(fq="tags:solaire OR tags:transport")) == {"un-csv", "lien-long", "deux-csv"}
    assert names(search(fq="tags:(solaire OR transport) -res_format:JSON")) == {"un-csv", "lien-long"}
    assert names(search(fq="tags:energie AND NOT tags:solaire")) == {"deux-csv"}


def test_the_upgrade_fills_the_rows_indexed_before_it(datasets, migrate_db_for):
    indexed = _rows()
    assert len(indexed) == 3
    terms, filter_terms, facets, rank_vector = indexed[datasets["un-csv"]["id"]]
    assert A.term("tags", "solaire") in terms and A.term("state", "active") in filter_terms
    assert "res_format" in facets and "solaire" in facets and "un-csv" not in facets
    # the score's vector: title and name (A), tags, groups, organization (B); not the description
    assert "'solair':" in rank_vector and "B" in rank_vector and "photovolta" not in rank_vector
    migrate_db_for("datasud_pgsearch", "0001_pgsearch", False)
    with model.ensure_engine().connect() as conn:
        columns = conn.execute(
            text("SELECT column_name FROM information_schema.columns WHERE table_name = :t"),
            {"t": "datasud_pgsearch_document"},
        ).scalars()
        assert "terms" not in set(columns)
    migrate_db_for("datasud_pgsearch")
    assert _rows() == indexed
    assert search(**{"facet.field": ["res_format"]})["facets"]["res_format"] == {"CSV": 3, "JSON": 1}


def _compiler() -> C.Compiler:
    import datetime as dt

    return C.Compiler(F.ckan_schema(), analyze=lambda folded: f"'{folded}'", now=dt.datetime(2026, 1, 1))


def test_exact_conditions_merge_into_one_array_condition():
    compiler = _compiler()
    sql = compiler.lucene("+site_id:a +state:active +capacity:public +tags:x +res_format:CSV")
    assert sql.count("filter_terms @>") == 1 and sql.count(" terms @>") + sql.startswith("terms") == 1
    merged = [v for v in compiler.params.values() if isinstance(v, list) and len(v) > 1]
    assert merged == [
        [A.term("site_id", "a"), A.term("state", "active"), A.term("capacity", "public")],
        [A.term("tags", "x"), A.term("res_format", "CSV")],
    ]
    compiler = _compiler()
    sql = compiler.lucene("permission_labels:(public OR member-1 OR member-2)")
    assert sql.count("filter_terms &&") == 1 and "@>" not in sql
    compiler = _compiler()
    sql = compiler.lucene("tags:(a OR b) AND -tags:c")
    assert "terms && " in sql and "(NOT terms @> " in sql


def test_inline_quotes_every_value_in_postgresql():
    compiler = _compiler()
    where = compiler.lucene('tags:"l\'eau" OR name:"x%y"')
    expression = compiler.inline(f"SELECT 1 WHERE {where}")
    with model.ensure_engine().connect() as conn:
        rendered = conn.execute(text(f"SELECT {expression}"), compiler.params).scalar()
    assert "'{\"tags\x1fl''eau\",\"name\x1fx%y\"}'" in rendered
