"""How each index field behaves, read from the Solr schema that CKAN ships.

CKAN's ``ckan/config/solr/schema.xml`` is the contract between CKAN and its
search engine: which fields are exact strings, which are analysed text, dates
or numbers, which are stored, and which are copied into the catch-all ``text``
field. Reading it (instead of restating it) keeps this backend in step with
the CKAN version that is installed.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import os
import xml.etree.ElementTree as ET

import ckan

STRING = "string"
TEXT = "text"
DATE = "date"
NUMBER = "number"
BOOLEAN = "boolean"

_KIND_BY_CLASS = {
    "solr.StrField": STRING,
    "solr.BoolField": BOOLEAN,
    "solr.TextField": TEXT,
    "solr.DatePointField": DATE,
    "solr.TrieDateField": DATE,
    "solr.IntPointField": NUMBER,
    "solr.FloatPointField": NUMBER,
    "solr.LongPointField": NUMBER,
    "solr.DoublePointField": NUMBER,
}

# Relative weight of each source of the catch-all ``text`` field, so that a
# match in the title ranks above a match in the description (PostgreSQL
# weights A > B > C > D). Fields not listed here weigh D.
TEXT_WEIGHTS = {
    "title": "A",
    "name": "A",
    "tags": "B",
    "groups": "B",
    "organization": "B",
    "notes": "C",
    "res_name": "C",
    "res_description": "C",
}


@dataclasses.dataclass(frozen=True)
class Field:
    name: str
    kind: str
    stored: bool
    indexed: bool
    multi_valued: bool = False
    doc_values: bool = False  # schema 1.6: off unless the field or its type turns it on


@dataclasses.dataclass(frozen=True, eq=False)
class SolrSchema:
    fields: dict[str, Field]
    dynamic: list[tuple[str, Field]]
    copy_to_text: list[str]

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - the schema lives as long as the process
    def field(self, name: str) -> Field:
        if name in self.fields:
            return self.fields[name]
        # Solr: the longest matching dynamic-field pattern wins.
        matches = [(pattern, f) for pattern, f in self.dynamic if fnmatch.fnmatchcase(name, pattern)]
        if matches:
            pattern, f = max(matches, key=lambda m: len(m[0]))
            return dataclasses.replace(f, name=name)
        return Field(name, STRING, stored=False, indexed=True)

    def copied_to_text(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, source) for source in self.copy_to_text)


def _flag(element: ET.Element, attr: str, default: bool = True) -> bool:
    value = element.get(attr)
    return default if value is None else value == "true"


def parse_schema(path: str) -> SolrSchema:
    root = ET.parse(path).getroot()
    types = {t.get("name"): t for t in [*root.iter("fieldType"), *root.iter("fieldtype")]}
    kinds = {name: _KIND_BY_CLASS.get(t.get("class", ""), STRING) for name, t in types.items()}

    def make(element: ET.Element) -> Field:
        of_type = types.get(element.get("type"))

        def flag(attr: str) -> bool:  # the field's own attribute, else its type's
            default = _flag(of_type, attr, False) if of_type is not None else False
            return _flag(element, attr, default)

        return Field(
            name=element.get("name", ""),
            kind=kinds.get(element.get("type"), STRING),
            stored=_flag(element, "stored"),
            indexed=_flag(element, "indexed"),
            multi_valued=flag("multiValued"),
            doc_values=flag("docValues"),
        )

    fields = {e.get("name", ""): make(e) for e in root.iter("field")}
    dynamic = [(e.get("name", ""), make(e)) for e in root.iter("dynamicField")]
    copies = [e.get("source", "") for e in root.iter("copyField") if e.get("dest") == "text"]
    # ``urls`` is itself copied into ``text``: follow that one hop.
    url_sources = [e.get("source", "") for e in root.iter("copyField") if e.get("dest") == "urls"]
    if "urls" in copies:
        copies.extend(url_sources)
    return SolrSchema(fields=fields, dynamic=dynamic, copy_to_text=copies)


@functools.cache
def ckan_schema() -> SolrSchema:
    """The schema of the installed CKAN."""
    path = os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml")
    return parse_schema(path)
