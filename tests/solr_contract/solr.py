"""A Solr 9 that answers pysolr as CKAN's schema says it would, and keeps
every request it got: the contract the Solr path must keep.

It stands in for Solr only (these machines cannot run it), at the HTTP level:
CKAN's real ``pysolr.Solr`` sends its real requests, which ``responses``
intercepts. Each ``/update`` body (pysolr's JSON documents, XML deletes and
commits) and each ``/select`` is
checked with the rules of ``ckanext.datasud_pgsearch.strict`` (read from
CKAN's ``schema.xml``); a request Solr would refuse gets Solr's 400, and is
kept in ``problems``. The documents are kept by ``index_id``, so that a test
reads what the index holds; ``/select`` answers from them for the filters
the flows use (``id``, ``site_id``), else with no hits.
"""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import parse_qsl, urlparse

import responses
from ckan.lib.search import query as search_query

from ckanext.datasud_pgsearch import strict

URL = "http://solr.contract.test:8983/solr/ckan"


@dataclasses.dataclass
class Update:
    """One request to ``/update``: what it added, deleted, and how it committed."""

    added: list[dict[str, Any]]
    deleted_ids: list[str]
    deleted_queries: list[str]
    commit: bool  # ?commit=true or a <commit/> element
    wait_searcher: bool | None  # as sent; Solr's default is to wait


@dataclasses.dataclass
class FakeSolr:
    mock: responses.RequestsMock
    documents: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    updates: list[Update] = dataclasses.field(default_factory=list)
    selects: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)

    def serve(self) -> None:
        path = re.compile(re.escape(URL) + r"/(update|select)/?(\?.*)?$")
        for method in (responses.GET, responses.POST):
            self.mock.add_callback(method, path, callback=self._answer)

    # -- what the flows sent ------------------------------------------------------
    def clear(self) -> None:
        self.updates.clear()
        self.selects.clear()

    @property
    def last_update(self) -> Update:
        return self.updates[-1]

    def public_ids(self) -> set[str]:
        return {doc["id"] for doc in self.documents.values() if doc.get("capacity") == "public"}

    # -- answering ------------------------------------------------------------------
    def _answer(self, request: Any) -> tuple[int, dict[str, str], str]:
        url = urlparse(request.url)
        params = parse_qsl(url.query, keep_blank_values=True)
        body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        if url.path.rstrip("/").endswith("/update"):
            return self._update(dict(params), body)
        if body and "=" in body and not body.lstrip().startswith("<"):
            params += parse_qsl(body, keep_blank_values=True)  # pysolr POSTs long queries
        return self._select(params)

    def _refuse(self, problems: list[str]) -> tuple[int, dict[str, str], str]:
        self.problems += problems
        body = {"responseHeader": {"status": 400}, "error": {"msg": "; ".join(problems), "code": 400}}
        return 400, {"Content-Type": "application/json"}, json.dumps(body)

    @staticmethod
    def _ok(extra: dict[str, Any] | None = None) -> tuple[int, dict[str, str], str]:
        body = {"responseHeader": {"status": 0, "QTime": 1}, **(extra or {})}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def _update(self, params: dict[str, str], body: str) -> tuple[int, dict[str, str], str]:
        added, ids, queries, commit = [], [], [], params.get("commit") == "true"
        wait = params.get("waitSearcher")
        if body.lstrip().startswith("["):  # pysolr's JSON for documents without boosts
            added = json.loads(body)
            elements = []
        else:
            root = ET.fromstring(body) if body.strip() else ET.Element("empty")
            elements = [root] if root.tag in ("add", "delete", "commit") else list(root)
        for element in elements:
            if element.tag == "add":
                added += [_document(doc) for doc in element.iter("doc")]
            elif element.tag == "delete":
                ids += [e.text or "" for e in element.iter("id")]
                queries += [e.text or "" for e in element.iter("query")]
            elif element.tag == "commit":
                commit = True
                wait = element.get("waitSearcher", wait)
        problems = [p for doc in added for p in strict.document_problems(doc)]
        problems += [p for q in queries for p in strict.delete_problems(q)]
        problems += [f"org.apache.solr.search.SyntaxError: Cannot parse '{q}'" for q in _unparsable(queries)]
        problems += [f"missing required field: {name}" for doc in added for name in _missing(doc)]
        if problems:
            return self._refuse(problems)
        for doc in added:
            self.documents[doc["index_id"]] = doc
        for index_id in ids:
            self.documents.pop(index_id, None)
        for q in queries:
            for index_id in [k for k, doc in self.documents.items() if _matches_delete(q, doc)]:
                del self.documents[index_id]
        self.updates.append(Update(added, ids, queries, commit, None if wait is None else wait == "true"))
        return self._ok()

    def _select(self, params: list[tuple[str, str]]) -> tuple[int, dict[str, str], str]:
        merged: dict[str, Any] = {}
        for key, value in params:
            if key in ("fq", "facet.field"):
                merged.setdefault(key, []).append(value)
            else:
                merged[key] = value
        q = merged.pop("q", "*:*")
        self.selects.append({"q": q, **merged})
        problems = strict.query_problems(q, merged, search_query.VALID_SOLR_PARAMETERS)
        problems += [
            f"org.apache.solr.search.SyntaxError: Cannot parse '{one}'"
            for one in _unparsable([q, *merged.get("fq", [])])
        ]
        if problems:
            return self._refuse(problems)
        docs = self._filtered(q, merged.get("fq", []))
        rows = int(merged.get("rows", 10) or 0)
        fields = [f.strip() for f in re.split(r"[ ,]+", merged.get("fl", "")) if f.strip()]
        page = [
            {k: v for k, v in doc.items() if not fields or k in fields or "*" in fields}
            for doc in docs[:rows]
        ]
        facets = {name: [] for name in merged.get("facet.field", [])}
        return self._ok(
            {
                "response": {"numFound": len(docs), "start": 0, "docs": page},
                "facet_counts": {"facet_fields": facets},
            }
        )

    def _filtered(self, q: str, fqs: list[str]) -> list[dict[str, Any]]:
        """The documents for the only filters the flows' reads use: a site
        and ids (CKAN's own package reads, check-index). Anything else: none."""
        docs = list(self.documents.values())
        for condition in [q, *fqs]:
            for field, value in re.findall(r'\+?(site_id|id|entity_type):"?([^"\s)]+)"?', condition):
                docs = [doc for doc in docs if str(doc.get(field)) == value]
            if re.search(r"(?<![\w.])(?!site_id|id|entity_type)\w+:", condition.replace("*:*", "")):
                return []
        return sorted(docs, key=lambda doc: doc["index_id"])


