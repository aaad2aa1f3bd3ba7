"""The outbox: every e-mail is recorded with the change that causes it,
sent once that change is committed, kept as failed (with the reason) when
the SMTP server refuses it, and sent by ``mail retry`` once it is back."""

from __future__ import annotations

import smtplib

import pytest
from ckan import model
from ckan.cli.cli import ckan
from ckan.lib import jobs
from ckan.tests import factories
from ckan.tests import helpers as test_helpers

from ckanext.datasud_partnership.common import outbox
from ckanext.datasud_partnership.common.mail import Mail, Recipient

from ..agreements.mailbox import received
from ..publication.conftest import DECLARATION, act, draft_dataset


def rows() -> list[outbox.OutboxMail]:
    model.Session.expire_all()
    return model.Session.query(outbox.OutboxMail).order_by(outbox.OutboxMail.recipient_email).all()


def file_a_claim(app, user="outsider") -> dict:
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    token = factories.APIToken(user=user)["token"]
    answer = app.post(
        "/api/3/action/claim_create",
        json={
            "dataset": dataset["name"],
            "kind": "personal_data",
            "description": "Des noms <b>et</b> adresses.",
        },
        headers={"Authorization": token},
    )
    assert answer.status_code == 200, answer.body
    return answer.json["result"]


def test_a_refused_smtp_connection_fails_nothing_and_loses_nothing(partner, app, cli, smtp_down, monkeypatch):
    claim = file_a_claim(app)

    assert claim["status"] == "open"  # the action answered 200 with its claim
    failed = rows()
    assert [r.recipient_email for r in failed] == sorted(
        [partner["users"]["admin"]["email"], partner["users"]["sysadmin"]["email"]]
    )
    for row in failed:
        assert (row.status, row.attempts, row.topic) == ("failed", 1, "claim:filed")
        assert "could not be reached" in row.last_error and "Connection refused" in row.last_error
        assert row.next_attempt_at > row.last_attempt_at  # tried again later, by itself
    listed = act("mail_outbox_list", user="region-team", status="failed")
    assert listed["count"] == 2 and listed["counts"] == {"queued": 0, "sent": 0, "failed": 2}

    # the SMTP server is back: the command sends them, once
    bag = test_helpers.FakeSMTP()
    monkeypatch.setattr(smtplib, "SMTP", bag)
    result = cli.invoke(ckan, ["datasud-partnership", "mail", "retry"])
    assert result.exit_code == 0, result.output
    assert "E-mails envoyés : 2" in result.output
    assert sorted(m.to for m in received(bag)) == [r.recipient_email for r in failed]
    assert {(r.status, r.attempts, r.last_error) for r in rows()} == {("sent", 2, None)}
    again = cli.invoke(ckan, ["datasud-partnership", "mail", "retry"])
    assert "E-mails envoyés : 0" in again.output
    assert len(received(bag)) == 2


def test_retry_due_waits_for_the_back_off(partner, app, cli, smtp_down, monkeypatch):
    file_a_claim(app)
    monkeypatch.setattr(smtplib, "SMTP", test_helpers.FakeSMTP())

    early = cli.invoke(ckan, ["datasud-partnership", "mail", "retry", "--due"])
    assert "E-mails envoyés : 0" in early.output  # the first back-off (1 minute) has not passed

    model.Session.query(outbox.OutboxMail).update({"next_attempt_at": outbox.utcnow()})
    model.Session.commit()
    due = cli.invoke(ckan, ["datasud-partnership", "mail", "retry", "--due"])
    assert "E-mails envoyés : 2" in due.output


def test_the_back_off_grows_then_leaves_it_to_a_person():
    now = outbox.utcnow()
    waits = [(outbox.next_attempt(n, now) - now).total_seconds() / 60 for n in range(1, 7)]
    assert waits == [1, 5, 15, 60, 240, 720]
    assert outbox.next_attempt(7, now) is None


def test_a_retry_that_fails_again_says_so(partner, app, cli, smtp_down):
    file_a_claim(app)
    result = cli.invoke(ckan, ["datasud-partnership", "mail", "retry"])
    assert result.exit_code == 1
    assert "E-mails de nouveau en échec : 2" in result.output
    assert {(r.status, r.attempts) for r in rows()} == {("failed", 2)}


@pytest.mark.ckan_config("ckanext.datasud_partnership.mail_delivery", "worker")
@pytest.mark.usefixtures("with_test_worker")
def test_with_the_worker_the_action_only_queues(partner, app, mail_server):
    jobs.get_queue().empty()
    file_a_claim(app)

    assert received(mail_server) == []  # the action did not talk to the SMTP server
    assert {r.status for r in rows()} == {"queued"}
    [job] = jobs.get_queue().jobs
    assert job.meta["title"] == outbox.JOB_TITLE

    jobs.Worker().work(burst=True)  # what `ckan jobs worker` does

    assert len(received(mail_server)) == 2
    assert {r.status for r in rows()} == {"sent"}


@pytest.mark.ckan_config("ckanext.datasud_partnership.mail_delivery", "worker")
@pytest.mark.ckan_config("ckan.redis.url", "redis://127.0.0.1:1/0")
def test_with_redis_down_the_e_mails_wait_in_the_outbox(partner, app, mail_server):
    file_a_claim(app)
    assert {r.status for r in rows()} == {"queued"}  # and the action answered 200
    assert outbox.waiting(due_only=False) == [r.id for r in sorted(rows(), key=lambda r: (r.created, r.id))]


def _mail(address: str = "jeanne.martin@cd13.example", **more) -> Mail:
    recipient = Recipient("Jeanne Martin", address, "referent", "fr")
    return Mail(recipient=recipient, subject="Objet", body="Bonjour,\n\nTexte.\n", topic="test", **more)


def test_an_e_mail_is_written_with_the_change_or_not_at_all(clean_db, mail_server):
    outbox.enqueue(_mail())
    model.Session.rollback()
    assert rows() == [] and received(mail_server) == []

    outbox.enqueue(_mail())
    model.Session.commit()
    assert [r.status for r in rows()] == ["sent"]
    assert [m.to for m in received(mail_server)] == ["jeanne.martin@cd13.example"]


def test_attachments(clean_db, mail_server):
    import email
    from email import policy

    pdf = b"%PDF-1.4\n% lettre de mise en demeure\n%%EOF\n"
    outbox.enqueue(_mail(attachments=(("mise-en-demeure.pdf", pdf, "application/pdf"),)))
    model.Session.commit()

    [(_none, _from, _to, raw)] = mail_server.get_smtp_messages()
    message = email.message_from_string(raw, policy=policy.default)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "mise-en-demeure.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf
    assert message.get_body(("plain",)).get_content() == "Bonjour,\n\nTexte.\n"
    shown = act("mail_outbox_list", user=factories.Sysadmin()["name"])["results"][0]
    assert shown["attachments"] == [{"filename": "mise-en-demeure.pdf", "mimetype": "application/pdf"}]


def test_only_the_portal_team_reads_the_outbox(partner):
    import ckan.plugins.toolkit as tk

    for action in ("mail_outbox_list", "mail_outbox_retry"):
        with pytest.raises(tk.NotAuthorized):
            act(action, user="cd13-admin")
    with pytest.raises(tk.ValidationError) as refused:
        act("mail_outbox_list", user="region-team", status="lost")
    assert "status" in refused.value.error_dict
    with pytest.raises(tk.ValidationError) as refused:
        act("mail_outbox_show", user="region-team", id="nope")
    assert "id" in refused.value.error_dict
