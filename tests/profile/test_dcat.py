"""DCAT-AP output (ckanext-dcat 2.4.4 with our profile), parsed with rdflib:
our fields with the EU vocabularies, and only published datasets."""

from __future__ import annotations

import datetime as dt

import pytest
from ckan.tests import factories
from freezegun import freeze_time
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from .conftest import DECLARATION, act, complete

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = Namespace("http://schema.org/")
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
SITE = "http://test.ckan.net"

pytestmark = pytest.mark.usefixtures("partner", "clean_index")

FORMATS = {"ttl": "turtle", "xml": "xml", "rdf": "xml", "jsonld": "json-ld"}


def graph(app, path: str, fmt: str, **kwargs) -> Graph:
    response = app.get(path, **kwargs)
    assert response.status_code == 200, response.body
    return Graph().parse(data=response.body, format=FORMATS[fmt])


def ref(name: str) -> URIRef:
    package = act("package_show", id=name)
    return URIRef(f"{SITE}/dataset/{package['id']}")


def datasets_in(g: Graph) -> set[URIRef]:
    return set(g.subjects(RDF.type, DCAT.Dataset))


@pytest.fixture
def catalogue(partner):
    """One published dataset, one draft, one private, one withdrawn."""
    act(
        "organization_patch",
        user="cd13-admin",
        id="cd13",
        title="Département des Bouches-du-Rhône",
        url="https://www.departement13.example",
        email="opendata@departement13.example",
    )
    with freeze_time("2026-03-12"):
        act("package_create", **complete("parkings"), private=True)
        act("dataset_publish", id="parkings", publication_declaration=DECLARATION)
    act("package_create", **complete("brouillon", title="Brouillon"), state="draft")
    act("package_create", **complete("prive", title="Privé"), private=True)
    act("package_create", **complete("retire", title="Retiré"), private=True)
    act("dataset_publish", id="retire", publication_declaration=DECLARATION)
    act("dataset_withdraw", id="retire", reason="Données à corriger")
    return {name: ref(name) for name in ("parkings", "brouillon", "prive", "retire")}


@pytest.mark.parametrize("fmt", ["ttl", "xml", "jsonld"])
def test_the_catalogue_carries_only_published_datasets(app, catalogue, fmt):
    g = graph(app, f"/catalog.{fmt}", fmt)
    assert datasets_in(g) == {catalogue["parkings"]}


def test_logged_in_partners_see_the_same_catalogue(app, catalogue):
    token = factories.APIToken(user="cd13-editor")["token"]
    g = graph(app, "/catalog.ttl", "ttl", headers={"Authorization": token})
    assert datasets_in(g) == {catalogue["parkings"]}


def test_the_dataset_endpoint_answers_only_for_a_published_dataset(app, catalogue):
    token = factories.APIToken(user="cd13-editor")["token"]
    for name in ("brouillon", "prive", "retire"):
        # not even for the partner who can read the dataset itself
        app.get(f"/dataset/{name}.ttl", headers={"Authorization": token}, status=404)
        app.get(f"/dataset/{name}.ttl", status=404)
    g = graph(app, "/dataset/parkings.ttl", "ttl")
    assert datasets_in(g) == {catalogue["parkings"]}


