"""Successors: any number of drafts and signed agreements of a kind; two of
one kind in force on the same day refused when the date bringing one into
force is recorded; a successor scheduled the day after the current one ends,
so that publication continues without a gap."""

from __future__ import annotations

import datetime as dt

import pytest
from ckan.logic import ValidationError
from freezegun import freeze_time

from ckanext.datasud_partnership.agreements import rules as R
from ckanext.datasud_partnership.agreements.rules import Facts, Termination
from tests.publication.conftest import DECLARATION, draft_dataset, partner  # noqa: F401 (the fixture)
from tests.publication.conftest import act as partner_act

from .conftest import act

D = dt.date
CURRENT = Facts(signed_on=D(2024, 1, 15), notified_on=D(2024, 1, 31))  # DataSud, in force, renews tacitly
ENDING = Facts(
    signed_on=D(2024, 1, 15),
    notified_on=D(2024, 1, 31),
    termination=Termination("anniversary", "partner", D(2024, 12, 1), D(2025, 1, 31)),
)  # last day in force: 30 January 2025


# (the candidate's facts, the other agreement's facts, the overlapping days or None)
DATASUD_CASES = [
    ("a draft beside one in force", Facts(), CURRENT, None),
    ("signed, not notified", Facts(signed_on=D(2024, 6, 1)), CURRENT, None),
    (
        "notified while the current one renews",
        Facts(D(2024, 6, 1), D(2024, 6, 2)),
        CURRENT,
        (D(2024, 6, 2), None),
    ),
    (
        "notified to start while the current one still runs",
        Facts(D(2024, 12, 2), D(2024, 12, 3), in_force_from=D(2025, 1, 30)),
        ENDING,
        (D(2025, 1, 30), D(2025, 1, 30)),
    ),
    (
        "the day after the current one ends",
        Facts(D(2024, 12, 2), D(2024, 12, 3), in_force_from=D(2025, 1, 31)),
        ENDING,
        None,
    ),
    ("notified after the current one ended", Facts(D(2025, 2, 2), D(2025, 2, 3)), ENDING, None),
    (
        "beside a cancelled draft",
        Facts(D(2024, 6, 1), D(2024, 6, 2)),
        Facts(cancelled_on=D(2024, 3, 1)),
        None,
    ),
    (
        "an earlier agreement recorded after its successor",
        Facts(D(2023, 1, 1), D(2023, 1, 10)),
        Facts(D(2023, 6, 1), D(2023, 6, 2)),
        (D(2023, 6, 2), None),
    ),
]


@pytest.mark.parametrize(
    ("case", "candidate", "other", "shared"), DATASUD_CASES, ids=[c[0] for c in DATASUD_CASES]
)
def test_one_agreement_of_a_kind_in_force_on_a_day(datasud, case, candidate, other, shared):
    if shared is None:
        R.check_no_overlap(datasud, candidate, "NEW", [("CURRENT", other)], "notified_on")
        return
    with pytest.raises(R.RuleError) as error:
        R.check_no_overlap(datasud, candidate, "NEW", [("CURRENT", other)], "notified_on")
    assert error.value.field == "notified_on"
    assert error.value.params["reference"] == "NEW" and error.value.params["other"] == "CURRENT"
    assert error.value.params["first"] == shared[0].isoformat()
    assert error.value.params.get("last") == (shared[1].isoformat() if shared[1] else None)


CHALLENGE_CASES = [
    # an agreement of season 2 (to 31/12/2023) and one signed during it, or after it
    (
        "signed during the other's term",
        Facts(D(2023, 6, 1), end_on=D(2024, 12, 31)),
        (D(2023, 6, 1), D(2023, 12, 31)),
    ),
    ("the day after its end", Facts(D(2024, 1, 1), end_on=D(2024, 12, 31)), None),
    ("signed before it, ending the day before it starts", Facts(D(2021, 1, 5), end_on=D(2022, 3, 14)), None),
    (
        "signed before it, ending on its first day",
        Facts(D(2021, 1, 5), end_on=D(2022, 3, 15)),
        (D(2022, 3, 15), D(2022, 3, 15)),
    ),
]


