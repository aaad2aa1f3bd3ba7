"""CSRF on every form of the extension, whatever earlier requests did.

CKAN 2.12 exempts a view from Flask-WTF's check, for every later request and
every user, as soon as one request to it is identified by an API token (or
is anonymous). Each form is therefore first visited with an API token, then
posted from a logged-in browser session without the form's token: refused
with 400, and nothing changed. With the token, the form still works."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan import model
from ckan.tests import factories

from tests.profile.conftest import complete
from tests.publication.conftest import DECLARATION, act, published
from tests.ui.pages import BASE, get, login, post

pytestmark = pytest.mark.usefixtures("partner")

REFUSED_FR = "Ce formulaire a expiré ou n'a pas été envoyé depuis une page de ce portail"
REFUSED_EN = "This form has expired or was not sent from this portal's page"
PUBLISH = {"license_id": "lo-2.0", "personal_data": "none", "text_version": "2026-01"}


def private(name: str = "parkings") -> dict[str, Any]:
    return act("package_create", **complete(name, private=True))


def public(name: str = "parkings") -> dict[str, Any]:
    return act("package_create", **complete(name, private=False, publication_declaration=DECLARATION))


def dataset_id(name: str) -> str:
    return model.Package.get(name).id


def draft_agreement() -> dict[str, Any]:
    return act(
        "agreement_create",
        user="region-team",
        kind="datasud_partnership",
        organization="nice",
        reference="CONV-NICE",
    )


def served_notice(partner: dict[str, Any]) -> dict[str, Any]:
    act(
        "agreement_notice_serve",
        user="region-team",
        id=partner["agreement"]["id"],
        served_by="operator",
        breaches="Données non mises à jour",
        served_on=(dt.date.today() - dt.timedelta(days=5)).isoformat(),
        deadline=(dt.date.today() + dt.timedelta(days=25)).isoformat(),
    )
    return partner


def open_claim() -> str:
    public()
    act("claim_create", user="outsider", dataset="parkings", kind="personal_data", description="Des noms.")
    return act("claim_list", user="cd13-admin", organization="cd13")["results"][0]["id"]


def claim_status() -> str:
    return act("claim_list", user="cd13-admin", organization="cd13")["results"][0]["status"]


def agreement(agreement_id: str) -> dict[str, Any]:
    return act("agreement_show", user="region-team", id=agreement_id)


def no_dataset(name: str) -> bool:
    model.Session.expire_all()
    return model.Package.get(name) is None


@dataclass
class Form:
    """A form of the extension: who posts it, where, what, and what a success
    would change (``changed`` is false before, true after a success)."""

    user: str
    setup: Callable[[dict[str, Any]], Any]
    url: Callable[[Any], str]  # the form's own address (the POST's target)
    data: Callable[[Any], dict[str, Any]]
    changed: Callable[[Any], bool]
    page: Callable[[Any], str] | None = None  # the page carrying the form, when it is not ``url``
    extra: dict[str, Any] = field(default_factory=dict)


FORMS: dict[str, Form] = {
    "publish": Form(
        "cd13-editor",
        lambda p: private(),
        lambda s: "/dataset/publish/parkings",
        lambda s: PUBLISH,
        lambda s: published("parkings"),
    ),
    "withdraw": Form(
        "cd13-editor",
        lambda p: public(),
        lambda s: "/dataset/withdraw/parkings",
        lambda s: {"reason": "Erreur de fichier"},
        lambda s: not published("parkings"),
    ),
    "claim": Form(
        "outsider",
        lambda p: public(),
        lambda s: "/dataset/claim/parkings",
        lambda s: {"kind": "personal_data", "description": "Des noms en colonne C."},
        lambda s: act("claim_list", user="cd13-admin", organization="cd13")["count"] > 0,
    ),
    "convention_observations": Form(
        "cd13-admin",
        served_notice,
        lambda s: "/organization/convention/cd13/observations",
        lambda s: {"agreement_id": s["agreement"]["id"], "observations": "Mise à jour faite le 3."},
        lambda s: "Mise à jour faite le 3." in get(s["client"], "/organization/convention/cd13").body,
        page=lambda s: "/organization/convention/cd13",
    ),
    "convention_terminate": Form(
        "cd13-admin",
        lambda p: p,
        lambda s: "/organization/convention/cd13/terminate",
        lambda s: {"id": s["agreement"]["id"], "mode": "anniversary", "reason": "Fin du partenariat"},
        lambda s: agreement(s["agreement"]["id"])["status"] != "in_force",
        page=lambda s: "/organization/convention/cd13",
    ),
    "terms_accept": Form(
        "cd13-admin",
        lambda p: act(
            "terms_version_create", user="region-team", version="2", title="CGU 2", url="https://d.example/2"
        ),
        lambda s: "/organization/terms/cd13",
        lambda s: {"version": "2"},
        lambda s: act("terms_status", user=None, organization="cd13")["accepted"],
    ),
    "claim_answer": Form(
        "cd13-admin",
        lambda p: open_claim(),
        lambda claim_id: f"/organization/claims/cd13/{claim_id}/resolve",
        lambda s: {"outcome": "corrected", "text": "Colonne supprimée."},
        lambda s: claim_status() != "open",
        page=lambda s: "/organization/claims/cd13",
    ),
    "bulk_publish": Form(
        "cd13-admin",
        lambda p: private(),
        lambda s: "/organization/bulk-publish/cd13",
        lambda s: {
            f"dataset_{dataset_id('parkings')}": "on",
            "personal_data": "none",
            "text_version": "2026-01",
        },
        lambda s: published("parkings"),
        page=lambda s: "/organization/bulk_process/cd13",
    ),
    "ckan_bulk_make_public": Form(
        "cd13-admin",
        lambda p: private(),
        lambda s: "/organization/bulk_process/cd13",
        lambda s: {
            f"dataset_{dataset_id('parkings')}": "on",
            "personal_data": "none",
            "text_version": "2026-01",
            "bulk_action.public": "public",
        },
        lambda s: published("parkings"),
    ),
    "ckan_bulk_delete": Form(
        "cd13-admin",
        lambda p: private(),
        lambda s: "/organization/bulk_process/cd13",
        lambda s: {f"dataset_{dataset_id('parkings')}": "on", "bulk_action.delete": "delete"},
        lambda s: model.Package.get("parkings").state == "deleted",
    ),
    "deposit_file": Form(
        "cd13-editor",
        lambda p: None,
        lambda s: "/deposit/",
        lambda s: {
            "owner_org": model.Group.get("cd13").id,
            "title": "Stations vélo",
            "url": "https://cd13.example/velo.csv",
        },
        lambda s: not no_dataset("stations-velo"),
    ),
    "deposit_describe": Form(
        "cd13-editor",
        lambda p: private(),
        lambda s: "/deposit/parkings/describe",
        lambda s: {"notes": "Une description changée.", "theme": "mobilite"},
        lambda s: act("package_show", id="parkings")["notes"] == "Une description changée.",
    ),
    "deposit_publish": Form(
        "cd13-editor",
        lambda p: private(),
        lambda s: "/deposit/parkings/publish",
        lambda s: PUBLISH,
        lambda s: published("parkings"),
    ),
    "admin_agreement_new": Form(
        "region-team",
        lambda p: None,
        lambda s: "/ckan-admin/agreements/new",
        lambda s: {"organization": "nice", "kind": "datasud_partnership", "reference": "CONV-NICE"},
        lambda s: act("agreement_list", user="region-team", organization="nice")["count"] > 0,
    ),
    "admin_agreement_operate": Form(
        "region-team",
        lambda p: draft_agreement(),
        lambda a: f"/ckan-admin/agreements/{a['id']}/sign",
        lambda s: {"signed_on": "2026-01-10"},
        lambda a: agreement(a["id"])["status"] != "draft",
        page=lambda a: f"/ckan-admin/agreements/{a['id']}",
    ),
    "admin_agreement_edit": Form(
        "region-team",
        lambda p: draft_agreement(),
        lambda a: f"/ckan-admin/agreements/{a['id']}/edit",
        lambda s: {"reference": "CONV-NICE-2"},
        lambda a: agreement(a["id"])["reference"] == "CONV-NICE-2",
    ),
    "admin_agreement_document": Form(
        "region-team",
        lambda p: p["agreement"],
        lambda a: f"/ckan-admin/agreements/{a['id']}/document",
        lambda s: {"title": "Annexe", "url": "https://datasud.example/annexe.pdf"},
        lambda a: bool(agreement(a["id"]).get("documents")),
        page=lambda a: f"/ckan-admin/agreements/{a['id']}",
    ),
    "admin_terms": Form(
        "region-team",
        lambda p: None,
        lambda s: "/ckan-admin/terms-of-use/",
        lambda s: {"version": "2", "title": "CGU 2027", "url": "https://datasud.example/cgu-2027"},
        lambda s: len(act("terms_version_list", user="region-team")) > 1,
    ),
}


def token_of(user: str) -> str:
    return factories.APIToken(user=user)["token"]


def visit_with_an_api_token(app: Any, url: str) -> None:
    """What an API client does (here one with no right on the form): CKAN
    then exempts the view from Flask-WTF's check for everyone."""
    app.post(url, data={}, headers={"Authorization": token_of("outsider")}, base_url=BASE)


