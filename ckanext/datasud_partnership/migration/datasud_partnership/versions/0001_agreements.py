"""Agreements, their event history, amendments, milestones, contributions,
formal notices and terminations.

Revision ID: 0001_agreements
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001_agreements"
down_revision = None
branch_labels = None
depends_on = None

P = "datasud_partnership_"


def _agreement_fk():
    return sa.Column("agreement_id", sa.Text, sa.ForeignKey(P + "agreement.id"), nullable=False, index=True)


def upgrade():
    op.create_table(
        P + "agreement",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("organization_id", sa.Text, nullable=False, index=True),
        sa.Column("kind", sa.Text, nullable=False, index=True),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("parties", JSONB, nullable=False),
        sa.Column("deliberation_number", sa.Text),
        sa.Column("deliberation_date", sa.Date),
        sa.Column("signed_on", sa.Date),
        sa.Column("notified_on", sa.Date),
        sa.Column("end_on", sa.Date),
        sa.Column("referent_name", sa.Text),
        sa.Column("referent_email", sa.Text),
        sa.Column("referent_phone", sa.Text),
        sa.Column("documents", JSONB, nullable=False),
        sa.Column("beneficiary_invoice_on", sa.Date),
        sa.Column("cancelled_on", sa.Date),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.Text),
    )
    op.create_table(
        P + "agreement_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _agreement_fk(),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("actor", sa.Text),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("on", sa.Date),
        sa.Column("reason", sa.Text),
        sa.Column("data", JSONB, nullable=False),
    )
    op.create_index(
        P + "agreement_event_event_on_idx", P + "agreement_event", ["agreement_id", "event", "on"]
    )
    op.create_table(
        P + "amendment",
        sa.Column("id", sa.Text, primary_key=True),
        _agreement_fk(),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("signed_on", sa.Date, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("end_on", sa.Date),
        sa.Column("contributions", JSONB),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.Text),
        sa.UniqueConstraint("agreement_id", "number"),
    )
    op.create_table(
        P + "milestone",
        sa.Column("id", sa.Text, primary_key=True),
        _agreement_fk(),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("phase", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("title", JSONB, nullable=False),
        sa.Column("session", sa.Boolean, nullable=False),
        sa.Column("done_on", sa.Date),
        sa.Column("note", sa.Text),
        sa.UniqueConstraint("agreement_id", "code"),
    )
    op.create_table(
        P + "contribution",
        sa.Column("id", sa.Text, primary_key=True),
        _agreement_fk(),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("funder", JSONB, nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("beneficiary", sa.Boolean, nullable=False),
    )
    op.create_table(
        P + "notice",
        sa.Column("id", sa.Text, primary_key=True),
        _agreement_fk(),
        sa.Column("served_by", sa.Text, nullable=False),
        sa.Column("served_on", sa.Date, nullable=False),
        sa.Column("breaches", JSONB, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("observations", sa.Text),
        sa.Column("observations_on", sa.Date),
        sa.Column("lifted_on", sa.Date),
        sa.Column("lift_reason", sa.Text),
    )
    op.create_table(
        P + "termination",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("agreement_id", sa.Text, sa.ForeignKey(P + "agreement.id"), nullable=False, unique=True),
        sa.Column("mode", sa.Text, nullable=False),
        sa.Column("clause", sa.Text, nullable=False),
        sa.Column("initiator", sa.Text, nullable=False),
        sa.Column("requested_on", sa.Date, nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("notice_id", sa.Text, sa.ForeignKey(P + "notice.id")),
        sa.Column("withdraw", JSONB, nullable=False),
        sa.Column("applied_at", sa.DateTime),
        sa.Column("recorded_by", sa.Text),
    )


def downgrade():
    for table in (
        "termination",
        "notice",
        "contribution",
        "milestone",
        "amendment",
        "agreement_event",
        "agreement",
    ):
        op.drop_table(P + table)
