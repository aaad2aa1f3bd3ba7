"""What a legal team relies on: the entry into force an agreement's
signature or notification states when it is later (a successor scheduled to
follow the current agreement), the region's referent of each agreement (a
user of the portal team), and what a termination states besides its motives
(the actions announced; for an agreed termination, the modalities or the
expert appointed).

Revision ID: 0008_agreement_legal
Revises: 0007_mail_outbox
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_agreement_legal"
down_revision = "0007_mail_outbox"
branch_labels = None
depends_on = None

P = "datasud_partnership_"


def upgrade():
    op.add_column(P + "agreement", sa.Column("in_force_from", sa.Date))
    op.add_column(P + "agreement", sa.Column("region_referent_id", sa.Text))
    op.add_column(P + "termination", sa.Column("actions", sa.Text))
    op.add_column(P + "termination", sa.Column("modalities", sa.Text))
    op.add_column(P + "termination", sa.Column("expert", sa.Text))


def downgrade():
    op.drop_column(P + "termination", "expert")
    op.drop_column(P + "termination", "modalities")
    op.drop_column(P + "termination", "actions")
    op.drop_column(P + "agreement", "region_referent_id")
    op.drop_column(P + "agreement", "in_force_from")
