"""The likely-duplicate warning (seed 000, art. 2.3): in the action's result
and in the web form; it never blocks."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.tests import factories

from ckanext.datasud_partnership.profile import duplicates

from .conftest import act, complete

pytestmark = pytest.mark.usefixtures("partner")


@pytest.fixture(autouse=True)
def existing(partner):
    return act("package_create", **complete("parkings"), private=True)


def test_same_title_in_the_same_organization_warns_but_creates(existing):
    created = act(
        "package_create",
        name="parkings-bis",
        title="  PARKINGS   publics ",
        owner_org="cd13",
        private=True,
    )
    warning = created["likely_duplicates"]
    assert [(entry["name"], entry["reasons"]) for entry in warning["datasets"]] == [("parkings", ["title"])]
    assert "parkings" in warning["message"] and "Parkings publics" in warning["message"]
    assert model.Package.get("parkings-bis") is not None


def test_titles_are_compared_without_accents_and_punctuation():
    act(
        "package_create",
        name="etablissements",
        title="Établissements thermaux",
        owner_org="cd13",
        private=True,
    )
    created = act(
        "package_create", name="etab-2", title="etablissements - thermaux", owner_org="cd13", private=True
    )
    assert [entry["name"] for entry in created["likely_duplicates"]["datasets"]] == ["etablissements"]


def test_same_resource_url_warns():
    created = act(
        "package_create",
        name="stationnement",
        title="Stationnement",
        owner_org="cd13",
        private=True,
        resources=[{"url": "https://cd13.example/parkings.csv"}],
    )
    assert created["likely_duplicates"]["datasets"][0]["reasons"] == ["url"]


def test_a_resource_added_with_the_same_url_warns():
    act("package_create", name="stationnement", title="Stationnement", owner_org="cd13", private=True)
    resource = act("resource_create", package_id="stationnement", url="https://cd13.example/parkings.csv")
    assert [entry["name"] for entry in resource["likely_duplicates"]["datasets"]] == ["parkings"]
    assert act("package_show", id="stationnement")["num_resources"] == 1


def test_no_warning_for_another_organization_or_another_title():
    other = act(
        "package_create",
        user="nice-editor",
        **complete("parkings-nice", owner_org="nice"),
        private=True,
    )
    assert "likely_duplicates" not in other
    different = act("package_create", name="voirie", title="Voirie", owner_org="cd13", private=True)
    assert "likely_duplicates" not in different


def test_a_deleted_dataset_is_not_a_duplicate():
    act("package_delete", id="parkings")
    created = act("package_create", **complete("parkings-2"), private=True)
    assert "likely_duplicates" not in created


def test_the_duplicates_of_a_dataset_on_demand():
    act("package_create", name="parkings-bis", title="Parkings publics", owner_org="cd13", private=True)
    found = act("dataset_likely_duplicates", id="parkings")
    assert [entry["name"] for entry in found] == ["parkings-bis"]
    with pytest.raises(Exception) as error:
        act("dataset_likely_duplicates", user="outsider", id="parkings")
    assert "NotAuthorized" in type(error.value).__name__


def test_the_form_shows_the_warning(app):
    user = model.User.get("cd13-editor")
    token = factories.APIToken(user=user.name)["token"]
    headers = {"Authorization": token}
    form = app.get("/dataset/new", headers=headers)
    assert form.status_code == 200

    response = app.post(
        "/dataset/new",
        data={
            "name": "parkings-ter",
            "title": "Parkings publics",
            "owner_org": model.Group.get("cd13").id,
            "private": "True",
            "save": "continue",
            "_ckan_phase": "dataset_new_1",
        },
        headers=headers,
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert model.Package.get("parkings-ter") is not None
    # the next page of the form (the resource) shows the warning, in French
    assert "fait peut-être doublon" in response.body
    assert "parkings" in response.body


def test_normalize_title():
    assert (
        duplicates.normalize_title(" Hébergements  touristiques, l'été ") == "hebergements touristiques l ete"
    )
