"""Claims through the web UI: a visitor reports a problem, the partner's
admins answer and close it."""

from __future__ import annotations

import pytest

from tests.profile.conftest import complete
from tests.publication.conftest import DECLARATION, act
from tests.ui.pages import get, login, post

pytestmark = pytest.mark.usefixtures("partner")


@pytest.fixture
def parkings():
    return act("package_create", **complete("parkings", private=False, publication_declaration=DECLARATION))


def test_report_answer_close(app, parkings):
    get(app, "/dataset/claim/parkings", status=302)  # anonymous: log in first
    login(app, "outsider")
    assert "/dataset/claim/parkings" in get(app, "/dataset/parkings").body
    page = post(app, "/dataset/claim/parkings", {"kind": "personal_data", "description": ""}, status=400)
    assert "alert-danger" in page.body
    post(
        app,
        "/dataset/claim/parkings",
        {"kind": "personal_data", "description": "Des noms de personnes en colonne C."},
        status=302,
    )
    get(app, "/organization/claims/cd13", status=403)  # not its admin
    login(app, "cd13-admin")
    page = get(app, "/organization/claims/cd13")
    assert "Des noms de personnes en colonne C." in page.body and "Ouvert" in page.body
    claim_id = act("claim_list", user="cd13-admin", organization="cd13")["results"][0]["id"]
    base = f"/organization/claims/cd13/{claim_id}"
    post(app, "/organization/claims/cd13", {"text": "Nous vérifions."}, status=302, action=f"{base}/answer")
    post(
        app,
        "/organization/claims/cd13",
        {"outcome": "corrected", "text": "Colonne supprimée."},
        status=302,
        action=f"{base}/resolve",
    )
    page = get(app, "/organization/claims/cd13")
    assert "Nous vérifions." in page.body and "Clos : Corrigé" in page.body


def test_partner_admin_terminates_alone_in_the_modes_the_kind_allows(app, partner):
    login(app, "cd13-editor")
    assert "Résilier cette convention" not in get(app, "/organization/convention/cd13").body
    login(app, "cd13-admin")
    page = get(app, "/organization/convention/cd13")
    assert "Résilier cette convention" in page.body
    assert 'value="anniversary"' in page.body and 'value="fault"' not in page.body
    post(
        app,
        "/organization/convention/cd13",
        {"id": partner["agreement"]["id"], "mode": "anniversary", "reason": "Fin du partenariat"},
        status=302,
        action="/organization/convention/cd13/terminate",
    )
    shown = act("agreement_show", user="region-team", id=partner["agreement"]["id"])
    assert shown["status"] == "terminating" and shown["termination"]["initiator"] == "partner"
    # a mode the partner may not use alone: the action refuses
    page = post(
        app,
        "/organization/convention/cd13",
        {"id": partner["agreement"]["id"], "mode": "fault"},
        status=403,
        action="/organization/convention/cd13/terminate",
    )


def test_terms_versions_page(app):
    get(app, "/ckan-admin/terms-of-use/", status=403)
    login(app, "region-team")
    page = get(app, "/ckan-admin/terms-of-use/")
    assert "CGU DataSud" in page.body
    page = post(app, "/ckan-admin/terms-of-use/", {"version": "2", "title": "CGU 2"}, status=400)
    assert "alert-danger" in page.body  # the URL is missing: the action says so
    post(
        app,
        "/ckan-admin/terms-of-use/",
        {"version": "2", "title": "CGU 2027", "url": "https://datasud.example/cgu-2027"},
        status=302,
    )
    assert act("terms_status", user=None, organization="cd13")["accepted"] is False


def test_milestones_and_amendment_of_a_challenge_agreement(app, challenge):
    login(app, "region-team")
    url = f"/ckan-admin/agreements/{challenge['id']}"
    page = get(app, url)
    assert "Réunion de lancement" in page.body and "datasud-op-amend" in page.body
    code = challenge["milestones"][0]["code"] if challenge.get("milestones") else None
    if code is None:
        code = act("agreement_show", user="region-team", id=challenge["id"])["milestones"][0]["code"]
    post(app, url, {"code": code, "done_on": "2026-03-15"}, status=302, action=f"{url}/milestone_update")
    post(
        app,
        url,
        {"signed_on": "2026-06-01", "description": "Prolongation", "end_on": "2028-06-30"},
        status=302,
        action=f"{url}/amend",
    )
    shown = act("agreement_show", user="region-team", id=challenge["id"])
    assert shown["milestones"][0]["done_on"] == "2026-03-15"
    assert shown["amendments"][0]["description"] == "Prolongation"
    assert "1 sur 13 réalisés" in get(app, url).body  # 12 sessions and the publication step
