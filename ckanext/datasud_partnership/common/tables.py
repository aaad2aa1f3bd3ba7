"""What the plugin's tables share: the name prefix, ids and timestamps."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

# Table names start with the plugin's name: alembic's autogenerate only sees those.
PREFIX = "datasud_partnership_"


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    """Now, in UTC, without a time zone (as CKAN stores its timestamps)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def jsonable(value: Any) -> Any:
    """``value`` with its dates and decimals as text, for a JSONB column."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
