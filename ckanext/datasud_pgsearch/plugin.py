from __future__ import annotations

from typing import Any

import ckan.plugins as p
from ckan.config.declaration import Declaration, Key
from ckan.config.declaration.option import Flag

from . import backend, strict
from . import model as _index_table  # noqa: F401 - registers the table (CKAN's test reset empties it)
from .connection import DEFAULT_FACET_FIELDS, FACET_FIELDS_OPTION


class PgSearchPlugin(p.SingletonPlugin):
    """The search index in PostgreSQL, in place of Solr.

    To go back to Solr: remove ``datasud_pgsearch`` from ``ckan.plugins``,
    set ``solr_url`` and run ``ckan search-index rebuild``.
    """

    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)

    # IConfigurer: runs before CKAN checks its search engine at start-up
    def update_config(self, config: Any) -> None:
        backend.install()

    # IConfigDeclaration: with this backend, Solr's URL is not needed
    def declare_config_options(self, declaration: Declaration, key: Key) -> None:
        if key.solr_url in declaration:  # absent when only this plugin's options are declared
            declaration[key.solr_url].flags &= ~Flag.required
        declaration.annotate("datasud_pgsearch")
        facet_fields = declaration.declare_list(Key.from_string(FACET_FIELDS_OPTION), DEFAULT_FACET_FIELDS)
        strict_mode = declaration.declare_bool(Key.from_string(strict.OPTION), False)
        strict_mode.set_description(
            "Refuse what Solr refuses (a list in a single-valued field, a string term over 32,766 bytes, "
            "a facet on a date or number, a sort on a multi-valued or text field, more than 1,024 clauses, "
            "a parameter CKAN does not pass on), so that development and tests fail where a portal on "
            "Solr would. On in the tests; off by default."
        )
        facet_fields.set_description(
            "Fields whose values the search index keeps for fast facet counts. Any other field "
            "still facets, counted from the whole documents (slower). After a change, run "
            "`ckan search-index rebuild`."
        )
