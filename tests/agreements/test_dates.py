"""Dates the server fixes, not the caller (issue 13, section 4).

The day of an act a caller records (a request, a signature, observations...)
is the server's today. Only the portal's team (sysadmins) may record an act
of an earlier day, such as a registered letter received; nobody records one
ahead. The history says who entered which date, and when.
"""

from __future__ import annotations

import pytest
from ckan.logic import ValidationError
from freezegun import freeze_time

from .conftest import act

DATASUD = {"kind": "datasud_partnership", "organization": "cd13", "reference": "CONV-2024-013"}


def _in_force():
    with freeze_time("2024-01-31"):
        return act("agreement_create", **DATASUD, signed_on="2024-01-15", notified_on="2024-01-31")


def _events(agreement):
    return act("agreement_history", id=agreement["id"])["results"]


def test_a_partner_cannot_backdate_its_termination_request(people):
    agreement = _in_force()
    with freeze_time("2026-03-10"):
        with pytest.raises(ValidationError) as error:
            act(
                "agreement_terminate",
                motives="Motifs de la résiliation",
                user="cd13-admin",
                id=agreement["id"],
                mode="anniversary",
                initiator="partner",
                requested_on="2025-02-03",  # 400 days ago: would have skipped the month of notice
            )
        assert "requested_on" in error.value.error_dict
        shown = act("agreement_show", id=agreement["id"])
        assert shown["termination"] is None and shown["status"] == "in_force"
        # without a date, the request is dated today: the anniversary a month ahead at least
        ended = act(
            "agreement_terminate",
            motives="Motifs de la résiliation",
            user="cd13-admin",
            id=agreement["id"],
            mode="anniversary",
            initiator="partner",
        )
    assert ended["termination"]["requested_on"] == "2026-03-10"
    assert ended["termination"]["effective_on"] == "2027-01-31"
    assert ended["status"] == "terminating"


@freeze_time("2026-03-10")
def test_a_partner_may_give_today_as_its_request_date(people):
    agreement = _in_force()
    with freeze_time("2026-03-10"):
        ended = act(
            "agreement_terminate",
            motives="Motifs de la résiliation",
            user="cd13-admin",
            id=agreement["id"],
            mode="anniversary",
            initiator="partner",
            requested_on="2026-03-10",
        )
    assert ended["termination"]["requested_on"] == "2026-03-10"


def test_the_portal_team_records_a_registered_letter_received_earlier(people):
    agreement = _in_force()
    with freeze_time("2025-01-10 15:00:00"):
        # a letter received on 28 December, before the notice deadline of 31 December
        ended = act(
            "agreement_terminate",
            motives="Motifs de la résiliation",
            id=agreement["id"],
            mode="anniversary",
            initiator="partner",
            requested_on="2024-12-28",
        )
    assert ended["termination"]["requested_on"] == "2024-12-28"
    assert ended["termination"]["effective_on"] == "2025-01-31"
    event = [e for e in _events(agreement) if e["event"] == "termination_notified"][0]
    # who entered which date, and when
    assert event["actor"] == "region-team"
    assert event["data"]["requested_on"] == "2024-12-28"
    assert event["at"].startswith("2025-01-10")


def _future_error(action, agreement, field, day="2099-01-01", **extra):
    with pytest.raises(ValidationError) as error:
        act(action, id=agreement["id"], **{field: day}, **extra)
    return error.value.error_dict


def test_observations_are_dated_by_the_server_for_the_partner(people):
    agreement = _in_force()
    with freeze_time("2024-06-01"):
        act("agreement_notice_serve", id=agreement["id"], breaches=["Retard"], deadline="2024-06-30")
    with freeze_time("2024-07-10"):  # ten days after the deadline
        with pytest.raises(ValidationError) as backdated:
            act(
                "agreement_notice_answer",
                user="cd13-admin",
                id=agreement["id"],
                observations="Envoyées à temps, promis",
                answered_on="2024-06-25",
            )
        assert "answered_on" in backdated.value.error_dict
        with pytest.raises(ValidationError) as late:
            act("agreement_notice_answer", user="cd13-admin", id=agreement["id"], observations="Trop tard")
        assert "answered_on" in late.value.error_dict
        shown = act("agreement_show", id=agreement["id"])
        assert shown["notices"][0]["observations"] is None
        # the portal's team records observations received by letter before the deadline
        answered = act(
            "agreement_notice_answer",
            id=agreement["id"],
            observations="Reçues par lettre recommandée le 25 juin",
            answered_on="2024-06-25",
        )
    assert answered["notices"][0]["observations_on"] == "2024-06-25"
    event = [e for e in _events(agreement) if e["event"] == "notice_answered"][0]
    assert (event["actor"], event["on"]) == ("region-team", "2024-06-25")
    assert event["at"].startswith("2024-07-10")


