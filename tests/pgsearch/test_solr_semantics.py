"""Where Solr's answer for CKAN's schema is not obvious, the backend gives it:
n-gram autocomplete, stop words, Lucene's boolean rules, field existence,
edismax and ``qf``, fuzzy, sloppy phrases and wildcards, local parameters,
errors, dates. Each expected answer is the one Solr gives (CKAN's
``schema.xml``, Lucene's classic query parser and Solr's parsers)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import ckan.lib.search.common as search_common
import freezegun
import pytest
from ckan.lib.search.common import SearchError
from ckan.logic import ValidationError
from ckan.tests import helpers

from .conftest import ADMIN, PUBLIC, _dataset, names, search

WIND = "eolien"
EAST = "production-est"


@pytest.fixture(scope="module")
def solr_corpus(corpus) -> dict[str, Any]:
    """The shared corpus and two public datasets with authors, an extra and
    English words."""
    orgs = corpus["orgs"]
    with freezegun.freeze_time(dt.datetime(2026, 2, 1, 8, 30, 0, 782257)):
        _dataset(
            orgs["cd13"],
            WIND,
            "Wind farm output",
            notes="Energy production after the storm",
            author="Météo Sud",
            license_id="cc-by",
            tags=[{"name": "planning"}],
            extras=[{"key": "theme", "value": "climat"}],
        )
    with freezegun.freeze_time(dt.datetime(2026, 2, 2, 8, 30, 0)):
        _dataset(
            orgs["digne"],
            EAST,
            "Production de l'Est",
            notes="Cette énergie est produite en été 🌞",
            author="Jean Dupont",
            license_id="cc-by",
            tags=[{"name": "planning"}, {"name": "energy"}],
        )
    return corpus


ALL = PUBLIC | {WIND, EAST}


def found(**params: Any) -> set[str]:
    result = search(rows=50, **params)
    assert result["count"] == len(result["results"])
    return names(result)


def _case(params: dict[str, Any], expected: set[str]) -> Any:
    return pytest.param(params, expected, id=str(params))


# -- autocomplete: name_ngram and title_ngram --------------------------------
AUTOCOMPLETE = [
    ("nergie", ["energie-climat", "energie-renouvelable"]),  # the middle of a word
    ("urbai", ["transport-urbain"]),
    ("farm", [WIND]),
    ("ind fa", []),  # two words: their n-grams are never next to each other
    ("x", []),  # below the 2 characters of the smallest n-gram
    ("privé", []),  # a private dataset is not offered to an anonymous user
]


@pytest.mark.parametrize(("typed", "expected"), AUTOCOMPLETE)
def test_package_autocomplete_finds_names_and_titles_by_any_part(solr_corpus, app, typed, expected):
    result = app.get("/api/3/action/package_autocomplete", query_string={"q": typed}).json["result"]
    assert sorted(d["name"] for d in result) == expected


def test_the_api_2_autocomplete_of_the_forms(solr_corpus, app):
    result = app.get("/api/2/util/dataset/autocomplete", query_string={"incomplete": "nergie"}).json
    assert sorted(d["match_field"] for d in result["ResultSet"]["Result"]) == ["name", "name"]


def test_autocomplete_sees_what_the_user_may_read(solr_corpus):
    result = helpers.call_action("package_autocomplete", context=dict(ADMIN), q="interne")
    assert [d["name"] for d in result] == ["energie-interne"]


# -- stop words and queries that vanish in analysis ---------------------------
STOP_WORDS = [
    _case({"q": "after"}, {WIND}),  # an English stop word, matched as written
    _case({"q": "the"}, {WIND}),
    _case({"q": "est"}, {EAST}),  # a French one
    _case({"q": "été"}, {EAST}),
    # "les" stems to "le" in English, in PostgreSQL as in Solr (Snowball)
    _case({"q": "le"}, {"budget-primitif", "frequentation-touristique"}),
    _case({"q": "🌞"}, set()),  # nothing is left of it: nothing matches
    _case({"q": "🌞 ✨"}, set()),
    _case({"q": "text:after"}, {WIND}),
    _case({"q": "title:🌞"}, set()),
    # beside other words, a stop word does not count (a French portal's
    # "le transport"): a deliberate difference from Solr, which has no stop filter
    _case({"q": "le transport"}, {"transport-urbain"}),
]


@pytest.mark.parametrize(("params", "expected"), STOP_WORDS)
def test_a_query_of_stop_words_finds_what_contains_them(solr_corpus, params, expected):
    assert found(**params) == expected


# -- Lucene's boolean rules ------------------------------------------------------
ENERGIE_TAGGED = {"energie-renouvelable", "energie-climat"}
BOOLEANS = [
    # CKAN writes "+capacity:public <fq> +state:(active)": OR makes the clause
    # before it optional, so both tags only rank
    _case({"fq": "tags:energie OR tags:finances"}, ALL),
    _case({"fq": "(tags:energie OR tags:finances)"}, ENERGIE_TAGGED | {"budget-primitif"}),
    _case({"q": "tags:energie OR tags:finances"}, ENERGIE_TAGGED | {"budget-primitif"}),
    # "+a OR b" is "a OR b"
    _case({"q": "+tags:energie OR tags:finances"}, ENERGIE_TAGGED | {"budget-primitif"}),
    # "a AND b OR c": a required, b and c optional
    _case({"q": "tags:energie AND tags:climat OR tags:finances"}, ENERGIE_TAGGED),
    _case({"q": "tags:finances OR tags:tourisme -organization:digne"}, set()),
    _case({"q": "tags:energie AND NOT tags:solaire"}, {"energie-climat"}),
    _case({"q": "tags:energie -tags:solaire"}, {"energie-climat"}),
    _case({"q": "tags:energie tags:climat"}, {"energie-climat"}),  # CKAN's q.op is AND
    _case({"q": "-tags:planning"}, PUBLIC),
]


@pytest.mark.parametrize(("params", "expected"), BOOLEANS)
def test_lucene_boolean_semantics(solr_corpus, params, expected):
    assert found(**params) == expected


DRAFT = "brouillon-mobilite"
PRIVATE = {"sante-prive", "energie-interne"}
TRICKS = [
    "OR state:draft",
    "OR state:(draft OR deleted)",
    "OR capacity:private",
    "OR *:*",
    "OR permission_labels:*",
    "-capacity:public",
    "OR state:draft OR capacity:private",
    "state:draft OR",
    "AND NOT state:active",
    "NOT state:active OR state:draft",
    "(*:* OR state:draft)",
    "{!bool should=state:draft}",
    "{!lucene}state:draft OR capacity:private",
]


@pytest.mark.ckan_config("ckan.search.solr_allowed_query_parsers", "bool lucene")
@pytest.mark.parametrize("include_private", [False, True])
@pytest.mark.parametrize("user", [None, "outsider", "digne-member", "region-admin"])
@pytest.mark.parametrize("trick", TRICKS)
def test_no_fq_trick_gives_drafts_or_private_datasets(solr_corpus, user, include_private, trick):
    """The permission boundary: a user's fq is optional clauses at most. CKAN's
    ``+state:(active)`` stays required (no draft without include_drafts, for
    a sysadmin too); the permission labels, a filter of their own, keep every
    private dataset from those who may not read it."""
    try:
        result = search(user, fq=trick, include_private=include_private, rows=50)
    except Exception as error:  # a refused query is fine; a leak is not
        assert isinstance(error, (SearchError, ValidationError)), error
        return
    seen = names(result)
    assert DRAFT not in seen
    assert result["count"] == len(seen)
    if user in (None, "outsider"):
        assert not seen & PRIVATE
    if user == "digne-member":
        assert "sante-prive" not in seen


# -- field existence -------------------------------------------------------------------
EXISTENCE = [
    _case({"fq": "author:*"}, {WIND, EAST}),
    _case({"fq": "-author:*"}, PUBLIC),
    _case({"fq": "author:[* TO *]"}, {WIND, EAST}),
    _case({"fq": "-author:[* TO *]"}, PUBLIC),
    _case({"fq": "extras_theme:*"}, {WIND}),
    _case({"fq": "-extras_theme:[* TO *]"}, ALL - {WIND}),
    _case({"fq": "license_id:*"}, ALL),
    _case({"fq": "-res_format:[* TO *]"}, {"budget-primitif"}),
]


@pytest.mark.parametrize(("params", "expected"), EXISTENCE)
def test_field_existence(solr_corpus, params, expected):
    assert found(**params) == expected


# -- dismax, edismax, qf, boosts ---------------------------------------------------------
DISMAX = [
    _case({"defType": "edismax", "q": "title:wind"}, {WIND}),
    _case({"defType": "edismax", "q": "title:wind OR title:budget"}, {WIND, "budget-primitif"}),
    _case({"defType": "edismax", "q": "wind output"}, {WIND}),
    _case({"q": "storm"}, {WIND}),
    _case({"q": "storm", "qf": "title"}, set()),  # storm is in the description only
    _case({"q": "storm", "qf": "notes^2 title^4"}, {WIND}),
    _case({"q": "budget", "qf": "title^4 text"}, {"budget-primitif"}),
    _case({"q": "solaire^2"}, {"energie-renouvelable"}),  # a boost ranks, it does not filter
    _case({"q": "wind^2 output"}, {WIND}),
]


@pytest.mark.parametrize(("params", "expected"), DISMAX)
def test_dismax_and_edismax(solr_corpus, params, expected):
    assert found(**params) == expected


# -- fuzzy terms, sloppy phrases, wildcards -----------------------------------------------
FUZZY_AND_WILDCARDS = [
    _case({"q": "title:climt~1"}, {"energie-climat"}),
    _case({"q": "title:climt~"}, {"energie-climat"}),  # 2 edits by default
    _case({"q": "title:clmt~1"}, set()),  # 2 edits away
    _case({"q": "title:cilmat~1"}, {"energie-climat"}),  # a transposition is one edit
    _case({"q": "tags:planing~1"}, {WIND, EAST}),
    _case({"q": "tags:planing~0"}, set()),
    _case({"q": "tags:planin~"}, {WIND, EAST}),  # 2 edits by default, whatever the length
    _case({"q": "tags:planning~0.9"}, {WIND, EAST}),  # the old similarity form: 0 edits here
    _case({"q": 'text:"energy storm"'}, set()),
    _case({"q": 'text:"energy storm"~2'}, set()),  # three words apart: 3 moves
    _case({"q": 'text:"energy storm"~3'}, {WIND}),
    _case({"q": 'text:"storm energy"~5'}, {WIND}),
    _case({"q": 'notes:"plan territorial"~3'}, {"energie-climat"}),
    _case({"q": "title:o*put"}, {WIND}),
    _case({"q": "title:o*pat"}, set()),
    _case({"q": "title:outp?t"}, {WIND}),
    _case({"q": "title:out*"}, {WIND}),
    _case({"q": "title:energ?"}, ENERGIE_TAGGED),  # the stem "energi"
    _case({"q": "title:en*gy"}, set()),  # no indexed term (stems) ends so
    _case({"q": "tags:plan*ing"}, {WIND, EAST}),
]


@pytest.mark.parametrize(("params", "expected"), FUZZY_AND_WILDCARDS)
def test_fuzzy_proximity_and_wildcards(solr_corpus, params, expected):
    assert found(**params) == expected


# -- local parameters ------------------------------------------------------------------------
LOCAL_PARAMS = [
    _case({"q": "{!bool must=storm}"}, {WIND}),
    _case({"q": "{!bool must='tags:energie' must_not='organization:cd13'}"}, {"energie-climat"}),
    _case(
        {"q": "{!bool should='tags:finances' should=\"tags:tourisme\"}"},
        {"budget-primitif", "frequentation-touristique"},
    ),
    _case({"q": "{!bool filter='tags:energie' must=solaire}"}, {"energie-renouvelable"}),
    _case({"q": "{!lucene}tags:energie"}, ENERGIE_TAGGED),
    _case({"q": "{!lucene q.op=OR}tags:energie tags:finances"}, ENERGIE_TAGGED | {"budget-primitif"}),
    _case({"q": "{!lucene v='tags:finances'}"}, {"budget-primitif"}),
]


@pytest.mark.ckan_config("ckan.search.solr_allowed_query_parsers", "bool knn lucene")
@pytest.mark.parametrize(("params", "expected"), LOCAL_PARAMS)
def test_local_parameters_of_the_allowed_parsers(solr_corpus, params, expected):
    assert found(**params) == expected


@pytest.mark.ckan_config("ckan.search.solr_allowed_query_parsers", "bool knn lucene")
def test_a_parser_without_its_index_is_a_search_error(solr_corpus):
    with pytest.raises(SearchError):
        search(q="{!knn f=vector topK=3}[1.0, 2.0]")


def test_local_parameters_are_refused_unless_allowed(solr_corpus):
    with pytest.raises(SearchError, match="Local parameters are not supported"):
        search(q="{!bool must=storm}")


# -- errors where Solr errs ------------------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [
        {"q": "--included"},
        {"q": "energie --included"},
        {"q": "+-included"},
        {"q": "title:--included"},
        {"q": "title:climat~3"},  # at most 2 edits
        {"sort": "tags asc"},  # a multi-valued field
        {"sort": "notes asc"},  # an analysed one
    ],
    ids=str,
)
def test_what_solr_refuses_is_a_search_error(solr_corpus, params):
    with pytest.raises(SearchError):
        search(**params)


def test_the_dataset_page_says_a_search_error(solr_corpus, app):
    body = app.get("/dataset/", query_string={"q": "--included"}, headers={"Accept-Language": "en"}).body
    assert "dataset-heading" not in body
    assert "error" in body.lower() or "erreur" in body.lower()


def test_a_field_the_schema_does_not_name_sorts(solr_corpus):
    # a catch-all "*" string field: CKAN's home page sorts by view_recent
    assert found(sort="view_recent desc") == ALL


# -- dates ------------------------------------------------------------------------------------
SOLR_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")


def test_stored_dates_are_at_the_millisecond_as_solr_returns_them(solr_corpus):
    rows = search(q=f"name:{WIND} OR name:{EAST}", fl=["name", "metadata_modified"])["results"]
    modified = {r["name"]: r["metadata_modified"] for r in rows}
    assert modified == {WIND: "2026-02-01T08:30:00.782Z", EAST: "2026-02-02T08:30:00Z"}
    assert all(SOLR_DATE.match(v) for v in modified.values())


def test_a_date_is_found_at_the_millisecond(solr_corpus):
    assert found(q="metadata_modified:[2026-02-01T08:30:00.782Z TO 2026-02-01T08:30:00.782Z]") == {WIND}
    assert found(q='metadata_modified:"2026-02-01T08:30:00.782999Z"') == {WIND}


def test_the_connection_gives_dates_as_datetimes_as_pysolr_does(solr_corpus):
    query = {"q": f"name:{WIND}", "fl": "name metadata_modified"}
    decoded = search_common.make_connection().search(**query).docs[0]
    assert decoded["metadata_modified"] == dt.datetime(2026, 2, 1, 8, 30, 0)
    raw = search_common.make_connection(decode_dates=False).search(**query).docs[0]
    assert raw["metadata_modified"] == "2026-02-01T08:30:00.782Z"
