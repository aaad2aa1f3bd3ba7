"""The Challenge sandbox: the datasets a partner put in it.

Revision ID: 0011_sandbox
Revises: 0010_declaration_versions
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_sandbox"
down_revision = "0010_declaration_versions"
branch_labels = None
depends_on = None

TABLE = "datasud_partnership_sandbox"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("dataset_id", sa.Text, primary_key=True),
        sa.Column("organization_id", sa.Text, nullable=False, index=True),
        sa.Column("agreement_id", sa.Text, nullable=False, index=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("since", sa.DateTime, nullable=False),
        sa.Column("by", sa.Text),
    )


def downgrade():
    op.drop_table(TABLE)
