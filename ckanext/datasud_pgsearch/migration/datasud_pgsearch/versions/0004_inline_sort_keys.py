"""Sort keys kept in the row: a ``name_sort`` column, and the small keys inline.

Sorting by ``name`` (``sort=name asc``, one of the sorts CKAN's API offers)
read the dataset's name from ``doc``, a jsonb stored out of line: one TOAST
fetch per hit, 555 ms for the 100,000 datasets of the benchmark.
``name_sort`` holds the name in the row, in byte order (``COLLATE "C"``, as
Solr sorts a string), with its own index. It is computed by PostgreSQL from
``doc`` (a stored generated column), so every write keeps it.

The table keeps rows short (``toast_tuple_target = 128``, migration 0002), so
PostgreSQL had also moved the small keys ``index_id``, ``id`` and
``title_sort`` out of line (any value over 24 bytes): a descending sort by
title read each title from TOAST. They are now ``STORAGE MAIN``, like the
other columns a search reads for each hit.

Adding a generated column rewrites the table (under an exclusive lock: the
searches wait for it; 23 s for the benchmark's 100,000 datasets). The rewrite
brings the keys of the rows indexed before back inline and leaves no dead
rows behind, where an ``UPDATE`` of every row would double the table.

Revision ID: 0004_pgsearch_inline_sort_keys
Revises: 0003_pgsearch_facet_counts
Create Date: 2026-11-30
"""

from alembic import op

revision = "0004_pgsearch_inline_sort_keys"
down_revision = "0003_pgsearch_facet_counts"
branch_labels = None
depends_on = None

TABLE = "datasud_pgsearch_document"
SMALL_KEYS = ["index_id", "id", "site_id", "title_sort"]


def upgrade():
    # One statement: the storage of every column is set before the rewrite.
    changes = [f"ALTER COLUMN {column} SET STORAGE MAIN" for column in SMALL_KEYS]
    changes.append(
        """ADD COLUMN name_sort text COLLATE "C" NOT NULL"""
        " GENERATED ALWAYS AS (COALESCE(doc -> 'name' ->> 0, '')) STORED"
    )
    changes.append("ALTER COLUMN name_sort SET STORAGE MAIN")
    op.execute(f"ALTER TABLE {TABLE} " + ", ".join(changes))
    op.execute(f"CREATE INDEX {TABLE}_name_idx ON {TABLE} (name_sort)")


def downgrade():
    op.execute(f"DROP INDEX {TABLE}_name_idx")
    op.execute(f"ALTER TABLE {TABLE} DROP COLUMN name_sort")
    for column in SMALL_KEYS:
        op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {column} SET STORAGE EXTENDED")
