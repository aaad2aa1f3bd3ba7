"""The demo data (`make demo`): complete, visible as it should be, and safe to load again."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import helpers

from ckanext.datasud_partnership import demo, mail_sink
from ckanext.datasud_partnership.agreements.model import Agreement, AgreementEvent, Amendment, Notice
from tests.test_demo_contents import _agreement, _search

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


@pytest.fixture
def demo_loaded(clean_db, clean_index) -> demo.LoadReport:
    return demo.load_demo_data()


def test_second_load_through_the_command_changes_nothing(demo_loaded, cli):
    before = _counts()

    result = cli.invoke(ckan, ["datasud-partnership", "demo-data"])

    assert result.exit_code == 0, result.output
    assert _counts() == before
    # in the portal's language, through the catalogue
    assert "Données de démonstration chargées :" in result.output
    assert (
        f"jeux de données : 0 créé(s), 0 mis à jour, {len(demo.DATASETS) + len(demo.DRAFTS)} inchangé(s)"
        in result.output
    )
    assert "retraits : 0 créé(s), 0 mis à jour, 2 inchangé(s)" in result.output
    assert "signalements : 0 créé(s), 0 mis à jour, 1 inchangé(s)" in result.output
    assert "conventions : 0 créé(s), 0 mis à jour, 6 inchangé(s)" in result.output
    assert "utilisateurs : 0 créé(s), 0 mis à jour" in result.output
    assert "adhésions : 0 créé(s), 0 mis à jour" in result.output
    assert "Mot de passe de tous les comptes" in result.output
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

    assert demo_loaded.get("agreement", "created") == 6
    assert again.get("agreement", "unchanged") == 6
    assert first == _agreement_rows()
    assert {k: first[k] for k in ("agreements", "amendments", "notices")} == {
        "agreements": 6,
        "amendments": 1,
        "notices": 1,
    }
    statuses = {a["reference"]: a["status"] for a in helpers.call_action("agreement_list")["results"]}
    assert statuses == {
        "CONV-DATASUD-013": "terminating",  # at its next anniversary
        "CONV-DATASUD-013-V2": "signed",  # scheduled to follow it the next day
        "COD-S2-2022-DIGNE": "in_force",
        "CONV-DATASUD-HV-004": "in_force_under_notice",
        "COD-S4-HV": "in_force",  # a Challenge agreement of the current season
        "CONV-DATASUD-DIGNE-2020": "terminated",
    }
    current, successor = (_by_reference(r) for r in ("CONV-DATASUD-013", "CONV-DATASUD-013-V2"))
    assert successor["in_force_from"] == current["termination"]["effective_on"]
    letters = {
        reference: [d["letter"]["letter"] for d in _by_reference(reference)["documents"] if d.get("letter")]
        for reference in ("CONV-DATASUD-HV-004", "CONV-DATASUD-DIGNE-2020", "CONV-DATASUD-013")
    }
    assert letters == {
        "CONV-DATASUD-HV-004": ["formal_notice"],
        "CONV-DATASUD-DIGNE-2020": ["termination"],
        "CONV-DATASUD-013": ["termination"],
    }
    assert _by_reference("CONV-DATASUD-DIGNE-2020")["termination"]["motives"].startswith("La commune publie")


def _by_reference(reference: str) -> dict:
    listed = helpers.call_action("agreement_list", limit=100)["results"]
    return helpers.call_action(
        "agreement_show", id=next(a["id"] for a in listed if a["reference"] == reference)
    )


def test_a_load_completes_what_an_agreement_misses(demo_loaded):
    challenge = _agreement(demo.DIGNE)
    helpers.call_action("agreement_milestone_update", id=challenge["id"], code="lancement", done_on="")

    report = demo.load_demo_data()

    assert report.get("agreement", "updated") == 1
    assert report.get("agreement", "created") == 0
    assert _agreement(demo.DIGNE)["milestones"][0]["done_on"] == "2022-03-29"


@pytest.mark.usefixtures("clean_db")
def test_demo_script_keeps_its_configuration(tmp_path, ckan_config):
    """bin/demo.sh run twice, without the server, on the test database."""
    ini = tmp_path / "demo.ini"
    env = {
        **os.environ,
        "DEMO_INI": str(ini),
        "DEMO_DB_URL": ckan_config["sqlalchemy.url"],
        "DEMO_REDIS_URL": ckan_config["ckan.redis.url"],
        "DEMO_SMTP_PORT": str(mail_sink.free_port()),
        "DEMO_MAIL_DIR": str(tmp_path / "mail"),
        "DEMO_NO_SERVER": "1",
    }

    def run() -> str:
        done = subprocess.run(
            ["bash", "bin/demo.sh"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    first = run()
    written = ini.read_text(encoding="utf-8")
    second = run()

    # every e-mail of the demo went to the local sink, none failed, no traceback
    assert "Traceback" not in first + second
    assert "SMTP sink on 127.0.0.1:" in first
    sent = sorted((tmp_path / "mail").glob("*.eml"))
    assert sent, first
    assert f"Envoyés : {len(sent)}" in second and "En échec : 0" in second and "En attente : 0" in second
    assert f"smtp.server=127.0.0.1:{env['DEMO_SMTP_PORT']}" in written

    assert ini.read_text(encoding="utf-8") == written
    assert "exists: kept as it is" in second
    assert (
        f"jeux de données : 0 créé(s), 0 mis à jour, {len(demo.DATASETS) + len(demo.DRAFTS)} inchangé(s)"
        in second
    )
    assert "http://127.0.0.1:5000" in second
    assert "ckan.plugins=datasud_pgsearch datasud_partnership scheming_datasets activity harvest" in written
    assert "ckan.site_title=DataSud (démo)" in written
    assert f"ckan.storage_path={tmp_path}/storage" in written
    # the login cookies stay off other sites' requests (CKAN's remember-me default is None)
    assert "REMEMBER_COOKIE_SAMESITE=Lax" in written and "SESSION_COOKIE_SAMESITE=Lax" in written
    # no empty Domain= on the session cookie (http.cookiejar would drop it)
    assert "SESSION_COOKIE_DOMAIN" not in written
