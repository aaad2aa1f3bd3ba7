"""The table that holds the search index (one row per indexed document)."""

from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
from sqlalchemy import Column, Computed, DateTime, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR


class SearchDocument(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A Solr document as this backend keeps it.

    ``doc`` holds the exact values of every non-text field as arrays of
    strings, ``terms`` and ``filter_terms`` the same values as
    ``field<0x1f>value`` strings (GIN-indexed exact filters; the latter for
    the fields CKAN filters every search on), ``facets`` the terms of the
    facet fields (counted by ``ts_stat``), ``text_doc`` the accent-folded text
    of analysed fields, ``text_vector`` the weighted catch-all ``text`` field,
    ``rank_vector`` its title/name and tags/groups/organization part (the
    score), and ``stored`` what Solr would return. Created only by the migrations
    of the ``datasud_pgsearch`` plugin.
    """

    __tablename__ = "datasud_pgsearch_document"

    index_id = Column(Text, primary_key=True)
    id = Column(Text, nullable=False)
    site_id = Column(Text, nullable=False)
    doc = Column(JSONB, nullable=False)
    text_doc = Column(JSONB, nullable=False)
    stored = Column(JSONB, nullable=False)
    text_vector = Column(TSVECTOR, nullable=False)
    rank_vector = Column(TSVECTOR, nullable=False, server_default="")
    terms = Column(ARRAY(Text), nullable=False, server_default="{}")
    filter_terms = Column(ARRAY(Text), nullable=False, server_default="{}")
    facets = Column(TSVECTOR, nullable=False, server_default="")
    # the parts of the n-gram fields (name_ngram, title_ngram: migration 0008)
    ngram_vector = Column(TSVECTOR, nullable=False, server_default="")
    title_sort = Column(Text, nullable=False, default="")
    # computed by PostgreSQL from ``doc`` (migration 0004)
    name_sort = Column(
        Text(collation="C"), Computed("COALESCE(doc -> 'name' ->> 0, '')", persisted=True), nullable=False
    )
    metadata_modified = Column(DateTime)
    metadata_created = Column(DateTime)
    indexed_at = Column(DateTime, nullable=False, default=dt.datetime.utcnow)
