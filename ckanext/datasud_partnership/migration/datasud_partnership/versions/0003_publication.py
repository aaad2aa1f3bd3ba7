"""The publication journal and the terms of use with their acceptances.

Revision ID: 0003_publication
Revises: 0002_agreement_state
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003_publication"
down_revision = "0002_agreement_state"
branch_labels = None
depends_on = None

P = "datasud_partnership_"


def upgrade():
    op.create_table(
        P + "publication_journal",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset_id", sa.Text, nullable=False, index=True),
        sa.Column("organization_id", sa.Text, nullable=False, index=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("licence_id", sa.Text),
        sa.Column("declaration", JSONB),
        sa.Column("agreement_id", sa.Text),
        sa.Column("actor", sa.Text),
        sa.Column("timestamp", sa.DateTime, nullable=False, index=True),
        sa.Column("reason", sa.Text),
        sa.Column("ground", JSONB),
        sa.Column("path", sa.Text),
    )
    op.create_table(
        P + "terms_version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.Text, nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("summary", sa.Text),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.Column("published_by", sa.Text),
    )
    op.create_table(
        P + "terms_acceptance",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("organization_id", sa.Text, nullable=False, index=True),
        sa.Column("terms_version_id", sa.Integer, sa.ForeignKey(P + "terms_version.id"), nullable=False),
        sa.Column("accepted_by", sa.Text, nullable=False),
        sa.Column("accepted_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("organization_id", "terms_version_id"),
    )


def downgrade():
    for table in ("terms_acceptance", "terms_version", "publication_journal"):
        op.drop_table(P + table)
