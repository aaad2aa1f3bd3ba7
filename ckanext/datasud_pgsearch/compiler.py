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
# A clause whose terms all vanish in analysis (punctuation, an emoji): Lucene
# leaves it out of its boolean query; a query of nothing else matches nothing.
VANISHED = "/* vanished */ FALSE"
# Lucene's occurrences of a clause in a boolean query
MUST, SHOULD, MUST_NOT = "must", "should", "must_not"
# Lucene's limit on the terms a fuzzy or wildcard query expands to
MAX_EXPANSIONS = 1024
LOCAL_PARAMS_RE = re.compile(r"""\{!((?:[^}'"]|'[^']*'|"[^"]*")*)\}""")
LOCAL_PARAM_RE = re.compile(r"""\s*([\w.]+)(?:=('[^']*'|"[^"]*"|[^\s}]+))?""")
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
        literal: Callable[[str], str | None] | None = None,
        vocabulary: Callable[[str, str], list[str]] | None = None,
        qf: str | None = None,
        request: dict[str, Any] | None = None,
    ):
        """``analyze`` turns folded text into a tsquery (French or English
        stems), or None when the text holds only stop words; ``literal``
        the same without dropping stop words (None when nothing is left);
        ``vocabulary(field, prefix)`` lists the indexed terms of a field that
        start with ``prefix`` (for fuzzy and wildcard terms). ``qf`` are the
        dismax query fields, ``request`` the parameters of the request
        (``$name`` in local parameters)."""
        self.schema = schema
        self.analyze = analyze
        self.literal = literal or analyze
        self.vocabulary = vocabulary
        self.now = now
        self.q_op = (q_op or "AND").upper()
        self.df = df or "text"
        self.qf = query_fields(qf)
        self.request = request or {}
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

    def tsquery(self, text: str, prefix: bool, literal: bool = False) -> str | None:
        if prefix:
            words = re.findall(r"\w+", text)
            if not words:
                return None
            return " & ".join([f"'{w}'" for w in words[:-1]] + [f"'{words[-1]}':*"])
        return self.literal(text) if literal else self.analyze(text)

    def text_term(self, field: str, text: str, prefix: bool, scoring: bool, literal: bool = True) -> str:
        """Full-text match of ``text`` in ``field``. CKAN's ``text`` field has
        no stop filter: a word is matched as it is written even when it is a
        stop word (``literal``); VANISHED when nothing is left of it."""
        query = self.tsquery(text, prefix, literal=literal)
        if query is None:
            return VANISHED if literal or prefix else TRUE
        return self.match(field, query, scoring)

    def match(self, field: str, query: str, scoring: bool) -> str:
        """``field`` matches the tsquery ``query``."""
        if field == "text":
            if scoring:
                self.scoring.append(query)
            return f"(text_vector @@ CAST({self.bind(query)} AS tsquery))"
        exact = (
            f"(datasud_pgsearch_tsv(text_doc ->> {self.bind(field)}) @@ CAST({self.bind(query)} AS tsquery))"
        )
        if not self.schema.copied_to_text(field):
            return exact
        # The field's words are in the catch-all vector too, with its weight:
        # the text index finds the candidates, each is then checked on the
        # field itself (analysing every document's field took 180 ms at 1,000).
        weighted = _weighted(query, F.TEXT_WEIGHTS.get(field, "D"))
        return f"(text_vector @@ CAST({self.bind(weighted)} AS tsquery) AND {exact})"

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
        kept = [p for p in parts if p != VANISHED]
        if parts and not kept:
            return VANISHED
        return _and(self._merged([p for p in kept if p != TRUE], "@>"))

    def any_of(self, parts: list[str]) -> str:
        kept = [p for p in parts if p != VANISHED]
        if parts and not kept:
            return VANISHED
        if TRUE in kept:
            return TRUE
        return _or(self._merged([p for p in kept if p != FALSE], "&&"))

    def any_value(self, field: str, condition: str) -> str:
        return (
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text(doc -> "
            f"{self.bind(field)}) AS v(value) WHERE {condition})"
        )

    def exists(self, field: str) -> str:
        """``field:*`` and ``field:[* TO *]``: the document has a value (a
        text value that makes no token does not count)."""
        if field in ("text", "*"):
            return TRUE
        kind = self.schema.field(field).kind
        if kind == F.NGRAM:
            return f"(ngram_vector @@ CAST({self.bind(_lexeme(field + A.TERM_SEPARATOR) + ':*')} AS tsquery))"
        if kind == F.TEXT:
            return f"(text_doc ? {self.bind(field)})"
        return f"(doc ? {self.bind(field)})"

    # -- entry points ---------------------------------------------------
    def lucene(self, query: str) -> str:
        """``query`` in Solr's standard syntax (local parameters first, if any)."""
        return _top(self.clause(query))

    def clause(self, query: str) -> str:
        query = query.strip()
        if not query:
            return TRUE
        if query.startswith("{!"):
            return self.local_params(query)
        try:
            parsed = lucene_parser.parse(query)
        except (ParseError, TypeError, ValueError) as error:
            raise QuerySyntaxError(f"Cannot parse query {query!r}: {error}") from error
        return self.node(parsed, None, scoring=True)

    def edismax(self, query: str, mm: str | None) -> str:
        """edismax reads Solr's syntax (fields, operators) and free words alike:
        a query with neither is read as dismax reads it."""
        if re.search(r"(?<!\\)[:()]|\b(AND|OR|NOT)\b|\S[*?~^]", query):
            return _top(self.clause(query))
        return self.dismax(query, mm)

    def dismax(self, query: str, mm: str | None) -> str:
        """Free text as dismax reads it: words and "phrases", +required,
        -prohibited, and a minimum number of optional words that must match.
        ``word^2`` is a boost (it ranks, it does not filter). Stop words do not
        count, unless the query has nothing else: then they are matched as
        written, and a query of nothing but punctuation matches nothing."""
        tokens = []
        for sign, token in re.findall(r'([+-]?)("[^"]*"|\S+)', query):
            phrase = token.startswith('"')
            if not phrase and re.match(r"^[+-]", token) and re.search(r"\w", token):
                raise QuerySyntaxError(f"Cannot parse query {query!r}: {sign}{token}")
            raw = token.strip('"') if phrase else A.unescape(re.sub(r"\^\d+(\.\d*)?$", "", token))
            if not raw.strip() or (not phrase and raw in ("*", "*:*")):
                continue
            prefix = not phrase and raw.endswith("*")
            text = A.fold(raw.rstrip("*") if prefix else raw)
            tokens.append((sign, text, prefix))
        conditions = self._dismax_words(tokens, literal=False)
        if tokens and not any(conditions.values()):
            conditions = self._dismax_words(tokens, literal=True)
            if not any(conditions.values()):
                return FALSE
        required, prohibited, optional = conditions["+"], conditions["-"], conditions[""]
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

    def _dismax_words(self, tokens: list[tuple[str, str, bool]], literal: bool) -> dict[str, list[str]]:
        conditions: dict[str, list[str]] = {"+": [], "-": [], "": []}
        for sign, text, prefix in tokens:
            if not re.search(r"\w", text):
                continue
            condition = self.any_of(
                [self._qf_term(field, text, prefix, sign != "-", literal) for field in self.qf]
            )
            if condition in (TRUE, VANISHED):  # stop words only
                continue
            conditions[sign].append(condition)
        return conditions

    def _qf_term(self, field: str, text: str, prefix: bool, scoring: bool, literal: bool) -> str:
        kind = self.schema.field(field).kind
        if kind == F.TEXT:
            return self.text_term(field, text, prefix, scoring, literal=literal)
        if prefix:
            return self.term(field, text + "*", phrase=False, scoring=scoring)
        return self.term(field, text, phrase=True, scoring=scoring)

    # -- local parameters ({!parser ...}) -----------------------------------
    def local_params(self, query: str) -> str:
        """Solr's local parameters, for the parsers an administrator allows
        (``ckan.search.solr_allowed_query_parsers``): ``lucene``, ``dismax``,
        ``edismax``, ``bool``, ``field``, ``term``, ``terms``, ``prefix``."""
        match = LOCAL_PARAMS_RE.match(query)
        if not match:
            raise QuerySyntaxError(f"Cannot parse local parameters in {query!r}")
        params: dict[str, list[str]] = {}
        body = match.group(1)
        position = 0
        for i, pair in enumerate(LOCAL_PARAM_RE.finditer(body)):
            if pair.start() != position:
                break
            position = pair.end()
            key, value = pair.group(1), pair.group(2)
            if value is None:
                if i != 0:
                    raise QuerySyntaxError(f"Cannot parse local parameters in {query!r}")
                key, value = "type", key
            if value[:1] in "'\"":
                value = value[1:-1]
            elif value.startswith("$"):
                value = str(self.request.get(value[1:], ""))
            params.setdefault(key, []).append(value)
        if body[position:].strip():
            raise QuerySyntaxError(f"Cannot parse local parameters in {query!r}")
        rest = query[match.end() :].strip()
        value = params.get("v", [rest])[-1]
        parser = params.get("type", ["lucene"])[-1]

        def one(name: str) -> str:
            if name not in params:
                raise QuerySyntaxError(f"Missing parameter {name!r} of the {parser} query parser")
            return params[name][-1]

        if parser == "lucene":
            saved = (self.q_op, self.df)
            self.q_op = params.get("q.op", [self.q_op])[-1].upper()
            self.df = params.get("df", [self.df])[-1]
            try:
                return self.clause(value)
            finally:
                self.q_op, self.df = saved
        if parser in ("dismax", "edismax"):
            saved_qf = self.qf
            if "qf" in params:
                self.qf = query_fields(params["qf"][-1])
            try:
                mm = params.get("mm", [None])[-1]
                return self.dismax(value, mm) if parser == "dismax" else self.edismax(value, mm)
            finally:
                self.qf = saved_qf
        if parser == "bool":
            must = [self.clause(q) for key in ("must", "filter") for q in params.get(key, [])]
            should = [self.clause(q) for q in params.get("should", [])]
            must_not = [self.clause(q) for q in params.get("must_not", [])]
            if rest and "v" not in params:
                # Solr ignores the text after the parameters; it is kept as
                # required here, so that a filter CKAN appends stays one.
                must.append(self.clause(rest))
            return self.combine(
                [(MUST, c) for c in must] + [(SHOULD, c) for c in should] + [(MUST_NOT, c) for c in must_not]
            )
        if parser == "field":
            return self.term(one("f"), value, phrase=True, scoring=True)
        if parser == "term":
            return self.exact_term(one("f"), value)
        if parser == "terms":
            separator = params.get("separator", [","])[-1]
            return self.any_of([self.exact_term(one("f"), v) for v in value.split(separator) if v])
        if parser == "prefix":
            return self.term(one("f"), A.escape_wildcards(value) + "*", phrase=False, scoring=True)
        raise QuerySyntaxError(f"Unsupported query parser {parser!r}")

    def exact_term(self, field: str, value: str) -> str:
        """A term as it is indexed, not analysed (Solr's ``term`` parser)."""
        kind = self.schema.field(field).kind
        if kind == F.TEXT:
            return self.match(field, _lexeme(value), scoring=True)
        return self.term(field, value, phrase=True, scoring=True)

    # -- the tree -------------------------------------------------------
    def node(self, node: tree.Item, field: str | None, scoring: bool) -> str:
        if isinstance(node, tree.SearchField):
            if isinstance(node.expr, (tree.Plus, tree.Prohibit, tree.Not)):
                raise QuerySyntaxError(f"Cannot parse query: {node}")
            return self.node(node.expr, node.name, scoring)
        if isinstance(node, (tree.Group, tree.FieldGroup)):
            return self.node(node.expr, field, scoring)
        if isinstance(node, tree.Boost):
            return self.node(node.expr, field, scoring)
        if isinstance(node, (tree.Plus, tree.Not, tree.Prohibit, *_BOOLEANS)):
            return self.boolean_query(node, field, scoring)
        if isinstance(node, tree.Range):
            return self.range(field or self.df, node)
        if isinstance(node, tree.Proximity) and isinstance(node.term, tree.Phrase):
            return self.term(field or self.df, node.term.value[1:-1], phrase=True, scoring=scoring, slop=node)
        if isinstance(node, tree.Phrase):
            return self.term(field or self.df, node.value[1:-1], phrase=True, scoring=scoring)
        if isinstance(node, tree.Word):
            return self.term(field or self.df, node.value, phrase=False, scoring=scoring)
        if isinstance(node, tree.Fuzzy) and isinstance(node.term, tree.Word):
            return self.fuzzy(field or self.df, node.term.value, node, scoring)
        if isinstance(node, (tree.Fuzzy, tree.Proximity)):
            return self.node(node.term, field, scoring)
        raise QuerySyntaxError(f"Unsupported query syntax: {node}")

    def boolean_query(self, node: tree.Item, field: str | None, scoring: bool) -> str:
        """One level of clauses as Lucene's classic parser reads them: each
        clause is required (``+``, or joined by AND, or any clause under
        ``q.op=AND`` not introduced by OR), prohibited (``-``, NOT) or
        optional; OR makes the clause before it optional (``+a OR b`` is
        ``a OR b``). Optional clauses beside a required one only rank."""
        clauses: list[list[str]] = []
        for conjunction, item in _sequence(node, None):
            modifier = None
            if isinstance(item, (tree.Plus, tree.Prohibit, tree.Not)):
                modifier = "+" if isinstance(item, tree.Plus) else "-"
                if isinstance(item.a, (tree.Plus, tree.Prohibit, tree.Not)):
                    raise QuerySyntaxError(f"Cannot parse query: {item}")
                item = item.a
            if clauses and conjunction == "AND" and clauses[-1][0] != MUST_NOT:
                clauses[-1][0] = MUST
            if clauses and self.q_op == "AND" and conjunction == "OR" and clauses[-1][0] != MUST_NOT:
                clauses[-1][0] = SHOULD
            prohibited = modifier == "-"
            if self.q_op == "OR":
                required = modifier == "+" or (conjunction == "AND" and not prohibited)
            else:
                required = not prohibited and conjunction != "OR"
            occur = MUST_NOT if prohibited else MUST if required else SHOULD
            condition = self.node(item, field, scoring and not prohibited)
            if condition == VANISHED:
                continue  # Lucene drops the clause, after the change it made to the one before
            clauses.append([occur, condition])
        return self.combine([(occur, condition) for occur, condition in clauses])

    def combine(self, clauses: list[tuple[str, str]]) -> str:
        """The condition of a boolean query's clauses."""
        must = [c for occur, c in clauses if occur == MUST and c != VANISHED]
        should = [c for occur, c in clauses if occur == SHOULD and c != VANISHED]
        must_not = [c for occur, c in clauses if occur == MUST_NOT and c != VANISHED]
        if not (must or should or must_not):
            return VANISHED
        parts = list(must)
        if should and not must:
            parts.append(self.any_of(should))
        parts += [f"(NOT {c})" for c in must_not]
        return self.all_of(parts)

    def term(self, field: str, value: str, phrase: bool, scoring: bool, slop: Any = None) -> str:
        if field == "*" and value == "*":
            return TRUE
        if not phrase and value == "*":
            return self.exists(field)
        definition = self.schema.field(field)
        if not definition.indexed:
            raise QuerySyntaxError(f"Field {field!r} is not searchable")
        wildcard = not phrase and A.has_wildcard(value)
        text = value if phrase else A.unescape(value)
        if definition.kind == F.NGRAM:
            return self.ngram_term(field, text)
        if definition.kind == F.TEXT:
            if wildcard:
                return self.wildcard_text(field, value, scoring)
            if slop is not None:
                return self.sloppy_phrase(field, A.fold(text), slop, scoring)
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

    def ngram_term(self, field: str, text: str) -> str:
        """CKAN's ``text_ngram`` fields index every run of 2 to 10 characters
        of the lower-cased value; the query is split at spaces. A word of that
        size matches a value that contains it; a phrase of several words never
        matches (its n-grams are not at consecutive positions)."""
        words = text.lower().split()
        low, high = self.schema.ngram_sizes
        if not words:
            return VANISHED
        if len(words) > 1 or not low <= len(words[0]) <= high:
            return FALSE
        query = _lexeme(f"{field}{A.TERM_SEPARATOR}{words[0]}") + ":*"
        return f"(ngram_vector @@ CAST({self.bind(query)} AS tsquery))"

    def wildcard_text(self, field: str, value: str, scoring: bool) -> str:
        """A wildcard term on a text field matches the indexed terms (stems,
        folded) that fit the pattern, as Lucene's: ``transp*`` by prefix,
        ``energ?`` and ``en*gy`` through the field's terms."""
        pattern = A.fold(value)
        head = re.split(r"(?<!\\)[*?]", pattern, maxsplit=1)[0]
        if re.fullmatch(r"[^*?]*\*", pattern.replace("\\*", "").replace("\\?", "")) and pattern.endswith("*"):
            folded = A.unescape(head)
            if not re.search(r"\w", folded):
                return TRUE if field == "text" else self.exists(field)
            return self.text_term(field, folded, prefix=True, scoring=scoring)
        regex = _wildcard_regex(pattern)
        return self.expanded(field, A.unescape(head), lambda term: bool(regex.fullmatch(term)), scoring)

    def fuzzy(self, field: str, value: str, node: tree.Fuzzy, scoring: bool) -> str:
        """``word~N``: the terms within N edits (insertions, deletions,
        substitutions, transpositions; N at most 2, 2 by default)."""
        text = A.unescape(value)
        definition = self.schema.field(field)
        if definition.kind not in (F.TEXT, F.STRING):
            return self.term(field, value, phrase=False, scoring=scoring)
        target = A.fold(text) if definition.kind == F.TEXT else text
        implicit = node.degree is None or getattr(node, "_implicit_degree", False)
        degree = 2.0 if implicit else float(node.degree)
        if degree == int(degree):
            if not 0 <= degree <= 2:
                raise QuerySyntaxError(f"Fuzzy terms allow 0 to 2 edits: {node}")
            edits = int(degree)
        elif 0 < degree < 1:  # the old similarity form, ``word~0.8``
            edits = min(int((1 - degree) * len(target)), 2)
        else:
            raise QuerySyntaxError(f"Fractional edit distances are not allowed: {node}")
        return self.expanded(field, "", lambda term: _within_edits(target, term, edits), scoring)

    def expanded(self, field: str, prefix: str, keep: Callable[[str], bool], scoring: bool) -> str:
        """The terms of ``field`` starting with ``prefix`` that ``keep``
        accepts, as one condition (FALSE when there is none)."""
        if self.vocabulary is None:
            raise QuerySyntaxError(f"Fuzzy and wildcard terms cannot be searched in {field!r}")
        terms = [t for t in self.vocabulary(field, prefix) if keep(t)][:MAX_EXPANSIONS]
        if not terms:
            return FALSE
        if self.schema.field(field).kind == F.TEXT:
            return self.match(field, " | ".join(_lexeme(t) for t in terms), scoring)
        return self.any_of([self.contains(field, t) for t in terms])

    def sloppy_phrase(self, field: str, text: str, node: tree.Proximity, scoring: bool) -> str:
        """``"a b"~N``: the words within N moves of the phrase, as Lucene's
        sloppy phrase (in order further apart, or swapped)."""
        try:
            slop = int(node.degree if node.degree is not None else 1)
        except (TypeError, ValueError) as error:
            raise QuerySyntaxError(f"Invalid proximity: {node}") from error
        query = self.analyze(text)
        if query is None:
            return self.text_term(field, text, prefix=False, scoring=scoring)
        alternatives = [_slop(chain, slop) for chain in query.split(" | ")]
        return self.match(field, " | ".join(f"( {a} )" for a in alternatives if a), scoring)

    def range(self, field: str, node: tree.Range) -> str:
        definition = self.schema.field(field)
        low, high = A.unescape(str(node.low)), A.unescape(str(node.high))
        if low == "*" and high == "*":
            return self.exists(field)
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


_BOOLEANS = (tree.AndOperation, tree.OrOperation, tree.UnknownOperation)


def _sequence(node: tree.Item, conjunction: str | None) -> list[tuple[str | None, tree.Item]]:
    """The clauses of one boolean level in the order written, each with the
    conjunction before it (AND, OR, or None), whatever precedence luqum gave
    the operators."""
    if isinstance(node, _BOOLEANS):
        operator = {tree.AndOperation: "AND", tree.OrOperation: "OR"}.get(type(node))
        out = []
        for i, child in enumerate(node.children):
            out += _sequence(child, conjunction if i == 0 else operator)
        return out
    return [(conjunction, node)]


def _top(condition: str) -> str:
    """A whole query: one that is left with no clause matches nothing."""
    return FALSE if condition == VANISHED else condition


def query_fields(qf: str | None) -> list[str]:
    """dismax's ``qf`` without boosts; CKAN's default names ``text``, which
    holds every other field it names: the catch-all alone answers."""
    fields = [re.sub(r"\^[\d.]*$", "", f) for f in (qf or "").split()]
    fields = [f for f in fields if f]
    if not fields or "text" in fields:
        return ["text"]
    return list(dict.fromkeys(fields))


_QUERY_LEXEME_RE = re.compile(r"('(?:[^']|'')*')(:\*)?")


def _weighted(query: str, weight: str) -> str:
    """``query`` (a tsquery's text) matching only lexemes of ``weight``."""
    return _QUERY_LEXEME_RE.sub(lambda m: f"{m.group(1)}:{'*' if m.group(2) else ''}{weight}", query)


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _within_edits(a: str, b: str, limit: int) -> bool:
    """Damerau-Levenshtein distance (optimal string alignment) <= limit."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[len(b)] <= limit


_CHAIN_RE = re.compile(r"('(?:[^']|'')*')|<(\d+)>|<->")


def _slop(chain: str, slop: int) -> str:
    """A phrase tsquery (``'a' <-> 'b' <2> 'c'``) loosened by ``slop`` moves:
    each next word up to ``slop`` positions further or nearer (at least next),
    and for two words, swapped when the moves allow it."""
    chain = chain.strip().removeprefix("(").removesuffix(")").strip()
    lexemes: list[str] = []
    gaps: list[int] = []
    for match in _CHAIN_RE.finditer(chain):
        if match.group(1):
            lexemes.append(match.group(1))
        else:
            gaps.append(int(match.group(2)) if match.group(2) else 1)
    if len(lexemes) != len(gaps) + 1 or not lexemes:
        return chain  # not a plain phrase: as it is
    if len(lexemes) == 1:
        return lexemes[0]
    pairs = []
    for a, b, gap in zip(lexemes[:-1], lexemes[1:], gaps, strict=True):
        options = [f"{a} <{d}> {b}" for d in range(max(1, gap - slop), gap + slop + 1)]
        if len(lexemes) == 2:
            options += [f"{b} <{d}> {a}" for d in range(1, slop - gap + 1)]
        pairs.append("( " + " | ".join(options) + " )")
    return " & ".join(pairs)


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
