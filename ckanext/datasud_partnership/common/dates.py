"""Dates as the server knows them."""

from __future__ import annotations

import datetime as dt
from typing import Any


def today() -> dt.date:
    """The server's today: every date rule is judged against it."""
    return dt.date.today()


def iso(value: Any) -> str | None:
    """A date or a moment written ISO 8601; None stays None."""
    return value.isoformat() if value is not None else None
