"""The cached computed fields of agreements (for fast listing).

Revision ID: 0002_agreement_state
Revises: 0001_agreements
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_agreement_state"
down_revision = "0001_agreements"
branch_labels = None
depends_on = None

TABLE = "datasud_partnership_agreement_state"


def upgrade():
    # Rows are filled by the actions and by `ckan datasud-partnership
    # run-schedule`; an agreement without a row is computed on the fly.
    op.create_table(
        TABLE,
        sa.Column(
            "agreement_id", sa.Text, sa.ForeignKey("datasud_partnership_agreement.id"), primary_key=True
        ),
        sa.Column("status", sa.Text, nullable=False, index=True),
        sa.Column("in_force_from", sa.Date),
        sa.Column("current_term_end", sa.Date),
        sa.Column("next_anniversary", sa.Date, index=True),
        sa.Column("anniversary_notice_deadline", sa.Date),
        sa.Column("ends_on", sa.Date, index=True),
        sa.Column("grants_publication", sa.Boolean, nullable=False),
        sa.Column("computed_on", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, index=True),
    )


def downgrade():
    op.drop_table(TABLE)
