"""The agreement actions through CKAN's action API, on the real database."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.logic import ValidationError
from freezegun import freeze_time

from ckanext.datasud_partnership.agreements.model import Agreement, AgreementEvent
from tests.factories import AgreementFactory

from .conftest import act

DATASUD = {"kind": "datasud_partnership", "organization": "cd13", "reference": "CONV-2024-013"}


def count(table) -> int:
    return model.Session.query(table).count()


@freeze_time("2024-06-01")
def test_create_an_agreement_in_force(people):
    created = act(
        "agreement_create",
        **DATASUD,
        signed_on="2024-01-15",
        notified_on="2024-01-31",
        parties=[
            {"role": "operator", "name": "Région Sud", "signatory": "Renaud Muselier"},
            {"role": "partner", "name": "Département des Bouches-du-Rhône", "signatory": "Martine Vassal"},
        ],
        referent_name="Jeanne Martin",
        referent_email="jeanne.martin@cd13.example",
        deliberation_number="24-117",
        deliberation_date="2024-01-10",
        documents=[{"title": "Convention signée", "url": "https://cd13.example/convention.pdf"}],
    )
    shown = act("agreement_show", id=created["id"])
    assert shown["status"] == "in_force"
    assert shown["in_force_from"] == "2024-01-31"
    assert shown["next_anniversary"] == "2025-01-31"
    assert shown["anniversary_notice_deadline"] == "2024-12-31"
    assert shown["current_term_end"] == "2025-01-30"
    assert shown["ends_on"] is None
    assert shown["grants_publication"] is True
    assert shown["organization"] == "cd13"
    assert shown["referent"]["email"] == "jeanne.martin@cd13.example"
    assert shown["parties"][1]["signatory"] == "Martine Vassal"
    # as of another date
    assert act("agreement_show", id=created["id"], date="2024-01-20")["status"] == "signed"
    events = [e["event"] for e in act("agreement_history", id=created["id"])["results"]]
    assert events == ["created", "signed", "notified"]


@freeze_time("2024-06-01")
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "no_such_kind"}, "kind"),
        ({"organization": "nowhere"}, "organization"),
        ({"reference": ""}, "reference"),
        ({"signed_on": "15/01/2024"}, "signed_on"),
        ({"signed_on": "2024-01-15", "notified_on": "2024-01-14"}, "notified_on"),
        ({"notified_on": "2024-01-14"}, "notified_on"),
        ({"signed_on": "2024-07-01"}, "signed_on"),  # in the future
        ({"referent_email": "not-an-email"}, "referent_email"),
        ({"end_on": "2025-01-01"}, "end_on"),  # DataSud has no fixed end
        ({"parties": [{"role": "king", "name": "X"}]}, "parties"),
        ({"documents": [{"title": "PDF", "url": "notaurl"}]}, "documents"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(people, changes, field):
    with pytest.raises(ValidationError) as error:
        act("agreement_create", **{**DATASUD, **changes})
    assert field in error.value.error_dict
    assert count(Agreement) == 0 and count(AgreementEvent) == 0


def test_errors_are_in_french_for_a_french_request(people, app):
    from ckan.tests import factories

    token = factories.APIToken(user="region-team")["token"]
    response = app.post(
        "/api/3/action/agreement_create",
        json={**DATASUD, "kind": "inconnu"},
        headers={"Authorization": token, "Accept-Language": "fr"},
        status=409,
    )
    error = response.json["error"]
    assert error["__type"] == "Validation Error"
    assert "Type de convention inconnu" in error["kind"][0]


@freeze_time("2024-06-01")
def test_drafts_of_a_kind_while_one_is_in_force(people, agreement_factory):
    agreement_factory(**DATASUD, in_force=True)
    act("agreement_create", **{**DATASUD, "reference": "CONV-BIS"})
    act("agreement_create", **{**DATASUD, "reference": "CONV-TER"})
    assert count(Agreement) == 3  # successors are refused only in force on the same days (test_successors.py)


def test_draft_sign_notify_lifecycle(people):
    with freeze_time("2024-01-10"):
        draft = act("agreement_create", **DATASUD)
        assert draft["status"] == "draft"
        patched = act(
            "agreement_patch", id=draft["id"], referent_name="Paul Durand", reference="CONV-2024-014"
        )
        assert patched["reference"] == "CONV-2024-014"
    with freeze_time("2024-01-15"):
        with pytest.raises(ValidationError) as early:
            act("agreement_notify", id=draft["id"], notified_on="2024-01-15")
        assert "notified_on" in early.value.error_dict
        assert act("agreement_sign", id=draft["id"], signed_on="2024-01-15")["status"] == "signed"
        with pytest.raises(ValidationError) as late_patch:
            act("agreement_patch", id=draft["id"], referent_name="Someone else")
        assert "id" in late_patch.value.error_dict
    with freeze_time("2024-01-31"):
        with pytest.raises(ValidationError) as before:
            act("agreement_notify", id=draft["id"], notified_on="2024-01-14")
        assert "notified_on" in before.value.error_dict
        assert act("agreement_notify", id=draft["id"], notified_on="2024-01-31")["status"] == "in_force"
    history = act("agreement_history", id=draft["id"])["results"]
    assert [e["event"] for e in history] == ["created", "updated", "signed", "notified"]
    assert history[1]["data"]["changes"]["reference"] == ["CONV-2024-013", "CONV-2024-014"]
    assert history[1]["actor"] == "region-team"


@freeze_time("2024-01-12")
def test_a_mistaken_draft_is_cancelled_not_deleted(people, agreement_factory):
    draft = agreement_factory(**DATASUD)
    cancelled = act("agreement_cancel", id=draft["id"], reason="Créée par erreur")
    assert cancelled["status"] == "cancelled"
    assert act("agreement_show", id=draft["id"])["reference"] == "CONV-2024-013"
    # and a new one of that kind may be drawn up
    act("agreement_create", **{**DATASUD, "reference": "CONV-2024-015"})
    assert count(Agreement) == 2


def _in_force_datasud():
    """In force from 31 January 2024."""
    with freeze_time("2024-01-31"):
        return AgreementFactory(**DATASUD, in_force=True)


def test_formal_notice_then_termination_for_fault(people):
    from ckan.tests import factories

    agreement = _in_force_datasud()
    owned = factories.Dataset(owner_org=people["partner"]["id"], private=True)
    foreign = factories.Dataset(owner_org=people["other"]["id"], private=True)
    with freeze_time("2024-06-01"):
        with pytest.raises(ValidationError) as bad_deadline:
            act(
                "agreement_notice_serve",
                id=agreement["id"],
                breaches=["Données personnelles publiées"],
                deadline="2024-06-01",
            )
        assert "deadline" in bad_deadline.value.error_dict
        served = act(
            "agreement_notice_serve",
            id=agreement["id"],
            breaches=["Données personnelles publiées", "Jeux non mis à jour"],
            deadline="2024-06-30",
        )
        assert served["status"] == "in_force_under_notice"
        assert served["notices"][0]["breaches"] == ["Données personnelles publiées", "Jeux non mis à jour"]
    with freeze_time("2024-06-10"):
        answered = act(
            "agreement_notice_answer",
            user="cd13-admin",
            id=agreement["id"],
            observations="Corrigé le 9 juin.",
        )
        assert answered["notices"][0]["observations"] == "Corrigé le 9 juin."
    with freeze_time("2024-06-30"):
        with pytest.raises(ValidationError) as too_early:
            act(
                "agreement_terminate",
                motives="Motifs de la résiliation",
                id=agreement["id"],
                mode="fault",
                initiator="operator",
            )
        assert "requested_on" in too_early.value.error_dict
    with freeze_time("2024-07-02"):
        with pytest.raises(ValidationError) as late_answer:
            act("agreement_notice_answer", user="cd13-admin", id=agreement["id"], observations="Trop tard")
        assert "answered_on" in late_answer.value.error_dict
        with pytest.raises(ValidationError) as wrong_dataset:
            act(
                "agreement_terminate",
                motives="Motifs de la résiliation",
                id=agreement["id"],
                mode="fault",
                initiator="operator",
                withdraw=[foreign["name"]],
            )
        assert "withdraw" in wrong_dataset.value.error_dict
        terminating = act(
            "agreement_terminate",
            id=agreement["id"],
            mode="fault",
            initiator="operator",
            effective_on="2024-08-01",
            withdraw=[owned["name"]],
            reason="Manquements non corrigés",
        )
        assert terminating["status"] == "terminating"
        assert terminating["ends_on"] == "2024-07-31"
        assert terminating["termination"]["withdraw"] == [owned["id"]]
        assert terminating["termination"]["clause"] == "7.1"
    with freeze_time("2024-08-01"):
        assert act("agreement_show", id=agreement["id"])["status"] == "terminated"


def test_lifting_a_notice_ends_it(people):
    agreement = _in_force_datasud()
    with freeze_time("2024-06-01"):
        act("agreement_notice_serve", id=agreement["id"], breaches=["Retard"], deadline="2024-06-30")
    with freeze_time("2024-06-15"):
        lifted = act("agreement_notice_lift", id=agreement["id"], reason="Les jeux sont à jour")
        assert lifted["status"] == "in_force"
    with freeze_time("2024-07-15"):
        with pytest.raises(ValidationError) as error:
            act(
                "agreement_terminate",
                motives="Motifs de la résiliation",
                id=agreement["id"],
                mode="fault",
                initiator="operator",
            )
        assert "mode" in error.value.error_dict


def test_anniversary_termination_by_the_partner_alone(people):
    agreement = _in_force_datasud()
    with freeze_time("2024-12-31"):  # the last day to give notice for 31 January 2025
        ended = act(
            "agreement_terminate",
            motives="Motifs de la résiliation",
            user="cd13-admin",
            id=agreement["id"],
            mode="anniversary",
            initiator="partner",
        )
    assert ended["termination"]["effective_on"] == "2025-01-31"
    assert ended["ends_on"] == "2025-01-30"


def test_challenge_agreement_milestones_money_and_amendments(people):
    with freeze_time("2022-03-15"):
        created = act(
            "agreement_create",
            kind="challenge_open_data",
            organization="cd13",
            reference="CHALLENGE-S2-07",
            signed_on="2022-03-15",
            beneficiary_invoice_on="2023-02-15",
        )
    assert created["status"] == "in_force"
    assert created["ends_on"] == "2023-12-31"
    assert len(created["milestones"]) == 13
    assert sum(m["session"] for m in created["milestones"]) == 12
    assert created["financial"]["total"] == "6000.00"
    assert created["financial"]["beneficiary_share_due"] == "1000.00"
    assert [c["funder"]["fr"] for c in created["financial"]["contributions"]] == [
        "Plan de Relance",
        "Région",
        "Entité bénéficiaire",
    ]
    with freeze_time("2022-04-01"):
        done = act(
            "agreement_milestone_update",
            id=created["id"],
            code="checklist",
            done_on="2022-04-01",
            note="Check-list validée",
        )
        assert next(m for m in done["milestones"] if m["code"] == "checklist")["done_on"] == "2022-04-01"
        with pytest.raises(ValidationError) as unknown:
            act("agreement_milestone_update", id=created["id"], code="party", done_on="2022-04-01")
        assert "code" in unknown.value.error_dict
    with freeze_time("2023-11-01"):
        amended = act(
            "agreement_amend",
            id=created["id"],
            signed_on="2023-11-01",
            description="Prolongation de six mois",
            end_on="2024-06-30",
            contributions=[
                {"funder": "Plan de Relance", "amount": "3000"},
                {"funder": "Région", "amount": "2500"},
                {"funder": "Entité bénéficiaire", "amount": "1000", "beneficiary": True},
            ],
        )
    assert amended["ends_on"] == "2024-06-30"
    assert amended["financial"]["total"] == "6500.00"
    assert amended["amendments"][0]["number"] == 1
    with freeze_time("2024-01-15"):
        assert act("agreement_show", id=created["id"])["status"] == "in_force"
    with freeze_time("2024-07-01"):
        assert act("agreement_show", id=created["id"])["status"] == "expired"
    amendment_event = [
        e for e in act("agreement_history", id=created["id"])["results"] if e["event"] == "amended"
    ][0]
    assert amendment_event["data"]["end_on"] == ["2023-12-31", "2024-06-30"]
    assert amendment_event["data"]["contributions"][0][1]["amount"] == "2000.00"  # the terms before


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"mode": "beneficiary_early", "initiator": "partner"}, "mode"),  # not a mode of this kind
        ({"mode": "mutual", "initiator": "partner", "effective_on": "2024-06-15"}, "effective_on"),
        ({"mode": "anniversary", "initiator": "partner", "effective_on": "2025-02-01"}, "effective_on"),
        ({"mode": "anniversary", "initiator": "nobody"}, "initiator"),
        ({"mode": "anniversary", "initiator": "partner", "requested_on": "2024-13-01"}, "requested_on"),
        ({"mode": "mutual", "initiator": "partner", "withdraw": 12}, "withdraw"),
        ({"mode": "anniversary", "initiator": "partner", "withdraw": "all"}, "withdraw"),
    ],
)
def test_terminate_refuses_what_the_rules_forbid(people, params, field):
    agreement = _in_force_datasud()
    with freeze_time("2024-06-01"):
        with pytest.raises(ValidationError) as error:
            act("agreement_terminate", motives="Motifs de la résiliation", id=agreement["id"], **params)
        assert field in error.value.error_dict
        shown = act("agreement_show", id=agreement["id"])
    assert shown["termination"] is None and shown["status"] == "in_force"
    assert [e["event"] for e in act("agreement_history", id=agreement["id"])["results"]] == [
        "created",
        "signed",
        "notified",
    ]


def test_unknown_agreement_is_not_found(people):
    from ckan.logic import NotFound

    with pytest.raises(NotFound):
        act("agreement_show", id="no-such-agreement")


def test_a_failed_withdrawal_rolls_back_and_the_next_action_works(people, monkeypatch):
    from ckanext.datasud_partnership.common import events as signals

    def broken(agreement, termination=None, **kwargs):
        raise RuntimeError("withdrawal failed")

    agreement = _in_force_datasud()
    with freeze_time("2024-06-01"):
        act("agreement_notice_serve", id=agreement["id"], breaches=["Retard"], deadline="2024-06-10")
    with freeze_time("2024-06-20"), signals.termination_took_effect.connected_to(broken):
        with pytest.raises(RuntimeError):
            act(
                "agreement_terminate",
                motives="Motifs de la résiliation",
                id=agreement["id"],
                mode="fault",
                initiator="operator",
                withdraw="all",
            )
        model.Session.rollback()
        lifted = act("agreement_notice_lift", id=agreement["id"], reason="Régularisé")
    assert lifted["status"] == "in_force" and lifted["termination"] is None
    events = [e["event"] for e in act("agreement_history", id=agreement["id"])["results"]]
    assert events == ["created", "signed", "notified", "notice_served", "letter_issued", "notice_lifted"]
