"""The dataset schema through CKAN's actions: drafts saved incomplete, what
publication asks for, bad input refused naming the field, the publication
date set by the portal."""

from __future__ import annotations

import datetime as dt

import pytest
from ckan import model
from ckan.tests import factories, helpers
from freezegun import freeze_time

from ckanext.datasud_partnership.profile import scheming as profile_schema
from ckanext.datasud_partnership.publication import publishing

from .conftest import DECLARATION, act, complete, published

pytestmark = pytest.mark.usefixtures("partner")

ValidationError = helpers.logic.ValidationError


def test_the_schema_is_the_one_source_of_what_publication_requires():
    assert publishing.required_fields() == [
        "notes",
        "theme",
        "tag_string",
        "spatial_text",
        "temporal_start",
        "resources",
    ]
    assert profile_schema.label("spatial_text", lang="fr") == "Couverture géographique"
    assert profile_schema.label("spatial_text", lang="en") == "Spatial coverage"


def test_a_partner_saves_an_incomplete_draft_and_sees_what_publication_needs():
    draft = act("package_create", name="brouillon", title="Brouillon", owner_org="cd13", private=True)
    assert draft["private"] is True
    needed = [
        {"field": "notes", "label": "Description"},
        {"field": "theme", "label": "Themes"},
        {"field": "tag_string", "label": "Keywords"},
        {"field": "spatial_text", "label": "Spatial coverage"},
        {"field": "temporal_start", "label": "Temporal coverage (start)"},
        {"field": "resources", "label": "Resources"},
    ]
    assert draft["missing_for_publication"] == needed
    assert act("dataset_missing_metadata", id="brouillon") == needed
    act("package_patch", id="brouillon", notes="Une description.", spatial_text="Marseille")
    assert [entry["field"] for entry in act("dataset_missing_metadata", id="brouillon")] == [
        "theme",
        "tag_string",
        "temporal_start",
        "resources",
    ]
    with pytest.raises(helpers.logic.NotAuthorized):
        act("dataset_missing_metadata", user="outsider", id="brouillon")
    assert act("package_create", **complete("parkings"), private=True)["missing_for_publication"] == []
    draft = act("package_create", name="en-cours", title="En cours", owner_org="cd13", state="draft")
    assert draft["state"] == "draft"


def test_only_the_name_blocks_a_save():
    with pytest.raises(ValidationError) as error:
        act("package_create", owner_org="cd13", private=True, notes="Sans nom")
    assert list(error.value.error_dict) == ["name"]
    # the title defaults to the name
    assert act("package_create", owner_org="cd13", private=True, name="sans-titre")["title"] == "sans-titre"


def _publish_through_the_api(app, prefix: str) -> dict:
    token = factories.APIToken(user="cd13-editor")["token"]
    response = app.post(
        prefix + "/api/3/action/dataset_publish",
        json={"id": "brouillon", "publication_declaration": DECLARATION},
        headers={"Authorization": token},
        status=409,
    )
    return response.json["error"]


def test_publishing_an_incomplete_draft_names_every_missing_field_by_its_label(app):
    act(
        "package_create",
        name="brouillon",
        title="Brouillon",
        owner_org="cd13",
        private=True,
        license_id="cc-by",
    )

    errors = _publish_through_the_api(app, "")

    assert errors["notes"] == ["Description : obligatoire pour publier"]
    assert errors["theme"] == ["Thèmes : obligatoire pour publier"]
    assert errors["tag_string"] == ["Mots-clés : obligatoire pour publier"]
    assert errors["spatial_text"] == ["Couverture géographique : obligatoire pour publier"]
    assert errors["temporal_start"] == ["Couverture temporelle (début) : obligatoire pour publier"]
    assert errors["resources"] == ["Ressources : obligatoire pour publier"]
    assert "license_id" not in errors  # cc-by is open
    assert not published("brouillon")


