"""The tests' factories (tests/factories.py), registered as fixtures: each
one makes through its action what its docstring promises."""

from __future__ import annotations

import pytest
from ckan.tests import helpers
from freezegun import freeze_time

from tests.publication.conftest import DECLARATION, draft_dataset, partner  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("clean_db")


def show(action: str, **data):
    return helpers.call_action(action, **data)


def test_the_agreement_fixture_is_a_draft_of_a_new_organization_by_the_portal_team(agreement):
    assert agreement["status"] == "draft"
    assert agreement["kind"] == "datasud_partnership"
    [created] = show("agreement_history", id=agreement["id"])["results"]
    assert created["event"] == "created" and created["actor"] == "region-team"


@pytest.mark.parametrize(
    ("kind", "today", "events", "ends_on"),
    [
        ("datasud_partnership", "2024-01-31", ["created", "signed", "notified"], None),
        ("challenge_open_data", "2022-03-15", ["created", "signed"], "2023-12-31"),
    ],
)
def test_an_agreement_in_force_of_each_kind(agreement_factory, kind, today, events, ends_on):
    with freeze_time(today):
        made = agreement_factory(kind=kind, in_force=True)
    assert made["status"] == "in_force" and made["in_force_from"] == today
    assert made["ends_on"] == ends_on
    assert [e["event"] for e in show("agreement_history", id=made["id"])["results"]] == events


def test_terms_accepted_by_an_organization_s_admin(
    terms_version, terms_acceptance_factory, organization_factory
):
    from ckan.tests import factories

    admin = factories.User()
    org = organization_factory(users=[{"name": admin["name"], "capacity": "admin"}])
    status = terms_acceptance_factory(organization=org["name"], user=admin["name"])
    assert status["accepted"] is True and status["accepted_by"] == admin["name"]
    assert status["terms"]["version"] == terms_version["version"]
    assert terms_version["title"] == f"CGU v{terms_version['version']}"


def test_a_claim_about_a_published_dataset(partner, claim_factory):  # noqa: F811 - the fixture
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    claim = claim_factory(user="outsider", dataset=dataset["name"])
    assert claim["status"] == "open" and claim["filed_by"] == "outsider" and claim["kind"] == "other"
