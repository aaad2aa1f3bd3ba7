"""What the demo data (`make demo`) holds: complete, French, visible as it
should be. These tests only read it, so it is loaded once for them all
(loading it again is tested in test_demo.py)."""

from __future__ import annotations

import datetime as dt

import ckan.plugins as plugins
import pytest
from ckan import model
from ckan.tests import helpers

from ckanext.datasud_partnership import demo
from conftest import migrate_all


@pytest.fixture(scope="module")
def demo_loaded(reset_db, migrate_db_for, reset_index) -> demo.LoadReport:
    """The demo, loaded once on an empty database and index."""
    plugins.load_all()
    reset_db()
    migrate_all(migrate_db_for)
    reset_index()
    return demo.load_demo_data()


def _search(user: str, **params) -> dict:
    return helpers.call_action("package_search", context={"user": user, "ignore_auth": False}, **params)


def test_first_load_creates_everything(demo_loaded):
    assert demo_loaded.get("user", "created") == len(demo.USERS)
    assert demo_loaded.get("organization", "created") == len(demo.ORGANIZATIONS)
    assert demo_loaded.get("dataset", "created") == len(demo.DATASETS) + len(demo.DRAFTS) >= 25
    assert demo_loaded.get("withdrawal", "created") == len(demo.WITHDRAWN) == 2
    assert demo_loaded.get("claim", "created") == len(demo.CLAIMS) == 1


def test_datasets_are_french_varied_and_partly_private(demo_loaded):
    everything = _search(demo.SYSADMIN, include_private=True, rows=1000)
    datasets = everything["results"]
    private = [d for d in datasets if d["private"]]

    assert everything["count"] >= 20
    assert 0 < len(private) < len(datasets)
    assert {d["organization"]["name"] for d in datasets} == {demo.CD13, demo.DIGNE, demo.VERDON}
    assert len({d["license_id"] for d in datasets}) >= 5
    formats = {r["format"] for d in datasets for r in d["resources"]}
    assert {"CSV", "JSON", "GeoJSON", "PDF", "XLSX", "SHP", "API"} <= formats
    assert any("é" in d["title"] for d in datasets)
    # the partner publishes: each dataset was created by its organization's editor
    editors = {demo.CD13: "cd13-editor", demo.DIGNE: "digne-editor", demo.VERDON: "verdon-editor"}
    for dataset in datasets:
        creator = model.User.get(dataset["creator_user_id"])
        assert creator.name == editors[dataset["organization"]["name"]]


def test_anonymous_search_sees_only_public_datasets(demo_loaded):
    public = [d["name"] for d in demo.DATASETS if not d.get("private") and d["name"] not in demo.WITHDRAWN]

    found = _search("", include_private=True, rows=1000)

    assert found["count"] == len(public)
    assert sorted(d["name"] for d in found["results"]) == sorted(public)


def test_organizations_have_one_member_per_role(demo_loaded):
    for org in demo.ORGANIZATIONS:
        shown = helpers.call_action("organization_show", id=org["name"], include_users=True)
        assert shown["title"] == org["title"]
        assert {u["name"]: u["capacity"] for u in shown["users"]} == org["members"]


def test_demo_users_can_log_in_and_the_region_is_sysadmin(demo_loaded):
    for user in demo.USERS:
        user_obj = model.User.get(user["name"])
        assert user_obj.validate_password(demo.DEMO_PASSWORD)
        assert user_obj.sysadmin == (user["name"] == demo.SYSADMIN)


# each organization's first agreement (the demo also holds a successor, a
# Challenge agreement of the current season and a terminated one: test_demo.py)
FIRST = {"CD13": "CONV-DATASUD-013", "DIGNE": "COD-S2-2022-DIGNE", "VERDON": "CONV-DATASUD-HV-004"}


def _agreement(organization: str) -> dict:
    """The organization's first agreement, as the region's team reads it."""
    from ckanext.datasud_partnership import demo as demo_module

    found = helpers.call_action("agreement_list", organization=organization)["results"]
    reference = next(FIRST[key] for key in FIRST if getattr(demo_module, key) == organization)
    return helpers.call_action(
        "agreement_show", id=next(a["id"] for a in found if a["reference"] == reference)
    )


def test_the_datasud_partnership_of_the_departement(demo_loaded):
    shown = _agreement(demo.CD13)

    assert shown["kind"] == "datasud_partnership"
    assert shown["status"] == "terminating"  # at its next anniversary: its successor follows (test_demo.py)
    assert shown["in_force_from"] == shown["notified_on"] > shown["signed_on"]
    assert dt.date.fromisoformat(shown["next_anniversary"]) > dt.date.today()
    assert [(p["name"], p["signatory"]) for p in shown["parties"]] == [
        ("Région Sud Provence-Alpes-Côte d'Azur", "Renaud Muselier"),
        ("Département des Bouches-du-Rhône", "Martine Vassal"),
    ]
    assert shown["referent"]["email"] == "karim.benali@departement13.example"
    assert shown["documents"][0]["url"].endswith(".pdf")
    assert shown["financial"]["free"] is True


