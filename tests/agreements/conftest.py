"""Agreement kinds loaded from the shipped config files."""

from pathlib import Path

import pytest

from ckanext.datasud_partnership.agreements.kinds import load_kinds

KINDS_DIR = Path(__file__).resolve().parents[2] / "config" / "agreement_kinds"


@pytest.fixture(scope="session")
def kinds():
    return load_kinds(KINDS_DIR)


@pytest.fixture(scope="session")
def datasud(kinds):
    return kinds["datasud_partnership"]


@pytest.fixture(scope="session")
def challenge(kinds):
    return kinds["challenge_open_data"]


@pytest.fixture
def people(clean_db):
    """The portal team, a partner organization with one user per role, and
    another organization."""
    from ckan.tests import factories

    users = {
        "sysadmin": factories.Sysadmin(name="region-team"),
        "admin": factories.User(name="cd13-admin", email="admin@cd13.example"),
        "editor": factories.User(name="cd13-editor"),
        "member": factories.User(name="cd13-member"),
        "other_admin": factories.User(name="digne-admin"),
        "outsider": factories.User(name="outsider"),
    }
    partner = factories.Organization(
        name="cd13",
        title="Département des Bouches-du-Rhône",
        users=[
            {"name": "cd13-admin", "capacity": "admin"},
            {"name": "cd13-editor", "capacity": "editor"},
            {"name": "cd13-member", "capacity": "member"},
        ],
    )
    other = factories.Organization(name="digne", users=[{"name": "digne-admin", "capacity": "admin"}])
    return {"users": users, "partner": partner, "other": other}


def act(action, user="region-team", **data):
    """Call an action as ``user`` (None: anonymous) with authorization on."""
    from ckan.tests import helpers

    context = {"user": user or "", "ignore_auth": False}
    return helpers.call_action(action, context=context, **data)
