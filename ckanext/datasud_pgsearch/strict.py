"""What Solr refuses, refused here too: the strict mode.

This backend could answer requests Solr answers with a 400 (a list in a
single-valued field, an immense string term, a facet on a date point, a sort
on a multi-valued or text field, a query of more than 1,024 clauses, a
parameter CKAN does not pass on). With ``ckanext.datasud_pgsearch.strict``
on (the tests turn it on), each is refused with Solr's own words, so that
development and CI fail where a portal running Solr would.

The rules read CKAN's ``schema.xml`` (``fields.ckan_schema``). The contract
tests of the Solr path (``tests/solr_contract/``) check the requests sent to
a real ``pysolr.Solr`` with the same functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from . import fields as F

OPTION = "ckanext.datasud_pgsearch.strict"

MAX_TERM_BYTES = 32_766  # Lucene's limit for one indexed term
MAX_CLAUSES = 1_024  # Solr 9's default maxBooleanClauses, counted over the whole query
# Solr's date format (DatePointField): ISO 8601 in UTC, "Z" required.
SOLR_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# What CKAN's query adds to what it lets a caller send (VALID_SOLR_PARAMETERS).
CKAN_ADDS = frozenset({"q.op"})
SORT_CLAUSE = re.compile(r"^\s*(\S+)\s+(asc|desc)\s*$", re.IGNORECASE)


def _values(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return [value]


def document_problems(doc: Mapping[str, Any], schema: F.SolrSchema | None = None) -> list[str]:
    """What Solr would refuse in a document sent to ``/update``."""
    schema = schema or F.ckan_schema()
    problems = []
    for name, value in doc.items():
        if value is None:
            continue
        field = schema.field(name)
        values = [v for v in _values(value) if v is not None]
        if len(values) > 1 and not field.multi_valued:
            problems.append(
                f"ERROR: multiple values encountered for non multiValued field {name}: {values[:3]}"
            )
        for one in values:
            problems += _value_problems(name, field, one)
    return problems


def _value_problems(name: str, field: F.Field, value: Any) -> list[str]:
    text = value if isinstance(value, str) else str(value)
    if field.kind == F.STRING and field.indexed and len(text.encode("utf-8")) > MAX_TERM_BYTES:
        return [
            f'Document contains at least one immense term in field="{name}" (whose UTF8 encoding is longer '
            f"than the max length {MAX_TERM_BYTES})"
        ]
    if field.kind == F.DATE and not (SOLR_DATE.match(text) or text.startswith("NOW")):
        return [f"ERROR: Error adding field '{name}'='{text[:40]}': Invalid Date String:'{text[:40]}'"]
    if field.kind == F.NUMBER and not (isinstance(value, (int, float)) or NUMBER.match(text)):
        return [f"ERROR: Error adding field '{name}'='{text[:40]}': For input string: \"{text[:40]}\""]
    if field.kind == F.BOOLEAN and text.lower() not in ("true", "false") and not isinstance(value, bool):
        return [f"ERROR: Error adding field '{name}'='{text[:40]}': Invalid boolean value"]
    return []


def clause_count(query: str) -> int:
    """The clauses of a Lucene query as Solr counts them against its limit:
    every term, phrase and range (luqum's parse of the query)."""
    from luqum.parser import parser
    from luqum.tree import Fuzzy, Phrase, Proximity, Range, Regex, Term, Word

    leaves = (Word, Phrase, Range, Fuzzy, Proximity, Regex, Term)
    try:
        tree = parser.parse(query)
    except Exception:  # a syntax error: the query's own parser says so
        return 0

    def walk(node: Any) -> int:
        if isinstance(node, leaves):
            return 1
        return sum(walk(child) for child in node.children)

    return walk(tree)


def query_problems(
    q: str | None, params: Mapping[str, Any], allowed: Iterable[str], schema: F.SolrSchema | None = None
) -> list[str]:
    """What Solr (or CKAN in front of it) would refuse in a ``/select``."""
    schema = schema or F.ckan_schema()
    allowed = set(allowed) | CKAN_ADDS
    problems = [
        f"Invalid search parameter: {name} (CKAN passes only its own list on to Solr)"
        for name in params
        if name not in allowed
    ]
    for query in [q or "", *[str(fq) for fq in _values(params.get("fq") or [])]]:
        if clause_count(query) > MAX_CLAUSES:
            problems.append(f"too many boolean clauses (more than {MAX_CLAUSES}): {query[:60]}...")
    for name in _values(params.get("facet.field") or []):
        field = schema.field(str(name))
        if field.kind in (F.DATE, F.NUMBER) and not field.doc_values:
            problems.append(f"Can't facet on a PointField without docValues: {name}")
    for clause in str(params.get("sort") or "").split(","):
        match = SORT_CLAUSE.match(clause)
        if match and match.group(1) != "score":
            refusal = sort_refusal(match.group(1), schema.field(match.group(1)))
            problems += [refusal] if refusal else []
    return problems


def sort_refusal(name: str, field: F.Field) -> str | None:
    """Why Solr cannot sort on ``field``, if it cannot (the backend refuses
    the same, strict mode or not)."""
    if not field.indexed:
        return f"sort param field can't be found: {name}"
    if field.multi_valued:
        return f"can not sort on multivalued field: {name}"
    if field.kind in (F.TEXT, F.NGRAM):
        return f"can not sort on a tokenized field: {name}"
    return None


def delete_problems(q: str) -> list[str]:
    if clause_count(q) > MAX_CLAUSES:
        return [f"too many boolean clauses (more than {MAX_CLAUSES}) in a delete by query"]
    return []


def enabled() -> bool:
    import ckan.plugins.toolkit as tk

    return tk.asbool(tk.config.get(OPTION))
