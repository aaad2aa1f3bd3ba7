"""Claims about published datasets (art. 5) and their messages.

Revision ID: 0004_claims
Revises: 0003_publication
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_claims"
down_revision = "0003_publication"
branch_labels = None
depends_on = None

P = "datasud_partnership_"


def upgrade():
    op.create_table(
        P + "claim",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("dataset_id", sa.Text, nullable=False, index=True),
        sa.Column("organization_id", sa.Text, nullable=False, index=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("filed_by", sa.Text, nullable=False),
        sa.Column("filed_at", sa.DateTime, nullable=False, index=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text),
        sa.Column("closed_at", sa.DateTime),
        sa.Column("closed_by", sa.Text),
    )
    op.create_table(
        P + "claim_message",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.Text, sa.ForeignKey(P + "claim.id"), nullable=False, index=True),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("written_at", sa.DateTime, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text),
    )
    # the publication status of a dataset reads its latest journal entries
    op.create_index(
        "datasud_partnership_publication_journal_dataset_time",
        P + "publication_journal",
        ["dataset_id", "timestamp"],
    )


def downgrade():
    op.drop_index("datasud_partnership_publication_journal_dataset_time", P + "publication_journal")
    op.drop_table(P + "claim_message")
    op.drop_table(P + "claim")
