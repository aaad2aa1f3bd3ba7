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
from rdflib import Graph

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
    complete("budget", title="Budget", license_id="cc-by-sa", spatial_level="", spatial_code=""),
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
@pytest.mark.parametrize("name", [dataset["name"] for dataset in DATASETS])
def test_each_dataset_endpoint_has_no_violation(portal, version, name):
    found = shacl_check.violations(_graph(portal, f"/dataset/{name}.ttl" + PROFILES[version]), version)
    assert found == [], "\n".join(map(str, found))


def test_the_dcat_ap_3_catalogue_breaks_2_1_1_only_on_the_byte_size_datatype(portal):
    found = shacl_check.violations(_graph(portal, "/catalog.ttl"), "DCAT-AP 2.1.1")
    # one distribution of the catalogue has a size (parkings.csv)
    assert [(v.path, v.message) for v in found] == [
        ("http://www.w3.org/ns/dcat#byteSize", "Value is not Literal with datatype xsd:decimal")
    ]
