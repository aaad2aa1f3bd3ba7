"""The dataset's pages through CKAN's test app: badge, publish, withdraw, journal."""

from __future__ import annotations

import pytest

from tests.profile.conftest import complete
from tests.publication.conftest import DECLARATION, act, published
from tests.ui.pages import get, login, post

pytestmark = pytest.mark.usefixtures("partner")


def draft(name: str = "parkings", **fields):
    return act("package_create", **complete(name, private=True, **fields))


def test_dataset_page_shows_the_status_badge_and_publish_button(app):
    draft()
    login(app, "cd13-editor")
    page = get(app, "/dataset/parkings")
    assert 'data-publication-status="never_published"' in page.body
    assert "Jamais publié" in page.body
    assert "/dataset/publish/parkings" in page.body
    assert "Journal des publications" in page.body


def test_publish_page_shows_licences_declaration_and_checklist(app):
    draft(notes="")
    login(app, "cd13-editor")
    page = get(app, "/dataset/publish/parkings")
    assert page.status_code == 200
    body = page.body
    assert "Licence Ouverte" in body and "notspecified" not in body
    assert "2026-01" in body  # the declaration text version
    assert "CONV-CD13" in body  # the agreement in force
    assert "Description" in body  # missing: the description
    assert 'name="_csrf_token"' in body


def test_publish_refused_shows_every_reason_and_changes_nothing(app):
    draft(notes="", license_id="notspecified")
    login(app, "cd13-editor")
    page = post(app, "/dataset/publish/parkings", {"text_version": "2026-01", "license_id": ""}, status=400)
    assert "Publication refusée" in page.body
    assert "« Licence non spécifiée »" in page.body  # by its title, not its code
    assert not published("parkings")


def test_publish_then_withdraw(app):
    draft()
    login(app, "cd13-editor")
    post(
        app,
        "/dataset/publish/parkings",
        {"text_version": "2026-01", "license_id": "lo-2.0", "personal_data": "none"},
        status=302,
    )
    assert published("parkings")
    page = get(app, "/dataset/parkings")
    assert "Publié le" in page.body and "Licence Ouverte" in page.body
    assert "/dataset/withdraw/parkings" in page.body
    post(app, "/dataset/withdraw/parkings", {"reason": "Erreur de fichier"}, status=302)
    assert not published("parkings")
    assert "Retiré" in get(app, "/dataset/parkings").body
    journal = get(app, "/dataset/journal/parkings")
    assert "Erreur de fichier" in journal.body and "Aucune donnée personnelle" in journal.body


def test_publish_refused_without_csrf_token_and_to_a_member(app):
    draft()
    login(app, "cd13-editor")
    post(
        app,
        "/dataset/publish/parkings",
        {"text_version": "2026-01", "license_id": "lo-2.0", "personal_data": "none"},
        status=400,
        token=False,
    )
    assert not published("parkings")
    login(app, "cd13-member")
    get(app, "/dataset/publish/parkings", status=403)
    assert "/dataset/publish/" not in get(app, "/dataset/parkings").body


def test_anonymous_sees_no_journal_tab(app):
    act(
        "package_create",
        **complete(
            "public-one",
            private=False,
            publication_declaration={"personal_data": "none", "text_version": "2026-01"},
        ),
    )
    page = get(app, "/dataset/public-one")
    assert "Publié" in page.body
    assert "/dataset/journal/" not in page.body
    get(app, "/dataset/journal/public-one", status=403)


def test_publish_page_shows_the_declaration_text_as_recorded(app):
    draft()
    act(
        "declaration_version_create",
        user="region-team",
        version="2026-12",
        text_fr="Texte de déclaration n° 2 : aucune donnée personnelle.",
        text_en="Declaration text no. 2: no personal data.",
    )
    login(app, "cd13-editor")
    body = get(app, "/dataset/publish/parkings").body
    assert "Texte de déclaration n° 2 : aucune donnée personnelle." in body
    assert 'name="text_version" value="2026-12"' in body
    english = get(app, "/en/dataset/publish/parkings").body
    assert "Declaration text no. 2: no personal data." in english


