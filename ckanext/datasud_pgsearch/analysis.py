"""Turning values into what the index stores and compares.

Plain functions with no database: accent folding, Solr dates and date math,
and the normalised form of an indexed document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import unicodedata
from typing import Any

from dateutil.parser import ParserError, isoparse
from dateutil.relativedelta import relativedelta

from . import fields as F

log = logging.getLogger(__name__)

# Dates are kept as fixed-width UTC strings, so that comparing the strings
# compares the instants.
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# A word that separates the values of a multi-valued field, so that a phrase
# does not match across two values (it is also the gap of the SQL function
# datasud_pgsearch_tsv; nobody searches for it).
GAP = "zzgapzz"
# A term is a field and one of its exact values in one string, for the
# ``terms`` array (exact filters) and the ``facets`` vector (facet counts). A
# field name never holds these control characters: the field ends at the first
# one. A value too long for an index key is kept as its SHA-256 digest.
TERM_SEPARATOR = "\x1f"
HASHED_SEPARATOR = "\x1e"
LONG_TERM_BYTES = 1000  # GIN keys must stay well under a third of a page
# A lexeme of every ``facets`` vector: its document count is the number of hits.
EVERY_DOCUMENT = TERM_SEPARATOR
# The fields CKAN filters every search on (site, state, visibility,
# permission labels, type): their terms are kept apart, in a small array
# read with each row, so that checking them costs little.
FILTER_FIELDS = frozenset(
    ("site_id", "state", "capacity", "permission_labels", "dataset_type", "entity_type")
)


class QueryValueError(ValueError):
    """A value in a query that cannot be understood (a bad date, say)."""


def fold(text: str) -> str:
    """Lower-case and strip accents: "Données Énergie" -> "donnees energie"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("œ", "oe").replace("æ", "ae").lower()


