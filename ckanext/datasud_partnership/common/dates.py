"""Dates as the server knows them, and who may give the day of an act."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ckan.types import Context

from .roles import user_of
from .validation import invalid


def today() -> dt.date:
    """The server's today: every date rule is judged against it."""
    return dt.date.today()


def iso(value: Any) -> str | None:
    """A date or a moment written ISO 8601; None stays None."""
    return value.isoformat() if value is not None else None


def act_day(context: Context, field: str, given: dt.date | None) -> dt.date:
    """The day of an act a caller records (a signature, a notification, a
    deliberation, a formal notice served, observations, a lifting, a
    termination request, a milestone done, an amendment signed).

    The server dates it: today when no day is given. Only the portal's team
    (sysadmins) may record an act of an earlier day (a registered letter
    received, a paper signed before it was entered); the history then says who
    entered which day, and when (the event's actor, ``on`` and ``at``). Nobody
    records an act ahead of today. Anyone else may only give today. Terms and
    deadlines (an end date, a notice's deadline, an effective date the rules
    judge from the request) and search filters are not acts: this rule does
    not apply to them.

    Raises a ValidationError naming ``field``."""
    day = today()
    if given is None:
        return day
    if given > day:
        raise invalid(field, "This date cannot be in the future")
    if given < day:
        user = user_of(context)
        if user is None or not user.sysadmin:
            raise invalid(
                field,
                "The portal dates this act on the day it records it (%(today)s); only the portal's "
                "team may record an act of an earlier day",
                today=day.isoformat(),
            )
    return given
