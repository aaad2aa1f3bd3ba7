"""The personal-data declaration's texts as versioned records, seeded with
the version the former option ``ckanext.datasud_partnership.declaration_version``
named (default 2026-01), in force since the portal began.

Revision ID: 0010_declaration_versions
Revises: 0008_agreement_legal
Create Date: 2026-12-04
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from ckanext.datasud_partnership.publication.declarations import SEED_TEXT

revision = "0010_declaration_versions"
down_revision = "0008_agreement_legal"
branch_labels = None
depends_on = None

TABLE = "datasud_partnership_declaration_version"
OPTION = "ckanext.datasud_partnership.declaration_version"


def _seed_version() -> str:
    try:
        from ckan.common import config

        return str(config.get(OPTION) or "2026-01")
    except Exception:  # noqa: BLE001 - outside CKAN (alembic alone): the option's default
        return "2026-01"


def upgrade():
    table = op.create_table(
        TABLE,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.Text, nullable=False, unique=True),
        sa.Column("text", JSONB, nullable=False),
        sa.Column("in_force_from", sa.Date),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.Text),
    )
    op.bulk_insert(
        table,
        [
            {
                "version": _seed_version(),
                "text": SEED_TEXT,
                "in_force_from": None,
                "created_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
                "created_by": None,
            }
        ],
    )


def downgrade():
    op.drop_table(TABLE)
