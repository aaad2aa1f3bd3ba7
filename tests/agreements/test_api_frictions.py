"""What ``ckanapi`` users met: an agreement named by its reference, statuses
given as a JSON list."""

from __future__ import annotations

import re

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories, helpers


@pytest.fixture
def two_partners(clean_db, agreement_factory):
    factories.Organization(name="cd13")
    factories.Organization(name="nice")
    first = agreement_factory(organization="cd13", reference="CONV-DATASUD-013", in_force=True)
    agreement_factory(organization="nice", reference="CONV-NICE")
    return first


def show(**data):
    return helpers.call_action("agreement_show", context={"user": "", "ignore_auth": False}, **data)


def test_an_agreement_is_shown_by_its_reference(two_partners):
    assert show(id="CONV-DATASUD-013")["id"] == two_partners["id"]
    assert show(id=two_partners["id"])["reference"] == "CONV-DATASUD-013"
    with pytest.raises(tk.ObjectNotFound):
        show(id="CONV-NOPE")


def test_a_reference_two_agreements_carry_asks_for_the_organization(two_partners, agreement_factory):
    agreement_factory(organization="nice", reference="CONV-DATASUD-013")
    with pytest.raises(tk.ValidationError) as refused:
        show(id="CONV-DATASUD-013")
    assert "id" in refused.value.error_dict
    assert show(id="CONV-DATASUD-013", organization="cd13")["id"] == two_partners["id"]


@pytest.mark.parametrize("status", [["in_force"], "in_force", ["in_force", "draft"], "in_force,draft"])
def test_statuses_as_a_list_or_a_comma_separated_text(two_partners, status):
    listed = helpers.call_action("agreement_list", status=status)
    references = sorted(a["reference"] for a in listed["results"])
    expected = ["CONV-DATASUD-013", "CONV-NICE"] if "draft" in str(status) else ["CONV-DATASUD-013"]
    assert references == expected


@pytest.mark.parametrize("bad", [[1.5], [["in_force"]], [{"a": 1}], ["in\x00force"], "nope"])
def test_a_bad_status_is_refused_naming_it(two_partners, bad):
    with pytest.raises(tk.ValidationError) as refused:
        helpers.call_action("agreement_list", status=bad)
    assert "status" in refused.value.error_dict


def test_a_refusal_says_the_status_and_the_day_in_words(two_partners, app):
    """Through the API (a request, in the portal's French): no code, no ISO
    date inside the sentence."""
    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    draft = helpers.call_action("agreement_list", status="draft")["results"][0]
    response = app.post(
        "/api/3/action/agreement_notice_serve",
        json={"id": draft["id"], "breaches": ["Pas de mise à jour"], "deadline": "2099-01-31"},
        headers={"Authorization": token},
        status=409,
    )
    message = response.json["error"]["id"][0]
    assert "projet de convention" in message and "draft" not in message
    assert not re.search(r"\d{4}-\d{2}-\d{2}", message), message
