"""What the schedule records, recorded once: a renewal or an expiry of an
agreement on a given day, and a reminder (its kind, the date it is about, the
notice it concerns) can exist once only, even when two runs overlap.

Copies written before this revision by overlapping runs are merged into the
first one: the first keeps, in its data, when each copy was recorded
(``"copies_recorded_at"``), so nothing of the history is lost.

Revision ID: 0006_schedule_once
Revises: 0005_harvest_declarations
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_schedule_once"
down_revision = "0005_harvest_declarations"
branch_labels = None
depends_on = None

EVENTS = "datasud_partnership_agreement_event"
ONCE_A_DAY = "datasud_partnership_agreement_event_once_a_day"
REMINDER_ONCE = "datasud_partnership_agreement_event_reminder_once"

# The columns that make two schedule records the same record.
DAY_KEY = 'agreement_id, event, "on"'
REMINDER_KEY = "agreement_id, (data->>'reminder'), (data->>'for'), coalesce(data->>'notice_id', '')"


def _merge(key: str, where: str) -> None:
    op.execute(
        sa.text(
            f"""
            WITH ranked AS (
                SELECT id, at, first_value(id) OVER w AS first_id, row_number() OVER w AS n
                FROM {EVENTS} WHERE {where}
                WINDOW w AS (PARTITION BY {key} ORDER BY at, id)
            ), copies AS (
                SELECT first_id, jsonb_agg(to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS') ORDER BY at) AS ats
                FROM ranked WHERE n > 1 GROUP BY first_id
            )
            UPDATE {EVENTS} e SET data = e.data || jsonb_build_object('copies_recorded_at', copies.ats)
            FROM copies WHERE e.id = copies.first_id
            """
        )
    )
    op.execute(
        sa.text(
            f"""
            DELETE FROM {EVENTS} WHERE id IN (
                SELECT id FROM (
                    SELECT id, row_number() OVER (PARTITION BY {key} ORDER BY at, id) AS n
                    FROM {EVENTS} WHERE {where}
                ) ranked WHERE n > 1
            )
            """
        )
    )


def upgrade():
    day_events = "event IN ('renewed', 'expired')"
    _merge(DAY_KEY, day_events)
    _merge(REMINDER_KEY, "event = 'reminder'")
    op.execute(f"CREATE UNIQUE INDEX {ONCE_A_DAY} ON {EVENTS} ({DAY_KEY}) WHERE {day_events}")
    op.execute(f"CREATE UNIQUE INDEX {REMINDER_ONCE} ON {EVENTS} ({REMINDER_KEY}) WHERE event = 'reminder'")


def downgrade():
    op.execute(f"DROP INDEX IF EXISTS {REMINDER_ONCE}")
    op.execute(f"DROP INDEX IF EXISTS {ONCE_A_DAY}")
