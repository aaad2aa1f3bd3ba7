"""Harvesting obeys the publication gate: ckanext-harvest's CKAN harvester,
run for real (gather, fetch, import) against a remote CKAN answered by
``responses``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import responses
from ckan import model
from ckan.logic import ValidationError
from ckan.tests import factories

from ckanext.datasud_partnership.publication import gate as G
from ckanext.datasud_partnership.publication.harvest import rules as R

from .conftest import DECLARATION, act, published
from .harvesting import REMOTE, RemoteCkan, run_job


# -- the rules, without a database ---------------------------------------------------
def declared(**fields: Any) -> R.SourceDeclaration:
    values = {
        "organization_id": "org-1",
        "personal_data": "none",
        "text_version": "2026-01",
        "terms_version": "1",
        "declared_by": "user-1",
        "declared_at": dt.datetime(2026, 3, 1),
    }
    values.update(fields)
    return R.SourceDeclaration(**values)


@pytest.mark.parametrize(
    ("declaration", "organization", "text", "terms", "expected"),
    [
        (declared(), "org-1", "2026-01", "1", []),
        (declared(terms_version=None), "org-1", "2026-01", None, []),
        (None, "org-1", "2026-01", "1", ["has no personal-data declaration"]),
        (declared(), "org-2", "2026-01", "1", ["another organization"]),
        (declared(), "org-1", "2027-01", "1", ["declaration text version 2026-01"]),
        (declared(), "org-1", "2026-01", "2", ["terms of use version 1"]),
        (declared(terms_version=None), "org-1", "2026-01", "1", ["terms of use version -"]),
        (declared(), "org-1", "2027-01", "2", ["text version", "terms of use"]),
    ],
)
def test_when_a_source_declaration_counts(declaration, organization, text, terms, expected):
    unmet = R.declaration_unmet(declaration, organization, text, terms)
    messages = [u.message % u.params if u.params else u.message for u in unmet]
    assert len(messages) == len(expected)
    for message, fragment in zip(messages, expected, strict=True):
        assert fragment in message
    assert all(u.field == "publication_declaration" for u in unmet)


AGREEMENT = G.Unmet("agreement", "owner_org", "no agreement")


@pytest.mark.parametrize(
    ("was_published", "public", "last", "unmet", "outcome"),
    [
        (False, True, None, [], R.PUBLISHED),
        (False, True, None, [AGREEMENT], R.PRIVATE),
        (False, True, "withdrawn", [], R.WITHDRAWN),
        (False, True, "published", [], R.PUBLISHED),  # published, then deleted or moved back
        (True, True, "published", [AGREEMENT], R.PUBLISHED),  # an update of a published dataset
        (True, False, "published", [], R.PRIVATE_AT_SOURCE),
        (False, False, None, [], R.PRIVATE_AT_SOURCE),
    ],
)
def test_what_an_import_makes_of_a_dataset(was_published, public, last, unmet, outcome):
    assert R.decide(was_published, public, last, unmet)[0] == outcome


# -- ckanext-harvest, for real ---------------------------------------------------------
@pytest.fixture
def remote():
    site = RemoteCkan()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        site.serve(mock)
        yield site


def make_source(user: str = "cd13-admin", org: str = "cd13", declaration: Any = DECLARATION, **fields):
    data = {
        "name": f"{org}-moissonnage",
        "title": "Moissonnage du portail du partenaire",
        "url": REMOTE + "/",
        "source_type": "ckan",
        "owner_org": org,
        "frequency": "MANUAL",
        **fields,
    }
    if declaration is not None:
        data["publication_declaration"] = declaration
    return act("harvest_source_create", user=user, **data)


def local(remote_dataset: dict[str, Any]) -> model.Package:
    model.Session.expire_all()
    return model.Package.get(remote_dataset["id"])


def journal(dataset_id: str) -> list[dict[str, Any]]:
    return act("publication_journal_list", user="region-team", dataset=dataset_id)["results"]


def test_a_partner_that_passes_the_gate_gets_its_datasets_published(partner, remote):
    good = remote.add("comptages-velo")
    closed = remote.add("reseau-bus", license_id="other-closed")
    source = make_source()
    results = run_job(source["id"])

    # the harvest did not fail: both imported, no error
    assert {r["report_status"] for r in results.values()} == {"added"}, results
    assert all(r["errors"] == [] for r in results.values())
    assert published(good["id"])
    assert local(good).owner_org == partner["org"]["id"]
    [entry] = journal(good["id"])
    assert entry["action"] == "published"
    assert entry["path"] == "harvest"
    assert entry["licence_id"] == "cc-by"
    assert entry["agreement_id"] == partner["agreement"]["id"]
    assert entry["actor"] == "cd13-admin"
    assert entry["declaration"]["declared_by"] == "cd13-admin"
    assert entry["declaration"]["harvest_source_id"] == source["id"]
    assert entry["declaration"]["personal_data"] == "none"
    assert entry["declaration"]["text_version"] == "2026-01"
    status = act("harvest_publication_show", user="cd13-member", id=good["id"])
    assert (status["outcome"], status["reasons"]) == ("published", [])
    shown = act("package_show", user=None, id=good["id"])
    assert (shown["publication_status"], shown["published_licence_id"]) == ("published", "cc-by")

    # the closed licence: imported, private, and the organization reads why
    assert not published(closed["id"])
    assert local(closed).private is True
    assert act("package_show", user="cd13-member", id=closed["id"])["publication_status"] == "never_published"
    assert journal(closed["id"]) == []
    status = act("harvest_publication_show", user="cd13-member", id=closed["id"])
    assert status["outcome"] == "private"
    assert [r["field"] for r in status["reasons"]] == ["license_id"]
    assert "Closed licence (all rights reserved)" in status["reasons"][0]["message"]  # by its title
    listed = act("harvest_publication_list", user="cd13-member", id=source["id"], outcome="private")
    assert [r["dataset_id"] for r in listed["results"]] == [closed["id"]]

    # the public sees the published one only
    found = act("package_search", user=None, q="*:*")["results"]
    assert [d["id"] for d in found] == [good["id"]]


@pytest.fixture
def unbound(partner, terms_acceptance_factory) -> dict[str, Any]:
    """An organization with the terms accepted, but no agreement."""
    factories.User(name="digne-admin")
    factories.User(name="digne-member")
    org = factories.Organization(
        name="digne",
        users=[{"name": "digne-admin", "capacity": "admin"}, {"name": "digne-member", "capacity": "member"}],
    )
    terms_acceptance_factory(organization="digne", user="digne-admin", version="1")
    return org


def test_no_agreement_imports_private_with_the_reason_for_the_organization(unbound, remote, app):
    dataset = remote.add("qualite-air")
    source = make_source(user="digne-admin", org="digne")
    results = run_job(source["id"])
    assert [r["errors"] for r in results.values()] == [[]]
    assert local(dataset) is not None
    assert not published(dataset["id"])
    assert journal(dataset["id"]) == []

    status = act("harvest_publication_show", user="digne-member", id=dataset["id"])
    assert status["outcome"] == "private"
    assert [r["field"] for r in status["reasons"]] == ["owner_org"]
    assert "agreement" in status["reasons"][0]["message"]
    # in French, for a French reader
    token = factories.APIToken(user="digne-member")["token"]
    response = app.get(
        "/api/3/action/harvest_publication_show",
        query_string={"id": dataset["id"]},
        headers={"Authorization": token, "Accept-Language": "fr"},
    )
    assert "convention" in response.json["result"]["reasons"][0]["message"]

    for user in ("outsider", "cd13-admin", None):
        with pytest.raises(tk.NotAuthorized):
            act("harvest_publication_show", user=user, id=dataset["id"])
    assert act("package_search", user="outsider", q="*:*")["count"] == 0


def test_no_declaration_imports_private_until_an_admin_declares(partner, remote, app):
    dataset = remote.add("parkings")
    source = make_source(declaration=None)
    run_job(source["id"])
    assert not published(dataset["id"])
    status = act("harvest_publication_show", user="cd13-editor", id=dataset["id"])
    assert [r["field"] for r in status["reasons"]] == ["publication_declaration"]
    assert "no personal-data declaration" in status["reasons"][0]["message"]
    shown = act("harvest_source_declaration_show", user="cd13-member", id=source["id"])
    assert shown["declaration"] is None and shown["counts"] is False
    token = factories.APIToken(user="cd13-member")["token"]
    response = app.get(
        "/api/3/action/harvest_source_declaration_show",
        query_string={"id": source["id"]},
        headers={"Authorization": token, "Accept-Language": "fr"},
    )
    assert (
        "n'a pas de déclaration relative aux données personnelles" in response.json["result"]["problems"][0]
    )

    act("harvest_source_declare", user="cd13-admin", id=source["id"], publication_declaration=DECLARATION)
    remote.change(dataset["id"], notes="Mise à jour du jeu.")
    run_job(source["id"])
    assert published(dataset["id"])
    assert local(dataset).notes == "Mise à jour du jeu."
    [entry] = journal(dataset["id"])
    assert entry["action"] == "published"
    assert entry["declaration"]["declared_by"] == "cd13-admin"


@pytest.mark.parametrize("what_changed", ["terms", "declaration text"])
def test_an_outdated_declaration_no_longer_counts(
    partner, remote, what_changed, monkeypatch, terms_version_factory, terms_acceptance_factory
):
    source = make_source()
    assert act("harvest_source_declaration_show", user="cd13-admin", id=source["id"])["counts"] is True
    if what_changed == "terms":
        terms_version_factory(version="2")
        terms_acceptance_factory(organization="cd13", user="cd13-admin", version="2")
        expected = "terms of use version 1"
    else:
        monkeypatch.setitem(tk.config, "ckanext.datasud_partnership.declaration_version", "2027-01")
        expected = "declaration text version 2026-01"
    shown = act("harvest_source_declaration_show", user="cd13-admin", id=source["id"])
    assert shown["counts"] is False
    assert [expected in p for p in shown["problems"]] == [True]

    dataset = remote.add("budget")
    run_job(source["id"])
    assert not published(dataset["id"])
    status = act("harvest_publication_show", user="cd13-member", id=dataset["id"])
    assert status["outcome"] == "private"
    assert [r["field"] for r in status["reasons"]] == ["publication_declaration"]
    assert expected in status["reasons"][0]["message"]
    assert "declare again" in status["reasons"][0]["message"]


def test_a_withdrawn_dataset_stays_withdrawn_when_harvested_again(partner, remote):
    dataset = remote.add("equipements-sportifs")
    source = make_source()
    run_job(source["id"])
    assert published(dataset["id"])
    act("dataset_withdraw", user="cd13-editor", id=dataset["id"], reason="Données à vérifier")

    remote.change(dataset["id"], title="Équipements sportifs (2026)")
    results = run_job(source["id"])
    assert [r["report_status"] for r in results.values()] == ["updated"]
    assert local(dataset).title == "Équipements sportifs (2026)"  # the update applies
    assert not published(dataset["id"])  # and it stays private
    assert [e["action"] for e in journal(dataset["id"])] == ["withdrawn", "published"]
    assert act("package_show", user="cd13-member", id=dataset["id"])["publication_status"] == "withdrawn"
    assert act("package_search", user=None, q="*:*")["count"] == 0
    status = act("harvest_publication_show", user="cd13-member", id=dataset["id"])
    assert status["outcome"] == "withdrawn"
    assert "withdrew" in status["reasons"][0]["message"]

    # the partner may publish it again, through the gate
    act("dataset_publish", user="cd13-editor", id=dataset["id"], publication_declaration=DECLARATION)
    assert published(dataset["id"])


def test_a_published_dataset_updated_by_the_harvest_stays_published(partner, remote):
    dataset = remote.add("horaires")
    source = make_source()
    run_job(source["id"])
    remote.change(dataset["id"], notes="Horaires d'été.")
    results = run_job(source["id"])
    assert [r["errors"] for r in results.values()] == [[]]
    assert published(dataset["id"])
    assert local(dataset).notes == "Horaires d'été."
    assert [e["action"] for e in journal(dataset["id"])] == ["published"]

    # a licence changed at the source is refused as on every path: the import errs, nothing changes
    remote.change(dataset["id"], license_id="cc-zero", notes="Autre licence.")
    results = run_job(source["id"])
    [result] = results.values()
    assert "withdraw" in str(result["errors"])
    assert local(dataset).license_id == "cc-by" and local(dataset).notes == "Horaires d'été."
    assert published(dataset["id"])

    # so is a blank required field (the description): the import errs, the dataset keeps its own
    remote.change(dataset["id"], license_id="cc-by", notes=" \u200b")
    results = run_job(source["id"])
    [result] = results.values()
    assert "notes" in str(result["errors"]) or "Description" in str(result["errors"])
    assert local(dataset).notes == "Horaires d'été."
    assert published(dataset["id"])
    assert [e["action"] for e in journal(dataset["id"])] == ["published"]


def test_only_an_admin_of_the_organization_declares(partner):
    with pytest.raises(ValidationError) as error:
        make_source(user="cd13-editor")
    assert "admin" in error.value.error_dict["publication_declaration"][0]
    assert model.Package.get("cd13-moissonnage") is None  # nothing created

    # the portal's team neither (sysadmins do not declare for a partner)
    with pytest.raises(ValidationError) as error:
        make_source(user="region-team")
    assert "publication_declaration" in error.value.error_dict
    assert model.Package.get("cd13-moissonnage") is None

    # a declaration that is not well formed
    with pytest.raises(ValidationError) as error:
        make_source(declaration={"personal_data": "maybe", "text_version": "2026-01"})
    assert "personal_data" in error.value.error_dict["publication_declaration"][0]
    with pytest.raises(ValidationError) as error:
        make_source(declaration={"personal_data": "none", "text_version": "2020-01"})
    assert "2026-01" in error.value.error_dict["publication_declaration"][0]
    assert model.Package.get("cd13-moissonnage") is None


@pytest.mark.ckan_config("ckanext.datasud_partnership.sysadmins_may_publish", True)
def test_sysadmins_declare_where_they_may_publish(partner):
    source = make_source(user="region-team")
    shown = act("harvest_source_declaration_show", user="cd13-member", id=source["id"])
    assert shown["counts"] is True and shown["declaration"]["declared_by"] == "region-team"


def test_the_harvest_source_itself_is_untouched_by_the_gate(partner):
    # created without a declaration, by an editor, public: no gate, no journal
    source = make_source(user="cd13-editor", declaration=None)
    assert source["type"] == "harvest"
    package = model.Package.get(source["id"])
    assert package.private is False and package.state == "active"
    act("harvest_source_patch", user="cd13-editor", id=source["id"], title="Nouveau titre")
    act("harvest_source_patch", user="region-team", id=source["id"], notes="Revue par la région")
    model.Session.expire_all()
    assert model.Package.get(source["id"]).title == "Nouveau titre"
    assert journal(source["id"]) == []
    with pytest.raises(tk.ObjectNotFound):
        act("harvest_publication_show", user="cd13-editor", id=source["id"])


def test_a_refused_redeclaration_changes_nothing(partner):
    source = make_source()
    before = act("harvest_source_declaration_show", user="cd13-admin", id=source["id"])
    later = {"personal_data": "anonymized", "text_version": "2026-01", "note": "Noms retirés"}

    with pytest.raises(ValidationError) as error:
        act(
            "harvest_source_patch",
            user="cd13-editor",
            id=source["id"],
            title="Autre",
            publication_declaration=later,
        )
    assert "publication_declaration" in error.value.error_dict
    with pytest.raises(ValidationError):
        act("harvest_source_declare", user="cd13-editor", id=source["id"], publication_declaration=later)
    with pytest.raises(ValidationError) as error:  # anonymized without saying how
        act(
            "harvest_source_declare",
            user="cd13-admin",
            id=source["id"],
            publication_declaration={"personal_data": "anonymized", "text_version": "2026-01"},
        )
    assert "anonymized" in error.value.error_dict["publication_declaration"][0]
    with pytest.raises(tk.NotAuthorized):
        act("harvest_source_declare", user="outsider", id=source["id"], publication_declaration=later)

    model.Session.expire_all()
    assert model.Package.get(source["id"]).title == source["title"]
    assert act("harvest_source_declaration_show", user="cd13-admin", id=source["id"]) == before

    # the admin re-declares: the new declaration is the one in force
    shown = act("harvest_source_declare", user="cd13-admin", id=source["id"], publication_declaration=later)
    assert shown["declaration"]["personal_data"] == "anonymized"
    assert shown["declaration"]["note"] == "Noms retirés"
    assert shown["counts"] is True


def test_a_dataset_made_private_at_the_source_is_withdrawn_citing_the_source(partner, remote):
    dataset = remote.add("arrets-bus")
    source = make_source()
    run_job(source["id"])
    assert published(dataset["id"])
    remote.change(dataset["id"], private=True)
    run_job(source["id"])
    assert not published(dataset["id"])
    entries = journal(dataset["id"])
    assert [e["action"] for e in entries] == ["withdrawn", "published"]
    assert entries[0]["path"] == "harvest"
    assert entries[0]["ground"] == {
        "type": "harvest_source",
        "harvest_source_id": source["id"],
        "harvest_source_url": source["url"],
        "harvest_source_title": source["title"],
    }
    assert "private" in entries[0]["reason"]
    status = act("harvest_publication_show", user="cd13-member", id=dataset["id"])
    assert status["outcome"] == "private_at_source"


def test_a_declaration_counts_only_for_the_organization_it_was_made_for(partner):
    source = make_source()
    act("harvest_source_patch", user="region-team", id=source["id"], owner_org="nice")
    shown = act("harvest_source_declaration_show", user="nice-editor", id=source["id"])
    assert shown["counts"] is False
    assert "another organization" in shown["problems"][0]
    with pytest.raises(tk.NotAuthorized):  # cd13's members no longer read it
        act("harvest_source_declaration_show", user="cd13-member", id=source["id"])


def source_form(org_id: str, name: str, personal_data: str = "none") -> dict[str, str]:
    return {
        "url": REMOTE + "/" + name,
        "title": "Source " + name,
        "name": name,
        "notes": "",
        "source_type": "ckan",
        "frequency": "MANUAL",
        "config": "",
        "owner_org": org_id,
        "publication_declaration__0__personal_data": personal_data,
        "publication_declaration__0__text_version": "2026-01",
        "publication_declaration__0__note": "",
        "save": "",
    }


@pytest.mark.ckan_config("WTF_CSRF_ENABLED", False)
def test_the_harvest_source_form_carries_the_declaration(partner, app):
    org_id = partner["org"]["id"]

    def as_user(name: str) -> dict[str, str]:
        return {"Authorization": factories.APIToken(user=name)["token"], "Accept-Language": "en"}

    page = app.get("/en/harvest/new", headers=as_user("cd13-editor"))
    assert 'name="publication_declaration__0__personal_data"' in page.body
    page = app.get("/fr/harvest/new", headers=as_user("cd13-editor"))
    assert "Déclaration relative aux données personnelles pour les jeux moissonnés" in page.body
    # an editor may create the source, not declare for it: the form says so, nothing is created
    page = app.post("/en/harvest/new", data=source_form(org_id, "by-editor"), headers=as_user("cd13-editor"))
    assert "Only an admin of the organization makes the personal-data declaration" in page.body
    assert model.Package.get("by-editor") is None
    # "Do not declare now": the source is created, with no declaration
    app.post(
        "/en/harvest/new", data=source_form(org_id, "no-declaration", ""), headers=as_user("cd13-editor")
    )
    assert model.Package.get("no-declaration") is not None
    assert (
        act("harvest_source_declaration_show", user="cd13-admin", id="no-declaration")["declaration"] is None
    )

    app.post("/en/harvest/new", data=source_form(org_id, "by-admin"), headers=as_user("cd13-admin"))
    shown = act("harvest_source_declaration_show", user="cd13-member", id="by-admin")
    assert shown["counts"] is True and shown["declaration"]["declared_by"] == "cd13-admin"
    page = app.get("/en/harvest/edit/by-admin", headers=as_user("cd13-admin"))
    assert "Declared by cd13-admin" in page.body
