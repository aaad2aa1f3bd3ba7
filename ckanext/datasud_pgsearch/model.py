"""The table that holds the search index (one row per indexed document)."""

from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
from sqlalchemy import Column, DateTime, Text
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR


class SearchDocument(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A Solr document as this backend keeps it.

    ``doc`` holds the exact values of every non-text field as arrays of
    strings (filters and facets), ``text_doc`` the accent-folded text of
    analysed fields, ``text_vector`` the weighted catch-all ``text`` field,
    and ``stored`` what Solr would return. Created only by the migrations
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
    title_sort = Column(Text, nullable=False, default="")
    metadata_modified = Column(DateTime)
    metadata_created = Column(DateTime)
    indexed_at = Column(DateTime, nullable=False, default=dt.datetime.utcnow)