# Every date a caller may send for a recorded act: (action, field, what else it needs).
def _draft():
    return act("agreement_create", **DATASUD)


def _signed():
    return act("agreement_create", **DATASUD, signed_on="2023-01-15")


def _in_force_2023():
    return act("agreement_create", **DATASUD, signed_on="2023-01-15", notified_on="2023-01-31")


def _challenge():
    return act(
        "agreement_create",
        kind="challenge_open_data",
        organization="cd13",
        reference="CHALLENGE-1",
        signed_on="2023-01-15",
    )


def _under_notice():
    agreement = _in_force_2023()
    act("agreement_notice_serve", id=agreement["id"], breaches=["Retard"], deadline="2023-06-30")
    return agreement


ACTS = [
    ("agreement_sign", "signed_on", _draft, {}),
    ("agreement_notify", "notified_on", _signed, {}),
    ("agreement_patch", "deliberation_date", _draft, {}),
    ("agreement_amend", "signed_on", _challenge, {"description": "Avenant"}),
    ("agreement_milestone_update", "done_on", _challenge, {"code": "checklist"}),
    (
        "agreement_notice_serve",
        "served_on",
        _in_force_2023,
        {"breaches": ["Retard"], "deadline": "2099-02-01"},
    ),
    ("agreement_notice_answer", "answered_on", _under_notice, {"observations": "Corrigé"}),
    ("agreement_notice_lift", "lifted_on", _under_notice, {"reason": "Corrigé"}),
    (
        "agreement_terminate",
        "requested_on",
        _signed,
        {"mode": "mutual", "initiator": "operator", "motives": "Motifs", "modalities": "Modalités"},
    ),
]


@freeze_time("2023-06-10")
@pytest.mark.parametrize(
    ("action", "field", "make", "extra"), ACTS, ids=[f"{a}-{f}" for a, f, _m, _e in ACTS]
)
def test_no_act_is_recorded_ahead_of_today(people, action, field, make, extra):
    agreement = make()
    before = len(_events(agreement))
    assert field in _future_error(action, agreement, field, day="2023-06-11", **extra)  # tomorrow
    assert len(_events(agreement)) == before


@freeze_time("2024-06-10")
@pytest.mark.parametrize("field", ["signed_on", "notified_on", "deliberation_date"])
def test_no_act_is_created_ahead_of_today(people, field):
    dates = {"signed_on": "2024-01-15", "notified_on": "2024-01-31", field: "2024-12-01"}
    with pytest.raises(ValidationError) as error:
        act("agreement_create", **DATASUD, **dates)
    assert field in error.value.error_dict


@freeze_time("2024-06-10")
def test_the_portal_team_may_record_past_acts(people):
    draft = act("agreement_create", **DATASUD, deliberation_date="2023-12-01")
    assert act("agreement_patch", id=draft["id"], deliberation_date="2023-12-02")["deliberation_date"] == (
        "2023-12-02"
    )
    signed = act("agreement_sign", id=draft["id"], signed_on="2024-01-15")
    assert signed["signed_on"] == "2024-01-15"
    assert act("agreement_notify", id=draft["id"], notified_on="2024-01-31")["notified_on"] == "2024-01-31"
    served = act(
        "agreement_notice_serve",
        id=draft["id"],
        breaches=["Retard"],
        deadline="2024-06-30",
        served_on="2024-06-01",
    )
    assert served["notices"][0]["served_on"] == "2024-06-01"
    lifted = act("agreement_notice_lift", id=draft["id"], reason="Corrigé", lifted_on="2024-06-05")
    assert lifted["notices"][0]["lifted_on"] == "2024-06-05"


@freeze_time("2024-06-10")
def test_terms_deadlines_and_filters_may_be_ahead(people):
    """Not recorded acts: a fixed end, a deadline, an effective date the
    parties agree, a filter. They may be ahead of today."""
    challenge = act(
        "agreement_create",
        kind="challenge_open_data",
        organization="cd13",
        reference="CHALLENGE-1",
        signed_on="2024-01-15",
        end_on="2025-06-30",
        beneficiary_invoice_on="2025-02-15",
    )
    assert challenge["ends_on"] == "2025-06-30"
    amended = act(
        "agreement_amend",
        id=challenge["id"],
        signed_on="2024-06-10",
        description="Prolongation",
        end_on="2026-06-30",
    )
    assert amended["ends_on"] == "2026-06-30"
    datasud = act("agreement_create", **DATASUD, signed_on="2024-01-15", notified_on="2024-01-31")
    ended = act(
        "agreement_terminate",
        motives="Motifs de la résiliation",
        modalities="Modalités arrêtées par les parties",
        id=datasud["id"],
        mode="mutual",
        initiator="partner",
        effective_on="2024-09-01",
    )
    assert ended["termination"]["effective_on"] == "2024-09-01"
    assert act("agreement_list", in_force_on="2099-01-01", date="2099-01-01")["count"] >= 0
