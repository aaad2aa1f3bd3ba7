"""Harvests through the real queues, from a partner's platform on 127.0.0.1:
ckanext-dcat's DCAT harvester and ckanext-harvest's CKAN harvester under the
same gate, declaration and journal; the source's withdrawals are withdrawals
here; imports the gate kept private are judged again once it would pass."""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
import pytest
from ckan import model

from ..publication.conftest import DECLARATION, act, published
from .queues import harvest


@pytest.fixture
def dcat_harvester():
    loaded = plugins.plugin_loaded("dcat_rdf_harvester")
    if not loaded:
        plugins.load("dcat_rdf_harvester")
    yield
    if not loaded:
        plugins.unload("dcat_rdf_harvester")


def make_source(source: Any, kind: str, declaration: Any = DECLARATION, user: str = "cd13-admin", org="cd13"):
    data = {
        "name": f"{org}-{kind.replace('_', '-')}",
        "title": "Plateforme du partenaire",
        "url": source.url + ("/catalog.ttl" if kind == "dcat_rdf" else "/"),
        "source_type": kind,
        "owner_org": org,
        "frequency": "MANUAL",
    }
    if declaration is not None:
        data["publication_declaration"] = declaration
    return act("harvest_source_create", user=user, **data)


def local(name: str) -> model.Package:
    model.Session.expire_all()
    return model.Package.get(name)


def by_title(title: str) -> model.Package:
    model.Session.expire_all()
    return model.Session.query(model.Package).filter_by(title=title, type="dataset").one()


def journal(dataset_id: str) -> list[dict[str, Any]]:
    return act("publication_journal_list", user="region-team", dataset=dataset_id)["results"]


def outcome(dataset_id: str) -> dict[str, Any]:
    return act("harvest_publication_show", user="cd13-member", id=dataset_id)


def statuses(result: dict[str, Any]) -> list[Any]:
    return sorted((o["report_status"], tuple(o["errors"])) for o in result["objects"].values())


def test_a_dcat_catalogue_is_harvested_through_the_gate_run_after_run(
    partner, source, consumers, dcat_harvester
):
    good = source.add("comptages-velo", title="Comptages vélo")
    source.add("reseau-bus", title="Réseau de bus", license_id="other-closed")
    created = make_source(source, "dcat_rdf")
    result = harvest(created["id"], consumers)
    assert statuses(result) == [("added", ()), ("added", ())], result
    velo, bus = by_title("Comptages vélo"), by_title("Réseau de bus")
    assert published(velo.id) and not published(bus.id)
    [entry] = journal(velo.id)
    assert (entry["action"], entry["path"], entry["declaration"]["declared_by"]) == (
        "published",
        "harvest",
        "cd13-admin",
    )
    assert outcome(bus.id)["outcome"] == "private"

    # the second run updates the private one without a crash (ckanext-dcat reads it)
    source.change(good["id"], notes="Comptages mis à jour.")
    result = harvest(created["id"], consumers)
    assert statuses(result) == [("updated", ()), ("updated", ())], result
    assert consumers.alive()
    assert local(velo.id).notes == "Comptages mis à jour." and published(velo.id)
    assert [e["action"] for e in journal(velo.id)] == ["published"]
    # and a third: every job ends, none is left "Running"
    result = harvest(created["id"], consumers)
    assert consumers.errors() == []


def test_a_standard_dcat_ap_catalogue_with_eu_themes_and_licence_uris_is_published(
    partner, source, consumers, dcat_harvester
):
    """EU data-theme URIs and licence URIs (as every DCAT-AP catalogue writes
    them, our own included) come in as the portal's themes and licences."""
    source.eu_vocabularies = True
    source.add("parkings", title="Parkings", theme=["mobilite"], license_id="odc-odbl")
    created = make_source(source, "dcat_rdf")
    result = harvest(created["id"], consumers)
    assert statuses(result) == [("added", ())], result
    parkings = local(by_title("Parkings").id)
    assert parkings.license_id == "odc-odbl"
    assert "mobilite" in parkings.extras["theme"]
    assert published(parkings.id)


