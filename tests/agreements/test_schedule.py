"""``ckan datasud-partnership run-schedule``: what the calendar makes happen,
recorded once, and the reminders it sends, once each."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

import pytest
from ckan import model
from ckan.cli.cli import ckan
from freezegun import freeze_time

from ckanext.datasud_partnership import cli as commands
from ckanext.datasud_partnership.agreements import schedule
from ckanext.datasud_partnership.agreements.model import AgreementEvent, Termination
from ckanext.datasud_partnership.common import dates, mail, outbox, settings
from tests.publication.conftest import PROFILE_FIELDS

from .conftest import act
from .mailbox import by_address, email_of, received

REFERENT = "jeanne.martin@cd13.example"
PARTIES = [
    {"role": "operator", "name": "Région Sud"},
    {"role": "partner", "name": "Département des Bouches-du-Rhône"},
]
FOOTER_REFERENT = """--
Vous recevez ce message car vous êtes la personne référente de cette convention.
Message envoyé par DataSud (tests) (http://test.ckan.net).
"""


def on(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def run(cli, monkeypatch):
    """The command as cron runs it, on ``day``. (Today is set without
    freezegun: the command starts CKAN again, and msgspec takes the kinds'
    dates only as real dates.)"""

    def invoke(day: str, *more: str, date_option: bool = True):
        monkeypatch.setattr(dates, "today", lambda: on(day))
        dated = ["--date", day] if date_option else []
        result = cli.invoke(ckan, ["datasud-partnership", "run-schedule", *dated, *more])
        model.Session.remove()  # read what the command wrote, not a cached copy
        return result

    return invoke


def events(agreement_id: str, name: str | None = None) -> list[AgreementEvent]:
    query = model.Session.query(AgreementEvent).filter_by(agreement_id=agreement_id)
    if name:
        query = query.filter_by(event=name)
    return query.order_by(AgreementEvent.id).all()


@pytest.fixture
def datasud(people, agreement_factory):
    """In force from 31 January 2024: anniversaries on 31 January, notice by 31 December."""
    with freeze_time("2024-01-31"):
        return agreement_factory(
            organization="cd13",
            reference="CONV-2024-013",
            in_force=True,
            parties=PARTIES,
            referent_name="Jeanne Martin",
            referent_email=REFERENT,
        )


@pytest.fixture
def challenge(people, agreement_factory):
    """Signed on 15 March 2022, ends on 31 December 2023."""
    with freeze_time("2022-03-15"):
        return agreement_factory(
            kind="challenge_open_data",
            organization="cd13",
            reference="CHALLENGE-S2-07",
            in_force=True,
            referent_name="Paul Durand",
            referent_email="paul.durand@cd13.example",
        )


def recipients_of(agreement_referent: str) -> set[str]:
    return {agreement_referent, "admin@cd13.example", email_of("region-team")}


# -- renewals, expiries, terminations --------------------------------------------------------
def test_renewals_are_recorded_once(datasud, run, mail_server):
    first = run("2026-02-01")

    assert first.exit_code == 0, first.output
    assert [e.on.isoformat() for e in events(datasud["id"], "renewed")] == ["2025-01-31", "2026-01-31"]
    assert "  CONV-2024-013 : renouvellement, 2025-01-31\n" in first.output
    assert "  CONV-2024-013 : renouvellement, 2026-01-31\n" in first.output
    assert "  renouvellements : 2\n" in first.output
    before = len(events(datasud["id"]))

    second = run("2026-02-01")

    assert second.exit_code == 0, second.output
    assert len(events(datasud["id"])) == before
    assert "  Rien à faire\n" in second.output
    assert "  renouvellements : 0\n" in second.output
    assert received(mail_server) == []  # a renewal sends no e-mail


def test_the_expiry_of_a_challenge_agreement_is_recorded(challenge, run):
    assert run("2023-12-31").output.count("CHALLENGE-S2-07 : expiration") == 0

    result = run("2024-01-01")

    assert result.exit_code == 0, result.output
    assert [e.on.isoformat() for e in events(challenge["id"], "expired")] == ["2024-01-01"]
    assert "  CHALLENGE-S2-07 : expiration, 2024-01-01\n" in result.output
    assert "  expirations : 1\n" in result.output
    assert act("agreement_show", id=challenge["id"], date="2024-01-01")["status"] == "expired"
    assert "  expirations : 0\n" in run("2024-01-02").output
    assert len(events(challenge["id"], "expired")) == 1


def test_a_termination_reaching_its_effective_date_is_applied(datasud, people, run):
    with freeze_time("2024-05-01"):  # the partner's editor publishes a dataset
        dataset = act(
            "package_create",
            user=people["users"]["editor"]["name"],
            name="qualite-air-2023",
            title="Qualité de l'air 2023",
            notes="Mesures horaires.",
            owner_org=people["partner"]["id"],
            license_id="odc-odbl",
            tags=[{"name": "air"}],
            resources=[{"url": "https://cd13.example/air.csv"}],
            publication_declaration={"personal_data": "none", "text_version": "2026-01"},
            **PROFILE_FIELDS,
        )
    assert dataset["private"] is False
    with freeze_time("2024-06-01"):
        act(
            "agreement_notice_serve",
            id=datasud["id"],
            breaches=["Jeux non mis à jour"],
            deadline="2024-06-30",
        )
    with freeze_time("2024-07-02"):
        act(
            "agreement_terminate",
            motives="Motifs de la résiliation",
            id=datasud["id"],
            mode="fault",
            initiator="operator",
            effective_on="2024-08-01",
            withdraw=[dataset["name"]],
        )

    early = run("2024-07-31")
    assert "résiliations appliquées : 0" in early.output
    assert events(datasud["id"], "terminated") == []
    assert act("package_show", id=dataset["id"])["private"] is False

    result = run("2024-08-01")

    assert result.exit_code == 0, result.output
    assert "  CONV-2024-013 : résiliation appliquée, 2024-08-01\n" in result.output
    terminated = events(datasud["id"], "terminated")
    assert [(e.on.isoformat(), e.data["mode"], e.data["withdraw"]) for e in terminated] == [
        ("2024-08-01", "fault", [dataset["id"]])
    ]
    assert model.Session.query(Termination).one().applied_at is not None
    assert act("agreement_show", id=datasud["id"])["termination"]["applied_at"] is not None
    # the decided withdrawal is done, citing the agreement and the clause
    assert act("package_show", id=dataset["id"])["private"] is True
    # and the public no longer finds it (CKAN 2.12 indexes in its actions only)
    assert act("package_search", user=None, q=f"name:{dataset['name']}")["count"] == 0
    assert act("package_search", q=f"name:{dataset['name']}", include_private=True)["count"] == 1
    journal = act("publication_journal_list", organization=people["partner"]["id"])["results"]
    assert [(e["action"], e["path"], e["ground"]) for e in journal][0] == (
        "withdrawn",
        "termination",
        {"type": "termination", "agreement_id": datasud["id"], "clause": "7.1"},
    )

    again = run("2024-08-02")
    assert "résiliations appliquées : 0" in again.output
    assert len(events(datasud["id"], "terminated")) == 1
    assert len(act("publication_journal_list", organization=people["partner"]["id"])["results"]) == 2


def test_a_dry_run_writes_and_sends_nothing(datasud, challenge, run, mail_server):
    before = model.Session.query(AgreementEvent).count()

    result = run("2023-12-15", "--dry-run")  # the challenge's end is near

    assert result.exit_code == 0, result.output
    assert "Simulation : rien n'est enregistré ni envoyé\n" in result.output
    assert (
        "  CHALLENGE-S2-07 : rappel : fin de la convention, 2023-12-31 -> "
        f"paul.durand@cd13.example, admin@cd13.example, {email_of('region-team')}\n"
    ) in result.output
    assert "  rappels à envoyer : 1\n" in result.output
    assert "  e-mails à envoyer : 3\n" in result.output

    later = run("2026-02-01", "--dry-run")
    assert "  CONV-2024-013 : renouvellement, 2025-01-31\n" in later.output
    assert "  CHALLENGE-S2-07 : expiration, 2024-01-01\n" in later.output

    assert model.Session.query(AgreementEvent).count() == before
    assert received(mail_server) == []


def test_a_date_in_the_future_only_for_a_dry_run(datasud, cli, monkeypatch):
    monkeypatch.setattr(dates, "today", lambda: on("2024-06-01"))
    command = ["datasud-partnership", "run-schedule", "--date", "2025-02-01"]
    refused = cli.invoke(ckan, command)
    allowed = cli.invoke(ckan, [*command, "--dry-run"])
    assert refused.exit_code == 2
    assert "est dans le futur : seulement avec --dry-run" in refused.output
    assert allowed.exit_code == 0, allowed.output
    assert "renouvellements : 1" in allowed.output


def test_today_by_default(datasud, run):
    result = run("2025-01-31", date_option=False)
    assert result.exit_code == 0, result.output
    assert "Échéancier des conventions au 2025-01-31\n" in result.output
    assert "renouvellements : 1" in result.output


def test_a_progress_bar_on_large_runs(datasud, challenge, run, monkeypatch):
    monkeypatch.setattr(commands, "PROGRESS_THRESHOLD", 1)  # two agreements make a large run here
    result = run("2024-03-01")
    assert result.exit_code == 0, result.output
    assert "Conventions" in result.output
    assert "Rappels" in result.output

    monkeypatch.setattr(commands, "PROGRESS_THRESHOLD", 200)
    assert "Conventions" not in run("2024-03-01").output


# -- reminders ----------------------------------------------------------------------------------
def test_the_anniversary_notice_window_reminder(datasud, run, mail_server):
    assert "rappels : 0" in run("2024-11-30").output
    assert received(mail_server) == []

    result = run("2024-12-01")  # 30 days before the last day to give notice

    assert result.exit_code == 0, result.output
    assert "rappels : 1" in result.output
    assert "e-mails envoyés : 3" in result.output
    mails = by_address(received(mail_server))
    assert set(mails) == recipients_of(REFERENT)
    mail = mails[REFERENT]
    assert mail.subject == (
        "[DataSud (tests)] Reconduction de la convention CONV-2024-013 le 31 janvier 2025 : "
        "préavis jusqu'au 31 décembre 2024"
    )
    assert mail.body == (
        "Bonjour Jeanne Martin,\n"
        "\n"
        "La convention suivante sera reconduite tacitement le 31 janvier 2025.\n"
        "\n"
        "  Convention : CONV-2024-013 (Convention de partenariat DataSud)\n"
        "  Partenaire : Département des Bouches-du-Rhône\n"
        "\n"
        "  Prochaine date anniversaire : 31 janvier 2025\n"
        "  Date limite du préavis : 31 décembre 2024\n"
        "  Résiliation : Résiliation à date anniversaire (article 7.3)\n"
        "\n"
        "Elle peut être résiliée à cette date par une notification faite au plus tard le 31 décembre 2024.\n"
        "\n"
        "Sinon, il n'y a rien à faire : la convention se poursuit pour une nouvelle période.\n"
        "\n" + FOOTER_REFERENT
    )
    [event] = events(datasud["id"], "reminder")
    assert event.on.isoformat() == "2024-12-01"
    assert event.data == {"reminder": "anniversary_notice", "for": "2025-01-31", "deadline": "2024-12-31"}

    # once per anniversary: not again that day, nor the next days
    mail_server.clear_smtp_messages()
    for day in ("2024-12-01", "2024-12-02", "2024-12-31"):
        assert "rappels : 0" in run(day).output
    assert received(mail_server) == []
    # and again for the next anniversary
    assert "rappels : 1" in run("2025-12-01").output
    assert [e.data["for"] for e in events(datasud["id"], "reminder")] == ["2025-01-31", "2026-01-31"]


def test_a_reminder_missed_by_cron_is_sent_the_next_run(datasud, run, mail_server):
    result = run("2024-12-10")
    assert "  CONV-2024-013 : rappel : préavis avant la date anniversaire" in result.output
    assert len(received(mail_server)) == 3


def test_no_anniversary_reminder_once_a_termination_is_notified(datasud, run, mail_server):
    with freeze_time("2024-11-15"):
        act(
            "agreement_terminate",
            motives="Motifs de la résiliation",
            user="cd13-admin",
            id=datasud["id"],
            mode="anniversary",
            initiator="partner",
        )
    mail_server.clear_smtp_messages()
    assert "rappels : 0" in run("2024-12-01").output
    assert received(mail_server) == []


def test_the_formal_notice_deadline_reminder(datasud, run, mail_server):
    with freeze_time("2024-06-01"):
        act(
            "agreement_notice_serve",
            id=datasud["id"],
            breaches=["Données personnelles publiées"],
            deadline="2024-08-15",
        )
    with freeze_time("2024-06-10"):
        act("agreement_notice_answer", user="cd13-admin", id=datasud["id"], observations="Corrigé.")
    mail_server.clear_smtp_messages()

    assert "rappels : 0" in run("2024-07-15").output
    result = run("2024-07-16")  # 30 days before the deadline

    assert "rappels : 1" in result.output
    mails = by_address(received(mail_server))
    assert set(mails) == recipients_of(REFERENT)
    mail = mails[REFERENT]
    assert mail.subject == (
        "[DataSud (tests)] Échéance de la mise en demeure le 15 août 2024 : convention CONV-2024-013"
    )
    assert mail.body == (
        "Bonjour Jeanne Martin,\n"
        "\n"
        "L'échéance de la mise en demeure signifiée au titre de la convention suivante approche.\n"
        "\n"
        "  Convention : CONV-2024-013 (Convention de partenariat DataSud)\n"
        "  Partenaire : Département des Bouches-du-Rhône\n"
        "\n"
        "  Adressée par : Région Sud\n"
        "  Signifiée le : 1er juin 2024\n"
        "  Délai pour remédier aux manquements : 15 août 2024\n"
        "\n"
        "Manquements :\n"
        "  - Données personnelles publiées\n"
        "\n"
        "Des observations ont été déposées le 10 juin 2024.\n"
        "\n"
        "Si la mise en demeure n'est pas levée d'ici là, Région Sud pourra résilier la convention "
        "pour faute (article 7.1). La résiliation peut s'accompagner du retrait de tout ou partie "
        "des jeux de données du partenaire du portail.\n"
        "\n" + FOOTER_REFERENT
    )
    [event] = events(datasud["id"], "reminder")
    assert event.data["reminder"] == "notice_deadline"
    assert event.data["for"] == "2024-08-15"

    mail_server.clear_smtp_messages()
    assert "rappels : 0" in run("2024-07-20").output  # once per notice
    assert received(mail_server) == []


def test_the_expiry_reminder(challenge, run, mail_server):
    assert "rappels : 0" in run("2023-11-30").output

    result = run("2023-12-01")

    assert "rappels : 1" in result.output
    mails = by_address(received(mail_server))
    assert set(mails) == recipients_of("paul.durand@cd13.example")
    mail = mails["paul.durand@cd13.example"]
    assert mail.subject == "[DataSud (tests)] Fin de la convention CHALLENGE-S2-07 le 31 décembre 2023"
    assert mail.body == (
        "Bonjour Paul Durand,\n"
        "\n"
        "La convention suivante prend fin le 31 décembre 2023 ; elle n'est pas renouvelée.\n"
        "\n"
        "  Convention : CHALLENGE-S2-07 (Convention d'accompagnement Challenge Open Data)\n"
        "  Partenaire : Département des Bouches-du-Rhône\n"
        "\n"
        "  Dernier jour en vigueur : 31 décembre 2023\n"
        "\n"
        "Après cette date, sauf autre convention en vigueur, l'organisation ne pourra plus publier "
        "de jeux de données sur le portail.\n"
        "\n"
        "Un avenant peut la prolonger en modifiant sa date de fin.\n"
        "\n" + FOOTER_REFERENT
    )
    mail_server.clear_smtp_messages()
    assert "rappels : 0" in run("2023-12-02").output
    assert received(mail_server) == []


@pytest.mark.ckan_config("ckanext.datasud_partnership.reminder_days", 10)
def test_the_reminder_window_is_a_setting(datasud, mail_server):
    assert settings.reminder_days() == 10
    assert schedule.send_reminders(on("2024-12-20")) == []
    [due] = schedule.send_reminders(on("2024-12-21"))
    assert due.reminder.opens_on == on("2024-12-21")
    assert len(received(mail_server)) == 3


@pytest.mark.ckan_config("ckan.locale_default", "en")
def test_reminders_in_english_when_the_portal_is(challenge, mail_server):
    with freeze_time("2023-12-01"):
        schedule.send_reminders(on("2023-12-01"))
    mail = by_address(received(mail_server))["paul.durand@cd13.example"]
    assert mail.subject == "[DataSud (tests)] Agreement CHALLENGE-S2-07 ends on December 31, 2023"
    assert "The following agreement ends on December 31, 2023; it is not renewed.\n" in mail.body
    assert "  Last day in force: December 31, 2023\n" in mail.body


def test_a_mail_failure_is_reported_by_the_exit_status(challenge, run, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", refused)
    result = run("2023-12-01")

    assert result.exit_code == 1
    assert (
        "3 e-mail(s) non envoyé(s) : voir la file d'envoi (ckan datasud-partnership mail retry)"
        in result.output
    )
    # the reminder is on record as issued: the next run does not send it again
    assert len(events(challenge["id"], "reminder")) == 1


def test_notify_counts_what_it_sends(challenge, mail_server):
    with mail.counting() as tally, freeze_time("2023-12-01"):
        schedule.send_reminders(on("2023-12-01"))
    assert (tally.sent, tally.failed) == (3, 0)


def refused(*args, **kwargs):
    raise ConnectionRefusedError(111, "Connection refused")


def test_mails_are_logged_when_refused(challenge, monkeypatch, caplog):
    monkeypatch.setattr(smtplib, "SMTP", refused)
    monkeypatch.setattr(logging.getLogger(outbox.__name__), "disabled", False)
    with caplog.at_level(logging.WARNING, logger=outbox.__name__), mail.counting() as tally:
        schedule.send_reminders(on("2023-12-01"))
    assert (tally.queued, tally.sent, tally.failed) == (3, 0, 3)
    refusals = [r for r in caplog.records if "could not be sent" in r.getMessage()]
    assert len(refusals) == 3
    assert all(r.exc_info is None for r in refusals)  # one line each, no traceback


def test_the_run_completes_the_computed_fields_of_drafts_written_without_them(people, run, agreement_factory):
    from ckanext.datasud_partnership.agreements.model import AgreementState

    draft = agreement_factory(organization="cd13", reference="BROUILLON")
    model.Session.query(AgreementState).filter_by(agreement_id=draft["id"]).delete()
    model.Session.commit()  # as a draft written before the computed fields existed

    result = run("2024-08-01")

    assert result.exit_code == 0, result.output
    state = model.Session.get(AgreementState, draft["id"])
    assert state is not None and state.status == "draft"
    listed = act("agreement_list", status="draft")["results"]
    assert [a["reference"] for a in listed] == ["BROUILLON"]
