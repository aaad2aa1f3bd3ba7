"""The portal team's agreement forms through CKAN's test app: editing a
draft, adding a document (link or uploaded PDF), an amendment that changes
the financial terms."""

from __future__ import annotations

from io import BytesIO

import pytest

from tests.publication.conftest import act
from tests.ui.pages import get, login, post

pytestmark = pytest.mark.usefixtures("partner")

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def history(agreement_id: str) -> list[str]:
    return [e["event"] for e in act("agreement_history", user="region-team", id=agreement_id)["results"]]


@pytest.fixture
def draft(agreement_factory):
    return agreement_factory(organization="nice", reference="CONV-NICE")


def test_edit_a_draft_the_error_next_to_its_field_and_nothing_changed(app, draft):
    url = f"/ckan-admin/agreements/{draft['id']}/edit"
    login(app, "cd13-admin")
    get(app, url, status=403)  # the partner's admin: not the portal's team
    login(app, "region-team")
    assert f'href="{url}"' in get(app, f"/ckan-admin/agreements/{draft['id']}").body
    page = get(app, url)
    assert 'value="CONV-NICE"' in page.body and 'for="field-deliberation_number"' in page.body
    page = post(app, url, {"reference": "CONV-NICE-2", "referent_email": "pas-un-courriel"}, status=400)
    # the action's message, next to the e-mail field, and the values typed kept
    assert 'id="field-referent_email-error"' in page.body and 'value="pas-un-courriel"' in page.body
    assert act("agreement_show", user="region-team", id=draft["id"])["reference"] == "CONV-NICE"
    assert history(draft["id"]) == ["created"]
    post(
        app,
        url,
        {
            "reference": "CONV-NICE-2",
            "deliberation_number": "DEL-2026-42",
            "deliberation_date": "2026-02-10",
            "referent_name": "Camille Martin",
            "referent_email": "camille.martin@nice.example",
            "partner_name": "Ville de Nice",
            "partner_signatory": "Le maire",
        },
        status=302,
    )
    shown = act("agreement_show", user="region-team", id=draft["id"])
    assert shown["reference"] == "CONV-NICE-2" and shown["deliberation_number"] == "DEL-2026-42"
    assert shown["deliberation_date"] == "2026-02-10" and shown["referent"]["name"] == "Camille Martin"
    assert shown["parties"] == [
        {"role": "partner", "name": "Ville de Nice", "signatory": "Le maire", "signatory_title": ""}
    ]
    assert history(draft["id"]) == ["created", "updated"]
    page = get(app, url)  # the form shows what is on record
    assert 'value="Ville de Nice"' in page.body and 'value="2026-02-10"' in page.body


def test_a_signed_agreement_is_not_edited(app, partner):
    url = f"/ckan-admin/agreements/{partner['agreement']['id']}/edit"
    login(app, "region-team")
    assert "datasud-edit-draft" not in get(app, f"/ckan-admin/agreements/{partner['agreement']['id']}").body
    page = post(app, url, {"reference": "AUTRE"}, status=400)
    assert "Seule une convention en brouillon peut être modifiée" in page.body
    assert (
        act("agreement_show", user="region-team", id=partner["agreement"]["id"])["reference"] == "CONV-CD13"
    )


def test_add_a_document_by_link_and_by_upload(app, partner):
    agreement_id = partner["agreement"]["id"]
    url = f"/ckan-admin/agreements/{agreement_id}"
    action = f"{url}/document"
    login(app, "region-team")
    page = get(app, url)
    assert 'enctype="multipart/form-data"' in page.body and 'name="upload"' in page.body
    # neither a link nor a file: the action's message next to the fields, nothing added
    page = post(app, url, {"title": "Convention signée"}, status=400, action=action)
    assert 'id="field-document-url-error"' in page.body
    # not a PDF
    page = post(
        app,
        url,
        {"title": "Convention signée", "upload": (BytesIO(b"GIF89a..."), "image.pdf")},
        status=400,
        action=action,
    )
    assert 'id="field-document-upload-error"' in page.body and "PDF" in page.body
    assert act("agreement_show", user="region-team", id=agreement_id)["documents"] == []
    post(
        app,
        url,
        {"title": "Délibération", "url": "https://cd13.example/deliberation.pdf"},
        status=302,
        action=action,
    )
    post(
        app,
        url,
        {"title": "Convention signée", "upload": (BytesIO(PDF), "convention.pdf")},
        status=302,
        action=action,
    )
    documents = act("agreement_show", user="region-team", id=agreement_id)["documents"]
    assert [d["title"] for d in documents] == ["Délibération", "Convention signée"]
    page = get(app, url)
    assert "https://cd13.example/deliberation.pdf" in page.body
    assert f"/agreement/{agreement_id}/document/1" in page.body  # the protected download
    download = get(app, f"/agreement/{agreement_id}/document/1")
    assert download.data == PDF
    # the partner's admin reads them on the Convention tab
    login(app, "cd13-admin")
    assert "Convention signée" in get(app, "/organization/convention/cd13").body


def test_amendment_changes_the_financial_terms(app, challenge):
    url = f"/ckan-admin/agreements/{challenge['id']}"
    action = f"{url}/amend"
    login(app, "region-team")
    page = get(app, url)
    # the current terms, in the form, and one empty row to add a funder
    assert 'name="contributions__0__funder" value="Plan de Relance"' in page.body
    assert 'name="contributions__3__funder" value=""' in page.body
    terms = {
        "contributions_count": "4",
        "contributions__0__funder": "Plan de Relance",
        "contributions__0__amount": "3000.00",
        "contributions__1__funder": "Région",
        "contributions__1__amount": "2500",
        "contributions__2__funder": "Entité bénéficiaire",
        "contributions__2__amount": "500",
        "contributions__2__beneficiary": "true",
        "contributions__3__funder": "",
        "contributions__3__amount": "",
    }
    # an amount that is not a number: the action's message next to the terms, nothing recorded
    page = post(
        app,
        url,
        {
            "signed_on": "2026-06-01",
            "description": "Avenant financier",
            **terms,
            "contributions__1__amount": "beaucoup",
        },
        status=400,
        action=action,
    )
    assert 'id="field-contributions-error"' in page.body and 'value="beaucoup"' in page.body
    assert act("agreement_show", user="region-team", id=challenge["id"])["amendments"] == []
    post(
        app,
        url,
        {"signed_on": "2026-06-01", "description": "Avenant financier", **terms},
        status=302,
        action=action,
    )
    shown = act("agreement_show", user="region-team", id=challenge["id"])
    assert [c["amount"] for c in shown["financial"]["contributions"]] == ["3000.00", "2500.00", "500.00"]
    assert shown["financial"]["beneficiary_share_due"] == "500.00"
    assert shown["amendments"][0]["description"] == "Avenant financier"
    page = get(app, url)
    assert "Avenant n° 1" in page.body and "2\u202f500,00\xa0€" in page.body
    # an amendment that leaves the terms as they are does not send them
    post(
        app,
        url,
        {
            "signed_on": "2026-07-01",
            "description": "Prolongation",
            "end_on": "2028-06-30",
            **terms,
            "contributions__0__amount": "3000",
        },
        status=302,
        action=action,
    )
    shown = act("agreement_show", user="region-team", id=challenge["id"])
    assert shown["amendments"][1]["contributions"] is None and shown["end_on"] == "2028-06-30"