def test_portal_fields_the_source_does_not_carry_are_kept(partner, source, consumers, dcat_harvester):
    source.add("parkings", title="Parkings", theme=[])  # no theme at the source
    created = make_source(source, "dcat_rdf", declaration=None)
    harvest(created["id"], consumers)
    parkings = by_title("Parkings")
    assert not published(parkings.id)
    # the partner completes the dataset on the portal and publishes it by hand
    act("package_patch", user="cd13-editor", id=parkings.id, theme=["mobilite"])
    act("dataset_publish", user="cd13-editor", id=parkings.id, publication_declaration=DECLARATION)
    assert published(parkings.id)

    result = harvest(created["id"], consumers)  # the source still carries no theme
    assert statuses(result) == [("updated", ())], result
    shown = act("package_show", user=None, id=parkings.id)
    assert shown["theme"] == ["mobilite"]  # the portal's value stays
    assert published(parkings.id)


@pytest.mark.parametrize("licence", ["other-open", "odc-pddl", "cc-nc", "uk-ogl"])
def test_a_licence_outside_the_portal_list_imports_private_with_the_reason(
    partner, source, consumers, licence
):
    dataset = source.add("budget", license_id=licence)
    created = make_source(source, "ckan")
    result = harvest(created["id"], consumers)
    assert statuses(result) == [("added", ())], result
    assert not published(dataset["id"])
    assert local(dataset["id"]).license_id == "notspecified"
    status = outcome(dataset["id"])
    assert status["outcome"] == "private"
    assert [r["field"] for r in status["reasons"]] == ["license_id"]
    assert licence in status["reasons"][0]["message"]


def test_a_withdrawal_at_the_source_is_a_withdrawal_here(partner, source, consumers, dcat_harvester):
    offered = source.add("arrets", title="Arrêts de bus")
    created = make_source(source, "dcat_rdf")
    harvest(created["id"], consumers)
    dataset = by_title("Arrêts de bus")
    assert published(dataset.id)

    # the partner deletes it on its platform: withdrawn here, never deleted
    source.change(offered["id"], state="deleted")
    result = harvest(created["id"], consumers)
    assert consumers.errors() == [], result
    assert local(dataset.id).state == "active" and not published(dataset.id)
    entries = journal(dataset.id)
    assert [e["action"] for e in entries] == ["withdrawn", "published"]
    assert entries[0]["ground"]["type"] == "harvest_source"
    assert entries[0]["ground"]["harvest_source_id"] == created["id"]
    assert entries[0]["ground"]["harvest_source_url"] == created["url"]
    assert outcome(dataset.id)["outcome"] == "withdrawn_at_source"
    assert act("package_search", user=None, q="*:*")["count"] == 0

    # offered again: published again, through the gate
    source.change(offered["id"], state="active")
    harvest(created["id"], consumers)
    assert published(dataset.id)
    assert [e["action"] for e in journal(dataset.id)] == ["published", "withdrawn", "published"]
    assert outcome(dataset.id)["outcome"] == "published"


def test_made_private_at_the_source_is_withdrawn_citing_the_source(partner, source, consumers):
    offered = source.add("horaires", private=False)
    created = make_source(source, "ckan")
    harvest(created["id"], consumers)
    assert published(offered["id"])
    # a harvester with access to the source's private datasets sees it private
    source.datasets[offered["id"]]["private"] = True
    source.offered = lambda: sorted(source.datasets.values(), key=lambda d: d["id"])  # noqa: ARG005
    source.change(offered["id"], notes="Masqué.")
    harvest(created["id"], consumers)
    del source.offered
    assert not published(offered["id"])
    [withdrawn, _] = journal(offered["id"])
    assert withdrawn["ground"]["type"] == "harvest_source"
    assert withdrawn["ground"]["harvest_source_id"] == created["id"]


def test_kept_private_for_want_of_a_declaration_then_declared(partner, source, consumers):
    dataset = source.add("parkings")
    created = make_source(source, "ckan", declaration=None)
    harvest(created["id"], consumers)
    assert outcome(dataset["id"])["outcome"] == "private"
    # the declaration itself judges the datasets already imported again
    act("harvest_source_declare", user="cd13-admin", id=created["id"], publication_declaration=DECLARATION)
    assert published(dataset["id"])
    assert outcome(dataset["id"])["outcome"] == "published"
    [entry] = journal(dataset["id"])
    assert (entry["path"], entry["declaration"]["declared_by"]) == ("harvest", "cd13-admin")


