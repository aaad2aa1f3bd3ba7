"""The issue's browser journeys: a partner and visitors in Chromium against a
real CKAN server. Each step saves a screenshot under tests/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.profile.conftest import complete
from tests.publication.conftest import DECLARATION, act, partner, published  # noqa: F401

pytestmark = pytest.mark.usefixtures("partner")


def public_dataset(name: str, **fields):
    return act(
        "package_create", **complete(name, private=False, publication_declaration=DECLARATION, **fields)
    )


def test_c_partner_withdraws_gone_for_the_visitor_kept_for_the_partner(visitor):
    public_dataset("parkings", title="Parkings publics de Marseille")
    editor = visitor("editor").login("cd13-editor")
    page = editor.go("/dataset/parkings")
    expect(page.locator("[data-publication-status]")).to_have_text("Publié")
    expect(page.locator(".datasud-published-on")).to_contain_text("Licence Ouverte")
    editor.shot("published")
    page.get_by_role("link", name="Retirer").click()
    page.get_by_label("Motif du retrait").fill("Données à mettre à jour")
    editor.shot("withdraw-form")
    page.get_by_role("button", name="Confirmer le retrait").click()
    expect(page.locator("[data-publication-status]")).to_have_text("Retiré")
    editor.shot("withdrawn")
    assert not published("parkings")

    anonymous = visitor("anonymous")
    response = anonymous.page.goto("/dataset/parkings")
    assert response.status == 404
    anonymous.go("/dataset/?q=parkings")
    expect(anonymous.page.locator(".dataset-list")).to_have_count(0)
    anonymous.shot("search-empty")

    # still there for the partner, with the journal
    page = editor.go("/dataset/journal/parkings")
    expect(page.locator("table.datasud-journal")).to_contain_text("Données à mettre à jour")
    editor.shot("journal")


def test_b_publication_refused_without_agreement_and_for_notspecified(visitor):
    # nice has no agreement
    act("package_create", user="nice-editor", **complete("plages", owner_org="nice", private=True))
    # cd13 has one, but the licence is "not specified"
    act("package_create", **complete("musees", private=True, license_id="notspecified"))

    nice = visitor("nice-editor").login("nice-editor")
    page = nice.go("/dataset/publish/plages")
    expect(page.locator("[data-check=agreement]")).to_contain_text("Non")
    page.get_by_label("Je déclare que ce jeu de données ne contient aucune donnée personnelle.").check()
    page.get_by_role("button", name="Publier sur le portail").click()
    errors = page.locator(".datasud-errors")
    expect(errors).to_contain_text("convention")
    nice.shot("refused-no-agreement")
    assert not published("plages")

    cd13 = visitor("cd13-editor").login("cd13-editor")
    page = cd13.go("/dataset/publish/musees")
    expect(page.get_by_label("Licence")).to_have_value("")
    page.get_by_label("Je déclare que ce jeu de données ne contient aucune donnée personnelle.").check()
    page.get_by_role("button", name="Publier sur le portail").click()
    expect(page.locator(".datasud-errors")).to_contain_text("notspecified")
    cd13.shot("refused-notspecified")
    assert not published("musees")

    anonymous = visitor("anonymous")
    for name in ("plages", "musees"):
        assert anonymous.page.goto(f"/dataset/{name}").status == 404
    anonymous.go("/dataset/")
    expect(anonymous.page.get_by_text(re.compile("Plages|Musées"))).to_have_count(0)