def prepared(app: Any, partner: dict[str, Any], name: str) -> tuple[Form, Any]:
    form = FORMS[name]
    state = form.setup(partner)
    if isinstance(state, dict):
        state = {**state, "client": app}
    return form, state


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_form_without_its_token_is_refused_after_an_api_client_used_it(app, partner, name):
    form, state = prepared(app, partner, name)
    url = form.url(state)
    visit_with_an_api_token(app, url)
    login(app, form.user)
    get(app, form.page(state) if form.page else url)  # the victim's session is live
    page = post(app, url, form.data(state), status=400, token=False)
    assert REFUSED_FR in html.unescape(page.body)
    assert not form.changed(state)
    # a forged token is no better
    post(app, url, {"_csrf_token": "forged", **form.data(state)}, status=400, token=False)
    assert not form.changed(state)


@pytest.mark.parametrize(
    "name",
    ["publish", "claim", "terms_accept", "ckan_bulk_make_public", "deposit_describe", "admin_terms"],
)
def test_a_form_with_its_token_still_works_after_an_api_client_used_it(app, partner, name):
    form, state = prepared(app, partner, name)
    url = form.url(state)
    visit_with_an_api_token(app, url)
    login(app, form.user)
    post(app, form.page(state) if form.page else url, form.data(state), status=302, action=url)
    assert form.changed(state)


