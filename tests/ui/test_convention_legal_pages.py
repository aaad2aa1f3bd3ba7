"""What a legal team reads on the pages: the date in law first (with the
milestone, the amendment, the notice named), who recorded it and when; the
region's referent; the letters among the documents; the admin's forms for
the end of a fixed-term agreement and a termination's motives."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.publication.conftest import act
from tests.ui.pages import get, login, post

pytestmark = pytest.mark.usefixtures("partner")


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def digne(agreement_factory):
    """A Challenge agreement signed on 14 March 2022 (season 2), its first
    milestone done, recorded today by the portal team."""
    created = agreement_factory(
        kind="challenge_open_data",
        organization="nice",
        reference="COD-S2-2022-NICE",
        signed_on="2022-03-14",
        region_referent="region-team",
    )
    act(
        "agreement_milestone_update",
        user="region-team",
        id=created["id"],
        code="lancement",
        done_on="2022-03-29",
    )
    return created


def test_the_history_shows_the_date_in_law_first(app, digne):
    login(app, "nice-admin")
    page = text(get(app, "/organization/convention/nice").body)
    today = dt.date.today()
    assert "29 mars 2022 — Jalon réalisé : Réunion de lancement (enregistré par region-team le" in page
    assert "14 mars 2022 — Convention signée (enregistré par region-team le" in page
    assert "sans date juridique — Convention créée" in page
    assert str(today.year) in page.split("Convention signée (enregistré par region-team le", 1)[1][:40]
    # the region's referent, shown to the partner
    assert (
        "Référent de la Région" in page and "region-team" not in page.split("Référent de la Région", 1)[1][:5]
    )


def test_the_activity_stream_shows_the_date_in_law_first(app, digne):
    login(app, "nice-admin")
    page = text(get(app, "/organization/activity/nice").body)
    assert "29 mars 2022 —" in page and "14 mars 2022 —" in page
    assert "enregistré" in page


def test_a_letter_on_the_convention_tab_for_the_partner_admin_only(app, partner):
    today = dt.date.today()
    act(
        "agreement_notice_serve",
        user="region-team",
        id=partner["agreement"]["id"],
        breaches=["Données non mises à jour"],
        deadline=(today + dt.timedelta(days=20)).isoformat(),
    )
    login(app, "cd13-admin")
    body = get(app, "/organization/convention/cd13").body
    link = re.search(r'data-letter="formal_notice"><a href="([^"]+)"', body)
    assert link and "Lettre de mise en demeure" in body
    path = link.group(1).replace("http://test.ckan.net", "")
    assert get(app, path).data.startswith(b"%PDF-")
    login(app, "cd13-editor")
    assert "Lettre de mise en demeure" not in get(app, "/organization/convention/cd13").body
    get(app, path, status=403)


def test_the_new_agreement_form_asks_the_end_of_a_fixed_term_kind(app):
    login(app, "region-team")
    page = get(app, "/ckan-admin/agreements/new")
    assert 'name="end_on"' in page.body and 'name="region_referent"' in page.body
    refused = post(
        app,
        "/ckan-admin/agreements/new",
        {
            "organization": "nice",
            "kind": "challenge_open_data",
            "reference": "COD-S4-NICE",
            "signed_on": dt.date.today().isoformat(),
            "end_on": "2023-12-31",
        },
        status=400,
    )
    assert 'id="field-end-on-error"' in refused.body and "2023-12-31" in refused.body
    post(
        app,
        "/ckan-admin/agreements/new",
        {
            "organization": "nice",
            "kind": "challenge_open_data",
            "reference": "COD-S4-NICE",
            "signed_on": dt.date.today().isoformat(),
            "end_on": f"{dt.date.today().year + 1}-12-31",
            "region_referent": "region-team",
        },
        status=302,
    )
    listed = act("agreement_list", user="region-team", organization="nice")["results"]
    assert [(a["reference"], a["status"], a["ends_on"]) for a in listed] == [
        ("COD-S4-NICE", "in_force", f"{dt.date.today().year + 1}-12-31")
    ]


def test_the_termination_form_asks_the_motives(app, partner):
    agreement_id = partner["agreement"]["id"]
    login(app, "region-team")
    url = f"/ckan-admin/agreements/{agreement_id}"
    refused = post(
        app, url, {"mode": "anniversary", "initiator": "operator"}, status=400, action=f"{url}/terminate"
    )
    assert 'id="field-termination-motives-error"' in refused.body
    post(
        app,
        url,
        {
            "mode": "anniversary",
            "initiator": "operator",
            "motives": "Un nouveau modèle de convention",
            "actions": "Aucune",
            "letter_language": "en",
        },
        status=302,
        action=f"{url}/terminate",
    )
    page = text(get(app, url).body)
    assert "Motifs : Un nouveau modèle de convention" in page
    assert "Termination notification letter" in page