@pytest.mark.parametrize(
    ("case", "candidate", "shared"), CHALLENGE_CASES, ids=[c[0] for c in CHALLENGE_CASES]
)
def test_fixed_term_agreements_of_a_kind_in_force_on_a_day(challenge, case, candidate, shared):
    season_2 = Facts(signed_on=D(2022, 3, 15), end_on=D(2023, 12, 31))
    if shared is None:
        R.check_no_overlap(challenge, candidate, "NEW", [("S2", season_2)], "signed_on")
        return
    with pytest.raises(R.RuleError) as error:
        R.check_no_overlap(challenge, candidate, "NEW", [("S2", season_2)], "signed_on")
    assert (error.value.params["first"], error.value.params["last"]) == (
        shared[0].isoformat(),
        shared[1].isoformat(),
    )


def test_a_later_entry_into_force_counts_its_anniversaries(datasud):
    successor = Facts(D(2024, 12, 2), D(2024, 12, 3), in_force_from=D(2025, 1, 31))
    assert R.status(datasud, successor, D(2025, 1, 30)) == R.SIGNED
    assert R.status(datasud, successor, D(2025, 1, 31)) == R.IN_FORCE
    assert R.summary(datasud, successor, D(2025, 2, 1))["next_anniversary"] == D(2026, 1, 31)


def _journal(reference_by_id):
    entries = partner_act("publication_journal_list", user="cd13-admin", organization="cd13", limit=100)[
        "results"
    ]
    return [(e["action"], reference_by_id.get(e.get("agreement_id"))) for e in reversed(entries)]


def test_a_successor_follows_without_a_gap(partner):  # noqa: F811
    current = partner["agreement"]  # DataSud, notified 31 January 2024, renews tacitly
    with freeze_time("2024-11-20"):
        # drafted and signed while the current one runs and renews: allowed
        successor = act(
            "agreement_create", kind="datasud_partnership", organization="cd13", reference="CONV-CD13-V2"
        )
        act("agreement_sign", id=successor["id"], signed_on="2024-11-20")
        with pytest.raises(ValidationError) as refused:
            act("agreement_notify", id=successor["id"], notified_on="2024-11-20", in_force_from="2025-01-31")
        message = refused.value.error_dict["notified_on"][0]
        assert "CONV-CD13-V2" in message and "CONV-CD13" in message.replace("CONV-CD13-V2", "")
        assert "2025-01-31" in message
    with freeze_time("2024-11-25"):
        act(
            "agreement_terminate",
            id=current["id"],
            mode="anniversary",
            initiator="operator",
            motives="Un nouveau modèle de convention remplace celui de 2024",
        )  # effective 31 January 2025: last day in force 30 January
        with pytest.raises(ValidationError) as overlapping:
            act("agreement_notify", id=successor["id"], notified_on="2024-11-25", in_force_from="2025-01-30")
        assert "from 2025-01-30 to 2025-01-30" in overlapping.value.error_dict["notified_on"][0]
        scheduled = act(
            "agreement_notify", id=successor["id"], notified_on="2024-11-25", in_force_from="2025-01-31"
        )
        assert scheduled["status"] == "signed" and scheduled["in_force_from"] == "2025-01-31"
    first, second = draft_dataset("budget-2025"), draft_dataset("budget-2026")
    with freeze_time("2025-01-30"):
        partner_act("dataset_publish", id=first["id"], publication_declaration=DECLARATION)
    with freeze_time("2025-01-31"):
        assert act("agreement_show", id=current["id"])["status"] == "terminated"
        assert act("agreement_show", id=successor["id"])["status"] == "in_force"
        partner_act("dataset_publish", id=second["id"], publication_declaration=DECLARATION)
    assert _journal({current["id"]: "CONV-CD13", successor["id"]: "CONV-CD13-V2"}) == [
        ("published", "CONV-CD13"),
        ("published", "CONV-CD13-V2"),
    ]
