"""A small corpus indexed once per module, searched by many tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins as plugins
import freezegun
import pytest
from ckan import model
from ckan.tests import factories, helpers

from conftest import migrate_all

ADMIN = {"user": "region-admin"}


def _dataset(org: dict[str, Any], name: str, title: str, **fields: Any) -> dict[str, Any]:
    fields.setdefault("resources", [{"url": f"http://example.org/{name}.csv", "format": "CSV"}])
    return helpers.call_action(
        "package_create", context=dict(ADMIN), owner_org=org["id"], name=name, title=title, **fields
    )


# The search backend stands alone: its tests run without the partnership
# plugin (whose publication gate would refuse these public datasets) and so
# without its scheming schema (whose validators that plugin registers): CKAN's
# default dataset schema.
PLUGINS = "datasud_pgsearch activity harvest"


@pytest.fixture(autouse=True)
def load_standard_plugins(ckan_config, monkeypatch, request):
    monkeypatch.setitem(ckan_config, "ckan.plugins", PLUGINS)
    request.getfixturevalue("with_plugins")


@pytest.fixture(scope="module")
def corpus(reset_db, migrate_db_for, reset_index) -> dict[str, Any]:
    """Two partner organizations, five public datasets, two private ones, a
    draft and a deleted one, created in this order one day apart."""
    from ckan.common import config

    config["ckan.plugins"] = PLUGINS
    plugins.load_all()
    reset_db()
    migrate_all(migrate_db_for)
    reset_index()
    sysadmin = factories.Sysadmin(name="region-admin")
    cd13_member = factories.User(name="cd13-member")
    digne_member = factories.User(name="digne-member")
    outsider = factories.User(name="outsider")
    cd13 = factories.Organization(
        name="cd13",
        title="Département des Bouches-du-Rhône",
        users=[{"name": "cd13-member", "capacity": "member"}],
    )
    digne = factories.Organization(
        name="digne",
        title="Commune de Digne-les-Bains",
        users=[{"name": "digne-member", "capacity": "member"}],
    )
    factories.Group(name="environnement", title="Environnement")
    start = dt.datetime(2026, 1, 10, 9, 0, 0)
    specs = [
        (
            cd13,
            "energie-renouvelable",
            "Données de l'énergie renouvelable",
            {
                "notes": "Production d'électricité solaire par commune",
                "license_id": "cc-by",
                "tags": [{"name": "energie"}, {"name": "solaire"}],
                "groups": [{"name": "environnement"}],
            },
        ),
        (
            cd13,
            "transport-urbain",
            "Transport urbain",
            {
                "notes": "Horaires des bus et données de fréquentation",
                "license_id": "odc-odbl",
                "tags": [{"name": "mobilite"}, {"name": "transport"}],
                "resources": [
                    {"url": "http://example.org/bus.json", "format": "JSON", "name": "Horaires"},
                    {"url": "http://example.org/bus.csv", "format": "CSV"},
                ],
            },
        ),
        (
            digne,
            "energie-climat",
            "Énergie et climat",
            {
                "notes": "Plan climat air énergie territorial",
                "license_id": "cc-by",
                "tags": [{"name": "energie"}, {"name": "climat"}],
                "groups": [{"name": "environnement"}],
                "resources": [{"url": "http://example.org/pcaet.geojson", "format": "GeoJSON"}],
            },
        ),
        (
            digne,
            "budget-primitif",
            "Budget primitif",
            {
                "notes": "Le budget de la commune",
                "license_id": "notspecified",
                "tags": [{"name": "finances"}],
                "resources": [],
            },
        ),
        (
            digne,
            "frequentation-touristique",
            "Fréquentation touristique",
            {
                "notes": "Nuitées, et énergie consommée par les hébergements",
                "license_id": "cc-zero",
                "tags": [{"name": "tourisme"}],
            },
        ),
        (
            cd13,
            "sante-prive",
            "Données privées de santé",
            {"private": True, "tags": [{"name": "sante"}], "license_id": "cc-by"},
        ),
        (digne, "energie-interne", "Projet énergie interne", {"private": True, "license_id": "cc-by"}),
        (cd13, "brouillon-mobilite", "Brouillon mobilité", {"state": "draft"}),
        (cd13, "ancien-jeu", "Ancien jeu supprimé", {}),
    ]
    datasets = {}
    for i, (org, name, title, fields) in enumerate(specs):
        with freezegun.freeze_time(start + dt.timedelta(days=i)):
            datasets[name] = _dataset(org, name, title, **fields)
    helpers.call_action("package_delete", context=dict(ADMIN), id="ancien-jeu")
    model.Session.remove()
    return {
        "datasets": datasets,
        "orgs": {"cd13": cd13, "digne": digne},
        "users": {"sysadmin": sysadmin, "cd13": cd13_member, "digne": digne_member, "outsider": outsider},
    }


PUBLIC = {
    "energie-renouvelable",
    "transport-urbain",
    "energie-climat",
    "budget-primitif",
    "frequentation-touristique",
}


def search(user: str | None = None, **params: Any) -> dict[str, Any]:
    """package_search as ``user`` would run it (None: anonymous), auth on."""
    context = {"user": user or "", "ignore_auth": False}
    return helpers.call_action("package_search", context=context, **params)


def names(result: dict[str, Any]) -> set[str]:
    return {d["name"] for d in result["results"]}
