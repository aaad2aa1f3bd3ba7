"""The pure parts of the search backend: folding, dates, minimum-should-match."""

import datetime as dt

import pytest

from ckanext.datasud_pgsearch import analysis as A
from ckanext.datasud_pgsearch import fields as F
from ckanext.datasud_pgsearch.compiler import QuerySyntaxError, min_should_match


@pytest.fixture(autouse=True)
def load_standard_plugins():
    """Pure functions: no CKAN plugins needed (overrides conftest's)."""


NOW = dt.datetime(2024, 3, 31, 15, 45, 12, 500000)


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Données", "donnees"), ("ÉNERGIE", "energie"), ("Cœur de ville", "coeur de ville"), ("Ça", "ca")],
)
def test_fold(text, folded):
    assert A.fold(text) == folded


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("NOW", NOW),
        ("NOW/DAY", dt.datetime(2024, 3, 31)),
        ("NOW/MONTH", dt.datetime(2024, 3, 1)),
        ("NOW-1MONTH", dt.datetime(2024, 2, 29, 15, 45, 12, 500000)),  # month end, leap year
        ("NOW-1YEAR/DAY", dt.datetime(2023, 3, 31)),
        ("NOW+1DAY", dt.datetime(2024, 4, 1, 15, 45, 12, 500000)),
        ("NOW-2HOURS", dt.datetime(2024, 3, 31, 13, 45, 12, 500000)),
        ("2024-02-29T00:00:00Z+1YEAR", dt.datetime(2025, 2, 28)),
        ("2023-12-31T23:59:59Z+1SECOND", dt.datetime(2024, 1, 1)),
        ("2024-01-31", dt.datetime(2024, 1, 31)),
    ],
)
def test_solr_date_math(expression, expected):
    assert A.solr_date(expression, NOW) == expected


@pytest.mark.parametrize("expression", ["hier", "NOW-1FORTNIGHT", "NOW-", "2024-13-01T00:00:00Z"])
def test_bad_dates_are_refused(expression):
    with pytest.raises(A.QueryValueError):
        A.solr_date(expression, NOW)


def test_dates_compare_as_strings():
    values = ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.5Z", "2023-12-31T23:59:59+01:00"]
    normalized = sorted(A.normalize_value(F.DATE, v) for v in values)
    assert normalized == [
        "2023-12-31T22:59:59.000000Z",
        "2024-01-01T00:00:00.000000Z",
        "2024-01-01T00:00:00.500000Z",
    ]


@pytest.mark.parametrize(
    ("count", "spec", "need"),
    [
        (1, "2<-1 5<80%", 1),
        (2, "2<-1 5<80%", 2),
        (3, "2<-1 5<80%", 2),
        (5, "2<-1 5<80%", 4),
        (6, "2<-1 5<80%", 4),
        (10, "2<-1 5<80%", 8),
        (4, "3", 3),
        (4, "-1", 3),
        (4, "75%", 3),
        (4, "-25%", 3),
        (4, None, 4),
    ],
)
def test_min_should_match(count, spec, need):
    assert min_should_match(count, spec) == need


def test_bad_mm_is_a_query_error():
    with pytest.raises(QuerySyntaxError):
        min_should_match(3, "lots")


def test_field_kinds_come_from_ckan_schema():
    schema = F.ckan_schema()
    assert schema.field("tags").kind == F.STRING
    assert schema.field("title").kind == F.TEXT
    assert schema.field("metadata_modified").kind == F.DATE
    assert schema.field("issued_date").kind == F.DATE  # *_date
    assert schema.field("extras_theme").kind == F.TEXT  # extras_*
    assert schema.field("publication_status").kind == F.STRING  # *
    assert not schema.field("permission_labels").stored
    assert schema.copied_to_text("res_url")  # through urls
    assert not schema.copied_to_text("permission_labels")


def test_prepared_document_keeps_what_solr_would():
    doc = {
        "index_id": "x",
        "id": "1",
        "title": "Données Énergie",
        "tags": ["énergie", "climat"],
        "permission_labels": ["public"],
        "metadata_modified": "2024-01-01T10:00:00Z",
        "views_total": 3,
    }
    prepared = A.prepare_document(doc, F.ckan_schema())
    assert prepared["exact"]["tags"] == ["énergie", "climat"]  # exact values keep their accents
    assert prepared["exact"]["views_total"] == ["3"]
    assert prepared["text"]["title"] == "donnees energie"
    assert "permission_labels" not in prepared["stored"]
    assert prepared["title_sort"] == "donnees energie"
    assert prepared["metadata_modified"] == "2024-01-01T10:00:00.000000Z"
    assert "donnees energie" in prepared["weighted"]["A"]
