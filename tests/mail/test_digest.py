"""Reminders of one run for the same person are one e-mail: a digest."""

from __future__ import annotations

import datetime as dt

from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import helpers
from freezegun import freeze_time

from ckanext.datasud_partnership.common import dates

from ..agreements.mailbox import by_address, email_of, received


def test_the_reminders_of_a_day_are_one_e_mail_per_person(
    people, agreement_factory, cli, monkeypatch, mail_server
):
    # cd13-admin administers both partners; each has an agreement in force
    # from 31 January 2024: both anniversary reminders fall on 1 December
    helpers.call_action("organization_member_create", id="digne", username="cd13-admin", role="admin")
    with freeze_time("2024-01-31"):
        for org, reference, referent in (
            ("cd13", "CONV-2024-013", "jeanne.martin@cd13.example"),
            ("digne", "CONV-2024-004", "paul.durand@digne.example"),
        ):
            agreement_factory(
                organization=org,
                reference=reference,
                in_force=True,
                referent_email=referent,
                referent_name="",
            )
    monkeypatch.setattr(dates, "today", lambda: dt.date(2024, 12, 1))

    result = cli.invoke(ckan, ["datasud-partnership", "run-schedule", "--date", "2024-12-01"])
    model.Session.remove()

    assert result.exit_code == 0, result.output
    assert "  rappels : 2\n" in result.output
    mails = by_address(received(mail_server))  # one e-mail each
    assert set(mails) == {
        "jeanne.martin@cd13.example",
        "paul.durand@digne.example",
        "admin@cd13.example",
        email_of("digne-admin"),
        email_of("region-team"),
    }
    assert "e-mails mis en file d'envoi : 5" in result.output
    # the referents and digne's admin: the reminder itself
    assert mails["paul.durand@digne.example"].subject.startswith(
        "[DataSud (tests)] Reconduction de la convention CONV-2024-004"
    )
    assert mails["paul.durand@digne.example"].body.startswith("Bonjour,\n")
    # the admin of both partners, and the portal's team: both in one
    for address in ("admin@cd13.example", email_of("region-team")):
        digest = mails[address]
        assert digest.subject == "[DataSud (tests)] 2 rappels sur des conventions"
        body = digest.body
        assert "Voici les 2 rappels du jour sur les conventions que vous suivez.\n" in body
        assert "== 1. [DataSud (tests)] Reconduction de la convention CONV-2024-004" not in body  # no prefix
        assert body.count("== ") == 2
        assert "Reconduction de la convention CONV-2024-013 le 31 janvier 2025" in body
        assert "Reconduction de la convention CONV-2024-004 le 31 janvier 2025" in body
        assert body.count("Bonjour") == 1 and body.count("\n--\n") == 1
        assert body.endswith("Message envoyé par DataSud (tests) (http://test.ckan.net).\n")
    admin = mails["admin@cd13.example"].body
    assert (
        "Vous recevez ce message car vous administrez Département des Bouches-du-Rhône sur DataSud (tests)."
        in admin
    )
    assert admin.count("Vous recevez ce message car vous administrez") == 2  # one line per partner
    assert (
        "Vous recevez ce message car vous administrez DataSud (tests).\n"
        in mails[email_of("region-team")].body
    )
