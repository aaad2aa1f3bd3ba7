"""The publication gate's conditions, without a database."""

from __future__ import annotations

import pytest

from ckanext.datasud_partnership.publication import gate as G

OPEN = frozenset({"lo-2.0", "odc-odbl", "cc-by", "cc-by-sa", "cc-zero", "odc-by"})
GOOD = G.Facts(
    agreement_in_force=True,
    licence_id="lo-2.0",
    open_licences=OPEN,
    declaration=G.Declaration("none", "2026-01"),
    declaration_version="2026-01",
    terms_version="3",
    terms_accepted="3",
)


@pytest.fixture(autouse=True)
def load_standard_plugins():
    """No CKAN needed (overrides conftest's)."""


def conditions(facts: G.Facts) -> list[tuple[str, str]]:
    return [(u.condition, u.field) for u in G.unmet_conditions(facts)]


def replace(**changes) -> G.Facts:
    import dataclasses

    return dataclasses.replace(GOOD, **changes)


def test_everything_holds():
    assert G.unmet_conditions(GOOD) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"agreement_in_force": False}, [("agreement", "owner_org")]),
        ({"licence_id": "notspecified"}, [("licence", "license_id")]),
        ({"licence_id": "other-closed"}, [("licence", "license_id")]),
        ({"licence_id": None}, [("licence", "license_id")]),
        ({"declaration": None}, [("declaration", "publication_declaration")]),
        ({"declaration": G.Declaration("none", "2025-01")}, [("declaration", "publication_declaration")]),
        ({"terms_accepted": "2"}, [("terms", "terms_of_use")]),
        ({"terms_accepted": None}, [("terms", "terms_of_use")]),
        ({"terms_version": None, "terms_accepted": None}, []),  # no terms published yet
        ({"missing_metadata": ("notes", "tags")}, [("metadata", "notes"), ("metadata", "tags")]),
    ],
)
def test_each_condition(changes, expected):
    assert conditions(replace(**changes)) == expected


def test_every_unmet_condition_is_named_at_once():
    facts = replace(
        agreement_in_force=False, licence_id="notspecified", declaration=None, terms_accepted=None
    )
    assert [c for c, _f in conditions(facts)] == ["agreement", "licence", "declaration", "terms"]


@pytest.mark.parametrize(
    ("value", "declaration", "problems"),
    [
        (None, None, 0),
        ({"personal_data": "none", "text_version": "2026-01"}, G.Declaration("none", "2026-01"), 0),
        (
            {"personal_data": "anonymized", "text_version": "2026-01", "note": "Noms retirés"},
            G.Declaration("anonymized", "2026-01", "Noms retirés"),
            0,
        ),
        ({"personal_data": "anonymized", "text_version": "2026-01"}, None, 1),  # a note is needed
        ({"personal_data": "some", "text_version": "2026-01"}, None, 1),
        ({"personal_data": "none"}, None, 1),
        ("yes", None, 1),
    ],
)
def test_parse_declaration(value, declaration, problems):
    parsed, unmet = G.parse_declaration(value)
    assert parsed == declaration
    assert len(unmet) == problems


def test_missing_metadata():
    dataset = {"title": "Budget", "notes": "  ", "tags": [], "resources": [{"url": "x"}]}
    assert G.missing_metadata(dataset, ["title", "notes", "tags", "resources"]) == ("notes", "tags")


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "  ",
        "\u200b",
        "\u00a0\u2003\u3000",
        "\ufeff\u200c\u200d\u2060\u00ad",
        "\u3164",
        [],
        ["", "\u200b"],
        {},
        "[]",
        '["\u200b"]',
    ],
    ids=repr,
)
def test_invisible_values_are_blank(value):
    assert G.blank(value)
    assert G.missing_metadata({"notes": value}, ["notes"]) == ("notes",)


@pytest.mark.parametrize(
    "value", ["a", " x\u200b", "[brouillon] budget", '["economie"]', ["budget"], 0, {"a": 1}], ids=repr
)
def test_visible_values_are_filled_in(value):
    assert not G.blank(value)
