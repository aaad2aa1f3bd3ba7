"""Put the PostgreSQL core in the place of Solr inside ``ckan.lib.search``.

CKAN's search modules call ``make_connection()`` to reach Solr. Installing
this backend points those calls at :class:`PgSolrConnection`; everything
else in ``ckan.lib.search`` (index building, query building, permission
labels, rebuild and check) is CKAN's own code.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.lib.search as search
import ckan.lib.search.common as search_common
import ckan.lib.search.index as search_index
import ckan.lib.search.query as search_query
from ckan import model

from .connection import TABLE, PgSolrConnection

log = logging.getLogger(__name__)

_ORIGINAL = {
    "index": search_index.make_connection,
    "query": search_query.make_connection,
    "package": search.make_connection,
    "check_schema": search.check_solr_schema_version,
    "is_available": search_common.is_available,
}


def make_connection(decode_dates: bool = True) -> PgSolrConnection:
    return PgSolrConnection()


def is_available() -> bool:
    """True when the index table exists (its migration has been applied)."""
    try:
        with model.ensure_engine().connect() as conn:
            return conn.dialect.has_table(conn, TABLE)
    except Exception:  # the database itself is down: say so, do not crash
        log.exception("The PostgreSQL search index cannot be reached")
        return False


def check_schema_version(schema_file: Any = None) -> bool:
    """Replaces CKAN's Solr schema check at start-up."""
    if model.meta.engine is None:  # CKAN checks before it connects: later
        return False
    if not is_available():
        log.warning(
            "The search index table %s does not exist yet: run `ckan db upgrade -p datasud_pgsearch`",
            TABLE,
        )
        return False
    return True


def install() -> None:
    search_index.make_connection = make_connection
    search_query.make_connection = make_connection
    search.make_connection = make_connection
    search.check_solr_schema_version = check_schema_version
    search.is_available = is_available
    search_common.is_available = is_available


def uninstall() -> None:
    search_index.make_connection = _ORIGINAL["index"]
    search_query.make_connection = _ORIGINAL["query"]
    search.make_connection = _ORIGINAL["package"]
    search.check_solr_schema_version = _ORIGINAL["check_schema"]
    search.is_available = _ORIGINAL["is_available"]
    search_common.is_available = _ORIGINAL["is_available"]
