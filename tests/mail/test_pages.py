"""The portal team's outbox page: every e-mail, filtered by status and
recipient, each readable; in French and English; its form checks CSRF."""

from __future__ import annotations

import smtplib

from ckan import model
from ckan.tests import helpers as test_helpers

from ckanext.datasud_partnership.common import outbox

from ..ui.pages import get, login, post
from .conftest import file_claim


def test_the_portal_team_reads_every_e_mail(partner, app, smtp_down, monkeypatch):
    file_claim()  # two e-mails, failed: the SMTP server is down
    admin_email = partner["users"]["admin"]["email"]
    login(app, "region-team")

    page = get(app, "/ckan-admin/mail")
    assert "E-mails envoyés par le portail" in page.body
    assert page.body.count('data-mail-status="failed"') == 2
    assert "Connection refused" in page.body
    assert "Envoyer maintenant les e-mails en échec et en attente" in page.body
    assert 'name="_csrf_token"' in page.body

    only = get(app, f"/ckan-admin/mail?recipient={admin_email.split('@')[0]}")
    assert only.body.count('data-mail-status="failed"') == 1 and admin_email in only.body
    assert get(app, "/ckan-admin/mail?status=sent").body.count("data-mail-status=") == 0

    english = get(app, "/en/ckan-admin/mail")
    assert "E-mails sent by the portal" in english.body and "Send again" in english.body

    row = model.Session.query(outbox.OutboxMail).filter_by(recipient_email=admin_email).one()
    read = get(app, f"/ckan-admin/mail/{row.id}")
    assert "Des noms de particuliers." in read.body and row.message_id.strip("<>") in read.body
    assert 'sandbox=""' in read.body  # the HTML part is shown without scripts or links that act
    assert get(app, "/ckan-admin/mail/nope", status=404)

    # the SMTP server is back: the team sends them again from the page
    bag = test_helpers.FakeSMTP()
    monkeypatch.setattr(smtplib, "SMTP", bag)
    post(app, "/ckan-admin/mail", {}, status=302, action="/ckan-admin/mail/retry")
    assert len(bag.get_smtp_messages()) == 2
    assert get(app, "/ckan-admin/mail?status=sent").body.count('data-mail-status="sent"') == 2


def test_the_retry_form_needs_its_csrf_token(partner, app, smtp_down):
    file_claim()
    login(app, "region-team")
    post(app, "/ckan-admin/mail", {}, status=400, token=False, action="/ckan-admin/mail/retry")
    model.Session.expire_all()
    assert {row.attempts for row in model.Session.query(outbox.OutboxMail)} == {1}


def test_only_the_portal_team_sees_the_outbox(partner, app):
    login(app, "cd13-admin")
    get(app, "/ckan-admin/mail", status=403)
    login(app, None)
    get(app, "/ckan-admin/mail", status=403)
