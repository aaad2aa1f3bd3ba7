"""The e-mails that agreement events send: who gets them, in which language,
and the text they read."""

from __future__ import annotations

import smtplib

import pytest
from ckan import model
from ckan.tests import factories
from freezegun import freeze_time

from ckanext.datasud_partnership.agreements import notify
from ckanext.datasud_partnership.agreements.model import AgreementEvent, Notice
from ckanext.datasud_partnership.common import mail as mailing
from ckanext.datasud_partnership.common import outbox

from .conftest import act
from .mailbox import by_address, email_of, received

REFERENT = "jeanne.martin@cd13.example"
PARTIES = [
    {"role": "operator", "name": "Région Sud", "signatory": "Renaud Muselier"},
    {"role": "partner", "name": "Département des Bouches-du-Rhône", "signatory": "Martine Vassal"},
]
BREACHES = ["Données personnelles publiées", "Jeux non mis à jour"]

FOOTER_REFERENT = """--
Vous recevez ce message car vous êtes la personne référente de cette convention.
Message envoyé par DataSud (tests) (http://test.ckan.net).
"""
AGREEMENT_LINES = """  Convention : CONV-2024-013 (Convention de partenariat DataSud)
  Partenaire : Département des Bouches-du-Rhône
"""


@pytest.fixture
def agreement(people, agreement_factory):
    """In force from 31 January 2024."""
    with freeze_time("2024-01-31"):
        return agreement_factory(
            organization="cd13",
            reference="CONV-2024-013",
            in_force=True,
            parties=PARTIES,
            referent_name="Jeanne Martin",
            referent_email=REFERENT,
        )


def serve(agreement, day="2024-06-01", deadline="2024-07-15", **more):
    with freeze_time(day):
        return act("agreement_notice_serve", id=agreement["id"], breaches=BREACHES, deadline=deadline, **more)


def expected_recipients() -> set[str]:
    return {REFERENT, "admin@cd13.example", email_of("region-team")}


# -- formal notice served ---------------------------------------------------------------
def test_notice_served_tells_the_referent_the_partner_admins_and_the_portal_admins(agreement, mail_server):
    serve(agreement)

    mails = by_address(received(mail_server))
    assert set(mails) == expected_recipients()
    for name in ("cd13-editor", "cd13-member", "digne-admin", "outsider"):
        assert email_of(name) not in mails
    for mail in mails.values():
        assert mail.subject == "[DataSud (tests)] Mise en demeure : convention CONV-2024-013"
        assert mail.headers["Auto-Submitted"] == "auto-generated"
    assert mails[REFERENT].body == (
        "Bonjour Jeanne Martin,\n"
        "\n"
        "Une mise en demeure a été signifiée au titre de la convention suivante.\n"
        "\n" + AGREEMENT_LINES + "\n"
        "  Adressée par : Région Sud\n"
        "  Signifiée le : 1er juin 2024\n"
        "  Délai pour remédier aux manquements : 15 juillet 2024\n"
        "\n"
        "Manquements :\n"
        "  - Données personnelles publiées\n"
        "  - Jeux non mis à jour\n"
        "\n"
        "Jusqu'à cette échéance, la partie mise en demeure peut présenter ses observations.\n"
        "\n"
        "Si la mise en demeure n'est pas levée d'ici là, Région Sud pourra résilier la convention "
        "pour faute (article 7.1). La résiliation peut s'accompagner du retrait de tout ou partie "
        "des jeux de données du partenaire du portail.\n"
        "\n"
        "La lettre de mise en demeure est jointe à ce message (PDF) ; elle figure aussi parmi les "
        "documents de la convention.\n"
        "\n" + FOOTER_REFERENT
    )
    admin = mails["admin@cd13.example"].body
    partner_admin = model.User.get("cd13-admin")
    assert admin.startswith(f"Bonjour {partner_admin.display_name},\n")
    assert admin.endswith(
        "Vous recevez ce message car vous administrez Département des Bouches-du-Rhône sur DataSud (tests).\n"
        "Message envoyé par DataSud (tests) (http://test.ckan.net).\n"
    )
    portal_admin = mails[email_of("region-team")].body
    assert "Vous recevez ce message car vous administrez DataSud (tests).\n" in portal_admin
    assert "Délai pour remédier aux manquements : 15 juillet 2024" in portal_admin


def test_recording_an_agreement_sends_nothing(agreement, mail_server):
    assert received(mail_server) == []


