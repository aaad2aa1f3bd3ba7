"""The e-mail outbox (every e-mail, queued, sent or failed) and each user's
language for what the portal writes to them.

Revision ID: 0007_mail_outbox
Revises: 0006_schedule_once
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007_mail_outbox"
down_revision = "0006_schedule_once"
branch_labels = None
depends_on = None

P = "datasud_partnership_"


def upgrade():
    op.create_table(
        P + "mail_outbox",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("created", sa.DateTime, nullable=False, index=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("recipient_name", sa.Text, nullable=False),
        sa.Column("recipient_email", sa.Text, nullable=False, index=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body_text", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text, nullable=False, unique=True),
        sa.Column("attachments", JSONB, nullable=False),
        sa.Column("status", sa.Text, nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("last_attempt_at", sa.DateTime),
        sa.Column("next_attempt_at", sa.DateTime, index=True),
        sa.Column("sent_at", sa.DateTime),
    )
    op.create_table(
        P + "user_language",
        sa.Column("user_id", sa.Text, primary_key=True),
        sa.Column("language", sa.Text, nullable=False),
    )


def downgrade():
    op.drop_table(P + "user_language")
    op.drop_table(P + "mail_outbox")
