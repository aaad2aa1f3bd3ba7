"""No path publishes what the gate refuses; each path, refused then passed."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.logic import ValidationError
from ckan.tests import factories

from .conftest import DECLARATION, PROFILE_FIELDS, act, draft_dataset, published


def journal(dataset: str) -> list[str]:
    return [
        e["action"] for e in act("publication_journal_list", user="region-team", dataset=dataset)["results"]
    ]


def test_package_create_refused_lists_every_condition(partner, terms_version_factory):
    terms_version_factory(version="2")  # not accepted by cd13
    before = model.Session.query(model.Package).count()
    with pytest.raises(ValidationError) as error:
        act(
            "package_create",
            name="public-now",
            title="T",
            owner_org="cd13",
            license_id="notspecified",
            private=False,
        )
    fields = set(error.value.error_dict)
    assert {
        "license_id",
        "publication_declaration",
        "terms_of_use",
        "notes",
        "tag_string",
        "resources",
    } <= fields
    assert model.Session.query(model.Package).count() == before


def test_package_create_passes(partner):
    created = act(
        "package_create",
        name="budget-public",
        title="Budget",
        notes="Le budget.",
        owner_org="cd13",
        license_id="cc-by",
        private=False,
        tags=[{"name": "budget"}],
        resources=[{"url": "https://cd13.example/b.csv"}],
        publication_declaration=DECLARATION,
        **PROFILE_FIELDS,
    )
    assert published(created["name"])
    entry = act("publication_journal_list", user="cd13-member", organization="cd13")["results"][0]
    assert entry["action"] == "published"
    assert entry["licence_id"] == "cc-by"
    assert entry["agreement_id"] == partner["agreement"]["id"]
    assert entry["actor"] == "cd13-editor"
    assert entry["declaration"]["personal_data"] == "none"
    assert entry["declaration"]["declared_by"] == "cd13-editor"


@pytest.mark.parametrize("path", ["package_update", "package_patch", "package_revise"])
def test_update_paths(partner, path):
    dataset = draft_dataset()

    def call(extra):
        if path == "package_update":
            full = act("package_show", id=dataset["id"])
            return act("package_update", **{**full, **extra})
        if path == "package_patch":
            return act("package_patch", id=dataset["id"], **extra)
        return act("package_revise", match={"id": dataset["id"]}, update=extra)

    with pytest.raises(ValidationError) as error:
        call({"private": False})
    assert "publication_declaration" in error.value.error_dict
    assert not published(dataset["name"])
    assert journal(dataset["name"]) == []
    call({"private": False, "publication_declaration": DECLARATION})
    assert published(dataset["name"])
    assert journal(dataset["name"]) == ["published"]


def test_publish_of_a_draft(partner):
    dataset = draft_dataset(state="draft", private=False)
    assert not published(dataset["name"])
    with pytest.raises(ValidationError):
        act("package_patch", id=dataset["id"], state="active")
    assert model.Package.get(dataset["name"]).state == "draft"
    result = act("dataset_publish", id=dataset["id"], publication_declaration=DECLARATION)
    assert result["state"] == "active" and result["private"] is False
    assert journal(dataset["name"]) == ["published"]


def test_dataset_publish_refusal_names_each_condition_in_french(partner, app):
    dataset = draft_dataset(license_id="notspecified")
    token = factories.APIToken(user="cd13-editor")["token"]
    response = app.post(
        "/api/3/action/dataset_publish",
        json={"id": dataset["id"]},
        headers={"Authorization": token, "Accept-Language": "fr"},
        status=409,
    )
    error = response.json["error"]
    assert "licence « Licence non spécifiée »" in error["license_id"][0]
    assert "Déclarez" in error["publication_declaration"][0]
    assert not published(dataset["name"])


def test_bulk_make_public_reports_the_refused(partner):
    good = draft_dataset("good-one")
    bad = draft_dataset("closed-one", license_id="other-closed")
    with pytest.raises(ValidationError) as error:
        act(
            "bulk_update_public",
            user="cd13-admin",
            org_id=partner["org"]["id"],
            datasets=[good["id"], bad["id"]],
            publication_declaration=DECLARATION,
        )
    assert any("closed-one" in message for message in error.value.error_dict["datasets"])
    assert published("good-one")
    assert not published("closed-one")


@pytest.mark.parametrize("how", ["package_owner_org_update", "package_patch"])
def test_moving_a_published_dataset_to_an_organization_without_agreement(partner, how):
    dataset = draft_dataset()
    act("dataset_publish", id=dataset["id"], publication_declaration=DECLARATION)
    with pytest.raises((ValidationError, tk.NotAuthorized)):
        if how == "package_owner_org_update":
            act("package_owner_org_update", user="region-team", id=dataset["id"], organization_id="nice")
        else:
            act("package_patch", user="region-team", id=dataset["id"], owner_org="nice")
    model.Session.expire_all()
    assert model.Package.get(dataset["name"]).owner_org == partner["org"]["id"]
    assert published(dataset["name"])


def test_restoring_a_deleted_dataset_goes_through_the_gate(partner):
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    act("package_delete", id=dataset["id"])
    assert journal(dataset["name"]) == ["withdrawn", "published"]
    with pytest.raises(ValidationError):
        act("package_patch", id=dataset["id"], state="active")
    assert model.Package.get(dataset["name"]).state == "deleted"
    act("package_patch", id=dataset["id"], state="active", publication_declaration=DECLARATION)
    assert published(dataset["name"])


@pytest.mark.ckan_config("ckan.auth.allow_dataset_collaborators", True)
@pytest.mark.ckan_config("ckan.auth.allow_admin_collaborators", True)
def test_a_collaborator_does_not_publish(partner):
    dataset = draft_dataset()
    act(
        "package_collaborator_create",
        user="cd13-admin",
        id=dataset["id"],
        user_id="outsider",
        capacity="editor",
    )
    with pytest.raises(tk.NotAuthorized):
        act(
            "package_patch",
            user="outsider",
            id=dataset["id"],
            private=False,
            publication_declaration=DECLARATION,
        )
    assert not published(dataset["name"])


def test_licence_of_a_published_dataset_does_not_change(partner):
    dataset = draft_dataset()
    act("dataset_publish", id=dataset["id"], publication_declaration=DECLARATION)
    with pytest.raises(ValidationError) as error:
        act("package_patch", id=dataset["id"], license_id="cc-by")
    assert "withdraw" in error.value.error_dict["license_id"][0]
    assert model.Package.get(dataset["name"]).license_id == "odc-odbl"
    # other changes are fine
    act("package_patch", id=dataset["id"], notes="Mis à jour.")
    # withdraw, then publish again under the new licence: a new record
    act("dataset_withdraw", id=dataset["id"], reason="Changement de licence")
    act("dataset_publish", id=dataset["id"], license_id="cc-by", publication_declaration=DECLARATION)
    entries = act("publication_journal_list", user="region-team", dataset=dataset["name"])["results"]
    assert [(e["action"], e["licence_id"]) for e in entries] == [
        ("published", "cc-by"),
        ("withdrawn", "odc-odbl"),
        ("published", "odc-odbl"),
    ]


def test_moving_a_published_dataset_to_another_partner_is_a_new_publication(
    partner, agreement_factory, terms_acceptance_factory
):
    """The destination passes the gate (agreement in force, terms accepted)
    and its publisher declares: the dataset stays public, under its new owner."""
    agreement_factory(
        organization="nice", reference="CONV-NICE", signed_on="2024-02-01", notified_on="2024-02-15"
    )
    terms_acceptance_factory(organization="nice", user="nice-admin", version="1")
    # the editor publishing the move belongs to both organizations
    act(
        "member_create",
        user="region-team",
        id="nice",
        object="cd13-editor",
        object_type="user",
        capacity="editor",
    )
    dataset = draft_dataset()
    act("dataset_publish", id=dataset["id"], publication_declaration=DECLARATION)
    with pytest.raises(ValidationError) as error:  # no declaration for the new publication
        act("package_patch", id=dataset["id"], owner_org="nice")
    assert "publication_declaration" in error.value.error_dict
    model.Session.expire_all()
    assert model.Package.get(dataset["name"]).owner_org == partner["org"]["id"]

    act("package_patch", id=dataset["id"], owner_org="nice", publication_declaration=DECLARATION)
    model.Session.expire_all()
    assert model.Package.get(dataset["name"]).owner_org == partner["other"]["id"]
    assert published(dataset["name"])
    entries = act("publication_journal_list", user="region-team", dataset=dataset["name"])["results"]
    assert [(e["action"], e["organization_id"]) for e in entries] == [
        ("published", partner["other"]["id"]),
        ("published", partner["org"]["id"]),
    ]
