"""The portal team's agreement pages through CKAN's test app."""

from __future__ import annotations

import csv
import io

import pytest

from tests.publication.conftest import act
from tests.ui.pages import get, login, post

pytestmark = pytest.mark.usefixtures("partner")


def test_only_sysadmins(app, partner):
    url = f"/ckan-admin/agreements/{partner['agreement']['id']}"
    for user in (None, "cd13-admin"):  # anonymous, then the partner's admin
        if user:
            login(app, user)
        get(app, "/ckan-admin/agreements/", status=403)
        get(app, "/ckan-admin/agreements/agreements.csv", status=403)
        get(app, url, status=403)
        get(app, "/ckan-admin/terms-of-use/", status=403)


def test_table_filters_and_csv(app, agreement_factory):
    agreement_factory(organization="nice", reference="CONV-NICE")  # a draft
    login(app, "region-team")
    page = get(app, "/ckan-admin/agreements/")
    assert "CONV-CD13" in page.body and "CONV-NICE" in page.body and "2 conventions" in page.body
    page = get(app, "/ckan-admin/agreements/?status=draft")
    assert "CONV-NICE" in page.body and "CONV-CD13" not in page.body
    page = get(app, "/ckan-admin/agreements/?soon=anniversary")
    assert "CONV-NICE" not in page.body
    response = get(app, "/ckan-admin/agreements/agreements.csv?status=in_force&header=names&separator=,")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["reference"] for r in rows] == ["CONV-CD13"] and rows[0]["status"] == "in_force"
    # the page's default in French: for Excel (";", a byte-order mark, French headers)
    excel = get(app, "/ckan-admin/agreements/agreements.csv?status=in_force").get_data(as_text=True)
    assert excel.startswith("\ufeffRéférence;Identifiant de l'organisation;Organisation;")
    assert "CONV-CD13;" in excel
    english = get(app, "/en/ckan-admin/agreements/agreements.csv?status=in_force").get_data(as_text=True)
    assert english.startswith("Reference,Organization id,Organization,Kind,Status")
    page = get(app, "/ckan-admin/agreements/?status=nope")
    assert "alert-danger" in page.body


def test_create_sign_notify_from_draft_to_in_force(app):
    login(app, "region-team")
    page = post(
        app, "/ckan-admin/agreements/new", {"organization": "nice", "kind": "datasud_partnership"}, status=400
    )
    assert "alert-danger" in page.body  # the reference is missing: the action says so
    response = post(
        app,
        "/ckan-admin/agreements/new",
        {"organization": "nice", "kind": "datasud_partnership", "reference": "CONV-NICE"},
        status=302,
    )
    url = response.headers["Location"].replace("http://test.ckan.net", "")
    page = get(app, url)
    assert "Projet de convention" in page.body and "Enregistrer la signature" in page.body
    agreement_id = url.rstrip("/").split("/")[-1]
    post(app, url, {"signed_on": "2026-01-10"}, status=302, action=f"{url}/sign")
    post(app, url, {"notified_on": "2026-01-20"}, status=302, action=f"{url}/notify")
    assert act("agreement_show", user="region-team", id=agreement_id)["status"] == "in_force"
    # a refusal of the action shows in place
    page = post(
        app, url, {"deadline": "2020-01-01", "breaches": "x"}, status=400, action=f"{url}/notice_serve"
    )
    assert "alert-danger" in page.body
    # without the CSRF token, nothing
    post(app, url, {"reason": "x"}, status=400, token=False, action=f"{url}/cancel")
