"""The demo data (`make demo`): complete, visible as it should be, and safe to load again."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import helpers

from ckanext.datasud_partnership import demo
from ckanext.datasud_partnership.agreements.model import Agreement, AgreementEvent, Amendment, Notice

REPO = Path(__file__).resolve().parents[1]


def _counts() -> dict[str, int]:
    query = model.Session.query
    return {
        "users": query(model.User).count(),
        "organizations": query(model.Group).filter_by(is_organization=True).count(),
        "memberships": query(model.Member).filter_by(table_name="user", state="active").count(),
        "datasets": query(model.Package).count(),
        "resources": query(model.Resource).filter_by(state="active").count(),
        "tags": query(model.Tag).count(),
    }


def _search(user: str, **params) -> dict:
    return helpers.call_action("package_search", context={"user": user, "ignore_auth": False}, **params)


@pytest.fixture
def demo_loaded(clean_db, clean_index) -> demo.LoadReport:
    return demo.load_demo_data()


def test_first_load_creates_everything(demo_loaded):
    assert demo_loaded.get("user", "created") == len(demo.USERS)
    assert demo_loaded.get("organization", "created") == len(demo.ORGANIZATIONS)
    assert demo_loaded.get("dataset", "created") == len(demo.DATASETS) + len(demo.DRAFTS) >= 25
    assert demo_loaded.get("withdrawal", "created") == len(demo.WITHDRAWN) == 2
    assert demo_loaded.get("claim", "created") == len(demo.CLAIMS) == 1


def test_second_load_through_the_command_changes_nothing(demo_loaded, cli):
    before = _counts()

    result = cli.invoke(ckan, ["datasud-partnership", "demo-data"])

    assert result.exit_code == 0, result.output
    assert _counts() == before
    assert (
        f"datasets: 0 created, 0 updated, {len(demo.DATASETS) + len(demo.DRAFTS)} unchanged" in result.output
    )
    assert "withdrawals: 0 created, 0 updated, 2 unchanged" in result.output
    assert "claims: 0 created, 0 updated, 1 unchanged" in result.output
    assert "agreements: 0 created, 0 updated, 3 unchanged" in result.output
    assert "users: 0 created, 0 updated" in result.output
    assert "memberships: 0 created, 0 updated" in result.output
    assert "cd13-editor" in result.output
    assert demo.DEMO_PASSWORD in result.output
    # the index holds each dataset once
    assert (
        _search(demo.SYSADMIN, include_private=True, include_drafts=True, rows=0)["count"]
        == before["datasets"]
    )


def test_a_load_restores_what_was_changed(demo_loaded):
    editor = {"user": "cd13-editor"}
    helpers.call_action("package_patch", editor, id="colleges-publics-bouches-du-rhone", title="Autre titre")
    helpers.call_action("organization_member_create", id=demo.CD13, username="cd13-member", role="editor")
    helpers.call_action("package_delete", {"user": "digne-editor"}, id="defibrillateurs-digne-les-bains")

    report = demo.load_demo_data()

    assert report.get("dataset", "updated") == 2
    assert report.get("membership", "updated") == 1
    assert report.get("dataset", "created") == report.get("user", "created") == 0
    shown = helpers.call_action("package_show", id="colleges-publics-bouches-du-rhone")
    assert shown["title"] == "Collèges publics des Bouches-du-Rhône"
    assert len(shown["resources"]) == 2
    restored = helpers.call_action("package_show", id="defibrillateurs-digne-les-bains")
    assert restored["state"] == "active"
    assert _search("", fq="name:defibrillateurs-digne-les-bains")["count"] == 1


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


def _agreement(organization: str) -> dict:
    """The organization's only agreement, as the region's team reads it."""
    found = helpers.call_action("agreement_list", organization=organization)
    assert found["count"] == 1, found
    return helpers.call_action("agreement_show", id=found["results"][0]["id"])


def _agreement_rows() -> dict[str, int]:
    query = model.Session.query
    return {
        "agreements": query(Agreement).count(),
        "events": query(AgreementEvent).count(),
        "amendments": query(Amendment).count(),
        "notices": query(Notice).count(),
    }


def test_agreements_after_two_loads(demo_loaded):
    first = _agreement_rows()
    again = demo.load_demo_data()

    assert demo_loaded.get("agreement", "created") == 3
    assert again.get("agreement", "unchanged") == 3
    assert _agreement_rows() == first == {"agreements": 3, "events": 21, "amendments": 1, "notices": 1}
    statuses = {a["organization"]: a["status"] for a in helpers.call_action("agreement_list")["results"]}
    assert statuses == {demo.CD13: "in_force", demo.DIGNE: "in_force", demo.VERDON: "in_force_under_notice"}


def test_a_load_completes_what_an_agreement_misses(demo_loaded):
    challenge = _agreement(demo.DIGNE)
    helpers.call_action("agreement_milestone_update", id=challenge["id"], code="lancement", done_on="")

    report = demo.load_demo_data()

    assert report.get("agreement", "updated") == 1
    assert report.get("agreement", "created") == 0
    assert _agreement(demo.DIGNE)["milestones"][0]["done_on"] == "2022-03-29"


def test_the_datasud_partnership_of_the_departement(demo_loaded):
    shown = _agreement(demo.CD13)

    assert shown["kind"] == "datasud_partnership"
    assert shown["status"] == "in_force"
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


@pytest.mark.usefixtures("clean_db")
def test_demo_script_keeps_its_configuration(tmp_path, ckan_config):
    """bin/demo.sh run twice, without the server, on the test database."""
    ini = tmp_path / "demo.ini"
    env = {
        **os.environ,
        "DEMO_INI": str(ini),
        "DEMO_DB_URL": ckan_config["sqlalchemy.url"],
        "DEMO_NO_SERVER": "1",
    }

    def run() -> str:
        done = subprocess.run(
            ["bash", "bin/demo.sh"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run()
    written = ini.read_text(encoding="utf-8")
    second = run()

    assert ini.read_text(encoding="utf-8") == written
    assert "exists: kept as it is" in second
    assert f"datasets: 0 created, 0 updated, {len(demo.DATASETS) + len(demo.DRAFTS)} unchanged" in second
    assert "http://127.0.0.1:5000" in second
    assert "ckan.plugins=datasud_pgsearch datasud_partnership scheming_datasets activity harvest" in written
    assert "ckan.site_title=DataSud (démo)" in written
    assert f"ckan.storage_path={tmp_path}/storage" in written


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
