"""The demo data (`make demo`): complete, visible as it should be, and safe to load again."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import helpers

from ckanext.datasud_partnership import demo

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
    assert demo_loaded.get("dataset", "created") == len(demo.DATASETS) >= 24


def test_second_load_through_the_command_changes_nothing(demo_loaded, cli):
    before = _counts()

    result = cli.invoke(ckan, ["datasud-partnership", "demo-data"])

    assert result.exit_code == 0, result.output
    assert _counts() == before
    assert f"datasets: 0 created, 0 updated, {len(demo.DATASETS)} unchanged" in result.output
    assert "users: 0 created, 0 updated" in result.output
    assert "memberships: 0 created, 0 updated" in result.output
    assert "cd13-editor" in result.output
    assert demo.DEMO_PASSWORD in result.output
    # the index holds each dataset once
    assert _search(demo.SYSADMIN, include_private=True, rows=0)["count"] == before["datasets"]


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
    assert {d["organization"]["name"] for d in datasets} == {demo.CD13, demo.DIGNE}
    assert len({d["license_id"] for d in datasets}) >= 5
    formats = {r["format"] for d in datasets for r in d["resources"]}
    assert {"CSV", "JSON", "GeoJSON", "PDF", "XLSX", "SHP", "API"} <= formats
    assert any("é" in d["title"] for d in datasets)
    # the partner publishes: each dataset was created by its organization's editor
    editors = {demo.CD13: "cd13-editor", demo.DIGNE: "digne-editor"}
    for dataset in datasets:
        creator = model.User.get(dataset["creator_user_id"])
        assert creator.name == editors[dataset["organization"]["name"]]


def test_anonymous_search_sees_only_public_datasets(demo_loaded):
    public = [d["name"] for d in demo.DATASETS if not d.get("private")]

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
    assert f"datasets: 0 created, 0 updated, {len(demo.DATASETS)} unchanged" in second
    assert "http://127.0.0.1:5000" in second
    assert "ckan.plugins=datasud_pgsearch datasud_partnership scheming_datasets activity harvest" in written
    assert "ckan.site_title=DataSud (démo)" in written
    assert f"ckan.storage_path={tmp_path}/storage" in written