REQUIRED = ("index_id", "id", "site_id")


def _unparsable(queries: list[str]) -> list[str]:
    """The Lucene queries luqum cannot parse (local params aside: Solr's own)."""
    from luqum.parser import parser

    found = []
    for query in queries:
        if not query.strip() or query.lstrip().startswith("{!"):
            continue
        try:
            parser.parse(query)
        except Exception:
            found.append(query)
    return found


def _missing(doc: dict[str, Any]) -> list[str]:
    return [name for name in REQUIRED if not doc.get(name)]


def _document(element: ET.Element) -> dict[str, Any]:
    """pysolr's ``<doc>``: one ``<field>`` a value, repeated for a list."""
    doc: dict[str, Any] = {}
    for field in element.iter("field"):
        name, value = field.get("name", ""), field.text or ""
        if name in doc:
            doc[name] = (doc[name] if isinstance(doc[name], list) else [doc[name]]) + [value]
        else:
            doc[name] = value
    return doc


def _matches_delete(q: str, doc: dict[str, Any]) -> bool:
    """CKAN's deletes: ``+site_id:"x"`` (clear), with ``id``/``name`` for one dataset."""
    site = re.search(r'site_id:"([^"]+)"', q)
    if site and doc.get("site_id") != site.group(1):
        return False
    ids = re.findall(r'(?<!\w)(?:id|name):"([^"]+)"', q)
    return not ids or doc.get("id") in ids or doc.get("name") in ids