def test_the_missing_fields_in_english(app):
    act(
        "package_create",
        name="brouillon",
        title="Brouillon",
        owner_org="cd13",
        private=True,
        license_id="cc-by",
    )

    errors = _publish_through_the_api(app, "/en")

    assert errors["spatial_text"] == ["Spatial coverage: required for publication"]
    assert errors["temporal_start"] == ["Temporal coverage (start): required for publication"]
    assert errors["resources"] == ["Resources: required for publication"]


def test_the_draft_completed_is_published():
    act(
        "package_create",
        name="brouillon",
        title="Brouillon",
        owner_org="cd13",
        private=True,
        license_id="cc-by",
    )
    with pytest.raises(ValidationError) as error:
        act("dataset_publish", id="brouillon", publication_declaration=DECLARATION)
    assert set(error.value.error_dict) == {
        "notes",
        "theme",
        "tag_string",
        "spatial_text",
        "temporal_start",
        "resources",
    }

    fields = {
        key: value
        for key, value in complete("brouillon").items()
        if key in error.value.error_dict and key != "resources"
    }
    fields["tag_string"] = "stationnement"
    act("package_patch", id="brouillon", resources=complete("x")["resources"], **fields)
    act("dataset_publish", id="brouillon", publication_declaration=DECLARATION)
    assert published("brouillon")


