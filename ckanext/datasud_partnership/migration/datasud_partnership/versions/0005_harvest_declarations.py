"""Harvesting under the publication gate: the declarations made for harvest
sources, and what the last harvest import did to each dataset.

Revision ID: 0005_harvest_declarations
Revises: 0004_claims
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005_harvest_declarations"
down_revision = "0004_claims"
branch_labels = None
depends_on = None

P = "datasud_partnership_"


def upgrade():
    op.create_table(
        P + "harvest_declaration",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.Text, nullable=False, index=True),
        sa.Column("organization_id", sa.Text, nullable=False),
        sa.Column("personal_data", sa.Text, nullable=False),
        sa.Column("text_version", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("terms_version", sa.Text),
        sa.Column("declared_by", sa.Text, nullable=False),
        sa.Column("declared_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        P + "harvest_outcome",
        sa.Column("dataset_id", sa.Text, primary_key=True),
        sa.Column("organization_id", sa.Text, index=True),
        sa.Column("source_id", sa.Text, nullable=False, index=True),
        sa.Column("harvest_job_id", sa.Text),
        sa.Column("harvest_object_id", sa.Text),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("reasons", JSONB, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table(P + "harvest_outcome")
    op.drop_table(P + "harvest_declaration")
