"""Facet counts kept per visibility group, and GIN indexes without pending lists.

``datasud_pgsearch_facet_count`` holds, for each distinct ``filter_terms``
array (the site, state, visibility, permission labels and type of a
document: a few dozen groups on a portal), how many documents carry each
lexeme of ``facets`` (``<US>`` alone counts every document). Statement
triggers on the index table keep it exact in the same transaction as the
write, so a search whose conditions are only on ``filter_terms`` (the
/dataset page, "all, newest first") reads its number of hits and its facet
counts from a few thousand rows instead of visiting every document. A
transaction-scoped advisory lock serialises the updates of the counts, so
that two concurrent writes never deadlock on them.

The GIN indexes lose their pending list (``fastupdate = off``): with it, a
lookup scans the list linearly until (auto)vacuum merges it, which made
``search.show`` (each ``package_show``) take up to 80 ms after a bulk
indexing. Writes update the index at once instead.

Revision ID: 0003_pgsearch_facet_counts
Revises: 0002_pgsearch_terms
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_pgsearch_facet_counts"
down_revision = "0002_pgsearch_terms"
branch_labels = None
depends_on = None

TABLE = "datasud_pgsearch_document"
COUNTS = "datasud_pgsearch_facet_count"
FUNCTION = "datasud_pgsearch_count_facets"
GIN_INDEXES = [f"{TABLE}_text_idx", f"{TABLE}_terms_idx", f"{TABLE}_filter_terms_idx"]
# pg_advisory_xact_lock key: "dspg" in ASCII
LOCK_KEY = 0x64737067
# As in ckanext.datasud_pgsearch at the time of this migration: ``owner_org``
# joins the default facet fields (CKAN counts the datasets of every
# organization and group with facets on ``owner_org`` and ``groups``).
SEPARATOR = "\x1f"
HASHED = "\x1e"
LONG_TERM_BYTES = 1000
FACET_FIELDS_OPTION = "ckanext.datasud_pgsearch.facet_fields"
DEFAULT_FACET_FIELDS = ["organization", "groups", "tags", "res_format", "license_id", "owner_org"]
FACETS = f"""
    array_to_tsvector(CAST(:sep AS text) || ARRAY(
        SELECT DISTINCT e.key || :sep || v.value
        FROM jsonb_each(doc) AS e(key, value)
        CROSS JOIN LATERAL jsonb_array_elements_text(e.value) AS v(value)
        WHERE e.key = ANY(:fields) AND strpos(e.key, :sep) = 0 AND strpos(e.key, :hashed) = 0
          AND octet_length(e.key || :sep || v.value) <= {LONG_TERM_BYTES}
    ))
"""

# The lexemes of rows, signed +1 (new) or -1 (old), summed per group.
_DELTA = """
    SELECT filter_terms, word, sum(sign) AS n
    FROM ({rows}) AS changed
    CROSS JOIN LATERAL unnest(tsvector_to_array(changed.facets)) AS word
    GROUP BY filter_terms, word
    HAVING sum(sign) <> 0
"""
_APPLY = f"""
    INSERT INTO {COUNTS} AS c (filter_terms, word, n)
    SELECT filter_terms, word, n FROM ({{delta}}) AS d ORDER BY filter_terms, word
    ON CONFLICT (filter_terms, word) DO UPDATE SET n = c.n + EXCLUDED.n;
    DELETE FROM {COUNTS} WHERE n = 0;
"""


def _apply(rows: str) -> str:
    return _APPLY.format(delta=_DELTA.format(rows=rows))


def facet_fields() -> list[str]:
    try:
        from ckan.plugins.toolkit import aslist, config

        configured = config.get(FACET_FIELDS_OPTION)
    except Exception:  # no CKAN config (alembic run by hand): the default
        configured = None
    return list(aslist(configured)) if configured else list(DEFAULT_FACET_FIELDS)


def upgrade():
    # the facet vectors of the rows indexed before, with the new default
    op.get_bind().execute(
        sa.text(f"UPDATE {TABLE} SET facets = {FACETS} WHERE facets <> {FACETS}"),
        {"sep": SEPARATOR, "hashed": HASHED, "fields": facet_fields()},
    )
    op.execute(
        f"""
        CREATE TABLE {COUNTS} (
            filter_terms text[] NOT NULL,
            word text NOT NULL,
            n integer NOT NULL,
            PRIMARY KEY (filter_terms, word)
        )
        """
    )
    # finds the counts that fell to zero without reading the others
    op.execute(f"CREATE INDEX {COUNTS}_zero_idx ON {COUNTS} (word) WHERE n = 0")
    new_rows = "SELECT filter_terms, facets, 1 AS sign FROM new_rows"
    old_rows = "SELECT filter_terms, facets, -1 AS sign FROM old_rows"
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock({LOCK_KEY});
            IF TG_OP = 'INSERT' THEN
                {_apply(new_rows)}
            ELSIF TG_OP = 'UPDATE' THEN
                {_apply(f"{new_rows} UNION ALL {old_rows}")}
            ELSIF TG_OP = 'DELETE' THEN
                {_apply(old_rows)}
            ELSE  -- TRUNCATE
                DELETE FROM {COUNTS};
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    for event, referencing in (
        ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
        ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
        ("TRUNCATE", ""),
    ):
        op.execute(
            f"CREATE TRIGGER {FUNCTION}_{event.lower()} AFTER {event} ON {TABLE} {referencing}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )
    op.execute(_apply(f"SELECT filter_terms, facets, 1 AS sign FROM {TABLE}"))
    for index in GIN_INDEXES:
        op.execute(f"ALTER INDEX {index} SET (fastupdate = off)")
    # merge what the pending lists hold now
    for index in GIN_INDEXES:
        op.execute(f"SELECT gin_clean_pending_list(CAST('{index}' AS regclass))")


def downgrade():
    for index in GIN_INDEXES:
        op.execute(f"ALTER INDEX {index} RESET (fastupdate)")
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS {FUNCTION}_{event} ON {TABLE}")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    op.execute(f"DROP TABLE IF EXISTS {COUNTS}")
