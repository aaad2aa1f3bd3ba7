"""The one event mechanism (common/events.py): what follows an agreement's
events happens once they are committed, whoever commits, and never when they
are rolled back; plugin.py names every receiver."""

import logging

import pytest
from ckan import model
from ckan.tests import helpers
from freezegun import freeze_time

from ckanext.datasud_partnership.agreements import notify
from ckanext.datasud_partnership.agreements.model import AgreementEvent
from ckanext.datasud_partnership.common import events, outbox
from ckanext.datasud_partnership.plugin import DatasudPartnershipPlugin
from ckanext.datasud_partnership.publication import index, sandbox, withdrawal
from tests.agreements.conftest import act
from tests.agreements.test_actions import DATASUD


@pytest.fixture
def received():
    """The events the signal carried, in the order it carried them."""
    seen = []

    def receiver(sender, events=None, **kwargs):
        seen.extend(event["event"] for event in events or [])

    with events.agreement_events_committed.connected_to(receiver):
        yield seen


def _serve_deferred(agreement_id):
    context = {"user": "region-team", "ignore_auth": False, "defer_commit": True}
    with freeze_time("2024-06-01"):
        return helpers.call_action(
            "agreement_notice_serve",
            context=context,
            id=agreement_id,
            breaches=["Retard"],
            deadline="2024-06-10",
        )


def _in_force():
    with freeze_time("2024-01-31"):
        return act("agreement_create", **DATASUD, signed_on="2024-01-15", notified_on="2024-01-31")


def test_events_are_sent_once_committed(people, received):
    _in_force()
    assert received == ["created", "signed", "notified"]


def test_a_deferred_commit_sends_the_events_when_the_caller_commits(people, received):
    agreement = _in_force()
    received.clear()
    _serve_deferred(agreement["id"])
    assert received == []  # recorded, not committed yet: nobody is told
    model.Session.commit()
    assert received == ["notice_served", "letter_issued"]  # the formal notice and its letter


def test_a_rolled_back_change_sends_nothing(people, received):
    agreement = _in_force()
    received.clear()
    _serve_deferred(agreement["id"])
    model.Session.rollback()
    model.Session.commit()  # a later commit does not send what was rolled back
    assert received == []
    served = model.Session.query(AgreementEvent).filter_by(event="notice_served").count()
    assert served == 0


def test_a_failing_receiver_leaves_the_change_committed(people, caplog, monkeypatch):
    def broken(sender, **kwargs):
        raise RuntimeError("receiver down")

    # CKAN's test runner re-reads the logging config, which disables the loggers made before
    monkeypatch.setattr(logging.getLogger(events.__name__), "disabled", False)
    with events.agreement_events_committed.connected_to(broken), caplog.at_level(logging.ERROR):
        agreement = _in_force()
    assert act("agreement_show", id=agreement["id"])["status"] == "in_force"
    assert any("failed after the commit" in record.getMessage() for record in caplog.records)


def test_plugin_names_what_follows_each_event():
    table = DatasudPartnershipPlugin().get_signal_subscriptions()
    # the datasets it withdraws, and its sandbox datasets out of the sandbox
    assert table[events.termination_took_effect] == [
        withdrawal.withdraw_for_termination,
        sandbox.on_termination,
    ]
    assert table[events.datasets_made_private] == [index.refresh_index]
    assert len(table[events.agreement_events_committed]) == 1  # the activity stream
    # the e-mails join the events' own transaction, and leave once it is committed
    assert table[events.agreement_events_to_commit] == [notify.on_events]
    assert table[events.mails_queued] == [outbox.on_queued]