def test_the_challenge_open_data_extended_by_an_amendment(demo_loaded):
    shown = _agreement(demo.DIGNE)
    today = dt.date.today()

    assert shown["kind"] == "challenge_open_data"
    assert shown["signed_on"].startswith("2022-")
    assert shown["status"] == "in_force"
    assert dt.date.fromisoformat(shown["end_on"]) > today
    assert len(shown["amendments"]) == 1
    amendment = shown["amendments"][0]
    assert amendment["signed_on"] < "2023-12-31" and amendment["end_on"] == shown["end_on"]
    assert "prolongation" in amendment["description"]
    history = helpers.call_action("agreement_history", id=shown["id"])["results"]
    amended = next(e for e in history if e["event"] == "amended")
    assert amended["data"]["end_on"] == ["2023-12-31", shown["end_on"]]
    milestones = shown["milestones"]
    assert len([m for m in milestones if m["session"]]) == 12
    assert {m["phase"] for m in milestones} == {"engager", "pratiquer", "evaluer"}
    done = [m for m in milestones if m["done_on"]]
    assert 3 < len(done) < len(milestones)
    financial = shown["financial"]
    assert financial["total"] == "6000.00"
    assert [c["amount"] for c in financial["contributions"]] == ["3000.00", "2000.00", "1000.00"]
    assert financial["beneficiary_share_due"] == "1000.00"


def test_an_agreement_under_formal_notice(demo_loaded):
    shown = _agreement(demo.VERDON)
    today = dt.date.today()

    assert shown["status"] == "in_force_under_notice"
    notice = shown["notices"][0]
    assert dt.date.fromisoformat(notice["served_on"]) < today < dt.date.fromisoformat(notice["deadline"])
    assert len(notice["breaches"]) == 2 and notice["lifted_on"] is None
    # its anniversary is near: the register's "within 60 days" filter finds it
    near = helpers.call_action("agreement_list", anniversary_within=60)["results"]
    assert [a["organization"] for a in near] == [demo.VERDON]
    # the organization's activity stream tells it, without the breaches
    stream = helpers.call_action(
        "organization_activity_list", context={"user": "", "ignore_auth": False}, id=demo.VERDON
    )
    served = [a for a in stream if a["activity_type"] == "agreement notice served"]
    assert len(served) == 1
    assert "anonymisation" not in str(served[0]["data"])


def _journal(user: str, **filters) -> list[dict]:
    context = {"user": user, "ignore_auth": False}
    return helpers.call_action("publication_journal_list", context=context, **filters)["results"]


def test_publication_as_the_partners_left_it(demo_loaded):
    # the terms of use in force, accepted by each partner
    for org in demo.ORGANIZATIONS:
        assert helpers.call_action("terms_status", organization=org["name"])["accepted"]
    # every public dataset was published by its partner, journal and all
    published = _journal(demo.SYSADMIN, action="published")
    assert len(published) == len([d for d in demo.DATASETS if not d.get("private")])
    assert {entry["actor"] for entry in published} == {"cd13-editor", "digne-editor", "verdon-editor"}
    # withdrawn: published, then withdrawn by the partner with its reason; not public
    for name, reason in demo.WITHDRAWN.items():
        shown = helpers.call_action("package_show", id=name)
        assert (shown["publication_status"], shown["private"]) == ("withdrawn", True)
        history = [(e["action"], e["reason"]) for e in _journal(demo.SYSADMIN, dataset=name)]
        assert history == [("withdrawn", reason), ("published", None)]
    # a draft, never published
    draft = helpers.call_action("package_show", id=demo.DRAFTS[0]["name"])
    assert (draft["state"], draft["publication_status"]) == ("draft", "draft")
    # one open claim, read by the partner's admin
    claims = helpers.call_action(
        "claim_list", context={"user": "cd13-admin", "ignore_auth": False}, organization=demo.CD13
    )["results"]
    assert [(c["dataset_name"], c["status"], c["filed_by"]) for c in claims] == [
        ("beneficiaires-rsa-par-commune", "open", "digne-member")
    ]


def test_the_challenge_cohort_sees_digne_s_sandbox_the_public_does_not(demo_loaded):
    assert demo.SANDBOX and demo_loaded.get("sandbox", "created") == len(demo.SANDBOX)
    # verdon holds a Challenge agreement in force too: its members are of the cohort
    cohort = _search("verdon-member", include_private=True, rows=1000)["results"]
    assert set(demo.SANDBOX) <= {d["name"] for d in cohort}
    for name in demo.SANDBOX:
        helpers.call_action("package_show", context={"user": "verdon-member", "ignore_auth": False}, id=name)
    public = {d["name"] for d in _search("", include_private=True, rows=1000)["results"]}
    partner = {d["name"] for d in _search("cd13-editor", include_private=True, rows=1000)["results"]}
    assert not set(demo.SANDBOX) & (public | partner)
