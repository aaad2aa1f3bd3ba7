"""DCAT-AP input: what ckanext-dcat's parser (the DCAT harvester's) makes of
a standard DCAT-AP catalogue with our profile: EU data themes, licence URIs,
EU frequencies and INSEE places mapped to the portal's lists (the tables of
the export, read the other way); a theme no portal theme imports kept and
reported, never a refusal."""

from __future__ import annotations

import json

from ckan.tests import helpers

from ckanext.dcat.processors import RDFParser

from .conftest import act, complete

PROFILES = ["euro_dcat_ap_3", "datasud_dcat_ap"]
EU = "http://publications.europa.eu/resource/authority/"

CATALOGUE = f"""
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

<https://partenaire.example/catalog> a dcat:Catalog ;
    dct:title "Catalogue du partenaire" ;
    dcat:dataset <https://partenaire.example/ds/1>, <https://partenaire.example/ds/2>,
                 <https://partenaire.example/ds/3>, <https://partenaire.example/ds/4> .

<https://partenaire.example/ds/1> a dcat:Dataset ;
    dct:title "Lignes de bus" ;
    dct:description "Les lignes du réseau." ;
    dcat:theme <{EU}data-theme/TRAN>, <{EU}data-theme/TECH> ;
    dct:accrualPeriodicity <{EU}frequency/WEEKLY> ;
    dct:spatial <http://id.insee.fr/geo/commune/04070> ;
    dcat:distribution [ a dcat:Distribution ;
        dcat:accessURL <https://partenaire.example/bus.csv> ;
        dct:license <{EU}licence/ODC_BL> ] .

<https://partenaire.example/ds/2> a dcat:Dataset ;
    dct:title "Écoles" ;
    dct:description "Les écoles." ;
    dcat:theme <https://publications.europa.eu/resource/authority/data-theme/EDUC> ;
    dcat:distribution [ a dcat:Distribution ;
        dcat:accessURL <https://partenaire.example/ecoles.csv> ;
        dct:license <https://spdx.org/licenses/CC-BY-4.0.html> ] .

<https://partenaire.example/ds/3> a dcat:Dataset ;
    dct:title "Budget" ;
    dct:description "Le budget." ;
    dcat:theme <{EU}data-theme/INTR> ;
    dcat:distribution [ a dcat:Distribution ;
        dcat:accessURL <https://partenaire.example/budget.csv> ;
        dct:license <http://www.etalab.gouv.fr/licence-ouverte-open-licence> ] .

<https://partenaire.example/ds/4> a dcat:Dataset ;
    dct:title "Sans licence connue" ;
    dct:description "Une licence inconnue du portail." ;
    dcat:theme <{EU}data-theme/JUST> ;
    dcat:distribution [ a dcat:Distribution ;
        dcat:accessURL <https://partenaire.example/x.csv> ;
        dct:license <https://example.org/ma-licence> ] .
"""


def parsed(data: str = CATALOGUE, fmt: str = "turtle") -> dict[str, dict]:
    parser = RDFParser(profiles=PROFILES)
    parser.parse(data, _format=fmt)
    return {dataset["title"]: dataset for dataset in parser.datasets()}


def extras(dataset: dict) -> dict[str, str]:
    return {extra["key"]: extra["value"] for extra in dataset.get("extras", [])}


def test_eu_themes_licence_uris_frequency_and_place_are_mapped():
    datasets = parsed()

    bus = datasets["Lignes de bus"]
    assert bus["theme"] == ["mobilite"]
    assert json.loads(extras(bus)["dcat_theme_unmapped"]) == [EU + "data-theme/TECH"]
    assert bus["license_id"] == "odc-odbl"  # the EU licence table
    assert bus["frequency"] == "WEEKLY"
    assert (bus["spatial_level"], bus["spatial_code"]) == ("commune", "04070")

    ecoles = datasets["Écoles"]
    assert ecoles["theme"] == ["education"]  # https, and culture-patrimoine does not import EDUC
    assert ecoles["license_id"] == "cc-by"  # SPDX's page

    budget = datasets["Budget"]
    assert budget["theme"] == []  # no portal theme imports INTR: kept and reported
    assert json.loads(extras(budget)["dcat_theme_unmapped"]) == [EU + "data-theme/INTR"]
    assert budget["license_id"] == "lo-2.0"  # the licence's own URL, http and no trailing slash

    other = datasets["Sans licence connue"]
    assert other["theme"] == ["securite"]  # `imports: [JUST]`
    assert not other["license_id"]  # not the portal's: left empty, for the gate to judge


def test_the_parsed_datasets_are_saved_with_their_themes_and_the_unmapped_ones_kept(partner):
    """What used to fail at package_create (``Unknown theme: http://...``)."""
    for title, dataset in parsed().items():
        dataset.pop("resources")
        name = "import-" + str(abs(hash(title)))[:8]
        created = act("package_create", **dataset, name=name, owner_org="cd13", private=True)
        assert (created.get("theme") or []) == dataset["theme"]
        if "dcat_theme_unmapped" in extras(dataset):
            assert extras(created)["dcat_theme_unmapped"] == extras(dataset)["dcat_theme_unmapped"]


def test_our_own_catalogue_comes_back_as_it_went_out(app, partner):
    """A portal harvesting ours: the themes and licence come back, and the
    EU themes a harvested dataset brought that no portal theme imports."""
    unmapped = [EU + "data-theme/TECH", "https://vocabulaire.example/theme/42"]
    act(
        "package_create",
        **complete("parkings", theme=["mobilite", "sante"]),
        extras=[{"key": "dcat_theme_unmapped", "value": json.dumps(unmapped)}],
        private=True,
    )
    helpers.call_action(
        "dataset_publish",
        context={"user": "cd13-editor", "ignore_auth": False},
        id="parkings",
        publication_declaration={"personal_data": "none", "text_version": "2026-01"},
    )
    body = app.get("/catalog.ttl").body

    (dataset,) = parsed(body).values()

    assert sorted(dataset["theme"]) == ["mobilite", "sante"]
    assert dataset["license_id"] == "lo-2.0"
    assert dataset["frequency"] == "MONTHLY"
    assert (dataset["spatial_level"], dataset["spatial_code"]) == ("departement", "13")
    # the EU theme it kept went out again (and is kept again); another vocabulary's, without a label, did not
    assert json.loads(extras(dataset)["dcat_theme_unmapped"]) == [EU + "data-theme/TECH"]
