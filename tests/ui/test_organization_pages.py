"""The organization's pages through CKAN's test app: the Convention tab, the
publication journal, the terms of use."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.profile.conftest import complete
from tests.publication.conftest import DECLARATION, act, published
from tests.ui.pages import get, login, post

pytestmark = pytest.mark.usefixtures("partner")


def days(n: int) -> str:
    return (dt.date.today() + dt.timedelta(days=n)).isoformat()


def test_convention_tab_shows_the_register_to_anybody(app):
    page = get(app, "/organization/convention/cd13")
    assert "CONV-CD13" in page.body
    assert 'data-agreement-status="in_force"' in page.body and "En vigueur" in page.body
    assert "31 janvier 2024" in page.body  # in force since, in words
    assert "Historique" not in page.body  # the history is for the partner's admins
    assert "/organization/convention/cd13" in get(app, "/organization/cd13").body
    page = get(app, "/organization/convention/nice")
    assert "Aucune convention n'est en vigueur" in page.body


def test_convention_tab_for_the_partner_admin_history_and_notice(app, partner):
    agreement = partner["agreement"]
    act(
        "agreement_notice_serve",
        user="region-team",
        id=agreement["id"],
        served_by="operator",
        breaches="Données non mises à jour",
        served_on=days(-5),
        deadline=days(25),
    )
    login(app, "cd13-admin")
    page = get(app, "/organization/convention/cd13")
    assert "Historique" in page.body and "Mise en demeure notifiée" in page.body
    assert "datasud-notice" in page.body and "Données non mises à jour" in page.body
    assert 'name="observations"' in page.body
    post(
        app,
        "/organization/convention/cd13",
        {"agreement_id": agreement["id"], "observations": "Mise à jour faite le 3."},
        status=302,
        action="/organization/convention/cd13/observations",
    )
    page = get(app, "/organization/convention/cd13")
    assert "Mise à jour faite le 3." in page.body


def test_convention_observations_refused_for_an_editor(app, partner):
    act(
        "agreement_notice_serve",
        user="region-team",
        id=partner["agreement"]["id"],
        served_by="operator",
        breaches="x",
        served_on=days(-5),
        deadline=days(25),
    )
    login(app, "cd13-editor")
    page = get(app, "/organization/convention/cd13")
    assert "datasud-notice" in page.body and 'name="observations"' not in page.body
    post(
        app,
        "/organization/convention/cd13",
        {"agreement_id": partner["agreement"]["id"], "observations": "x"},
        status=403,
        action="/organization/convention/cd13/observations",
    )


def test_journal_page_filters_and_csv_link(app):
    act("package_create", **complete("parkings", private=False, publication_declaration=DECLARATION))
    act("dataset_withdraw", id="parkings", reason="Erreur")
    login(app, "cd13-member")
    page = get(app, "/organization/journal/cd13")
    assert "2 entrées" in page.body and "Parkings publics" in page.body
    links = re.findall(r'href="(/publication-journal\.csv\?[^"]*)"', page.body)
    assert len(links) == 2 and all("organization=cd13" in link for link in links)
    separators = sorted(re.search(r"separator=([^&]*)", link).group(1) for link in links)
    assert separators == ["%2C", "%3B"] or separators == [",", ";"]  # with commas, and for Excel
    page = get(app, "/organization/journal/cd13?action=withdrawn")
    assert "1 entrées" in page.body and "Erreur" in page.body
    assert "action=withdrawn" in page.body  # the CSV link keeps the filters
    page = get(app, "/organization/journal/cd13?since=nope")
    assert "alert-danger" in page.body
    login(app, "nice-editor")
    get(app, "/organization/journal/cd13", status=403)


def test_terms_page_accept_for_my_organization(app, terms_version_factory):
    terms_version_factory(version="2", title="CGU 2")
    login(app, "cd13-editor")
    page = get(app, "/organization/terms/cd13")
    assert "Non acceptées" in page.body and "Accepter pour mon organisation" not in page.body
    post(app, "/organization/terms/cd13", {"version": "2"}, status=403)
    login(app, "cd13-admin")
    page = get(app, "/organization/terms/cd13")
    assert "Accepter pour mon organisation" in page.body
    post(app, "/organization/terms/cd13", {"version": "2"}, status=302)
    page = get(app, "/organization/terms/cd13")
    assert "Acceptées" in page.body and "cd13-admin" in page.body


def test_bulk_make_public_lists_each_refusal(app):
    from ckan import model

    act("package_create", **complete("parkings", private=True))
    act("package_create", **complete("musees", private=True, license_id="notspecified"))
    login(app, "cd13-admin")  # CKAN gives the bulk page to admins
    page = get(app, "/organization/bulk_process/cd13")
    assert "/organization/bulk-publish/cd13" in page.body and 'name="personal_data"' in page.body
    # each row says, from dataset_publication_check, what "Make public" still needs
    assert page.body.count('data-ready="true"') == 1 and page.body.count('data-ready="false"') == 1
    assert "Licence non spécifiée" in page.body
    ids = {name: model.Package.get(name).id for name in ("parkings", "musees")}
    post(
        app,
        "/organization/bulk_process/cd13",
        {
            f"dataset_{ids['parkings']}": "on",
            f"dataset_{ids['musees']}": "on",
            "personal_data": "none",
            "text_version": "2026-01",
            "bulk_action.public": "public",
        },
        status=302,
        action="/organization/bulk-publish/cd13",
    )
    page = get(app, "/organization/bulk_process/cd13")
    assert "musees" in page.body and "Licence non spécifiée" in page.body  # the refusal, with its reason
    assert published("parkings") and not published("musees")


def test_ckans_own_bulk_make_public_reports_refusals_instead_of_a_server_error(app):
    """The form CKAN's template would post ("bulk_action.public" to the core
    route), here without the declaration: refused, listed, nothing published."""
    from ckan import model

    act("package_create", **complete("parkings", private=True))
    login(app, "cd13-admin")
    dataset_id = model.Package.get("parkings").id
    post(
        app,
        "/organization/bulk_process/cd13",
        {f"dataset_{dataset_id}": "on", "bulk_action.public": "public"},
        status=302,
    )
    page = get(app, "/organization/bulk_process/cd13")
    assert "parkings" in page.body and "publication_declaration" in page.body
    assert not published("parkings")
    # CKAN's other bulk actions are still its own
    post(
        app,
        "/organization/bulk_process/cd13",
        {f"dataset_{dataset_id}": "on", "bulk_action.delete": "delete"},
        status=302,
    )
    assert model.Package.get("parkings").state == "deleted"


def test_the_bulk_page_follows_the_publishing_roles(app):
    """Editors publish: the bulk "Make public" is theirs too (each dataset
    through the gate); members and other organizations' editors are refused."""
    from ckan import model

    act("package_create", **complete("parkings", private=True))
    for user in ("cd13-member", "nice-editor"):
        login(app, user)
        get(app, "/organization/bulk_process/cd13", status=403)
    login(app, "cd13-editor")
    page = get(app, "/organization/bulk_process/cd13")
    assert "/organization/bulk-publish/cd13" in page.body
    parkings = model.Package.get("parkings").id
    post(
        app,
        "/organization/bulk_process/cd13",
        {f"dataset_{parkings}": "on", "personal_data": "none", "text_version": "2026-01"},
        status=302,
        action="/organization/bulk-publish/cd13",
    )
    assert published("parkings")
    entry = act("publication_journal_list", user="cd13-member", dataset="parkings")["results"][0]
    assert entry["actor"] == "cd13-editor"


def test_the_public_register_of_the_partners(app):
    act("package_create", **complete("parkings", private=False, publication_declaration=DECLARATION))
    act("package_create", **complete("brouillon", private=True))
    login(app, None)
    assert "/partners" in get(app, "/organization/").body
    page = get(app, "/partners").body
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    cd13 = next(row for row in rows if "CONV-CD13" in row)
    assert "En vigueur" in cd13
    assert re.search(r">\s*1\s*</a></td>", cd13)  # one published dataset: the private one is not counted
    assert "1 partenaire" in page
    english = get(app, "/en/partners").body
    assert "In force" in english and "1 partner" in english
