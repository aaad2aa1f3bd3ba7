"""A Solr-compatible connection whose core is a PostgreSQL table.

CKAN talks to Solr through ``pysolr.Solr`` objects made by
``make_connection()``: ``add``, ``delete``, ``commit`` and ``search``. This
class offers the same four calls, so CKAN's own indexing (with every plugin's
``before_dataset_index`` and CKAN's permission labels) and CKAN's own query
building (``package_search``, ``search-index rebuild|check|show|clear``) run
unchanged on top of it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections import OrderedDict
from typing import Any

import ckan.lib.search.common as search_common
import ckan.lib.search.query as search_query
import ckan.plugins.toolkit as tk
import pysolr
from ckan import model
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ProgrammingError

from . import analysis as A
from . import compiler as C
from . import fields as F
from . import strict

log = logging.getLogger(__name__)

TABLE = "datasud_pgsearch_document"
# Per visibility group (``filter_terms``), the number of documents with each
# lexeme of ``facets``; kept by triggers (migration 0003).
COUNTS = "datasud_pgsearch_facet_count"
# Sort columns that are never NULL: "NULLS LAST" would keep a descending
# sort from reading their index backwards (37 ms instead of 0.1 at 100,000).
NOT_NULL_KEYS = ("title_sort", "name_sort")
SORT_RE = re.compile(r"^\s*([\w.]+)\s+(asc|desc)\s*$", re.IGNORECASE)
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B, A
# The fields whose values are kept in the ``facets`` vector, counted fast.
FACET_FIELDS_OPTION = "ckanext.datasud_pgsearch.facet_fields"
# CKAN's own facets, and ``owner_org``, by which CKAN counts the datasets of
# every organization (organization and group lists).
DEFAULT_FACET_FIELDS = ["organization", "groups", "tags", "res_format", "license_id", "owner_org"]
# Below this many hits, a page sorted by a column is read from the hits (GIN
# indexes, then a sort) rather than by walking the column's index: a tag and
# an organization with 860 hits of 100,000 datasets took 41 ms walking
# metadata_modified (2,400 rows checked) and 2 ms from the hits. The two ways
# cost about the same around 3,000 hits (21 rows a page, 10,000 to 100,000
# datasets).
WALK_FROM_HITS = 3000
# Starts the SQL of every search, so that a log or a probe can find it.
SEARCH_SQL_MARKER = "/* datasud_pgsearch search */"
UNDEFINED_TABLE = "42P01"  # PostgreSQL's SQLSTATE

_UPSERT = text(
    f"""
    INSERT INTO {TABLE} (index_id, id, site_id, doc, text_doc, stored, text_vector, rank_vector,
                         terms, filter_terms, facets, ngram_vector, title_sort, metadata_modified,
                         metadata_created, indexed_at)
    SELECT :index_id, :id, :site_id, CAST(:doc AS jsonb), CAST(:text_doc AS jsonb),
           CAST(:stored AS jsonb), v.ab || v.cd, v.ab,
           CAST(:terms AS text[]), CAST(:filter_terms AS text[]),
           array_to_tsvector(CAST(:facets AS text[])), array_to_tsvector(CAST(:ngrams AS text[])),
           :title_sort, CAST(:modified AS timestamp), CAST(:created AS timestamp),
           now() AT TIME ZONE 'utc'
    FROM (SELECT setweight(datasud_pgsearch_tsv(:wa), 'A') || setweight(datasud_pgsearch_tsv(:wb), 'B') AS ab,
                 setweight(datasud_pgsearch_tsv(:wc), 'C') || setweight(datasud_pgsearch_tsv(:wd), 'D') AS cd
         ) AS v
    ON CONFLICT (index_id) DO UPDATE SET
        id = EXCLUDED.id, site_id = EXCLUDED.site_id, doc = EXCLUDED.doc,
        text_doc = EXCLUDED.text_doc, stored = EXCLUDED.stored,
        text_vector = EXCLUDED.text_vector, rank_vector = EXCLUDED.rank_vector,
        terms = EXCLUDED.terms, filter_terms = EXCLUDED.filter_terms, facets = EXCLUDED.facets,
        ngram_vector = EXCLUDED.ngram_vector,
        title_sort = EXCLUDED.title_sort, metadata_modified = EXCLUDED.metadata_modified,
        metadata_created = EXCLUDED.metadata_created, indexed_at = EXCLUDED.indexed_at
    """
)
# For the transaction of a search: no just-in-time compilation (it costs more
# than these short queries take), no parallel plan and no sequential scan
# where an index can serve. The planner does not count the cost of reading
# the out-of-line text vectors: a word in a third of 100,000 datasets was
# searched by a sequential scan that read them all (590 ms) instead of the
# text index (42 ms), once the table had grown by its dead rows.
_SESSION = text(
    "SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true),"
    " set_config('enable_seqscan', 'off', true)"
)
_ANALYZE = text(
    "SELECT CAST(phraseto_tsquery('french', :t) AS text), CAST(phraseto_tsquery('english', :t) AS text)"
)


class _Analyzer:
    """Folded text -> tsquery over French and English stems, cached."""

    def __init__(self, size: int = 20000) -> None:
        self.cache: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self.size = size

    def _stems(self, conn: Connection, folded: str) -> tuple[str, str]:
        if folded in self.cache:
            self.cache.move_to_end(folded)
            return self.cache[folded]
        french, english = conn.execute(_ANALYZE, {"t": folded}).one()
        self.cache[folded] = (french, english)
        if len(self.cache) > self.size:
            self.cache.popitem(last=False)
        return french, english

    def __call__(self, conn: Connection, folded: str) -> str | None:
        """The tsquery of ``folded``; None for a word that is a stop word in
        either language (a free-text query does not count it)."""
        french, english = self._stems(conn, folded)
        single_word = len(re.findall(r"\w+", folded)) == 1
        if single_word and not (french and english):
            return None
        return self.literal(conn, folded)

    def literal(self, conn: Connection, folded: str) -> str | None:
        """The tsquery of ``folded`` with its stop words: what either language
        keeps of it (None if neither keeps anything)."""
        parts = list(dict.fromkeys(p for p in self._stems(conn, folded) if p))
        return " | ".join(f"( {p} )" for p in parts) if parts else None


analyzer = _Analyzer()


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v not in (None, "")]
    return [value] if value != "" else []


def _int(params: dict[str, Any], key: str, default: int) -> int:
    value = params.get(key, default)
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise pysolr.SolrError(f"Invalid value for {key}: {value!r}") from error


def _refuse(problems: list[str]) -> None:
    """Strict mode: what Solr refuses, as Solr says it (``strict.py``)."""
    if problems:
        raise pysolr.SolrError("Solr responded with an error (HTTP 400): " + "; ".join(problems))


def _wanted(fl: Any) -> list[str]:
    """The field names of ``fl`` (``*`` when none)."""
    return [f for f in re.split(r"[\s,]+", " ".join(_as_list(fl)) if fl else "*") if f]


class PgSolrConnection:
    """What ``pysolr.Solr`` offers CKAN, answered from PostgreSQL."""

    url = "postgresql://datasud_pgsearch"

    def __init__(
        self,
        schema: F.SolrSchema | None = None,
        facet_fields: list[str] | None = None,
        decode_dates: bool = False,
    ) -> None:
        """``decode_dates``: the stored dates of the results as ``datetime``,
        as CKAN's ``make_connection()`` makes pysolr give them (CKAN's own
        searches ask for text)."""
        self.decode_dates = decode_dates
        self.schema = schema or F.ckan_schema()
        if facet_fields is None:
            facet_fields = tk.aslist(tk.config.get(FACET_FIELDS_OPTION) or DEFAULT_FACET_FIELDS)
        self.facet_fields = list(facet_fields)

    @staticmethod
    def _engine() -> Any:
        return model.ensure_engine()

    # -- writing ----------------------------------------------------------
    def add(self, docs: list[dict[str, Any]], commit: bool = True, **kwargs: Any) -> None:
        if strict.enabled():
            _refuse([problem for doc in docs for problem in strict.document_problems(doc, self.schema)])
        rows = []
        for doc in docs:
            if not doc.get("index_id"):
                raise pysolr.SolrError("Document is missing mandatory uniqueKey field: index_id")
            prepared = A.prepare_document(doc, self.schema, self.facet_fields)
            rows.append(
                {
                    "index_id": doc["index_id"],
                    "id": str(doc.get("id", "")),
                    "site_id": str(doc.get("site_id", "")),
                    "doc": json.dumps(prepared["exact"]),
                    "text_doc": json.dumps(prepared["text"]),
                    "stored": json.dumps(prepared["stored"], default=str),
                    "terms": prepared["terms"],
                    "filter_terms": prepared["filter_terms"],
                    "facets": prepared["facets"],
                    "ngrams": prepared["ngrams"],
                    "wa": prepared["weighted"]["A"],
                    "wb": prepared["weighted"]["B"],
                    "wc": prepared["weighted"]["C"],
                    "wd": prepared["weighted"]["D"],
                    "title_sort": prepared["title_sort"],
                    "modified": prepared["metadata_modified"],
                    "created": prepared["metadata_created"],
                }
            )
        if rows:
            with self._engine().begin() as conn:
                conn.execute(_UPSERT, rows)

    def delete(self, id: str | None = None, q: str | None = None, commit: bool = True, **kwargs: Any) -> None:
        if id is None and q is None:
            raise pysolr.SolrError('You must specify "id" or "q".')
        if q is not None and strict.enabled():
            _refuse(strict.delete_problems(q))
        try:
            with self._engine().begin() as conn:
                if id is not None:  # one unique key or a list of them, as pysolr takes
                    ids = [id] if isinstance(id, str) else [str(one) for one in id]
                    conn.execute(text(f"DELETE FROM {TABLE} WHERE index_id = ANY(:ids)"), {"ids": ids})
                    return
                compiler = self._compiler(conn, {"q.op": "OR"})
                try:
                    where = compiler.lucene(q)
                except C.QuerySyntaxError as error:
                    raise pysolr.SolrError(str(error)) from error
                conn.execute(text(f"DELETE FROM {TABLE} WHERE {where}"), compiler.params)
        except ProgrammingError as error:
            if getattr(error.orig, "pgcode", None) != UNDEFINED_TABLE:
                raise
            # ``ckan db clean`` drops every table, this one too, before it
            # clears the index: nothing is left to delete
            log.info("The search index table does not exist: nothing to delete")

    def commit(self, **kwargs: Any) -> None:
        """Every write is committed when it is made. CKAN commits at the end
        of a bulk write (``search-index rebuild``, a harvest source cleared):
        the tables are vacuumed then, so that the dead rows the writes left
        do not wait for autovacuum (which may be off) to be reclaimed."""
        self.vacuum()

    def optimize(self, **kwargs: Any) -> None:
        """``search-index rebuild --optimize``: vacuum and analyse."""
        self.vacuum()

    def vacuum(self) -> None:
        with self._engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in (COUNTS, TABLE):
                if conn.dialect.has_table(conn, table):
                    conn.execute(text(f"VACUUM (ANALYZE) {table}"))

    # -- searching --------------------------------------------------------
    def _compiler(self, conn: Connection, params: dict[str, Any]) -> C.Compiler:
        return C.Compiler(
            self.schema,
            analyze=lambda folded: analyzer(conn, folded),
            literal=lambda folded: analyzer.literal(conn, folded),
            vocabulary=lambda field, prefix: self._vocabulary(conn, field, prefix),
            now=dt.datetime.utcnow(),
            q_op=params.get("q.op") or "AND",
            df=params.get("df") or "text",
            qf=params.get("qf"),
            request=params,
        )

    def _vocabulary(self, conn: Connection, field: str, prefix: str) -> list[str]:
        """The terms indexed in ``field`` that start with ``prefix`` (the
        stems of a text field, the values of another), for fuzzy and
        wildcard terms."""
        kind = self.schema.field(field).kind
        if kind == F.TEXT:
            if field == "text":
                source = f"SELECT text_vector FROM {TABLE}"
                if prefix:
                    source += " WHERE text_vector @@ CAST(%L AS tsquery)"
                inner = text("SELECT format(CAST(:source AS text), CAST(:query AS text))")
                query = f"'{prefix.replace(chr(39), chr(39) * 2)}':*" if prefix else ""
                sql = conn.execute(inner, {"source": source, "query": query}).scalar()
            else:
                source = f"SELECT datasud_pgsearch_tsv(text_doc ->> %L) FROM {TABLE} WHERE text_doc ? %L"
                sql = conn.execute(
                    text("SELECT format(CAST(:source AS text), CAST(:f AS text), CAST(:f AS text))"),
                    {"source": source, "f": field},
                ).scalar()
            rows = conn.execute(
                text("SELECT word FROM ts_stat(:sql) WHERE left(word, :n) = :prefix"),
                {"sql": sql, "n": len(prefix), "prefix": prefix},
            ).scalars()
            return [w for w in rows if w != A.GAP]
        if field in self.facet_fields:
            head = field + A.TERM_SEPARATOR
            rows = conn.execute(
                text(
                    f"SELECT DISTINCT substr(word, :skip) FROM {COUNTS}"
                    " WHERE left(word, :n) = :head AND n > 0"
                ),
                {"skip": len(head) + 1, "n": len(head) + len(prefix), "head": head + prefix},
            ).scalars()
            return list(rows)
        rows = conn.execute(
            text(
                f"SELECT DISTINCT v FROM {TABLE}, jsonb_array_elements_text(doc -> :f) AS v"
                " WHERE left(v, :n) = :prefix"
            ),
            {"f": field, "n": len(prefix), "prefix": prefix},
        ).scalars()
        return list(rows)

    def search(self, q: str = "*:*", search_handler: str | None = None, **params: Any) -> pysolr.Results:
        if strict.enabled():
            _refuse(strict.query_problems(q, params, search_query.VALID_SOLR_PARAMETERS, self.schema))
        with self._engine().connect() as conn:
            try:
                decoded = self._search(conn, q, params)
            except (C.QuerySyntaxError, A.QueryValueError) as error:
                raise pysolr.SolrError(str(error)) from error
        if self.decode_dates:
            for doc in decoded["response"]["docs"]:
                search_common.solr_datetime_decoder(doc)
        return pysolr.Results(decoded)

    def _search(self, conn: Connection, q: str, params: dict[str, Any]) -> dict[str, Any]:
        compiler = self._compiler(conn, params)
        q = q if q is not None else "*:*"
        conditions = []
        parser = params.get("defType")
        if q.strip().startswith("{!"):  # local parameters name their own parser
            conditions.append(compiler.lucene(q))
        elif parser == "edismax":
            if q.strip() not in ("", "*:*"):
                conditions.append(compiler.edismax(q, params.get("mm")))
        elif parser == "dismax" and ":" not in q:
            if q.strip() not in ("", "*:*"):
                conditions.append(compiler.dismax(q, params.get("mm")))
        else:
            conditions.append(compiler.lucene(q))
        for fq in _as_list(params.get("fq")) + _as_list(params.get("fq_list")):
            conditions.append(compiler.lucene(fq))
        where = compiler.all_of(conditions)
        if compiler.scoring:
            query = " | ".join(f"( {s} )" for s in compiler.scoring)
            score = f"ts_rank('{RANK_WEIGHTS}', rank_vector, CAST({compiler.bind(query)} AS tsquery))"
        else:
            score = "CAST(1.0 AS real)"

        order, by_score = self._order_by(params.get("sort"), compiler)
        rows = max(0, _int(params, "rows", 10))
        start = max(0, _int(params, "start", 0))
        facet_fields = []
        if str(params.get("facet", "false")).lower() == "true":
            facet_fields = list(dict.fromkeys(_as_list(params.get("facet.field"))))
        # Searches on visibility alone (the /dataset page) are counted from
        # the per-group counts, whose rows carry ``filter_terms`` too; the
        # others from their hits.
        grouped = C.only_filters(where)
        stats, facet_sql = self._facets_sql(facet_fields, params, compiler, where, grouped)

        # The page and the facet counts are planned apart. The page reads,
        # for each hit, only the narrow row (the score is computed when the
        # sort needs it, on the small rank vector) and the stored documents of
        # its own rows. The hits are counted by ts_stat with the facets; or
        # else, when the score is computed for every hit anyway, with the page
        # (past the last hit or with rows=0, apart); or else apart.
        page_score = score if by_score else "CAST(NULL AS real)"
        ctes = []
        if grouped:
            every = compiler.bind(A.EVERY_DOCUMENT)
            count = f"(SELECT COALESCE(sum(n), 0) FROM {COUNTS} WHERE ({where}) AND word = {every})"
        else:
            count = f"(SELECT count(*) FROM {TABLE} WHERE {where})"
        total = ""
        if stats:
            ctes.append(f"stats AS ({stats})")
            hits = f"COALESCE((SELECT ndoc FROM stats WHERE word = {compiler.bind(A.EVERY_DOCUMENT)}), 0)"
        elif by_score:
            hits = f"COALESCE((SELECT max(total) FROM page), {count})"
            total = ", count(*) OVER () AS total"
        else:
            hits = count

        def page(fence: str, gate: str = "") -> str:
            return f"""SELECT index_id, score{total} FROM (
                    SELECT index_id, title_sort, name_sort, metadata_modified, metadata_created, doc,
                           {page_score} AS score
                    FROM {TABLE} WHERE {where} {fence}
                ) AS hit {gate}
                ORDER BY {order} LIMIT {rows} OFFSET {start}"""

        if total:
            # OFFSET 0 computes the score where the rows are read, so that
            # the window keeps small rows only.
            ctes.append(f"page AS ({page('OFFSET 0')})")
        else:
            # Without the score, the page may be read in the order of an
            # index (metadata_modified, title, name) up to its last row,
            # checking each row on the way: quick when most rows are hits,
            # slow when few are (each check reads the row's out-of-line
            # terms or text). The number of hits, known first, chooses; the
            # way not taken costs nothing (a one-time filter).
            ctes.append(f"counted AS MATERIALIZED (SELECT {hits} AS n)")
            hits = "(SELECT n FROM counted)"
            walk = page("", f"WHERE {hits} > {WALK_FROM_HITS}")
            fetch = page("OFFSET 0", f"WHERE {hits} <= {WALK_FROM_HITS}")
            ctes.append(f"page AS (({walk}) UNION ALL ({fetch}))")
        docs_sql = f"""(SELECT COALESCE(json_agg(json_build_object('stored', {self._stored_sql(params.get("fl"), compiler)},
                                                            'score', {"page.score" if by_score else score})
                                          ORDER BY {order}), '[]')
                 FROM page JOIN {TABLE} d USING (index_id))"""
        sql = f"""{SEARCH_SQL_MARKER}
            WITH {", ".join(ctes)}
            SELECT {hits} AS hits, {docs_sql} AS docs, ({facet_sql}) AS facets
        """
        hits, docs, facets = self._run(conn, sql, compiler.params)

        return {
            "response": {"numFound": hits, "start": start, "docs": self._fields(docs, params.get("fl"))},
            "facet_counts": {"facet_fields": self._facet_result(facet_fields, facets)},
        }

    @staticmethod
    def _run(conn: Connection, sql: str, params: dict[str, Any]) -> Any:
        """The one row of a search's SQL; a query PostgreSQL refuses is the user's."""
        try:
            conn.execute(_SESSION)
            return conn.execute(text(sql), params).one()
        except Exception as error:
            conn.rollback()
            log.warning("Search query failed: %s", error)
            raise pysolr.SolrError(
                f"The search query could not be run: {error.__class__.__name__}"
            ) from error

    def _order_by(self, sort: str | None, compiler: C.Compiler) -> tuple[str, bool]:
        """The ORDER BY keys, and whether they need the score."""
        keys = []
        by_score = False
        for clause in (sort or "score desc").split(","):
            if not clause.strip():
                continue
            match = SORT_RE.match(clause)
            if not match:
                raise pysolr.SolrError(f"Can't determine a Sort Order (asc or desc) in sort spec {clause!r}")
            field, direction = match.group(1), match.group(2).upper()
            if field == "score":
                if not compiler.scoring:
                    continue  # no text to rank: every hit scores the same
                expr = "score"
                by_score = True
            elif field in ("title_string", "title"):
                expr = "title_sort"
            elif field == "name":
                expr = "name_sort"  # in byte order, as Solr sorts a string
            elif field in C.DATE_COLUMNS:
                expr = field
            else:
                definition = self.schema.field(field)
                # A name the schema does not know is one of the catch-all ``*``
                # strings: Solr sorts by it (CKAN's home page asks for
                # ``view_recent``), every document missing it.
                refusal = strict.sort_refusal(field, definition)
                if refusal:
                    raise pysolr.SolrError(refusal)
                value = f"(doc -> {compiler.bind(field)} ->> 0)"
                if definition.kind == F.NUMBER:
                    expr = f"CAST({value} AS double precision)"
                else:
                    expr = f'{value} COLLATE "C"'
            if expr in NOT_NULL_KEYS:
                keys.append(f"{expr} {direction}")  # either way, the order of its index
            else:
                keys.append(f"{expr} {direction} NULLS LAST")
        keys.append("index_id ASC")
        return ", ".join(keys), by_score

    def _facets_sql(
        self, fields: list[str], params: dict[str, Any], compiler: C.Compiler, where: str, grouped: bool
    ) -> tuple[str | None, str]:
        """The facet counts of ``fields`` among the hits: the SQL of a ``stats``
        CTE (or None) and that of a JSON array of ``[field position, value,
        count]`` in the order asked for.

        A field of ``facet_fields`` is counted by ``ts_stat`` over the
        ``facets`` vectors of the hits (one pass in C for all such fields, and
        the number of hits with them: ``stats``), or, when ``grouped`` (the
        search reads only ``filter_terms``), by summing the per-group counts
        of ``COUNTS``; any other field from the values in ``doc``. All count
        documents, as Solr does (a dataset with two CSV resources counts once)."""
        stats = None
        if not fields:
            return stats, "SELECT CAST('[]' AS json)"
        limit = _int(params, "facet.limit", 100)
        mincount = max(1, _int(params, "facet.mincount", 1))
        by_index = params.get("facet.sort") == "index"
        limit_sql = f"WHERE o <= {limit}" if limit >= 0 else ""
        parts = []
        fast = [(i, field) for i, field in enumerate(fields) if field in self.facet_fields]
        if fast:
            prefixes = ", ".join(
                f"({i}, CAST({compiler.bind(field + A.TERM_SEPARATOR)} AS text))" for i, field in fast
            )
            if grouped:
                stats = (
                    f"SELECT word, CAST(sum(n) AS integer) AS ndoc FROM {COUNTS} WHERE {where} GROUP BY word"
                )
            else:
                inner = compiler.inline(f"SELECT facets FROM {TABLE} WHERE {where}")
                stats = f"SELECT word, ndoc FROM ts_stat({inner})"
            value = "substr(s.word, char_length(f.prefix) + 1)"
            order = f'{value} COLLATE "C"' if by_index else f's.ndoc DESC, {value} COLLATE "C"'
            parts.append(
                f"""SELECT i, value, c, o FROM (
                        SELECT f.i, {value} AS value, s.ndoc AS c,
                               row_number() OVER (PARTITION BY f.i ORDER BY {order}) AS o
                        FROM stats AS s
                        JOIN (VALUES {prefixes}) AS f(i, prefix)
                          ON left(s.word, char_length(f.prefix)) = f.prefix
                        WHERE s.ndoc >= {mincount}
                    ) AS counted {limit_sql}"""
            )
        for i, field in enumerate(fields):
            if field in self.facet_fields:
                continue
            order = 'v.value COLLATE "C"' if by_index else 'count(*) DESC, v.value COLLATE "C"'
            parts.append(
                f"""SELECT i, value, c, o FROM (
                        SELECT {i} AS i, v.value AS value, count(*) AS c,
                               row_number() OVER (ORDER BY {order}) AS o
                        FROM {TABLE}
                        CROSS JOIN LATERAL (
                            SELECT DISTINCT value FROM jsonb_array_elements_text(doc -> {compiler.bind(field)})
                        ) AS v(value)
                        WHERE {where}
                        GROUP BY v.value HAVING count(*) >= {mincount}
                    ) AS counted {limit_sql}"""
            )
        union = " UNION ALL ".join(f"({part})" for part in parts)
        return stats, (
            f"SELECT COALESCE(json_agg(json_build_array(i, value, c) ORDER BY i, o), '[]') FROM ({union}) f"
        )

    @staticmethod
    def _facet_result(fields: list[str], rows: list[list[Any]]) -> dict[str, list[Any]]:
        result: dict[str, list[Any]] = {field: [] for field in fields}
        for i, value, count in rows:
            result[fields[i]].extend([value, count])
        return result

    @staticmethod
    def _stored_sql(fl: Any, compiler: C.Compiler) -> str:
        """What the page returns of each stored document: the fields ``fl``
        names (CKAN asks for ``id`` and ``validated_data_dict``), the whole
        document only for ``*`` or a pattern."""
        wanted = [f for f in _wanted(fl) if f != "score"]
        if any("*" in f or "?" in f for f in wanted):
            return "d.stored"
        pairs = ", ".join(f"{compiler.bind(f)}, d.stored -> {compiler.bind(f)}" for f in wanted)
        return f"json_build_object({pairs})"

    @staticmethod
    def _fields(docs: list[dict[str, Any]], fl: Any) -> list[dict[str, Any]]:
        wanted = _wanted(fl)
        everything = "*" in wanted
        out = []
        for row in docs:
            stored = row["stored"]
            doc = dict(stored) if everything else {k: stored[k] for k in wanted if stored.get(k) is not None}
            if "score" in wanted:
                doc["score"] = row["score"]
            out.append(doc)
        return out
