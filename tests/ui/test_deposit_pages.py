"""The simplified deposit through CKAN's test app: three steps, a draft kept
between them."""

from __future__ import annotations

import io

import pytest
from ckan import model

from tests.publication.conftest import act, published
from tests.ui.pages import get, login, post

pytestmark = pytest.mark.usefixtures("partner")


def test_anonymous_is_sent_to_login_and_a_user_without_publishing_rights_refused(app):
    response = get(app, "/deposit/", status=302)
    assert "/user/login" in response.headers["Location"]
    login(app, "outsider")
    get(app, "/deposit/", status=403)


def test_three_steps_keep_a_draft_then_publish(app):
    login(app, "cd13-editor")
    page = get(app, "/deposit/")
    assert "Étape 1 sur 3" in page.body and 'name="_csrf_token"' in page.body
    org = model.Group.get("cd13")
    # step 1: nothing given
    page = post(app, "/deposit/", {"owner_org": org.id, "title": "Vélos"}, status=400)
    assert "Choisissez un fichier" in page.body
    # step 1: a link
    response = post(
        app,
        "/deposit/",
        {"owner_org": org.id, "title": "Stations vélo", "url": "https://cd13.example/velo.csv"},
        status=302,
    )
    assert response.headers["Location"].endswith("/deposit/stations-velo/describe")
    pkg = act("package_show", id="stations-velo")
    assert pkg["state"] == "draft" and pkg["private"]
    assert pkg["resources"][0]["url"] == "https://cd13.example/velo.csv"
    # step 2: the description, kept on the draft
    page = get(app, "/deposit/stations-velo/describe")
    assert "Étape 2 sur 3" in page.body and "Stations vélo" in page.body
    post(
        app,
        "/deposit/stations-velo/describe",
        {
            "title": "Stations vélo",
            "notes": "Les stations de vélos en libre-service.",
            "theme": "mobilite",
            "tag_string": "vélo, mobilité",
            "spatial_text": "Bouches-du-Rhône",
            "temporal_start": "2026-01-01",
        },
        status=302,
    )
    pkg = act("package_show", id="stations-velo")
    assert pkg["notes"].startswith("Les stations") and pkg["theme"] == ["mobilite"]
    assert pkg["state"] == "draft"
    # step 2 again: a bad date is refused in place
    page = post(app, "/deposit/stations-velo/describe", {"temporal_start": "demain"}, status=400)
    assert "alert-danger" in page.body
    # step 3: licence, declaration, publish
    page = get(app, "/deposit/stations-velo/publish")
    assert "Étape 3 sur 3" in page.body and "La description est complète." in page.body
    post(
        app,
        "/deposit/stations-velo/publish",
        {"license_id": "lo-2.0", "personal_data": "none", "text_version": "2026-01"},
        status=302,
    )
    assert published("stations-velo")


def test_upload_a_file(app):
    login(app, "cd13-editor")
    org = model.Group.get("cd13")
    page = get(app, "/deposit/")
    import re

    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.body).group(1)
    response = app.post(
        "/deposit/",
        data={
            "_csrf_token": token,
            "owner_org": org.id,
            "title": "Comptages",
            "upload": (io.BytesIO(b"station,count\nA,3\n"), "comptages.csv"),
        },
        base_url="http://localhost",
        follow_redirects=False,
        status=302,
    )
    assert response.status_code == 302
    pkg = act("package_show", id="comptages")
    assert pkg["resources"][0]["url_type"] == "upload"
    assert pkg["resources"][0]["url"].endswith("comptages.csv")


def test_step_two_on_a_published_dataset_does_not_call_it_a_draft(app):
    from tests.profile.conftest import complete
    from tests.publication.conftest import DECLARATION, act

    act("package_create", **complete("velos", private=False, publication_declaration=DECLARATION))
    login(app, "cd13-editor")
    page = get(app, "/deposit/velos/describe").body
    assert "est publié" in page and "brouillon" not in page