def test_kept_private_for_want_of_an_agreement_then_in_force(
    partner, source, consumers, agreement_factory, terms_acceptance_factory
):
    from ckan.tests import factories

    factories.User(name="digne-admin")
    factories.Organization(name="digne", users=[{"name": "digne-admin", "capacity": "admin"}])
    terms_acceptance_factory(organization="digne", user="digne-admin", version="1")
    dataset = source.add("qualite-air")
    created = make_source(source, "ckan", user="digne-admin", org="digne")
    harvest(created["id"], consumers)
    assert not published(dataset["id"])
    status = act("harvest_publication_show", user="digne-admin", id=dataset["id"])
    assert [r["field"] for r in status["reasons"]] == ["owner_org"]

    agreement_factory(organization="digne", reference="CONV-DIGNE", in_force=True)
    # the next run, although the source did not change the dataset
    result = harvest(created["id"], consumers)
    assert published(dataset["id"]), result
    status = act("harvest_publication_show", user="digne-admin", id=dataset["id"])
    assert (status["outcome"], status["reasons"]) == ("published", [])


def test_harvest_source_patch_after_a_job(partner, source, consumers):
    source.add("equipements")
    created = make_source(source, "ckan")
    harvest(created["id"], consumers)
    patched = act("harvest_source_patch", user="cd13-admin", id=created["id"], title="Nouveau titre")
    assert patched["title"] == "Nouveau titre"
    assert patched["source_type"] == "ckan"
    assert act("harvest_source_show", user="cd13-admin", id=created["id"])["title"] == "Nouveau titre"


@pytest.mark.ckan_config("WTF_CSRF_ENABLED", False)
@pytest.mark.parametrize("how", ["clear", "clear and delete"])
def test_clearing_a_source_in_the_web_ui(partner, source, consumers, app, how):
    """ckanext-harvest's "Clear" and "Clear and delete" reach this portal's
    search index (no Solr connection error, no 500)."""
    from ckan.tests import factories

    dataset = source.add("arrets")
    created = make_source(source, "ckan")
    harvest(created["id"], consumers)
    assert act("package_search", user=None, q="*:*")["count"] == 1
    local_id = by_title(dataset["title"]).id
    # the portal's team may not: a published dataset is withdrawn only with a ground
    with pytest.raises(tk.ValidationError) as refused:
        act("harvest_source_clear", user="region-team", id=created["id"])
    assert "id" in refused.value.error_dict
    assert act("package_search", user=None, q="*:*")["count"] == 1  # nothing changed
    headers = {"Authorization": factories.APIToken(user="cd13-admin")["token"], "Accept-Language": "en"}
    if how == "clear":
        page = app.post(f"/en/harvest/clear/{created['id']}", headers=headers, follow_redirects=True)
        expected = "Harvest source cleared"
    else:
        # the web's "Clear and delete" is ckanext-harvest's delete view with
        # ``clear``; on CKAN 2.12 the harvest dataset type's own delete view
        # answers that URL first: the action the view calls is tested here
        from ckan.tests import helpers

        helpers.call_action(
            "harvest_source_delete", context={"user": "cd13-admin", "clear_source": True}, id=created["id"]
        )
        expected = None
    if expected:
        assert page.status_code == 200
        assert expected in page.body and "Solr" not in page.body and "Error" not in page.body
    assert act("package_search", user=None, q="*:*")["count"] == 0
    model.Session.remove()  # the purge is SQL: forget what this session had loaded
    assert model.Package.get(dataset["id"]) is None
    # the journal keeps the withdrawal the clearing made
    from ckanext.datasud_partnership.publication.model import JournalEntry

    entries = model.Session.query(JournalEntry).filter_by(dataset_id=local_id).order_by(JournalEntry.id).all()
    assert [(e.action, e.path) for e in entries][-1] == ("withdrawn", "harvest_clear")
