"""A partner that may publish: an agreement in force, the terms accepted."""

from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories, helpers

DECLARATION = {"personal_data": "none", "text_version": "2026-01"}
# what the metadata profile requires for publication, besides the core fields
PROFILE_FIELDS = {
    "theme": ["economie-finances"],
    "spatial_text": "Bouches-du-Rhône",
    "temporal_start": "2026-01-01",
}


def act(action_name: str, user: str | None = "cd13-editor", **data: Any) -> Any:
    """Call an action as ``user`` (None: anonymous), authorization on."""
    return helpers.call_action(action_name, context={"user": user or "", "ignore_auth": False}, **data)


@pytest.fixture
def partner(clean_db, agreement_factory, terms_version_factory, terms_acceptance_factory) -> dict[str, Any]:
    users = {
        "sysadmin": factories.Sysadmin(name="region-team"),
        "admin": factories.User(name="cd13-admin"),
        "editor": factories.User(name="cd13-editor"),
        "member": factories.User(name="cd13-member"),
        "outsider": factories.User(name="outsider"),
        "other_editor": factories.User(name="nice-editor"),
        "other_admin": factories.User(name="nice-admin"),
    }
    org = factories.Organization(
        name="cd13",
        users=[
            {"name": "cd13-admin", "capacity": "admin"},
            {"name": "cd13-editor", "capacity": "editor"},
            {"name": "cd13-member", "capacity": "member"},
        ],
    )
    other = factories.Organization(
        name="nice",
        users=[{"name": "nice-editor", "capacity": "editor"}, {"name": "nice-admin", "capacity": "admin"}],
    )
    agreement = agreement_factory(organization="cd13", reference="CONV-CD13", in_force=True)
    terms_version_factory(version="1", title="CGU DataSud", url="https://datasud.example/cgu")
    terms_acceptance_factory(organization="cd13", user="cd13-admin", version="1")
    return {"users": users, "org": org, "other": other, "agreement": agreement}


def draft_dataset(name: str = "budget-2026", **fields: Any) -> dict[str, Any]:
    """A private dataset of cd13 with everything publication needs."""
    values = {
        "name": name,
        "title": "Budget primitif 2026",
        "notes": "Le budget voté par le conseil départemental.",
        "license_id": "odc-odbl",
        "tags": [{"name": "budget"}],
        "resources": [{"url": "https://cd13.example/budget.csv", "format": "CSV"}],
        **PROFILE_FIELDS,
        "private": True,
        "owner_org": "cd13",
    }
    values.update(fields)
    return act("package_create", **values)


def published(name: str) -> bool:
    from ckan import model

    model.Session.expire_all()
    package = model.Package.get(name)
    return package.state == "active" and not package.private
