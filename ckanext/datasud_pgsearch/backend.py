"""Put the PostgreSQL core in the place of Solr inside ``ckan.lib.search``.

CKAN's search modules call ``make_connection()`` to reach Solr. Installing
this backend points those calls at :class:`PgSolrConnection`; everything
else in ``ckan.lib.search`` (index building, query building, permission
labels, rebuild and check) is CKAN's own code. The function is replaced
where it is defined (``ckan.lib.search.common``: every later import gets
ours) and in every module already loaded that holds CKAN's (``from
ckan.lib.search.common import make_connection``: CKAN's index and query
modules, ckanext-harvest's ``harvest_source_index_clear``...).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import ckan.lib.search as search
import ckan.lib.search.common as search_common
import ckan.lib.search.index  # noqa: F401 - loaded, so that install() finds its make_connection
import ckan.lib.search.query  # noqa: F401 - loaded, so that install() finds its make_connection
from ckan import model

from .connection import TABLE, PgSolrConnection

log = logging.getLogger(__name__)

_ORIGINAL = {
    "make_connection": search_common.make_connection,
    "check_schema": search.check_solr_schema_version,
    "is_available": search_common.is_available,
}


def make_connection(decode_dates: bool = True) -> PgSolrConnection:
    return PgSolrConnection(decode_dates=decode_dates)


def _holders(function: Any) -> list[Any]:
    """The loaded modules whose ``make_connection`` is ``function`` (this
    module aside: its own stays ours, or ``install`` after ``uninstall``
    would put CKAN's back)."""
    this = sys.modules[__name__]
    return [
        module
        for module in list(sys.modules.values())
        if module is not None and module is not this and getattr(module, "make_connection", None) is function
    ]


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
    for module in _holders(_ORIGINAL["make_connection"]):
        module.make_connection = make_connection
    search.check_solr_schema_version = check_schema_version
    search.is_available = is_available
    search_common.is_available = is_available


def uninstall() -> None:
    for module in _holders(make_connection):
        module.make_connection = _ORIGINAL["make_connection"]
    search.check_solr_schema_version = _ORIGINAL["check_schema"]
    search.is_available = _ORIGINAL["is_available"]
    search_common.is_available = _ORIGINAL["is_available"]