def test_an_anonymous_visit_does_not_open_a_form_either(app):
    """CKAN marks an anonymous request as identified by header too: a visit
    of the page by anyone logged out exempts the view in core."""
    private()
    get(app, "/dataset/publish/parkings", status=403)
    login(app, "cd13-editor")
    post(app, "/dataset/publish/parkings", PUBLISH, status=400, token=False)
    assert not published("parkings")


def test_the_refusal_is_in_english_for_an_english_page(app):
    private()
    login(app, "cd13-editor")
    page = post(app, "/en/dataset/publish/parkings", PUBLISH, status=400, token=False)
    assert REFUSED_EN in html.unescape(page.body)
    assert not published("parkings")


def test_an_api_client_with_its_token_needs_no_form_token(app):
    """API clients authenticate with the header, which a browser never sends
    across sites: CKAN's design, kept."""
    private()
    response = app.post(
        "/dataset/publish/parkings",
        data=PUBLISH,
        headers={"Authorization": token_of("cd13-editor")},
        base_url=BASE,
        follow_redirects=False,
        status=302,
    )
    assert response.status_code == 302 and published("parkings")


def test_a_wrong_api_token_with_a_session_is_checked_as_the_session(app):
    private()
    login(app, "cd13-editor")
    app.post(
        "/dataset/publish/parkings",
        data=PUBLISH,
        headers={"Authorization": "not-a-token"},
        base_url=BASE,
        follow_redirects=False,
        status=400,
    )
    assert not published("parkings")


def test_every_blueprint_of_the_extension_is_guarded():
    """The check covers the blueprints by their name's prefix: a new one
    named otherwise would escape it."""
    from ckanext.datasud_partnership.plugin import DatasudPartnershipPlugin
    from ckanext.datasud_partnership.ui import csrf

    blueprints = DatasudPartnershipPlugin().get_blueprint()
    assert blueprints[0] is csrf.blueprint  # its hook runs before our other hooks
    assert all(bp.name.startswith(csrf.PREFIX) for bp in blueprints)
