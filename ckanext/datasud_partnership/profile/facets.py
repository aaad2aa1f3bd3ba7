"""The Theme facet of the dataset search and the organization pages.

A dataset's themes are indexed as ``vocab_theme``, a multi-valued string
field of CKAN's Solr schema (``vocab_*``; ``datasud_pgsearch`` reads the
same schema), and the facet's entries are labelled in the reader's language.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ..common.language import current_language
from . import vocabularies
from .validators import text_list

FIELD = "vocab_theme"


def index_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The index fields of a dataset's themes (none: no field)."""
    themes = text_list(pkg_dict.get("theme"))
    return {FIELD: themes} if themes else {}


def with_theme_facet(facets: dict[str, Any]) -> dict[str, Any]:
    """CKAN's facets with Themes first (an ordered dict keeps its order)."""
    return {FIELD: tk._("Themes"), **{k: v for k, v in facets.items() if k != FIELD}}


def label_items(search_results: dict[str, Any]) -> dict[str, Any]:
    """The Theme facet's entries shown by their labels, in the reader's language."""
    facet = (search_results.get("search_facets") or {}).get(FIELD)
    if not facet:
        return search_results
    known = vocabularies.themes()
    lang = current_language()
    for item in facet.get("items") or []:
        theme = known.get(item.get("name"))
        if theme is not None:
            item["display_name"] = theme.label.get(lang)
    return search_results
