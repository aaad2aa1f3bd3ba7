"""The DCAT-AP output validated against the official SHACL shapes (DCAT-AP
2.1.1 and 3.0, ``tests/profile/shacl/``), with pyshacl and RDFS inference:
a small catalogue covering the profile's fields, made once for the module,
served by the portal (``/catalog.ttl`` and each ``/dataset/<name>.ttl``).

The portal serves DCAT-AP 3 (``euro_dcat_ap_3 datasud_dcat_ap``), and DCAT-AP
2 to whoever asks (``?profiles=euro_dcat_ap_2,datasud_dcat_ap``). The two
versions disagree on one point only: the datatype of ``dcat:byteSize``
(``xsd:decimal`` in 2.1.1, ``xsd:nonNegativeInteger`` in 3.0), so a
distribution with a size cannot satisfy both in one document."""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import pytest
from ckan.tests import factories, helpers
from freezegun import freeze_time
from rdflib import BNode, Graph

from conftest import migrate_all
from tests.factories import AgreementFactory, TermsAcceptanceFactory, TermsVersionFactory

from . import shacl_check
from .conftest import DECLARATION, complete

VERSIONS = sorted(shacl_check.SHAPE_FILES)
# the RDF profiles each version of the shapes is checked on
PROFILES = {"DCAT-AP 3.0": "", "DCAT-AP 2.1.1": "?profiles=euro_dcat_ap_2,datasud_dcat_ap"}

# a few datasets across the profile: each level of INSEE code, formats with and
# without an EU file type, every kind of licence URI, with and without contact
DATASETS: list[dict[str, Any]] = [
    complete(
        "parkings",
        resources=[
            {"name": "Parkings", "url": "https://cd13.example/parkings.csv", "format": "CSV", "size": 2048},
            {"name": "Parkings (carte)", "url": "https://cd13.example/parkings.geojson", "format": "GeoJSON"},
        ],
    ),
    complete(
        "sentiers-digne",
        title="Sentiers de Digne-les-Bains",
        license_id="odc-odbl",
        theme=["tourisme", "environnement"],
        spatial_text="Digne-les-Bains",
        spatial_level="commune",
        spatial_code="04070",
        temporal_end="",
        frequency="IRREG",
        maintainer="",
        maintainer_email="",
        resources=[
            {"name": "Tracés", "url": "https://cd13.example/sentiers-shp.zip", "format": "SHP"},
            {"name": "API", "url": "https://cd13.example/api/sentiers/v1", "format": "API"},
            {
                "name": "Guide",
                "url": "https://cd13.example/guide.pdf",
                "format": "PDF",
                "description": "Le guide.",
            },
        ],
    ),
    complete(
        "lycees-region",
        title="Lycées de la région",
        license_id="cc-zero",
        theme=["education"],
        spatial_text="Provence-Alpes-Côte d'Azur",
        spatial_level="region",
        spatial_code="93",
        url="https://cd13.example/lycees",
        resources=[
            {"name": "Lycées", "url": "https://cd13.example/lycees.xlsx", "format": "XLSX"},
            {"name": "Horaires", "url": "https://cd13.example/gtfs.zip", "format": "GTFS"},
            {"name": "Sans format", "url": "https://cd13.example/lycees"},
        ],
    ),
    complete(
        "budget",
        title="Budget",
        license_id="cc-by-sa",
        spatial_level="",
        spatial_code="",
        # harvested: an EU theme no portal theme imports, kept and given back
        extras=[
            {
                "key": "dcat_theme_unmapped",
                "value": '["http://publications.europa.eu/resource/authority/data-theme/TECH"]',
            }
        ],
    ),
]


def _act(action: str, user: str, **data: Any) -> Any:
    return helpers.call_action(action, context={"user": user, "ignore_auth": False}, **data)


@pytest.fixture(scope="module")
def portal(reset_db, migrate_db_for, reset_index) -> Any:
    """The catalogue, published by its partner, and a client of the portal."""
    plugins.load_all()
    reset_db()
    migrate_all(migrate_db_for)
    reset_index()
    factories.Sysadmin(name="region-team")
    factories.User(name="cd13-admin")
    factories.User(name="cd13-editor")
    factories.Organization(
        name="cd13",
        title="Département des Bouches-du-Rhône",
        url="https://www.departement13.example",
        email="opendata@departement13.example",
        users=[{"name": "cd13-admin", "capacity": "admin"}, {"name": "cd13-editor", "capacity": "editor"}],
    )
    AgreementFactory(organization="cd13", reference="CONV-CD13", in_force=True)
    TermsVersionFactory(version="1", title="CGU DataSud", url="https://datasud.example/cgu")
    TermsAcceptanceFactory(organization="cd13", user="cd13-admin", version="1")
    with freeze_time("2026-03-12"):
        for dataset in DATASETS:
            _act("package_create", "cd13-editor", **dataset, private=True)
            _act("dataset_publish", "cd13-editor", id=dataset["name"], publication_declaration=DECLARATION)
    yield helpers._get_test_app()
    plugins.unload_all()


def _graph(portal: Any, path: str) -> Graph:
    response = portal.get(path)
    assert response.status_code == 200, response.body
    return Graph().parse(data=response.body, format="turtle")