def test_a_notice_served_by_the_partner_names_it(agreement, mail_server):
    serve(agreement, served_by="partner")
    body = by_address(received(mail_server))[REFERENT].body
    assert "  Adressée par : Département des Bouches-du-Rhône\n" in body
    assert "Département des Bouches-du-Rhône pourra résilier la convention pour faute (article 7.1)" in body


@pytest.mark.ckan_config("ckan.locale_default", "en")
def test_the_portal_language_decides_english(agreement, mail_server):
    serve(agreement)
    mail = by_address(received(mail_server))[REFERENT]
    assert mail.subject == "[DataSud (tests)] Formal notice: agreement CONV-2024-013"
    assert mail.body == (
        "Hello Jeanne Martin,\n"
        "\n"
        "A formal notice was served under the following agreement.\n"
        "\n"
        "  Agreement: CONV-2024-013 (DataSud partnership agreement)\n"
        "  Partner: Département des Bouches-du-Rhône\n"
        "\n"
        "  Served by: Région Sud\n"
        "  Served on: June 1, 2024\n"
        "  Deadline to remedy the breaches: July 15, 2024\n"
        "\n"
        "Breaches:\n"
        "  - Données personnelles publiées\n"
        "  - Jeux non mis à jour\n"
        "\n"
        "Until the deadline, the party given notice may file its observations.\n"
        "\n"
        "If the notice is not lifted by then, Région Sud may terminate the agreement for fault "
        "(clause 7.1). The termination may come with the withdrawal of all or part of the partner's "
        "datasets from the portal.\n"
        "\n"
        "The letter of formal notice is attached to this message (PDF); it is also among the "
        "agreement's documents.\n"
        "\n"
        "--\n"
        "You receive this message as the referent named in this agreement.\n"
        "Message sent by DataSud (tests) (http://test.ckan.net).\n"
    )


def test_the_language_of_the_person_acting_does_not_matter(agreement, app, mail_server):
    token = factories.APIToken(user="region-team")["token"]
    app.post(
        "/en/api/3/action/agreement_notice_serve",
        json={
            "id": agreement["id"],
            "served_on": "2024-06-01",
            "breaches": BREACHES,
            "deadline": "2024-07-15",
        },
        headers={"Authorization": token},
        status=200,
    )
    mail = by_address(received(mail_server))[REFERENT]
    assert mail.subject == "[DataSud (tests)] Mise en demeure : convention CONV-2024-013"
    assert "Signifiée le : 1er juin 2024" in mail.body
    # while that request was answered in English
    refused = app.post(
        "/en/api/3/action/agreement_notice_serve",
        json={"id": agreement["id"], "breaches": BREACHES, "deadline": "15/07/2024"},
        headers={"Authorization": token},
        status=409,
    )
    assert refused.json["error"]["deadline"] == ["Expected a date written YYYY-MM-DD"]


# -- observations, lifting ---------------------------------------------------------------------
def test_observations_filed(agreement, mail_server):
    serve(agreement)
    mail_server.clear_smtp_messages()
    with freeze_time("2024-06-10"):
        act(
            "agreement_notice_answer",
            user="cd13-admin",
            id=agreement["id"],
            observations="Les données personnelles ont été retirées le 9 juin.\nLes jeux sont à jour.",
        )

    mails = by_address(received(mail_server))
    assert set(mails) == expected_recipients()
    mail = mails[REFERENT]
    assert mail.subject == "[DataSud (tests)] Observations déposées : convention CONV-2024-013"
    assert mail.body == (
        "Bonjour Jeanne Martin,\n"
        "\n"
        "Des observations ont été déposées en réponse à la mise en demeure signifiée "
        "au titre de la convention suivante.\n"
        "\n" + AGREEMENT_LINES + "\n"
        "  Adressée par : Région Sud\n"
        "  Signifiée le : 1er juin 2024\n"
        "  Délai pour remédier aux manquements : 15 juillet 2024\n"
        "  Observations déposées le : 10 juin 2024\n"
        "\n"
        "Observations :\n"
        "  > Les données personnelles ont été retirées le 9 juin.\n"
        "  > Les jeux sont à jour.\n"
        "\n" + FOOTER_REFERENT
    )

    mail_server.clear_smtp_messages()
    with freeze_time("2024-06-12"):
        act(
            "agreement_notice_answer", user="cd13-admin", id=agreement["id"], observations="Tout est corrigé."
        )
    body = by_address(received(mail_server))[REFERENT].body
    assert "  > Tout est corrigé.\n\nCes observations remplacent celles déposées précédemment.\n" in body


