"""The search index table and its text-search functions.

Revision ID: 0001_pgsearch
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR

revision = "0001_pgsearch"
down_revision = None
branch_labels = None
depends_on = None

TABLE = "datasud_pgsearch_document"
GAP = "zzgapzz"  # also in ckanext.datasud_pgsearch.analysis.GAP


def upgrade():
    # Text of a field (already accent-folded), analysed in French and in
    # English. A gap word ends each part, so that a phrase cannot match across
    # the two parts, nor across two fields or two values (Solr's
    # positionIncrementGap).
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION datasud_pgsearch_tsv(content text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT to_tsvector('french'::regconfig, coalesce(content, '') || ' {GAP}')
                || to_tsvector('english'::regconfig, coalesce(content, '') || ' {GAP}')
        $$
        """
    )
    op.create_table(
        TABLE,
        sa.Column("index_id", sa.Text, primary_key=True),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("site_id", sa.Text, nullable=False),
        sa.Column("doc", JSONB, nullable=False),
        sa.Column("text_doc", JSONB, nullable=False),
        sa.Column("stored", JSONB, nullable=False),
        sa.Column("text_vector", TSVECTOR, nullable=False),
        sa.Column("title_sort", sa.Text, nullable=False, server_default=""),
        sa.Column("metadata_modified", sa.DateTime),
        sa.Column("metadata_created", sa.DateTime),
        sa.Column("indexed_at", sa.DateTime, nullable=False),
    )
    op.create_index(
        f"{TABLE}_doc_idx", TABLE, ["doc"], postgresql_using="gin", postgresql_ops={"doc": "jsonb_path_ops"}
    )
    op.create_index(f"{TABLE}_text_idx", TABLE, ["text_vector"], postgresql_using="gin")
    op.create_index(f"{TABLE}_id_idx", TABLE, ["id"])
    op.create_index(f"{TABLE}_modified_idx", TABLE, ["metadata_modified"])
    op.create_index(f"{TABLE}_created_idx", TABLE, ["metadata_created"])
    op.create_index(f"{TABLE}_title_idx", TABLE, ["title_sort"])


def downgrade():
    op.drop_table(TABLE)
    op.execute("DROP FUNCTION IF EXISTS datasud_pgsearch_tsv(text)")
