"""Pages across organizations through CKAN's test app: every claim of the
portal for its team; what harvesting did, for an organization and for the
whole portal; milestones under the titles of their phases."""

from __future__ import annotations

import pytest

from tests.profile.conftest import complete
from tests.publication.conftest import DECLARATION, act
from tests.publication.harvesting import run_job
from tests.publication.test_harvest import make_source, remote  # noqa: F401 - the remote portal
from tests.ui.pages import get, login

pytestmark = pytest.mark.usefixtures("partner")


def claims_in(body: str) -> int:
    return body.count("data-claim-status=")


def test_portal_claims_page_filters_by_status_and_organization(app, claim_factory):
    act("package_create", **complete("parkings", private=False, publication_declaration=DECLARATION))
    act("package_create", **complete("musees", private=False, publication_declaration=DECLARATION))
    first = claim_factory(
        user="outsider", dataset="parkings", kind="personal_data", description="Des noms en clair."
    )
    claim_factory(user="nice-editor", dataset="musees", kind="outdated", description="Horaires de 2019.")
    act("claim_resolve", user="cd13-admin", id=first["id"], outcome="corrected", text="Colonne retirée.")
    for user in (None, "cd13-admin"):  # anonymous, then the partner's admin: not the portal's team
        login(app, user)
        get(app, "/ckan-admin/claims/", status=403)
    login(app, "region-team")
    assert "/ckan-admin/claims/" in get(app, "/ckan-admin/agreements/").body  # linked from the admin pages
    page = get(app, "/ckan-admin/claims/")
    assert (
        claims_in(page.body) == 2 and "Des noms en clair." in page.body and "Horaires de 2019." in page.body
    )
    assert "Clos" in page.body and "Corrigé" in page.body  # status and outcome in words
    assert "/organization/claims/cd13" in page.body  # where it is answered
    page = get(app, "/ckan-admin/claims/?status=open")
    assert claims_in(page.body) == 1 and "Horaires de 2019." in page.body
    page = get(app, "/ckan-admin/claims/?organization=nice")
    assert claims_in(page.body) == 0 and "Aucun signalement" in page.body
    page = get(app, "/ckan-admin/claims/?organization=cd13&status=closed")
    assert claims_in(page.body) == 1 and "Des noms en clair." in page.body
    page = get(app, "/ckan-admin/claims/?status=perhaps")
    assert "alert-danger" in page.body and claims_in(page.body) == 0


def test_harvest_outcomes_for_the_organization_and_the_portal(app, remote):  # noqa: F811
    remote.add("comptages-velo", title="Comptages vélo")
    remote.add("reseau-bus", title="Réseau de bus", license_id="other-closed")
    source = make_source()
    run_job(source["id"])
    for user in (None, "nice-editor"):  # anonymous, a member of another organization
        login(app, user)
        get(app, "/organization/harvest/cd13", status=403)
        assert "/organization/harvest/cd13" not in get(app, "/organization/journal/cd13", status=403).body
    login(app, "cd13-member")
    assert "/organization/harvest/cd13" in get(app, "/organization/journal/cd13").body
    assert "/organization/harvest/cd13" in get(app, "/organization/convention/cd13").body
    page = get(app, "/organization/harvest/cd13")
    assert "Moissonnage du portail du partenaire" in page.body and "2 jeux de données" in page.body
    assert 'data-outcome="published"' in page.body and "Comptages vélo" in page.body
    assert 'data-outcome="private"' in page.body and "Réseau de bus" in page.body
    assert (
        "Licence fermée (tous droits réservés)" in page.body
    )  # why it was kept private, in the reader's language
    page = get(app, "/organization/harvest/cd13?outcome=private")
    assert 'data-outcome="published"' not in page.body and "Réseau de bus" in page.body
    page = get(app, "/organization/harvest/cd13?outcome=nope")
    assert "alert-danger" in page.body
    get(app, "/ckan-admin/harvest-outcomes/", status=403)
    login(app, "region-team")
    page = get(app, "/ckan-admin/harvest-outcomes/")
    assert "Moissonnage du portail du partenaire" in page.body and "Réseau de bus" in page.body
    assert 'data-outcome="private"' in page.body


def test_milestones_under_their_phase_titles_in_french_and_english(app, challenge):
    kinds = {k["name"]: k for k in act("agreement_kind_list", user=None)}
    phases = kinds["challenge_open_data"]["phases"]
    assert [p["code"] for p in phases] == ["engager", "pratiquer", "evaluer"]
    assert phases[0]["title"] == {"fr": "Phase 1 – Engager", "en": "Phase 1 – Engage"}
    assert phases[0]["milestones"][0] == "lancement"
    login(app, "region-team")
    page = get(app, f"/ckan-admin/agreements/{challenge['id']}")
    assert "Phase 1 – Engager" in page.body and "Phase 3 – Évaluer" in page.body
    assert ">engager<" not in page.body  # no code in place of a title
    page = get(app, "/en/organization/convention/nice")
    assert "Phase 1 – Engage" in page.body and "Kick-off meeting" in page.body