def test_notice_lifted(agreement, mail_server):
    serve(agreement)
    mail_server.clear_smtp_messages()
    with freeze_time("2024-06-15"):
        act("agreement_notice_lift", id=agreement["id"], reason="Les jeux sont à jour")

    mails = by_address(received(mail_server))
    assert set(mails) == expected_recipients()
    mail = mails[REFERENT]
    assert mail.subject == "[DataSud (tests)] Mise en demeure levée : convention CONV-2024-013"
    assert mail.body == (
        "Bonjour Jeanne Martin,\n"
        "\n"
        "La mise en demeure signifiée au titre de la convention suivante a été levée : "
        "les manquements sont considérés comme corrigés.\n"
        "\n" + AGREEMENT_LINES + "\n"
        "  Adressée par : Région Sud\n"
        "  Signifiée le : 1er juin 2024\n"
        "  Levée le : 15 juin 2024\n"
        "\n"
        "Motif : Les jeux sont à jour\n"
        "\n" + FOOTER_REFERENT
    )


# -- termination ----------------------------------------------------------------------------------
def test_termination_for_fault_lists_the_datasets_to_withdraw(agreement, people, mail_server):
    air = factories.Dataset(
        owner_org=people["partner"]["id"],
        name="qualite-air-2023",
        title="Qualité de l'air 2023",
        private=True,
    )
    serve(agreement)
    mail_server.clear_smtp_messages()
    with freeze_time("2024-07-20"):
        act(
            "agreement_terminate",
            id=agreement["id"],
            mode="fault",
            initiator="operator",
            effective_on="2024-08-01",
            withdraw=[air["name"]],
            reason="Manquements non corrigés",
        )

    mails = by_address(received(mail_server))
    assert set(mails) == expected_recipients()
    mail = mails[REFERENT]
    assert mail.subject == "[DataSud (tests)] Résiliation notifiée : convention CONV-2024-013"
    assert mail.body == (
        "Bonjour Jeanne Martin,\n"
        "\n"
        "La résiliation de la convention suivante a été notifiée.\n"
        "\n" + AGREEMENT_LINES + "\n"
        "  Résiliation : Résiliation pour faute (article 7.1)\n"
        "  À l'initiative de : Région Sud\n"
        "  Notifiée le : 20 juillet 2024\n"
        "  Date d'effet : 1er août 2024\n"
        "  Dernier jour en vigueur : 31 juillet 2024\n"
        "\n"
        "Jeux de données à retirer du portail à la date d'effet :\n"
        "  - Qualité de l'air 2023 (qualite-air-2023)\n"
        "\n"
        "Un jeu de données retiré devient privé : rien n'est supprimé.\n"
        "\n"
        "Motifs : Manquements non corrigés\n"
        "\n"
        "La lettre est jointe à ce message (PDF) ; elle figure aussi parmi les documents de la convention.\n"
        "\n" + FOOTER_REFERENT
    )


def test_termination_withdrawing_everything(agreement, mail_server):
    serve(agreement)
    mail_server.clear_smtp_messages()
    with freeze_time("2024-07-20"):
        act(
            "agreement_terminate",
            motives="Motifs de la résiliation",
            id=agreement["id"],
            mode="fault",
            initiator="operator",
            withdraw="all",
        )
    body = by_address(received(mail_server))[REFERENT].body
    assert (
        "Tous les jeux de données du partenaire sont à retirer du portail à la date d'effet.\n\n"
        "Un jeu de données retiré devient privé : rien n'est supprimé.\n"
    ) in body
    assert "  Date d'effet : 20 juillet 2024\n" in body  # effective at once
    assert "Motifs : Motifs de la résiliation\n" in body  # the motives, always stated (art. 7)