def test_a_complete_dataset_is_published():
    act("package_create", **complete("parkings"), private=True)
    act("dataset_publish", id="parkings", publication_declaration=DECLARATION)
    assert published("parkings")
    shown = act("package_show", id="parkings")
    assert shown["theme"] == ["mobilite", "amenagement"]
    assert shown["spatial_code"] == "13"
    assert shown["temporal_end"] == "2024-12-31"
    assert shown["frequency"] == "MONTHLY"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"theme": ["mobilite", "astrologie"]},
            "theme",
            "Unknown theme: astrologie. Choose among: mobilite,",
        ),
        ({"theme": "sport"}, "theme", "Unknown theme: sport"),
        ({"frequency": "SOMETIMES"}, "frequency", "Unknown update frequency: SOMETIMES"),
        (
            {"spatial_level": "commune", "spatial_code": "13"},
            "spatial_code",
            "13 is not the INSEE code of a commune",
        ),
        (
            {"spatial_level": "region", "spatial_code": "13"},
            "spatial_code",
            "13 is not the INSEE code of a region",
        ),
        ({"spatial_level": "", "spatial_code": "ABCDE"}, "spatial_code", "ABCDE is not an INSEE code"),
        ({"spatial_level": "canton"}, "spatial_level", "Unknown level: canton"),
        ({"temporal_start": "31/12/2024"}, "temporal_start", "Enter a date as YYYY-MM-DD"),
        (
            {"temporal_start": "2024-12-31", "temporal_end": "2024-01-01"},
            "temporal_end",
            "The temporal coverage ends before it starts",
        ),
        ({"maintainer_email": "pas-un-courriel"}, "maintainer_email", "pas-un-courriel"),
        ({"url": "ftp//nulle-part"}, "url", "URL"),
        ({"license_id": "wtfpl"}, "license_id", "Unknown licence: wtfpl"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(fields, field, message):
    before = model.Session.query(model.Package).count()
    with pytest.raises(ValidationError) as error:
        act("package_create", **complete("refuse", **fields), private=True)
    assert list(error.value.error_dict) == [field]
    assert message in " ".join(error.value.error_dict[field])
    assert model.Session.query(model.Package).count() == before


def test_validation_messages_in_french(app):
    token = factories.APIToken(user="cd13-editor")["token"]
    data = complete(
        "refuse", private=True, spatial_level="commune", spatial_code="13", temporal_end="2023-01-01"
    )
    response = app.post(
        "/api/3/action/package_create", json=data, headers={"Authorization": token}, status=409
    )
    error = response.json["error"]
    assert error["spatial_code"] == [
        "13 n'est pas le code INSEE d'une commune (5 caractères, ex. 04070 ou 2A004)"
    ]
    assert error["temporal_end"] == ["La couverture temporelle se termine avant de commencer"]


def test_the_same_refusal_on_update():
    act("package_create", **complete("parkings"), private=True)
    with pytest.raises(ValidationError) as error:
        act("package_patch", id="parkings", temporal_end="2023-01-01")
    assert list(error.value.error_dict) == ["temporal_end"]
    assert act("package_show", id="parkings")["temporal_end"] == "2024-12-31"


def test_an_insee_code_is_stored_in_capitals_and_the_level_is_optional():
    created = act(
        "package_create", **complete("ajaccio", spatial_level="", spatial_code="2a004"), private=True
    )
    assert created["spatial_code"] == "2A004"


def test_closed_and_unspecified_licences_are_kept_for_drafts_but_never_published():
    for licence in ("notspecified", "other-closed"):
        act("package_create", **complete(licence, license_id=licence), private=True)
        with pytest.raises(ValidationError) as error:
            act("dataset_publish", id=licence, publication_declaration=DECLARATION)
        assert list(error.value.error_dict) == ["license_id"]
    licences = {licence["id"]: licence for licence in helpers.call_action("license_list")}
    assert licences["lo-2.0"]["title"] == "Licence Ouverte / Open Licence 2.0"
    assert licences["lo-2.0"]["url"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert "notspecified" in licences and "other-closed" in licences


def test_nobody_types_the_publication_date():
    with freeze_time("2026-03-10"):
        act("package_create", **complete("parkings", publication_date="1999-01-01"), private=True)
        assert not act("package_show", id="parkings").get("publication_date")
        act("package_patch", id="parkings", publication_date="1999-01-01")
        assert not act("package_show", id="parkings").get("publication_date")

    with freeze_time("2026-03-12"):
        act("dataset_publish", id="parkings", publication_declaration=DECLARATION)
    assert act("package_show", id="parkings")["publication_date"] == "2026-03-12"

    # an update cannot change it, and the form's round trip keeps it
    act("package_patch", id="parkings", publication_date="2000-01-01", notes="Mise à jour.")
    shown = act("package_show", id="parkings")
    assert shown["publication_date"] == "2026-03-12"
    act("package_update", **{**shown, "notes": "Encore."})
    assert act("package_show", id="parkings")["publication_date"] == "2026-03-12"


def test_the_publication_date_is_the_first_publication():
    with freeze_time("2026-03-12"):
        act("package_create", **complete("parkings"), private=True)
        act("dataset_publish", id="parkings", publication_declaration=DECLARATION)
    with freeze_time("2026-05-02"):
        act("dataset_withdraw", id="parkings", reason="Correction")
        act("dataset_publish", id="parkings", publication_declaration=DECLARATION)
    assert published("parkings")
    assert act("package_show", id="parkings")["publication_date"] == "2026-03-12"
    assert dt.date.fromisoformat(act("package_show", id="parkings")["publication_date"]) < dt.date(2026, 5, 2)


def test_the_organization_profile():
    act(
        "organization_patch",
        user="cd13-admin",
        id="cd13",
        legal_name="Département des Bouches-du-Rhône",
        body_type="departement",
        siren="221 300 015",
        url="https://www.departement13.example",
        email="opendata@departement13.example",
    )
    org = act("organization_show", id="cd13")
    assert org["siren"] == "221300015"
    assert org["body_type"] == "departement"
    for fields, field in [
        ({"siren": "221300016"}, "siren"),
        ({"siren": "12345"}, "siren"),
        ({"body_type": "royaume"}, "body_type"),
        ({"email": "pas-un-courriel"}, "email"),
        ({"url": "pas une url"}, "url"),
    ]:
        with pytest.raises(ValidationError) as error:
            act("organization_patch", user="cd13-admin", id="cd13", **fields)
        assert list(error.value.error_dict) == [field]
    assert act("organization_show", id="cd13")["siren"] == "221300015"