def test_the_dataset_form_never_offers_public_and_leads_to_the_publish_page(app):
    """One way to publish: CKAN's form has no "Public" to choose; it keeps a
    dataset private and points to the Publish page (or Withdraw)."""
    login(app, "cd13-editor")
    new = get(app, "/dataset/new").body
    assert 'id="field-private"' not in new and '<option value="False"' not in new
    assert '<input type="hidden" name="private" value="True">' in new
    assert "publiez-le depuis sa page" in new

    draft()
    edit = get(app, "/dataset/edit/parkings").body
    assert '<option value="False"' not in edit
    assert '<input type="hidden" name="private" value="True">' in edit
    assert "/dataset/publish/parkings" in edit

    act("dataset_publish", id="parkings", publication_declaration=DECLARATION)
    edit = get(app, "/dataset/edit/parkings").body
    assert '<input type="hidden" name="private" value="False">' in edit  # saving keeps it published
    assert "/dataset/withdraw/parkings" in edit


def test_the_portal_team_neither_sees_publish_nor_withdraws_without_a_ground(app):
    draft()
    login(app, "region-team")
    assert "/dataset/publish/parkings" not in get(app, "/dataset/parkings").body
    get(app, "/dataset/publish/parkings", status=403)
    # a never-published dataset has nothing to withdraw: back to its page
    assert get(app, "/dataset/withdraw/parkings", status=302).location.endswith("/dataset/parkings")

    act("dataset_publish", id="parkings", publication_declaration=DECLARATION)
    claim = act(
        "claim_create",
        user="outsider",
        dataset="parkings",
        kind="personal_data",
        description="Mon nom y figure.",
    )
    page = get(app, "/dataset/withdraw/parkings").body
    assert 'name="ground_type"' in page and claim["id"] in page and "Mon nom y figure." in page
    refused = post(app, "/dataset/withdraw/parkings", {"reason": "Signalement"}, status=400)
    assert 'id="ground-error"' in refused.body  # the refusal, tied to the ground's fieldset
    assert published("parkings")
    post(
        app,
        "/dataset/withdraw/parkings",
        {"reason": "Signalement", "ground_type": "claim", "claim_id": claim["id"]},
        status=302,
    )
    assert not published("parkings")
    entry = act("publication_journal_list", user="region-team", dataset="parkings")["results"][0]
    assert entry["action"] == "withdrawn" and entry["ground"]["type"] == "claim"
    assert entry["ground"]["claim_id"] == claim["id"]


def test_the_portal_team_withdraws_on_a_legal_takedown(app):
    act("package_create", **complete("parkings", private=False, publication_declaration=DECLARATION))
    login(app, "region-team")
    post(
        app,
        "/dataset/withdraw/parkings",
        {"reason": "Décision de justice", "ground_type": "takedown", "takedown_text": "TA Marseille, 3 mars"},
        status=302,
    )
    assert not published("parkings")
    entry = act("publication_journal_list", user="region-team", dataset="parkings")["results"][0]
    assert entry["ground"] == {"type": "takedown", "text": "TA Marseille, 3 mars"}


def test_the_theme_facet_of_the_search_and_the_organization_page(app):
    act("package_create", **complete("parkings", private=False, publication_declaration=DECLARATION))
    act(
        "package_create",
        **complete(
            "musees", private=False, publication_declaration=DECLARATION, theme=["culture-patrimoine"]
        ),
    )
    found = act("package_search", user=None, **{"facet.field": '["vocab_theme"]'})
    counts = {i["name"]: i["count"] for i in found["search_facets"]["vocab_theme"]["items"]}
    assert counts.get("culture-patrimoine") == 1
    login(app, None)
    page = get(app, "/dataset/").body
    assert "Thèmes" in page and "Culture et patrimoine" in page
    assert "/dataset/?vocab_theme=culture-patrimoine" in page
    english = get(app, "/en/dataset/").body
    assert "Themes" in english and "Culture and heritage" in english
    org = get(app, "/organization/cd13").body
    assert "vocab_theme=culture-patrimoine" in org
    one = get(app, "/dataset/?vocab_theme=culture-patrimoine").body
    assert "musees" in one and "/dataset/parkings" not in one


def test_moments_are_shown_in_the_portal_s_time_zone(app):
    from freezegun import freeze_time

    draft()
    with freeze_time("2026-07-04 10:00:00"):  # UTC: noon in Paris (summer time)
        act("dataset_publish", id="parkings", publication_declaration=DECLARATION)
    login(app, "cd13-member")
    page = get(app, "/dataset/journal/parkings").body
    table = page[page.index("datasud-journal") : page.index("</table>")]
    assert "4 juillet 2026, 12:00" in table and "10:00" not in table
