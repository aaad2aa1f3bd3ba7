"""Agreement events in the partner organization's activity stream: one CKAN
activity per event, public register only, details for those who may read them."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from ckan import model
from ckan.tests import factories, helpers
from freezegun import freeze_time

from ckanext.datasud_partnership.agreements import activity, schedule
from tests.factories import AgreementFactory

from .conftest import act

PARTIES = [
    {"role": "operator", "name": "Région Sud", "signatory": "Renaud Muselier"},
    {"role": "partner", "name": "Département des Bouches-du-Rhône", "signatory": "Martine Vassal"},
]
DATASUD = {
    "kind": "datasud_partnership",
    "organization": "cd13",
    "reference": "CONV-2024-013",
    "parties": PARTIES,
    "referent_name": "Jeanne Martin",
    "referent_email": "jeanne.martin@cd13.example",
    "referent_phone": "04 13 31 13 13",
}
BREACH = "Fichier des bénéficiaires publié sans anonymisation"
URL = "/organization/activity/cd13"
# the ids in the activities are random UUIDs and row numbers: blanked before a
# text is searched for an amount, which one of them may hold by chance ("1700")
IDS = re.compile(r'[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|(?<="id": )\d+')


def agreement_activities(user: str | None = "region-team", **params) -> list[dict]:
    """The organization's stream as ``user`` sees it, agreement activities only."""
    context = {"user": user or "", "ignore_auth": False}
    stream = helpers.call_action("organization_activity_list", context=context, id="cd13", **params)
    return [a for a in stream if a["activity_type"].startswith("agreement ")]


def types(activities: list[dict]) -> set[str]:
    return {a["activity_type"] for a in activities}


def served_notice() -> dict:
    """A DataSud agreement in force since 31/01/2024, under formal notice since 01/06/2024."""
    with freeze_time("2024-01-31 10:00"):
        created = AgreementFactory(**DATASUD, in_force=True)
    with freeze_time("2024-06-01 10:00"):
        act(
            "agreement_notice_serve",
            id=created["id"],
            breaches=[BREACH, "Jeux de données non mis à jour depuis 2022"],
            deadline="2024-06-30",
        )
    return created


def token(user: str) -> dict[str, str]:
    """Log in with an API token (not under freeze_time: the token would not pass)."""
    return {"Authorization": factories.APIToken(user=user)["token"]}


def test_every_event_is_an_activity_of_the_partner_organization(people):
    agreement = served_notice()
    with freeze_time("2024-06-10 09:00"):
        act("agreement_notice_answer", user="cd13-admin", id=agreement["id"], observations="Corrigé.")
    with freeze_time("2024-06-12 09:00"):
        act("agreement_notice_lift", id=agreement["id"], reason="Fichier retiré et anonymisé")

    found = agreement_activities()

    assert types(found) == {
        "agreement created",
        "agreement signed",
        "agreement notified",
        "agreement notice served",
        "agreement notice answered",
        "agreement notice lifted",
        "agreement letter issued",  # the letter of formal notice (letters.py)
    }
    assert len(found) == len(act("agreement_history", id=agreement["id"])["results"]) == 7
    partner = people["partner"]["id"]
    assert {a["object_id"] for a in found} == {partner}
    team = model.User.get("region-team").id
    by_type = {a["activity_type"]: a for a in found}
    assert by_type["agreement notice served"]["user_id"] == team
    assert by_type["agreement notice answered"]["user_id"] == model.User.get("cd13-admin").id
    # newest first, at the time each event was recorded
    assert found[0]["activity_type"] == "agreement notice lifted"
    assert found[0]["timestamp"].startswith("2024-06-12")
    served = by_type["agreement notice served"]["data"]
    assert served["agreement"]["reference"] == "CONV-2024-013"
    assert served["agreement"]["status"] == "in_force_under_notice"
    assert served["event"]["on"] == "2024-06-01"
    assert served["group"]["title"] == "Département des Bouches-du-Rhône"


def test_the_types_are_known_to_ckan_activity(people):
    from ckanext.activity.logic.validators import activity_type_exists, object_id_validators

    for activity_type in activity.activity_types():
        assert activity_type_exists(activity_type) == activity_type
        assert object_id_validators[activity_type] == "group_id_exists"
    created = helpers.call_action(
        "activity_create",
        user_id="region-team",
        object_id=people["partner"]["id"],
        activity_type="agreement renewed",
        data={"agreement": {"reference": "X"}},
    )
    assert created["activity_type"] == "agreement renewed"


def test_activity_data_holds_the_public_register_only(people, agreement_factory):
    served_notice()
    with freeze_time("2023-03-01 10:00"):
        challenge = agreement_factory(
            kind="challenge_open_data", organization="cd13", reference="COD-2023-02", signed_on="2023-02-15"
        )
        act("agreement_milestone_update", id=challenge["id"], code="lancement", done_on="2023-02-20")
        act(
            "agreement_amend",
            id=challenge["id"],
            signed_on="2023-03-01",
            description="Avenant confidentiel : prolongation et nouvelle clé de financement",
            end_on="2025-06-30",
            contributions=[
                {"funder": "Plan de Relance", "amount": "3500"},
                {"funder": "Région", "amount": "1700"},
                {"funder": "Commune", "amount": "800", "beneficiary": True},
            ],
        )

    for user in (None, "outsider", "cd13-editor", "region-team"):
        text = IDS.sub("<id>", json.dumps(agreement_activities(user), ensure_ascii=False))
        for secret in (
            "jeanne.martin@cd13.example",
            "04 13 31 13 13",
            "Jeanne Martin",
            BREACH,
            "2024-06-30",  # the notice's deadline
            "3500",
            "1700",
            "Avenant confidentiel",
            "lancement",
        ):
            assert secret not in text, (user, secret)
        assert "CONV-2024-013" in text and "COD-2023-02" in text
    amended = next(a for a in agreement_activities(None) if a["activity_type"] == "agreement amended")
    # the new end is on the public register (the agreement's end) anyway
    assert amended["data"]["event"] == {
        "id": amended["data"]["event"]["id"],
        "name": "amended",
        "on": "2023-03-01",
        "number": 1,
        "end_on": "2025-06-30",
    }


