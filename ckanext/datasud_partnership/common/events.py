"""The one event mechanism of the plugin: CKAN signals (blinker), which
``plugin.py`` subscribes receivers to through ``ISignal``.

Three moments:

- :func:`send_now`: inside the change's transaction, for what must happen
  with the change or not at all (a termination taking effect withdraws its
  datasets in the same transaction);
- :func:`collect_before_commit`: just before the transaction commits, in it,
  once everything the change writes is flushed: for what must be written
  with the change, from all of it (the e-mails an agreement's events call
  for, queued in the outbox: a digest needs every reminder of the run). A
  receiver that fails is logged and the change goes on;
- :func:`send_once_committed`: when the transaction is committed, never if it
  is rolled back, for what must not happen before the change is durable
  (e-mails, the activity stream, the search index). This follows the
  database's own commit, not a helper of ours: an action called with
  ``defer_commit`` sends its signals when its caller commits.

A receiver of a committed signal that fails is logged: the change is
committed and stays so.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as SASession
from sqlalchemy.orm import SessionTransaction

log = logging.getLogger(__name__)

_signal = tk.signals.ckanext.signal

# sender: "agreements"; events=[event dicts] (agreements.dictize.event_dict)
agreement_events_committed = _signal("datasud_partnership_agreement_events")
# sender: the agreement (a row); termination=the Termination row; sent inside the transaction
termination_took_effect = _signal("datasud_partnership_termination_took_effect")
# sender: "agreements"; events=[event dicts]: the same events, just before their commit, in its transaction
agreement_events_to_commit = _signal("datasud_partnership_agreement_events_to_commit")
# sender: "mail"; mail_ids=[outbox row ids]: e-mails queued in the outbox, committed
mails_queued = _signal("datasud_partnership_mails_queued")
# sender: "publication"; dataset_ids=[...]: datasets made private on the models, committed
datasets_made_private = _signal("datasud_partnership_datasets_made_private")

_PENDING = "datasud_partnership_pending_signals"
_BEFORE_COMMIT = "datasud_partnership_before_commit_signals"
_COMMITTED = "datasud_partnership_committed_signals"
_SENDING = "datasud_partnership_sending_signals"


@dataclasses.dataclass
class _Waiting:
    signal: Any
    sender: Any
    data: dict[str, Any]
    field: str | None = None  # a list of items collected during the transaction
    items: list[Any] = dataclasses.field(default_factory=list)
    convert: Callable[[list[Any]], list[Any]] | None = None

    def send(self) -> None:
        data = dict(self.data)
        if self.field is not None:
            data[self.field] = self.convert(self.items) if self.convert else list(self.items)
        self.signal.send(self.sender, **data)


def send_now(signal: Any, sender: Any, **data: Any) -> None:
    """Send ``signal`` at once, inside the caller's transaction: a receiver
    that fails fails the change."""
    signal.send(sender, **data)


def send_once_committed(session: Any, signal: Any, sender: Any, **data: Any) -> None:
    """Send ``signal`` once ``session``'s transaction is committed."""
    session.info.setdefault(_PENDING, []).append(_Waiting(signal, sender, data))


def collect_once_committed(
    session: Any,
    signal: Any,
    sender: Any,
    field: str,
    item: Any,
    convert: Callable[[list[Any]], list[Any]] | None = None,
) -> None:
    """Add ``item`` to the list that ``signal`` carries as ``field`` once the
    transaction is committed: one sending for the whole transaction.
    ``convert`` turns the items into what is sent, at that moment (rows have
    their ids and timestamps then)."""
    _collect(session.info.setdefault(_PENDING, []), signal, sender, field, item, convert)


def collect_before_commit(
    session: Any,
    signal: Any,
    sender: Any,
    field: str,
    item: Any,
    convert: Callable[[list[Any]], list[Any]] | None = None,
) -> None:
    """Add ``item`` to the list that ``signal`` carries as ``field`` just
    before the transaction commits (after a flush: rows have their ids)."""
    _collect(session.info.setdefault(_BEFORE_COMMIT, []), signal, sender, field, item, convert)


def _collect(
    pending: list[Any],
    signal: Any,
    sender: Any,
    field: str,
    item: Any,
    convert: Callable[[list[Any]], list[Any]] | None,
) -> None:
    for waiting in pending:
        if waiting.signal is signal and waiting.field == field:
            waiting.items.append(item)
            return
    pending.append(_Waiting(signal, sender, {}, field, [item], convert))


@sa_event.listens_for(SASession, "before_commit")
def _before_commit(session: SASession) -> None:
    while session.info.get(_BEFORE_COMMIT):
        session.flush()
        waiting = session.info[_BEFORE_COMMIT].pop(0)
        try:
            waiting.send()
        except Exception:
            log.exception("A receiver of %s failed before the commit", waiting.signal.name)


@sa_event.listens_for(SASession, "after_commit")
def _committed(session: SASession) -> None:
    # a savepoint's release comes here too: what it holds waits for the outer commit
    if session.info.get(_PENDING):
        session.info.setdefault(_COMMITTED, []).extend(session.info.pop(_PENDING))


@sa_event.listens_for(SASession, "after_rollback")
def _rolled_back(session: SASession) -> None:
    """What was waiting for a rolled-back transaction never happens."""
    session.info.pop(_PENDING, None)
    session.info.pop(_COMMITTED, None)
    session.info.pop(_BEFORE_COMMIT, None)


@sa_event.listens_for(SASession, "after_transaction_end")
def _send_committed(session: SASession, transaction: SessionTransaction) -> None:
    """Once the outermost transaction has ended (the session may query and
    commit again), send what its commit made durable, in order. A receiver
    that commits ends a transaction too: what it commits is sent by this same
    loop, after the rest."""
    if transaction.parent is not None or transaction.nested or session.info.get(_SENDING):
        return
    session.info[_SENDING] = True
    try:
        while session.info.get(_COMMITTED):
            waiting = session.info[_COMMITTED].pop(0)
            try:
                waiting.send()
            except Exception:
                log.exception("A receiver of %s failed after the commit", waiting.signal.name)
    finally:
        session.info.pop(_SENDING, None)
