"""agreement_list filters and the function the publication gate calls."""

from __future__ import annotations

import pytest
from ckan.logic import ValidationError
from ckan.tests import factories
from freezegun import freeze_time

from ckanext.datasud_partnership.agreements import queries

from .conftest import act


@pytest.fixture
def register(people, agreement_factory):
    """Five organizations and agreements in different states on 2025-01-10."""
    orgs = {name: factories.Organization(name=name)["id"] for name in ("aix", "arles", "gap", "nice")}
    with freeze_time("2024-01-31"):
        cd13 = agreement_factory(organization="cd13", reference="CD13", in_force=True)
        aix = agreement_factory(
            organization="aix", reference="AIX", signed_on="2023-02-20", notified_on="2023-02-28"
        )
        arles = agreement_factory(organization="arles", reference="ARLES", signed_on="2024-01-15")
        agreement_factory(organization="gap", reference="GAP")
        nice = agreement_factory(
            kind="challenge_open_data", organization="nice", reference="NICE", signed_on="2023-01-10"
        )
    with freeze_time("2024-12-20"):
        act("agreement_notice_serve", id=aix["id"], breaches=["Retard"], deadline="2025-01-20")
    return {"orgs": orgs, "cd13": cd13, "aix": aix, "arles": arles, "nice": nice}


def refs(result) -> list[str]:
    return [a["reference"] for a in result["results"]]


@freeze_time("2025-01-10")
def test_filters(register):
    # oldest first, then by reference (all were recorded on the same day here)
    assert refs(act("agreement_list", limit=100)) == ["AIX", "ARLES", "CD13", "GAP", "NICE"]
    assert refs(act("agreement_list", status="in_force")) == ["CD13"]
    assert refs(act("agreement_list", status="in_force_under_notice")) == ["AIX"]
    assert refs(act("agreement_list", status="signed,draft")) == ["ARLES", "GAP"]
    assert refs(act("agreement_list", status="expired")) == ["NICE"]
    assert refs(act("agreement_list", kind="challenge_open_data")) == ["NICE"]
    assert refs(act("agreement_list", organization="aix")) == ["AIX"]
    # next anniversaries: CD13 on 2025-01-31 (21 days), AIX on 2025-02-28 (49 days)
    assert refs(act("agreement_list", anniversary_within=30)) == ["CD13"]
    assert refs(act("agreement_list", anniversary_within=60)) == ["AIX", "CD13"]
    assert refs(act("agreement_list", in_force_on="2023-06-01")) == ["AIX", "NICE"]
    # as of another day
    assert refs(act("agreement_list", status="in_force", date="2023-06-01")) == ["AIX", "NICE"]


@freeze_time("2025-01-10")
def test_ending_within(register):
    with freeze_time("2025-01-05"):
        act(
            "agreement_terminate",
            motives="Motifs de la résiliation",
            modalities="Modalités arrêtées par les parties",
            id=register["cd13"]["id"],
            mode="mutual",
            initiator="partner",
        )  # ends 2025-02-04
    assert refs(act("agreement_list", ending_within=30)) == ["CD13"]
    assert refs(act("agreement_list", ending_within=10)) == []


@freeze_time("2025-01-10")
def test_pagination_and_anonymous_reading(register):
    first = act("agreement_list", user=None, limit=2, offset=0)
    second = act("agreement_list", user=None, limit=2, offset=2)
    assert first["count"] == second["count"] == 5
    assert refs(first) + refs(second) == ["AIX", "ARLES", "CD13", "GAP"]
    assert all("referent" not in a for a in first["results"])


@freeze_time("2025-01-10")
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "asleep"}, "status"),
        ({"kind": "nope"}, "kind"),
        ({"organization": "nowhere"}, "organization"),
        ({"anniversary_within": "-3"}, "anniversary_within"),
        ({"in_force_on": "yesterday"}, "in_force_on"),
    ],
)
def test_bad_filters_name_the_field(register, params, field):
    with pytest.raises(ValidationError) as error:
        act("agreement_list", **params)
    assert field in error.value.error_dict


def test_may_publish(register):
    import datetime as dt

    orgs = register["orgs"]
    day = dt.date(2025, 1, 10)
    assert queries.publishing_agreement(register["cd13"]["organization_id"], day) is not None
    assert queries.publishing_agreement(orgs["aix"], day) is not None  # under notice: still in force
    assert None is queries.publishing_agreement(orgs["arles"], day)  # signed, not notified
    assert None is queries.publishing_agreement(orgs["gap"], day)  # draft
    assert None is queries.publishing_agreement(orgs["nice"], day)  # expired
    assert queries.publishing_agreement(orgs["nice"], dt.date(2023, 6, 1)) is not None


@freeze_time("2025-01-10")
def test_the_cache_and_the_computation_agree(register):
    from ckan import model

    from ckanext.datasud_partnership.agreements.model import AgreementState

    queries = [{}, {"status": "in_force"}, {"anniversary_within": 60}, {"kind": "challenge_open_data"}]
    cached = [act("agreement_list", **q) for q in queries]
    assert model.Session.query(AgreementState).count() == 5
    model.Session.query(AgreementState).delete()
    model.Session.commit()
    computed = [act("agreement_list", **q) for q in queries]
    assert cached == computed
