"""Solr query syntax compiled to SQL over the index table.

``luqum`` parses the Lucene syntax that CKAN and users write (``q``, ``fq``,
``fq_list``); this module turns its tree into a SQL condition with bound
parameters, following Solr's meaning of each construct for CKAN's schema:
exact match on string fields, analysed (stemmed, accent-folded, French and
English) match on text fields, ranges on dates and numbers, ``+``/``-``,
AND/OR/NOT and the default operator ``q.op``. Free text without a field goes
through a dismax-like parser with CKAN's minimum-should-match rule.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser as lucene_parser

from . import analysis as A
from . import fields as F

TRUE = "TRUE"
FALSE = "FALSE"
# A condition on a terms array as Compiler.contains or Compiler._merged write it.
_TERMS_CONDITION = r"(terms|filter_terms) (@>|&&) CAST\(:(p\d+) AS text\[\]\)"
_TERMS_RE = re.compile(f"^{_TERMS_CONDITION}$")
_FILTER_CONDITION_RE = re.compile(_TERMS_CONDITION.replace("(terms|filter_terms)", "filter_terms", 1))
# What may join conditions: connectives, parentheses, constants.
_CONNECTIVES_RE = re.compile(r"^(?:[\s()]|\bAND\b|\bOR\b|\bNOT\b|\bTRUE\b|\bFALSE\b)*$")
# Columns that hold a copy of a field for fast range and sort.
DATE_COLUMNS = {"metadata_modified", "metadata_created"}


def only_filters(where: str) -> bool:
    """Whether the compiled condition ``where`` reads nothing but
    ``filter_terms`` (site, state, visibility, permission labels, type)."""
    return bool(_CONNECTIVES_RE.match(_FILTER_CONDITION_RE.sub(" TRUE ", where)))


class QuerySyntaxError(ValueError):
    """The query cannot be run; the message says why, for the user."""


class Compiler:
    """Compiles one search request's conditions; bind parameters are shared."""

    def __init__(
        self,
        schema: F.SolrSchema,
        analyze: Callable[[str], str | None],
        now: dt.datetime,
        q_op: str = "AND",
        df: str = "text",
    ):
        """``analyze`` turns folded text into a tsquery (French or English
        stems), or None when the text holds only stop words."""
        self.schema = schema
        self.analyze = analyze
        self.now = now
        self.q_op = (q_op or "AND").upper()
        self.df = df or "text"
        self.params: dict[str, Any] = {}
        self.scoring: list[str] = []  # tsqueries that rank the results

    # -- helpers --------------------------------------------------------
    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def inline(self, sql: str) -> str:
        """``sql`` with its bound parameters as one SQL text expression, for
        the functions that take a query as text (``ts_stat``). PostgreSQL
        quotes each value itself (``format``'s ``%L``)."""
        values: list[str] = []

        def placeholder(match: re.Match[str]) -> str:
            values.append(_as_literal_text(self.params[match.group(1)]))
            return f"%{len(values)}$L"

        template = _PARAM_RE.sub(placeholder, sql.replace("%", "%%"))
        if not values:
            return self.bind(template)
        return f"format(CAST({self.bind(template)} AS text), VARIADIC CAST({self.bind(values)} AS text[]))"

    def tsquery(self, text: str, prefix: bool) -> str | None:
        if prefix:
            words = re.findall(r"\w+", text)
            if not words:
                return None
            return " & ".join([f"'{w}'" for w in words[:-1]] + [f"'{words[-1]}':*"])
        return self.analyze(text)

    def text_term(self, field: str, text: str, prefix: bool, scoring: bool) -> str:
        """Full-text match of ``text`` in ``field``; TRUE if only stop words
        (Solr's analysis drops such a clause)."""
        query = self.tsquery(text, prefix)
        if query is None:
            return TRUE
        if field == "text":
            target = "text_vector"
            if scoring:
                self.scoring.append(query)
        else:
            target = f"datasud_pgsearch_tsv(text_doc ->> {self.bind(field)})"
        return f"({target} @@ CAST({self.bind(query)} AS tsquery))"

    def contains(self, field: str, value: str) -> str:
        """``field`` has the exact ``value``: its term is in the GIN-indexed
        ``terms`` or ``filter_terms`` (a hashed long value is confirmed on
        ``doc``)."""
        token = A.term(field, value)
        column = "filter_terms" if field in A.FILTER_FIELDS else "terms"
        condition = f"{column} @> CAST({self.bind([token])} AS text[])"
        if A.is_hashed(token):
            exact = f"doc @> CAST({self.bind(json.dumps({field: [value]}))} AS jsonb)"
            return f"({condition} AND {exact})"
        return condition

    def _merged(self, parts: list[str], operator: str) -> list[str]:
        """Conditions on one terms array joined by AND (all in one ``@>``) or
        by OR (one ``&&``, from overlaps and containments of one term)."""
        tokens: dict[str, list[str]] = {}
        rest = []
        for part in parts:
            match = _TERMS_RE.match(part)
            value = self.params.get(match.group(3)) if match else None
            if value is None:
                mergeable = False
            elif operator == "@>":  # all of the terms: containments only
                mergeable = match.group(2) == "@>"
            else:  # any of the terms: overlaps, or containments of one term
                mergeable = match.group(2) == "&&" or len(value) == 1
            if mergeable:
                tokens.setdefault(match.group(1), []).append(part)
            else:
                rest.append(part)
        merged = []
        for column, conditions in tokens.items():
            if len(conditions) == 1:
                merged.extend(conditions)
                continue
            values = [t for c in conditions for t in self.params[_TERMS_RE.match(c).group(3)]]
            merged.append(f"{column} {operator} CAST({self.bind(list(dict.fromkeys(values)))} AS text[])")
        return merged + rest

    def all_of(self, parts: list[str]) -> str:
        return _and(self._merged([p for p in parts if p != TRUE], "@>"))

    def any_of(self, parts: list[str]) -> str:
        if TRUE in parts:
            return TRUE
        return _or(self._merged([p for p in parts if p != FALSE], "&&"))

    def any_value(self, field: str, condition: str) -> str:
        return (
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text(doc -> "
            f"{self.bind(field)}) AS v(value) WHERE {condition})"
        )

    # -- entry points ---------------------------------------------------
    def lucene(self, query: str) -> str:
        query = query.strip()
        if not query:
            return TRUE
        try:
            parsed = lucene_parser.parse(query)
        except (ParseError, TypeError, ValueError) as error:
            raise QuerySyntaxError(f"Cannot parse query {query!r}: {error}") from error
        return self.node(parsed, None, scoring=True)

    def dismax(self, query: str, mm: str | None) -> str:
        """Free text as dismax reads it: words and "phrases", +required,
        -prohibited, and a minimum number of optional words that must match."""
        required, prohibited, optional = [], [], []
        for sign, token in re.findall(r'([+-]?)("[^"]*"|\S+)', query):
            phrase = token.startswith('"')
            raw = token.strip('"') if phrase else A.unescape(token)
            if not raw.strip() or (not phrase and raw in ("*", "*:*")):
                continue
            prefix = not phrase and raw.endswith("*")
            text = A.fold(raw.rstrip("*") if prefix else raw)
            if not re.search(r"\w", text):
                continue
            condition = self.text_term("text", text, prefix, scoring=sign != "-")
            if condition == TRUE:  # stop words only
                continue
            {"+": required, "-": prohibited}.get(sign, optional).append(condition)
        parts = list(required)
        parts += [f"NOT {c}" for c in prohibited]
        if optional:
            need = min_should_match(len(optional), mm) if not required else 0
            if need >= len(optional):
                parts += optional
            elif need > 0:
                counted = " + ".join(f"CAST({c} AS integer)" for c in optional)
                parts.append(f"(({' OR '.join(optional)}) AND ({counted}) >= {need})")
        return _and(parts)

    # -- the tree -------------------------------------------------------
    def node(self, node: tree.Item, field: str | None, scoring: bool) -> str:
        if isinstance(node, tree.SearchField):
            return self.node(node.expr, node.name, scoring)
        if isinstance(node, (tree.Group, tree.FieldGroup)):
            return self.node(node.expr, field, scoring)
        if isinstance(node, tree.Boost):
            return self.node(node.expr, field, scoring)
        if isinstance(node, tree.Plus):
            return self.node(node.a, field, scoring)
        if isinstance(node, (tree.Not, tree.Prohibit)):
            return f"(NOT {self.node(node.a, field, False)})"
        if isinstance(node, tree.AndOperation):
            return self.all_of([self.node(c, field, scoring) for c in node.children])
        if isinstance(node, tree.OrOperation):
            return self.any_of([self.node(c, field, scoring) for c in node.children])
        if isinstance(node, tree.UnknownOperation):
            return self.boolean_query(node.children, field, scoring)
        if isinstance(node, tree.Range):
            return self.range(field or self.df, node)
        if isinstance(node, tree.Phrase):
            return self.term(field or self.df, node.value[1:-1], phrase=True, scoring=scoring)
        if isinstance(node, tree.Word):
            return self.term(field or self.df, node.value, phrase=False, scoring=scoring)
        if isinstance(node, tree.Fuzzy):
            return self.node(node.term, field, scoring)
        if isinstance(node, tree.Proximity):
            return self.node(node.term, field, scoring)
        raise QuerySyntaxError(f"Unsupported query syntax: {node}")

    def boolean_query(self, children: list[tree.Item], field: str | None, scoring: bool) -> str:
        """Clauses joined by spaces: +must, -must not, the rest per ``q.op``."""
        must, must_not, should = [], [], []
        for child in children:
            if isinstance(child, (tree.Prohibit, tree.Not)):
                must_not.append(self.node(child.a, field, False))
            elif isinstance(child, tree.Plus) or self.q_op == "AND":
                must.append(self.node(child, field, scoring))
            else:
                should.append(self.node(child, field, scoring))
        parts = list(must)
        if should and not must:
            parts.append(self.any_of(should))
        parts += [f"(NOT {c})" for c in must_not]
        return self.all_of(parts)

    def term(self, field: str, value: str, phrase: bool, scoring: bool) -> str:
        if field == "*" and value == "*":
            return TRUE
        if not phrase and value == "*":
            return TRUE if field == "text" else f"(doc ? {self.bind(field)} OR text_doc ? {self.bind(field)})"
        definition = self.schema.field(field)
        if not definition.indexed:
            raise QuerySyntaxError(f"Field {field!r} is not searchable")
        wildcard = not phrase and A.has_wildcard(value)
        text = value if phrase else A.unescape(value)
        if definition.kind == F.TEXT:
            if wildcard:
                head = re.split(r"(?<!\\)[*?]", value, maxsplit=1)[0]
                folded = A.fold(A.unescape(head))
                if not re.search(r"\w", folded):
                    return TRUE
                return self.text_term(field, folded, prefix=True, scoring=scoring)
            return self.text_term(field, A.fold(text), prefix=False, scoring=scoring)
        if wildcard:
            return self.any_value(field, f"v.value LIKE {self.bind(A.wildcard_to_like(value))}")
        if definition.kind == F.DATE:
            try:
                return self.contains(field, A.format_date(A.solr_date(text, self.now)))
            except A.QueryValueError as error:
                raise QuerySyntaxError(f"Invalid date for field {field!r}: {error}") from error
        normalized = A.normalize_value(definition.kind, text)
        if normalized is None:
            raise QuerySyntaxError(f"Invalid value {text!r} for field {field!r}")
        return self.contains(field, normalized)

    def range(self, field: str, node: tree.Range) -> str:
        definition = self.schema.field(field)
        low, high = A.unescape(str(node.low)), A.unescape(str(node.high))
        bounds = []
        for value, include, op in ((low, node.include_low, ">"), (high, node.include_high, "<")):
            if value == "*":
                continue
            op = op + "=" if include else op
            try:
                if definition.kind == F.DATE:
                    bound = A.format_date(A.solr_date(value, self.now))
                elif definition.kind == F.NUMBER:
                    bound = float(value)
                else:
                    bound = value.strip('"')
            except (A.QueryValueError, ValueError) as error:
                raise QuerySyntaxError(f"Invalid range bound {value!r} for field {field!r}") from error
            bounds.append((op, bound))
        if definition.kind == F.DATE and field in DATE_COLUMNS:
            parts = [f"{field} {op} CAST({self.bind(b)} AS timestamp)" for op, b in bounds]
            return _and([f"{field} IS NOT NULL", *parts])
        number = definition.kind == F.NUMBER
        value = "CAST(v.value AS double precision)" if number else 'v.value COLLATE "C"'
        parts = [f"{value} {op} {self.bind(b)}" for op, b in bounds]
        return self.any_value(field, _and(parts))


_PARAM_RE = re.compile(r":(p\d+)\b")


def _as_literal_text(value: Any) -> str:
    """A bound value as the text PostgreSQL reads back as that value."""
    if isinstance(value, (list, tuple)):
        quoted = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value)
        return "{" + ",".join(quoted) + "}"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _and(parts: list[str]) -> str:
    parts = [p for p in parts if p != TRUE]
    if FALSE in parts:
        return FALSE
    if not parts:
        return TRUE
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def _or(parts: list[str]) -> str:
    if TRUE in parts:
        return TRUE
    parts = [p for p in parts if p != FALSE]
    if not parts:
        return FALSE
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def min_should_match(count: int, spec: str | None) -> int:
    """Solr's ``mm``: how many of ``count`` optional clauses must match.

    Reads the forms CKAN uses: ``3``, ``-1``, ``75%``, ``-25%`` and
    conditional ``2<-1 5<80%``.
    """

    def amount(expr: str) -> int:
        expr = expr.strip()
        if expr.endswith("%"):
            percent = int(expr[:-1])
            n = int(count * abs(percent) / 100)
            return count - n if percent < 0 else n
        n = int(expr)
        return count + n if n < 0 else n

    spec = (spec or "100%").strip()
    try:
        if "<" not in spec:
            need = amount(spec)
        else:
            need = count  # below the first threshold every clause is required
            for condition in spec.split():
                threshold, _, rule = condition.partition("<")
                if count > int(threshold):
                    need = amount(rule)
    except ValueError as error:
        raise QuerySyntaxError(f"Invalid mm parameter {spec!r}") from error
    return max(0, min(count, need))