@pytest.mark.parametrize("fmt", ["ttl", "xml", "jsonld"])
def test_our_fields_with_their_vocabularies(app, catalogue, fmt):
    g = graph(app, f"/dataset/parkings.{fmt}", fmt)
    dataset = catalogue["parkings"]

    assert g.value(dataset, DCTERMS.title) == Literal("Parkings publics")
    # themes: mobilite -> TRAN, amenagement -> REGI
    assert set(g.objects(dataset, DCAT.theme)) == {URIRef(EU_THEME + "TRAN"), URIRef(EU_THEME + "REGI")}
    assert g.value(dataset, DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
    )
    # issued: the first publication, not the creation
    assert g.value(dataset, DCTERMS.issued) == Literal("2026-03-12", datatype=XSD.date)
    assert {str(keyword) for keyword in g.objects(dataset, DCAT.keyword)} == {"stationnement"}

    place = g.value(dataset, DCTERMS.spatial)
    assert g.value(place, SKOS.prefLabel) == Literal("Bouches-du-Rhône")
    assert g.value(place, DCTERMS.identifier) == Literal("13")

    period = g.value(dataset, DCTERMS.temporal)
    starts = {str(value) for value in g.objects(period, DCAT.startDate)} | {
        str(value) for value in g.objects(period, SCHEMA.startDate)
    }
    ends = {str(value) for value in g.objects(period, DCAT.endDate)} | {
        str(value) for value in g.objects(period, SCHEMA.endDate)
    }
    assert starts == {"2024-01-01"} and ends == {"2024-12-31"}

    contact = g.value(dataset, DCAT.contactPoint)
    assert str(g.value(contact, VCARD.fn)) == "Mission open data"
    assert str(g.value(contact, VCARD.hasEmail)) == "mailto:opendata@cd13.example"

    publisher = g.value(dataset, DCTERMS.publisher)
    assert str(g.value(publisher, FOAF.name)) == "Département des Bouches-du-Rhône"
    assert str(g.value(publisher, FOAF.homepage)) == "https://www.departement13.example"

    distributions = list(g.objects(dataset, DCAT.distribution))
    assert len(distributions) == 1
    assert g.value(distributions[0], DCTERMS.license) == URIRef(
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    )
    assert g.value(distributions[0], DCAT.accessURL) == URIRef("https://cd13.example/parkings.csv")


def test_the_demo_catalogue_parses_and_carries_only_its_published_datasets(app, clean_db):
    from ckan import model

    from ckanext.datasud_partnership import demo

    demo.load_demo_data()
    g = graph(app, "/catalog.ttl", "ttl")

    withdrawn = set(getattr(demo, "WITHDRAWN", {}))  # published, then withdrawn by the partner
    public = {dataset["name"] for dataset in demo.DATASETS if not dataset.get("private")} - withdrawn
    ids = {model.Package.get(name).id: name for name in public}
    assert {str(dataset).rsplit("/", 1)[-1] for dataset in datasets_in(g)} == set(ids)
    assert len(public) < len(demo.DATASETS)  # the demo has drafts, left out
    for dataset in datasets_in(g):
        assert list(g.objects(dataset, DCAT.theme)), ids[str(dataset).rsplit("/", 1)[-1]]
        assert str(g.value(dataset, DCTERMS.issued)) == dt.date.today().isoformat()
        assert g.value(dataset, DCTERMS.publisher) is not None
        assert g.value(dataset, DCTERMS.spatial) is not None
        assert g.value(dataset, DCTERMS.temporal) is not None

    # the demo's catalogue has no violation of the official shapes (the demo is loaded: cheap here)
    from . import shacl_check

    assert shacl_check.violations(g, "DCAT-AP 3.0") == []
    dcat_ap_2 = graph(app, "/catalog.ttl?profiles=euro_dcat_ap_2,datasud_dcat_ap", "ttl")
    assert shacl_check.violations(dcat_ap_2, "DCAT-AP 2.1.1") == []


def _json_ld(body: str) -> list[dict]:
    import json

    from bs4 import BeautifulSoup

    scripts = BeautifulSoup(body, "html.parser").find_all("script", type="application/ld+json")
    return [json.loads(script.string) for script in scripts if script.string and script.string.strip()]


def test_published_dataset_pages_carry_schema_org_json_ld_and_no_other_does(app, catalogue):
    (data,) = _json_ld(app.get("/dataset/parkings").body)
    nodes = data.get("@graph", [data])
    (dataset,) = [node for node in nodes if node.get("@type") in ("schema:Dataset", "Dataset")]
    assert dataset.get("name", dataset.get("schema:name")) == "Parkings publics"

    token = factories.APIToken(user="cd13-editor")["token"]
    for name in ("brouillon", "prive", "retire"):
        response = app.get(f"/dataset/{name}", headers={"Authorization": token})
        assert response.status_code == 200
        assert _json_ld(response.body) == []
