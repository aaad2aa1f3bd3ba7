"""The profile's pure rules: SIREN, INSEE codes, dates (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.datasud_partnership.profile import codes


@pytest.fixture(autouse=True)
def load_standard_plugins():
    """No CKAN needed (overrides conftest's)."""


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("221300015", None),  # Département des Bouches-du-Rhône
        ("210400701", None),  # Commune de Digne-les-Bains
        ("221 300 015", None),  # spaces as people write it
        ("221300016", "checksum"),
        ("221300051", "checksum"),  # two digits swapped
        ("22130001", "format"),
        ("2213000150", "format"),
        ("22130001A", "format"),
        ("", "format"),
    ],
)
def test_siren(value, problem):
    assert codes.siren_problem(value) == problem


def test_siren_is_stored_without_spaces():
    assert codes.normalize_siren("221 300 015") == "221300015"


@pytest.mark.parametrize(
    ("code", "level", "valid"),
    [
        ("04070", "commune", True),  # Digne-les-Bains
        ("13055", "commune", True),  # Marseille
        ("2A004", "commune", True),  # Ajaccio
        ("97411", "commune", True),  # Saint-Denis (La Réunion)
        ("00123", "commune", False),
        ("0407", "commune", False),
        ("04", "commune", False),
        ("04", "departement", True),
        ("13", "departement", True),
        ("2A", "departement", True),
        ("974", "departement", True),
        ("20", "departement", False),  # Corsica is 2A and 2B
        ("96", "departement", False),
        ("979", "departement", False),
        ("93", "region", True),  # Provence-Alpes-Côte d'Azur
        ("94", "region", True),
        ("13", "region", False),
        ("04070", "region", False),
        ("04070", None, True),
        ("93", None, True),
        ("XYZ", None, False),
        ("04070", "canton", False),
    ],
)
def test_insee_codes(code, level, valid):
    assert codes.insee_code_valid(code, level) is valid


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2024-02-29", dt.date(2024, 2, 29)),
        (" 2024-01-31 ", dt.date(2024, 1, 31)),
        ("2024-01-31T10:00:00", dt.date(2024, 1, 31)),
        (dt.date(2024, 1, 31), dt.date(2024, 1, 31)),
        (dt.datetime(2024, 1, 31, 23, 59), dt.date(2024, 1, 31)),
        ("2023-02-29", None),
        ("31/01/2024", None),
        ("2024", None),
        ("", None),
        (None, None),
        (20240131, None),
    ],
)
def test_parse_date(value, day):
    assert codes.parse_date(value) == day


def test_a_period_may_be_one_day_or_open_but_not_reversed():
    day = dt.date(2024, 1, 31)
    assert not codes.period_problem(day, day)
    assert not codes.period_problem(day, None)
    assert not codes.period_problem(None, day)
    assert codes.period_problem(day, day - dt.timedelta(days=1))
