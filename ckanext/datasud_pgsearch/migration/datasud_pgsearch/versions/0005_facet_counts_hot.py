"""Facet counts updated in place (no index on the count, room on each page),
and an index of the n-gram fields.

Every write of the index changes the counts of its words (migration 0003). The
partial index ``(word) WHERE n = 0`` read the updated column, so no update
could be HOT (heap-only): each one left a dead row and new index entries, and
the table grew until a vacuum ran (148 MB for 3,692 live rows after 100,000
datasets were indexed, with autovacuum off). Without that index, an update of
``n`` changes no indexed column: with free room on its page (``fillfactor``
50) it is HOT, and PostgreSQL prunes the dead versions of a page as it reads
it, without a vacuum. The counts that fall to zero are deleted by their key,
among the words the write changed, instead of through that index.

The table is rewritten once (``CLUSTER`` on its key), to apply the fill factor and
drop what it had grown.

``ngram_vector`` indexes CKAN's ``name_ngram`` and ``title_ngram`` (its
``text_ngram`` type: every run of 2 to 10 characters of the lower-cased
value), which ``package_autocomplete`` searches: its lexemes are
``field<US>`` and the first 10 characters of every suffix of every word, so
that a word of the query is found where it starts one of them, by a prefix
search of the GIN index. The upgrade fills it from the names and titles
already indexed.

Revision ID: 0008_pgsearch
Revises: 0004_pgsearch_inline_sort_keys
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

revision = "0008_pgsearch"
down_revision = "0004_pgsearch_inline_sort_keys"
branch_labels = None
depends_on = None

COUNTS = "datasud_pgsearch_facet_count"
FUNCTION = "datasud_pgsearch_count_facets"
# as in migration 0003
LOCK_KEY = 0x64737067
FILLFACTOR = 50
TABLE = "datasud_pgsearch_document"
SEPARATOR = "\x1f"  # as in ckanext.datasud_pgsearch.analysis
LONGEST = 10  # CKAN's maxGramSize
NGRAMS = f"""
    array_to_tsvector(ARRAY(
        SELECT DISTINCT f.field || :sep || substr(w, i, {LONGEST})
        FROM (VALUES ('name_ngram', lower(doc -> 'name' ->> 0)),
                     ('title_ngram', lower(stored ->> 'title'))) AS f(field, value)
        CROSS JOIN LATERAL regexp_split_to_table(f.value, '\\s+') AS w
        CROSS JOIN LATERAL generate_series(1, char_length(w) - 1) AS i
        WHERE f.value IS NOT NULL
    ))
"""

_DELTA = """
    SELECT filter_terms, word, sum(sign) AS n
    FROM ({rows}) AS changed
    CROSS JOIN LATERAL unnest(tsvector_to_array(changed.facets)) AS word
    GROUP BY filter_terms, word
    HAVING sum(sign) <> 0
"""


def _apply(rows: str) -> str:
    delta = _DELTA.format(rows=rows)
    return f"""
    INSERT INTO {COUNTS} AS c (filter_terms, word, n)
    SELECT filter_terms, word, n FROM ({delta}) AS d ORDER BY filter_terms, word
    ON CONFLICT (filter_terms, word) DO UPDATE SET n = c.n + EXCLUDED.n;
    DELETE FROM {COUNTS} AS c USING ({delta}) AS d
    WHERE d.n < 0 AND c.filter_terms = d.filter_terms AND c.word = d.word AND c.n = 0;
    """


def _function(zero_index: bool) -> str:
    new_rows = "SELECT filter_terms, facets, 1 AS sign FROM new_rows"
    old_rows = "SELECT filter_terms, facets, -1 AS sign FROM old_rows"
    if zero_index:  # migration 0003's
        delta = _DELTA.format

        def apply(rows: str) -> str:
            return f"""
            INSERT INTO {COUNTS} AS c (filter_terms, word, n)
            SELECT filter_terms, word, n FROM ({delta(rows=rows)}) AS d ORDER BY filter_terms, word
            ON CONFLICT (filter_terms, word) DO UPDATE SET n = c.n + EXCLUDED.n;
            DELETE FROM {COUNTS} WHERE n = 0;
            """
    else:
        apply = _apply
    return f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock({LOCK_KEY});
            IF TG_OP = 'INSERT' THEN
                {apply(new_rows)}
            ELSIF TG_OP = 'UPDATE' THEN
                {apply(f"{new_rows} UNION ALL {old_rows}")}
            ELSIF TG_OP = 'DELETE' THEN
                {apply(old_rows)}
            ELSE  -- TRUNCATE
                DELETE FROM {COUNTS};
            END IF;
            RETURN NULL;
        END
        $$
    """


def upgrade():
    op.add_column(TABLE, sa.Column("ngram_vector", TSVECTOR, nullable=False, server_default=""))
    op.get_bind().execute(sa.text(f"UPDATE {TABLE} SET ngram_vector = {NGRAMS}"), {"sep": SEPARATOR})
    op.execute(f"CREATE INDEX {TABLE}_ngram_idx ON {TABLE} USING gin (ngram_vector) WITH (fastupdate = off)")
    op.execute(_function(zero_index=False))
    op.execute(f"DROP INDEX IF EXISTS {COUNTS}_zero_idx")
    op.execute(f"ALTER TABLE {COUNTS} SET (fillfactor = {FILLFACTOR})")
    # rewrite the table with the fill factor (VACUUM cannot run in a transaction)
    op.execute(f"CLUSTER {COUNTS} USING {COUNTS}_pkey")
    op.execute(f"ALTER TABLE {COUNTS} SET WITHOUT CLUSTER")


def downgrade():
    op.drop_index(f"{TABLE}_ngram_idx", table_name=TABLE)
    op.drop_column(TABLE, "ngram_vector")
    op.execute(f"ALTER TABLE {COUNTS} RESET (fillfactor)")
    op.execute(f"CREATE INDEX {COUNTS}_zero_idx ON {COUNTS} (word) WHERE n = 0")
    op.execute(_function(zero_index=True))
