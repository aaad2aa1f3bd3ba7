"""What the calendar makes happen to agreements: renewals, expiries and
terminations reaching their effective date, each recorded once as an event."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from ckan import model

from . import kinds as K
from . import rules as R
from . import store
from .model import Agreement, AgreementEvent, Termination

Session = model.Session

# Called with (agreement, termination) when a termination that decided
# dataset withdrawals takes effect. The publication module registers the
# function that withdraws them; until then the decision stays on record.
withdrawal_handlers: list[Callable[[Agreement, Termination], None]] = []


@dataclasses.dataclass
class Outcome:
    renewed: int = 0
    expired: int = 0
    terminated: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def apply_termination(agreement: Agreement, termination: Termination, actor: str | None) -> None:
    """Record that a termination took effect and hand over its withdrawals."""
    termination.applied_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    store.record(
        agreement,
        "terminated",
        actor,
        on=termination.effective_on,
        mode=termination.mode,
        clause=termination.clause,
        withdraw=termination.withdraw,
    )
    if termination.withdraw != "none":
        for handler in withdrawal_handlers:
            handler(agreement, termination)


def _recorded() -> set[tuple[str, str, dt.date]]:
    """The renewals and expiries already on record, in one query."""
    rows = Session.query(AgreementEvent.agreement_id, AgreementEvent.event, AgreementEvent.on).filter(
        AgreementEvent.event.in_(("renewed", "expired"))
    )
    return {tuple(row) for row in rows}


def run(day: dt.date, dry_run: bool = False, progress: Callable[[Any], Any] | None = None) -> Outcome:
    """Apply what is due on ``day``; running it twice changes nothing more."""
    outcome = Outcome()
    registry = K.registered()
    agreements = Session.query(Agreement).filter(
        Agreement.cancelled_on.is_(None), Agreement.signed_on.isnot(None)
    )
    rows = agreements.all()
    notices_by, endings_by = store.notices_and_terminations([a.id for a in rows])
    done = _recorded()
    for agreement in progress(rows) if progress else rows:
        kind = registry.get(agreement.kind)
        if kind is None:
            continue
        ended = endings_by.get(agreement.id)
        facts = store.facts(agreement, notices_by.get(agreement.id, []), ended)
        for anniversary in R.renewals_until(kind, facts, day):
            if (agreement.id, "renewed", anniversary) not in done:
                outcome.renewed += 1
                if not dry_run:
                    store.record(agreement, "renewed", None, on=anniversary)
        expiry = R.expiry_date(kind, facts)
        if expiry is not None and expiry <= day and (agreement.id, "expired", expiry) not in done:
            outcome.expired += 1
            if not dry_run:
                store.record(agreement, "expired", None, on=expiry)
        if ended is not None and ended.applied_at is None and ended.effective_on <= day:
            outcome.terminated += 1
            if not dry_run:
                apply_termination(agreement, ended, None)
    if not dry_run:
        store.commit()
    return outcome