def test_termination_at_the_anniversary_by_the_partner(agreement, mail_server):
    with freeze_time("2024-12-31"):
        act(
            "agreement_terminate",
            motives="Motifs de la résiliation",
            user="cd13-admin",
            id=agreement["id"],
            mode="anniversary",
            initiator="partner",
        )
    mails = by_address(received(mail_server))
    assert set(mails) == expected_recipients()
    body = mails[REFERENT].body
    assert (
        "  Résiliation : Résiliation à date anniversaire (article 7.3)\n"
        "  À l'initiative de : Département des Bouches-du-Rhône\n"
        "  Notifiée le : 31 décembre 2024\n"
        "  Date d'effet : 31 janvier 2025\n"
        "  Dernier jour en vigueur : 30 janvier 2025\n"
        "\n"
        "Aucun jeu de données n'est à retirer du portail.\n"
        "\n"
        "Motifs : Motifs de la résiliation\n"
        "\n"
        "La lettre est jointe à ce message (PDF) ; elle figure aussi parmi les documents de la convention.\n"
        "\n--\n"
    ) in body


def test_termination_note_of_the_kind(people, mail_server, agreement_factory):
    with freeze_time("2023-05-10"):
        created = agreement_factory(  # in force from 15 March 2022
            kind="challenge_open_data",
            organization="cd13",
            reference="CHALLENGE-S2-07",
            in_force=True,
            referent_email="data@cd13.example",
        )
        act(
            "agreement_terminate",
            motives="Motifs de la résiliation",
            user="cd13-admin",
            id=created["id"],
            mode="beneficiary_early",
            initiator="partner",
            effective_on="2023-06-01",
        )
    mail = by_address(received(mail_server))["data@cd13.example"]
    assert mail.subject == "[DataSud (tests)] Résiliation notifiée : convention CHALLENGE-S2-07"
    assert mail.body.startswith(
        "Bonjour,\n"
        "\n"
        "La résiliation de la convention suivante a été notifiée.\n"
        "\n"
        "  Convention : CHALLENGE-S2-07 (Convention d'accompagnement Challenge Open Data)\n"
        "  Partenaire : Département des Bouches-du-Rhône\n"
        "\n"
        "  Résiliation : Résiliation anticipée par l'entité bénéficiaire (article 7.1)\n"
        "  À l'initiative de : Département des Bouches-du-Rhône\n"
        "  Notifiée le : 10 mai 2023\n"
        "  Date d'effet : 1er juin 2023\n"
        "  Dernier jour en vigueur : 31 mai 2023\n"
        "\n"
        "Aucun jeu de données n'est à retirer du portail.\n"
        "\n"
        "L'entité bénéficiaire reste redevable de la totalité de sa contribution.\n"
    )


# -- recipients ------------------------------------------------------------------------------------
def test_each_address_once_and_none_without_an_address(people, mail_server, agreement_factory):
    no_address = factories.Sysadmin(name="region-robot")
    user = model.User.get(no_address["id"])
    user.email = None
    model.Session.commit()
    with freeze_time("2024-01-31"):
        created = agreement_factory(
            organization="cd13",
            reference="CONV-2024-013",
            in_force=True,
            referent_name="Paul Durand",
            referent_email="ADMIN@cd13.example",  # the partner admin is also the referent
        )
    serve(created)
    mails = by_address(received(mail_server))
    assert set(mails) == {"ADMIN@cd13.example", email_of("region-team")}
    # told once, as the referent
    body = mails["ADMIN@cd13.example"].body
    assert body.startswith("Bonjour Paul Durand,\n")
    assert "car vous êtes la personne référente de cette convention" in body


def test_an_smtp_failure_does_not_break_the_action(agreement, monkeypatch):
    def refused(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(smtplib, "SMTP", refused)
    served = serve(agreement)

    assert served["status"] == "in_force_under_notice"
    assert model.Session.query(Notice).count() == 1
    events = [e.event for e in model.Session.query(AgreementEvent).order_by(AgreementEvent.id)]
    assert events[-2:] == ["notice_served", "letter_issued"]
    # nothing is lost: each e-mail waits in the outbox, failed, with the reason
    failed = model.Session.query(outbox.OutboxMail).all()
    assert {row.recipient_email for row in failed} == expected_recipients()
    for row in failed:
        assert (row.status, row.attempts) == ("failed", 1)
        assert "could not be reached" in row.last_error and "Connection refused" in row.last_error
        assert row.next_attempt_at is not None


def test_a_broken_template_does_not_break_the_action(agreement, mail_server, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template error")

    monkeypatch.setattr(notify, "compose", broken)
    with mailing.counting() as tally:
        served = serve(agreement)
    assert served["status"] == "in_force_under_notice"
    assert received(mail_server) == []
    assert (tally.sent, tally.failed) == (0, 1)
