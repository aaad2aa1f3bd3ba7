"""Official French codes and dates of the profile: pure rules, no CKAN import.

- SIREN: 9 digits whose Luhn checksum is valid (INSEE's rule).
- INSEE codes of the Code officiel géographique: a commune (5 characters,
  Corsica 2A/2B), a département (2 characters, 2A/2B, or 3 for overseas
  97x) or a region (2 digits, one of the 18 regions since 2016).
"""

from __future__ import annotations

import datetime as dt
import re

SPATIAL_LEVELS = ("commune", "departement", "region")

# The regions' codes since 1 January 2016 (COG).
REGIONS = frozenset(
    {
        "01",
        "02",
        "03",
        "04",
        "06",
        "11",
        "24",
        "27",
        "28",
        "32",
        "44",
        "52",
        "53",
        "75",
        "76",
        "84",
        "93",
        "94",
    }
)
_COMMUNE = re.compile(r"^(?:(?!00)\d{2}|2[AB])\d{3}$")
_DEPARTEMENT = re.compile(r"^(?:0[1-9]|1\d|[3-8]\d|9[0-5]|2[AB]|97[1-6])$")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siren_problem(value: str) -> str | None:
    """None when ``value`` is a valid SIREN number, else what is wrong:
    "format" (not 9 digits) or "checksum"."""
    compact = value.replace(" ", "")
    if not re.fullmatch(r"\d{9}", compact):
        return "format"
    if not luhn_valid(compact):
        return "checksum"
    return None


def normalize_siren(value: str) -> str:
    return value.replace(" ", "")


def insee_code_valid(code: str, level: str | None) -> bool:
    """Whether ``code`` is a well-formed INSEE code of ``level`` (any level
    when ``level`` is None)."""
    code = code.upper()
    checks = {
        "commune": lambda: bool(_COMMUNE.match(code)),
        "departement": lambda: bool(_DEPARTEMENT.match(code)),
        "region": lambda: code in REGIONS,
    }
    if level is None:
        return any(check() for check in checks.values())
    return level in checks and checks[level]()


def parse_date(value: object) -> dt.date | None:
    """A date from a ``datetime.date`` or an ISO ``YYYY-MM-DD`` text; None
    when it is neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return dt.date.fromisoformat(text)
            return dt.datetime.fromisoformat(text).date() if "T" in text else None
        except ValueError:
            return None
    return None


def period_problem(start: dt.date | None, end: dt.date | None) -> bool:
    """True when the period ends before it starts."""
    return start is not None and end is not None and end < start