@pytest.mark.parametrize("version", VERSIONS)
def test_the_catalogue_has_no_violation(portal, version):
    found = shacl_check.violations(_graph(portal, "/catalog.ttl" + PROFILES[version]), version)
    assert found == [], "\n".join(map(str, found))


@pytest.mark.parametrize("version", VERSIONS)
def test_each_dataset_endpoint_has_no_violation(portal, version):
    """One test for the four endpoints: each test costs some 0.8 s of set-up."""
    found = {
        dataset["name"]: shacl_check.violations(
            _graph(portal, f"/dataset/{dataset['name']}.ttl" + PROFILES[version]), version
        )
        for dataset in DATASETS
    }
    assert all(not violations for violations in found.values()), "\n".join(
        f"{name}: {violation}" for name, violations in found.items() for violation in violations
    )


def test_the_dcat_ap_3_catalogue_breaks_2_1_1_only_on_the_byte_size_datatype(portal):
    found = shacl_check.violations(_graph(portal, "/catalog.ttl"), "DCAT-AP 2.1.1")
    # one distribution of the catalogue has a size (parkings.csv)
    assert [(v.path, v.message) for v in found] == [
        ("http://www.w3.org/ns/dcat#byteSize", "Value is not Literal with datatype xsd:decimal")
    ]


def test_what_the_shapes_asked_for_is_there(portal):
    """The values behind the 0 violations, as a consumer reads them."""
    from ckan import model
    from rdflib import Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

    eu = "http://publications.europa.eu/resource/authority/"
    iana = "http://www.iana.org/assignments/media-types/"
    g = _graph(portal, "/catalog.ttl")
    site = URIRef("http://test.ckan.net")

    # the catalogue: a description in both languages, a publisher, its language as a URI
    assert {lit.language for lit in g.objects(site, DCTERMS.description)} == {"fr", "en"}
    publisher = g.value(site, DCTERMS.publisher)
    assert publisher != site and str(g.value(publisher, FOAF.name)) == "DataSud (tests)"
    assert set(g.objects(site, DCTERMS.language)) == {URIRef(eu + "language/FRA")}

    def dataset(name: str) -> URIRef:
        return URIRef(f"http://test.ckan.net/dataset/{model.Package.get(name).id}")

    def distribution(name: str, url: str) -> URIRef:
        (found,) = [
            d for d in g.objects(dataset(name), DCAT.distribution) if str(g.value(d, DCAT.accessURL)) == url
        ]
        return found

    sentiers = dataset("sentiers-digne")
    assert g.value(sentiers, DCTERMS.language) == URIRef(eu + "language/FRA")
    assert g.value(sentiers, DCTERMS.accessRights) == URIRef(eu + "access-right/PUBLIC")
    assert URIRef("http://test.ckan.net/dataset/sentiers-digne") in set(g.objects(sentiers, DCAT.landingPage))
    place = g.value(sentiers, DCTERMS.spatial)
    assert place == URIRef("http://id.insee.fr/geo/commune/04070")
    assert g.value(place, SKOS.prefLabel) == Literal("Digne-les-Bains")
    assert g.value(place, DCTERMS.identifier) == Literal("04070")
    tourism = URIRef(eu + "data-theme/ECON")
    assert tourism in set(g.objects(sentiers, DCAT.theme))
    assert (tourism, RDF.type, SKOS.Concept) in g
    assert g.value(tourism, SKOS.prefLabel) is not None
    # no maintainer: the organization's contact e-mail
    contact = g.value(sentiers, DCAT.contactPoint)
    assert str(g.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"))) == (
        "mailto:opendata@departement13.example"
    )

    shp = distribution("sentiers-digne", "https://cd13.example/sentiers-shp.zip")
    assert g.value(shp, DCTERMS["format"]) == URIRef(eu + "file-type/SHP")
    assert g.value(shp, DCAT.downloadURL) == URIRef("https://cd13.example/sentiers-shp.zip")
    api = distribution("sentiers-digne", "https://cd13.example/api/sentiers/v1")
    assert g.value(g.value(api, DCTERMS["format"]), RDFS.label) == Literal("API")  # not in the EU table
    assert g.value(api, DCAT.downloadURL) is None  # an API is not a download
    csv = distribution("parkings", "https://cd13.example/parkings.csv")
    assert g.value(csv, DCAT.mediaType) == URIRef(iana + "text/csv")
    assert g.value(csv, DCAT.byteSize) == Literal(2048, datatype=XSD.nonNegativeInteger)  # DCAT-AP 3
    # the licence: ckanext-dcat's own (ckanext.dcat.resource.inherit.license), the licence's URL
    xlsx = distribution("lycees-region", "https://cd13.example/lycees.xlsx")
    assert g.value(xlsx, DCTERMS.license) == URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
    assert g.value(dataset("lycees-region"), DCTERMS.spatial) == URIRef("http://id.insee.fr/geo/region/93")
    # no INSEE code: the place name only
    assert isinstance(g.value(dataset("budget"), DCTERMS.spatial), BNode)
    # the EU theme a harvest kept goes out with the portal's themes
    assert URIRef(eu + "data-theme/TECH") in set(g.objects(dataset("budget"), DCAT.theme))