def test_the_activity_page_says_it_in_french_with_details_for_those_allowed(people, app):
    served_notice()

    region = app.get(URL, headers=token("region-team")).body
    partner_admin = app.get(URL, headers=token("cd13-admin")).body
    editor = app.get(URL, headers=token("cd13-editor")).body
    anonymous = app.get(URL).body

    sentence = "a adressé une mise en demeure au titre de la convention"
    for page in (region, partner_admin, editor, anonymous):
        assert sentence in page
        assert "CONV-2024-013" in page
        assert "a enregistré la notification de la convention" in page
        assert "31 janvier 2024" in page
    for page in (region, partner_admin):
        assert "(délai : 30 juin 2024)" in page
        assert BREACH in page
        assert "Adressée par : Région Sud" in page
    for page in (editor, anonymous):
        assert "délai" not in page
        assert BREACH not in page
        assert "jeanne.martin@cd13.example" not in page


def test_the_activity_page_in_english(people, app):
    served_notice()

    page = app.get("/en" + URL, headers=token("region-team")).body

    assert "served a formal notice under the agreement" in page
    assert "(deadline: June 30, 2024)" in page
    assert "recorded the notification of the agreement" in page


def test_the_calendar_events_show_without_an_actor(people, app, agreement_factory):
    with freeze_time("2023-01-31 10:00"):
        created = agreement_factory(**DATASUD, signed_on="2023-01-15", notified_on="2023-01-31")
    with freeze_time("2024-02-01 06:00"):
        schedule.run(dt.date(2024, 2, 1))

    renewed = [a for a in agreement_activities() if a["activity_type"] == "agreement renewed"]
    page = app.get(URL).body

    assert len(renewed) == 1
    assert renewed[0]["data"]["actor"] is None
    assert renewed[0]["data"]["event"]["on"] == "2024-01-31"
    # CKAN hides the site user's activities: the organization stands in for nobody
    assert renewed[0]["user_id"] == people["partner"]["id"]
    assert "a été reconduite tacitement le 31 janvier 2024" in page
    assert created["reference"] in page


def test_termination_and_its_withdrawals_are_told_to_the_allowed_only(people, app):
    agreement = served_notice()
    with freeze_time("2024-07-02 10:00"):
        act(
            "agreement_terminate",
            id=agreement["id"],
            mode="fault",
            initiator="operator",
            effective_on="2024-07-15",
            reason="Manquements non corrigés",
            withdraw="all",
        )
    with freeze_time("2024-07-15 06:00"):
        schedule.run(dt.date(2024, 7, 15))
    region = app.get(URL, headers=token("region-team")).body
    anonymous = app.get(URL).body

    for page in (region, anonymous):
        assert "a notifié la résiliation de la convention" in page
        assert "à effet du 15 juillet 2024" in page
        assert "La résiliation de la convention" in page
        assert "a pris effet le 15 juillet 2024" in page
    assert "Résiliation pour faute (art. 7.1)" in region
    assert "Manquements non corrigés" in region
    assert "Tous les jeux de données de l'organisation seront retirés." in region
    assert "Résiliation pour faute" not in anonymous
    assert "Manquements non corrigés" not in anonymous
    assert "Tous les jeux de données" not in anonymous


def test_an_activity_failure_leaves_the_agreement_recorded(people, monkeypatch):
    def broken(events):
        raise RuntimeError("activity table unavailable")

    monkeypatch.setattr(activity, "activities_for", broken)
    with freeze_time("2024-01-31"):
        created = act("agreement_create", **DATASUD, signed_on="2024-01-15", notified_on="2024-01-31")

    assert act("agreement_show", id=created["id"])["status"] == "in_force"
    assert agreement_activities() == []


@pytest.mark.ckan_config("ckan.activity_streams_enabled", "false")
def test_no_activity_when_the_streams_are_off(people):
    with freeze_time("2024-01-31"):
        act("agreement_create", **DATASUD, signed_on="2024-01-15", notified_on="2024-01-31")

    from ckanext.activity.model import Activity

    assert model.Session.query(Activity).filter(Activity.activity_type.like("agreement %")).count() == 0


def test_reminders_stay_out_of_the_stream(people, agreement_factory):
    from ckan import model

    from ckanext.datasud_partnership.agreements import history, queries

    with freeze_time("2024-01-31"):
        created = agreement_factory(**DATASUD, in_force=True)
    with freeze_time("2024-12-01"):
        history.record(queries.get(created["id"]), "reminder", None, on=dt.date(2024, 12, 1), reminder="x")
        model.Session.commit()

    assert "reminder" in [e["event"] for e in act("agreement_history", id=created["id"])["results"]]
    assert len(agreement_activities()) == 3
    assert "agreement event" not in types(agreement_activities())
