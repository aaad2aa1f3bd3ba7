"""The issue's browser journeys: a partner and visitors in Chromium against a
real CKAN server. Each step saves a screenshot under tests/screenshots/."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.profile.conftest import complete
from tests.publication.conftest import DECLARATION, act, published

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
    # by keyboard: from the reason, past "Annuler", to the confirmation
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Confirmer le retrait")).to_be_focused()
    page.keyboard.press("Enter")
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

    nice = visitor("nice-editor-phone", phone=True).login("nice-editor")
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
    expect(page.locator(".datasud-errors")).to_contain_text("Licence non spécifiée")
    cd13.shot("refused-notspecified")
    assert not published("musees")

    anonymous = visitor("anonymous")
    for name in ("plages", "musees"):
        assert anonymous.page.goto(f"/dataset/{name}").status == 404
    anonymous.go("/dataset/")
    expect(anonymous.page.get_by_text(re.compile("Plages|Musées"))).to_have_count(0)


def test_a_simplified_deposit_declare_publish_then_found_in_search(visitor, tmp_path):
    data = tmp_path / "bornes-recharge.csv"
    data.write_text("commune,bornes\nMarseille,120\nAix-en-Provence,45\n", encoding="utf-8")
    editor = visitor("editor").login("cd13-editor")
    page = editor.go("/organization/cd13")
    page.get_by_role("link", name="Dépôt simplifié").click()
    expect(page.locator("[aria-current=step]")).to_contain_text("Étape 1 sur 3")
    page.get_by_label("Titre du jeu de données").fill("Bornes de recharge électrique")
    page.get_by_label("Fichier").set_input_files(str(data))
    editor.shot("step1-file")
    page.get_by_role("button", name="Suivant : le décrire").click()

    expect(page.locator("[aria-current=step]")).to_contain_text("Étape 2 sur 3")
    page.get_by_label("Description").fill("Les bornes de recharge pour véhicules électriques, par commune.")
    page.get_by_label("Mobilité").check()
    page.get_by_label("Mots-clés (séparés par des virgules)").fill("recharge, véhicule électrique")
    page.get_by_label("Couverture géographique (nom du lieu)").fill("Bouches-du-Rhône")
    page.get_by_label("Couverture temporelle : début").fill("2026-01-01")
    editor.shot("step2-describe")
    page.get_by_role("button", name="Suivant : licence et publication").click()

    expect(page.locator("[aria-current=step]")).to_contain_text("Étape 3 sur 3")
    expect(page.locator("[data-check=metadata]")).to_contain_text("La description est complète.")
    assert not published("bornes-de-recharge-electrique")  # a draft until now
    page.get_by_label("Licence").select_option("lo-2.0")
    page.get_by_label("Je déclare que ce jeu de données ne contient aucune donnée personnelle.").check()
    editor.shot("step3-publish")
    page.get_by_role("button", name="Publier sur le portail").click()
    expect(page.locator("[data-publication-status]")).to_have_text("Publié")
    editor.shot("published")
    assert published("bornes-de-recharge-electrique")

    anonymous = visitor("anonymous-phone", phone=True)
    page = anonymous.go("/dataset/?q=recharge")
    expect(page.locator(".dataset-list")).to_contain_text("Bornes de recharge électrique")
    anonymous.shot("found-in-search")
    page.get_by_role("link", name="Bornes de recharge électrique").click()
    expect(page.locator(".datasud-published-on")).to_contain_text("Licence Ouverte")
    anonymous.shot("dataset-page")


def test_e_new_terms_block_publishing_until_the_admin_accepts(visitor, terms_version_factory):
    act("package_create", **complete("ecoles", private=True, title="Écoles"))
    terms_version_factory(version="2", title="CGU DataSud 2027", url="https://datasud.example/cgu-2027")
    editor = visitor("editor").login("cd13-editor")
    page = editor.go("/dataset/publish/ecoles")
    expect(page.locator("[data-check=terms]")).to_contain_text("version 2")
    page.get_by_label("Je déclare que ce jeu de données ne contient aucune donnée personnelle.").check()
    page.get_by_role("button", name="Publier sur le portail").click()
    expect(page.locator(".datasud-errors")).to_contain_text("conditions d'utilisation")
    editor.shot("refused-terms")
    assert not published("ecoles")

    admin = visitor("admin").login("cd13-admin")
    page = admin.go("/organization/cd13")
    page.get_by_role("link", name="Conditions d'utilisation").click()
    expect(page.locator(".datasud-terms-pending")).to_contain_text("Non acceptées")
    admin.shot("terms-pending")
    page.get_by_role("button", name="Accepter pour mon organisation").click()
    expect(page.locator(".datasud-terms-accepted")).to_contain_text("cd13-admin")
    admin.shot("terms-accepted")

    page = editor.go("/dataset/publish/ecoles")
    page.get_by_label("Je déclare que ce jeu de données ne contient aucune donnée personnelle.").check()
    page.get_by_role("button", name="Publier sur le portail").click()
    expect(page.locator("[data-publication-status]")).to_have_text("Publié")
    editor.shot("published")
    assert published("ecoles")


def test_d_formal_notice_deadline_past_terminate_withdrawing_all(visitor, partner):
    for name in ("budget", "voirie"):
        public_dataset(name, title=f"Jeu {name}")
    today = dt.date.today()
    admin = visitor("region").login("region-team")
    page = admin.go("/ckan-admin/agreements/")
    page.get_by_label("Statut").select_option("in_force")
    page.get_by_role("button", name="Filtrer").click()
    admin.shot("agreements-table")
    page.get_by_role("link", name="CONV-CD13").click()

    expect(page.get_by_role("heading", name="Enregistrer un événement")).to_be_visible()
    page.get_by_label("Servie le").fill((today - dt.timedelta(days=40)).isoformat())
    page.get_by_label("Échéance pour y remédier").fill((today - dt.timedelta(days=10)).isoformat())
    page.get_by_label("Manquements (un par ligne)").fill("Jeux de données non mis à jour depuis deux ans")
    admin.shot("notice-form")
    page.get_by_role("button", name="Servir la mise en demeure").click()
    expect(page.locator("[data-agreement-status]")).to_have_text("En vigueur, sous mise en demeure")
    expect(page.locator(".datasud-notice")).to_contain_text("Jeux de données non mis à jour")
    admin.shot("under-notice")

    # the partner's admin downloads the letter of formal notice from the Convention tab
    partner_admin = visitor("partner-admin").login("cd13-admin")
    tab = partner_admin.go("/organization/convention/cd13")
    letter = tab.locator(".datasud-letter[data-letter=formal_notice] a")
    expect(letter).to_contain_text("Lettre de mise en demeure")
    partner_admin.shot("convention-letter")
    with tab.expect_download() as download:
        letter.click()
    content = Path(download.value.path()).read_bytes()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Jeux de données non mis à jour depuis deux ans" in " ".join(text.split())

    page.get_by_label("Mode", exact=True).select_option("fault")
    page.get_by_label("Prend effet le (si le mode le permet)").fill(today.isoformat())
    page.get_by_label("Motifs (art. 7", exact=False).fill("Mise en demeure restée sans effet")
    page.get_by_label("Tous les jeux de données publiés du partenaire").check()
    admin.shot("terminate-form")
    page.get_by_role("button", name="Enregistrer la résiliation").click()
    expect(page.locator("[data-agreement-status]")).to_have_text("Résiliée")
    admin.shot("terminated")
    assert not published("budget") and not published("voirie")

    anonymous = visitor("anonymous")
    assert anonymous.page.goto("/dataset/budget").status == 404
    page = anonymous.go("/organization/convention/cd13")
    expect(page.locator(".datasud-no-agreement")).to_be_visible()
    anonymous.shot("partner-convention")
    editor = visitor("editor").login("cd13-editor")
    page = editor.go("/dataset/budget")
    expect(page.locator("[data-publication-status]")).to_have_text("Retiré")
    editor.shot("withdrawn-for-the-partner")
