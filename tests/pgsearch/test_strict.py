"""Strict mode (on in test.ini): the backend refuses what Solr refuses with
CKAN's schema, in Solr's words, so that tests fail where production would."""

from __future__ import annotations

import pysolr
import pytest
from ckan.lib.search import SearchError
from ckan.lib.search import index as search_index
from ckan.lib.search import query as search_query
from ckan.tests import helpers

from ckanext.datasud_pgsearch import strict

DOC = {"index_id": "x1", "id": "x1", "site_id": "s", "name": "x"}


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ({"name": ["a", "b"]}, "multiple values encountered for non multiValued field name"),
        ({"spatial": "x" * 40_000}, 'immense term in field="spatial"'),
        ({"publication_date": "2026-03-02"}, "Invalid Date String:'2026-03-02'"),
        ({"views_total": "many"}, 'For input string: "many"'),
        ({"tags": ["a", "b"], "publication_date": "2026-03-02T00:00:00Z", "views_total": 3}, None),
        ({"res_name": ["a", "b"], "extras_theme": "x" * 40_000}, None),  # text: analysed, not one term
        ({"validated_data_dict": "x" * 40_000}, None),  # stored only
    ],
)
def test_what_solr_refuses_in_a_document(doc, problem):
    found = strict.document_problems({**DOC, **doc})
    assert [problem in p for p in found] == ([True] if problem else [])


@pytest.mark.parametrize(
    ("q", "params", "problem"),
    [
        ("*:*", {"facet.field": ["publication_date"]}, "Can't facet on a PointField without docValues"),
        ("*:*", {"facet.field": ["views_total"]}, "Can't facet on a PointField"),
        ("*:*", {"sort": "tags asc"}, "can not sort on multivalued field: tags"),
        ("*:*", {"sort": "notes desc"}, "can not sort on a tokenized field: notes"),
        ("*:*", {"hl": "true"}, "Invalid search parameter: hl"),
        ("id:(" + " OR ".join(f"a{n}" for n in range(1025)) + ")", {}, "too many boolean clauses"),
        ("id:(" + " OR ".join(f"a{n}" for n in range(1024)) + ")", {}, None),
        (
            "*:*",
            {"sort": "metadata_modified desc, score desc", "facet.field": ["tags", "publication_year"]},
            None,
        ),
    ],
)
def test_what_solr_refuses_in_a_query(q, params, problem):
    found = strict.query_problems(q, params, search_query.VALID_SOLR_PARAMETERS)
    assert [problem in p for p in found] == ([True] if problem else [])


@pytest.mark.usefixtures("clean_db")
def test_package_search_refuses_a_facet_solr_cannot_count():
    with pytest.raises(SearchError, match="Can't facet on a PointField without docValues: metadata_modified"):
        helpers.call_action("package_search", **{"facet.field": '["metadata_modified"]'})


@pytest.mark.usefixtures("clean_db")
def test_the_index_refuses_an_immense_string_term():
    with pytest.raises(pysolr.SolrError, match='immense term in field="spatial"'):
        search_index.make_connection().add([{**DOC, "spatial": "x" * 40_000}])


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckanext.datasud_pgsearch.strict", "false")
def test_without_strict_mode_the_backend_is_lenient():
    search_index.make_connection().add([{**DOC, "spatial": "x" * 40_000}])
    found = helpers.call_action("package_search", **{"facet.field": '["metadata_modified"]'})
    assert "metadata_modified" in found["search_facets"]
