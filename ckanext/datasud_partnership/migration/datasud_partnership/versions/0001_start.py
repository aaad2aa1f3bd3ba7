"""Start of the datasud_partnership migration chain (no table yet).

Revision ID: 0001_partnership
Revises:
Create Date: 2026-11-23
"""

revision = "0001_partnership"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