def format_date(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.strftime(DATE_FORMAT)


def parse_date(value: Any) -> dt.datetime:
    """An ISO date or datetime (naive means UTC), as a naive UTC datetime."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    else:
        try:
            parsed = isoparse(str(value).strip())
        except (ParserError, ValueError) as error:
            raise QueryValueError(f"not a date: {value!r}") from error
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return to_milliseconds(parsed)


def to_milliseconds(value: dt.datetime) -> dt.datetime:
    """Solr keeps instants to the millisecond."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def solr_date_text(value: Any) -> Any:
    """A stored date as Solr returns it: ``2026-01-10T09:00:00.782Z``, or
    ``...09:00:00Z`` on a whole second; a value that is not a date, as it is."""
    try:
        parsed = parse_date(value)
    except QueryValueError:
        return value
    text = parsed.strftime("%Y-%m-%dT%H:%M:%S")
    if parsed.microsecond:
        text += f".{parsed.microsecond // 1000:03d}"
    return text + "Z"


_UNITS = {
    "YEAR": "years",
    "MONTH": "months",
    "DAY": "days",
    "DATE": "days",
    "HOUR": "hours",
    "MINUTE": "minutes",
    "SECOND": "seconds",
    "MILLI": "microseconds",
    "MILLISECOND": "microseconds",
}
_MATH_RE = re.compile(r"([+-/])(\d*)([A-Z]+)")


def _unit(name: str) -> str:
    key = name[:-1] if name.endswith("S") and name[:-1] in _UNITS else name
    if key not in _UNITS:
        raise QueryValueError(f"unknown date unit {name!r}")
    return _UNITS[key]


def _round(value: dt.datetime, unit: str) -> dt.datetime:
    order = ["years", "months", "days", "hours", "minutes", "seconds", "microseconds"]
    keep = order.index(unit)
    parts = {
        "month": 1 if keep < 1 else value.month,
        "day": 1 if keep < 2 else value.day,
        "hour": 0 if keep < 3 else value.hour,
        "minute": 0 if keep < 4 else value.minute,
        "second": 0 if keep < 5 else value.second,
        "microsecond": 0 if keep < 6 else value.microsecond,
    }
    return value.replace(**parts)


def solr_date(expression: str, now: dt.datetime) -> dt.datetime:
    """Evaluate Solr date syntax: ``NOW``, ``NOW/DAY``, ``NOW-1YEAR``,
    ``2024-01-31T00:00:00Z+1MONTH``... as a naive UTC datetime."""
    text = expression.strip().upper()
    if text.startswith("NOW"):
        value, rest = now, text[3:]
    else:
        match = re.match(r"^(\d{4}-\d\d-\d\d(?:T[\d:.]+)?Z?)(.*)$", text)
        if not match:
            raise QueryValueError(f"not a date: {expression!r}")
        value, rest = parse_date(match.group(1)), match.group(2)
    position = 0
    for op in _MATH_RE.finditer(rest):
        if op.start() != position:
            break
        position = op.end()
        sign, amount, unit = op.group(1), op.group(2), _unit(op.group(3))
        if sign == "/":
            value = _round(value, unit)
            continue
        count = int(amount or "1") * (1000 if op.group(3).startswith("MILLI") else 1)
        delta = relativedelta(**{unit: count})
        value = value + delta if sign == "+" else value - delta
    if position != len(rest):
        raise QueryValueError(f"cannot read date math in {expression!r}")
    return to_milliseconds(value)


def normalize_number(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [v for v in value if v is not None]
    return [value]


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def term(field: str, value: str) -> str:
    """The term of one exact value of ``field`` (see ``TERM_SEPARATOR``)."""
    token = f"{field}{TERM_SEPARATOR}{value}"
    if len(token.encode("utf-8")) <= LONG_TERM_BYTES:
        return token
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    return f"{field}{HASHED_SEPARATOR}{digest}"


def is_hashed(token: str) -> bool:
    return HASHED_SEPARATOR in token


def terms_of(exact: dict[str, list[str]], fields: Any = None) -> list[str]:
    """The distinct terms of the exact values, of ``fields`` only if given;
    for ``fields`` (facets), values too long to be kept whole are left out."""
    tokens = set()
    for name, values in exact.items():
        if TERM_SEPARATOR in name or HASHED_SEPARATOR in name:
            continue  # cannot be told apart from its value: never matched
        if fields is not None and name not in fields:
            continue
        for value in values:
            token = term(name, value)
            if fields is None or not is_hashed(token):
                tokens.add(token)
    return sorted(tokens)


def normalize_value(kind: str, value: Any) -> str | None:
    """The exact-match form of one value, or None if the field rejects it."""
    try:
        if kind == F.DATE:
            return format_date(parse_date(value))
        if kind == F.NUMBER:
            return normalize_number(value)
        if kind == F.BOOLEAN:
            return "true" if str(value).lower() in ("true", "1", "t", "yes", "on") else "false"
    except (QueryValueError, ValueError, TypeError):
        return None
    return _as_text(value)


def prepare_document(doc: dict[str, Any], schema: F.SolrSchema, facet_fields: Any = ()) -> dict[str, Any]:
    """Split a Solr document into the parts the PostgreSQL index stores.

    Returns ``exact`` (field -> list of exact values), ``terms`` and
    ``filter_terms`` (every exact value as a term, for filters; the latter for
    ``FILTER_FIELDS``), ``facets`` (``EVERY_DOCUMENT`` and the terms of
    ``facet_fields``, for the counts), ``text`` (field -> folded text, for analysed fields),
    ``weighted`` (weight -> text feeding the catch-all ``text`` field),
    ``stored`` (what a search returns), and the sort keys.
    """
    exact: dict[str, list[str]] = {}
    text: dict[str, str] = {}
    weighted: dict[str, list[str]] = {"A": [], "B": [], "C": [], "D": []}
    stored: dict[str, Any] = {}
    ngrams: set[str] = set()
    copies = [(dest, doc[source]) for source in doc for dest in schema.copies_of(source) if dest not in doc]
    for name, value in [*doc.items(), *copies]:
        field = schema.field(name)
        if field.stored and value is not None:
            stored[name] = _stored(field, value)
        if not field.indexed:
            continue
        values = _values(value)
        if field.kind == F.NGRAM:
            # the value lower-cased as Solr's analyser does (not folded): the
            # start of every suffix of its words, for ``ngram_vector``
            kept = [_as_text(v).lower() for v in values if _as_text(v).strip()]
            ngrams.update(ngram_lexemes(name, kept, schema.ngram_sizes[1]))
            continue
        if field.kind == F.TEXT:
            # a value without a word makes no token: the field does not exist (``author:*``)
            values = [v for v in values if re.search(r"\w", _as_text(v))]
            folded = fold(f" {GAP} ".join(_as_text(v) for v in values))
            if name != "text" and values:
                text[name] = folded
        else:
            normalized = [normalize_value(field.kind, v) for v in values]
            kept = [v for v in normalized if v is not None]
            if len(kept) != len(normalized):
                log.warning("%s: dropped values of %s that are not %s", doc.get("id"), name, field.kind)
            if kept:
                exact[name] = kept
        if name == "text" or schema.copied_to_text(name):
            weight = F.TEXT_WEIGHTS.get(name, "D")
            weighted[weight].extend(fold(_as_text(v)) for v in values)
    title = doc.get("title_string") or doc.get("title") or ""
    return {
        "exact": exact,
        "terms": terms_of({k: v for k, v in exact.items() if k not in FILTER_FIELDS}),
        "filter_terms": terms_of({k: v for k, v in exact.items() if k in FILTER_FIELDS}),
        "facets": [EVERY_DOCUMENT, *terms_of(exact, set(facet_fields))],
        "text": text,
        "ngrams": sorted(ngrams),
        "weighted": {k: f" {GAP} ".join(v) for k, v in weighted.items()},
        "stored": stored,
        "title_sort": fold(str(title)).strip(),
        "metadata_modified": exact.get("metadata_modified", [None])[0],
        "metadata_created": exact.get("metadata_created", [None])[0],
    }


def ngram_lexemes(field: str, values: list[str], longest: int) -> list[str]:
    """The lexemes of an n-gram field in ``ngram_vector``: ``field<US>`` and
    the first ``longest`` characters of each suffix of each word. A query
    word (no space) of up to ``longest`` characters is a part of the value,
    as Solr's n-grams find it, when it starts one of them (a prefix query)."""
    out = set()
    for value in values:
        for word in value.split():
            for i in range(len(word) - 1):
                out.add(f"{field}{TERM_SEPARATOR}{word[i : i + longest]}")
    return sorted(out)


def _stored(field: F.Field, value: Any) -> Any:
    if field.kind != F.DATE:
        return value
    if isinstance(value, (list, tuple)):
        return [solr_date_text(v) for v in value]
    return solr_date_text(value)


def wildcard_to_like(pattern: str) -> str:
    out = []
    for char in pattern:
        if char == "*":
            out.append("%")
        elif char == "?":
            out.append("_")
        elif char in "%_\\":
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def unescape(term: str) -> str:
    """Remove Lucene backslash escapes: ``a\\:b`` -> ``a:b``."""
    return re.sub(r"\\(.)", r"\1", term)


def escape_wildcards(value: str) -> str:
    """``value`` with its ``*``, ``?`` and backslashes taken literally."""
    return re.sub(r"([\\*?])", r"\\\1", value)


def has_wildcard(term: str) -> bool:
    return bool(re.search(r"(?<!\\)[*?]", term))
