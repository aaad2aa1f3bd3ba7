"""Every caller of CKAN's search connection reaches this backend, and CKAN's
commands that touch the index or the configuration run with it."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from ckan import model
from ckan.cli.cli import ckan as ckan_command
from ckan.lib import search as ckan_search
from ckan.tests import factories, helpers
from sqlalchemy import text

from ckanext.datasud_pgsearch import backend
from ckanext.datasud_pgsearch.connection import TABLE

from .conftest import ADMIN, search

HOLDERS = [
    "ckan.lib.search",
    "ckan.lib.search.common",
    "ckan.lib.search.index",
    "ckan.lib.search.query",
    "ckanext.harvest.logic.action.update",
]


@pytest.mark.parametrize("module", HOLDERS)
def test_every_holder_of_make_connection_gets_this_backend(module):
    assert importlib.import_module(module).make_connection is backend.make_connection


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_harvest_source_index_clear_clears_this_index():
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource

    factories.Sysadmin(name="region-admin")
    org = factories.Organization()
    harvested = helpers.call_action(
        "package_create", context=dict(ADMIN), name="moissonne", owner_org=org["id"]
    )
    own = helpers.call_action("package_create", context=dict(ADMIN), name="saisi", owner_org=org["id"])
    source = HarvestSource(url="http://example.org/csw", type="csw", title="Source")
    model.Session.add(source)
    model.Session.flush()
    job = HarvestJob(source=source)
    model.Session.add(job)
    model.Session.flush()
    model.Session.add(
        HarvestObject(
            job=job,
            harvest_source_id=source.id,
            package_id=harvested["id"],
            current=True,
            import_finished=dt.datetime(2026, 1, 1),
        )
    )
    model.Session.commit()
    ckan_search.rebuild(harvested["id"])  # indexed with its harvest_source_id
    assert {d["name"] for d in search(fq=f'harvest_source_id:"{source.id}"')["results"]} == {"moissonne"}

    helpers.call_action("harvest_source_index_clear", context=dict(ADMIN), id=source.id)

    assert {d["name"] for d in search()["results"]} == {"saisi"}
    assert own["name"] == "saisi"


def test_config_declaration_of_this_plugin(cli):
    for args in (
        ["config", "declaration", "datasud_pgsearch"],
        ["config", "describe", "datasud_pgsearch"],
        ["config", "declaration", "--enabled"],
    ):
        result = cli.invoke(ckan_command, args)
        assert result.exit_code == 0, (args, result.output, result.exception)
    declared = cli.invoke(ckan_command, ["config", "declaration", "datasud_pgsearch"]).output
    assert "ckanext.datasud_pgsearch.facet_fields" in declared


def test_db_clean_cleans_the_index_and_succeeds(cli, reset_db, migrate_db_for):
    from conftest import migrate_all

    try:
        result = cli.invoke(ckan_command, ["db", "clean", "--yes"])
        assert result.exit_code == 0, (result.output, result.exception)
        with model.ensure_engine().connect() as conn:
            assert conn.execute(text("SELECT to_regclass(:t)"), {"t": TABLE}).scalar() is None
    finally:
        reset_db()
        migrate_all(migrate_db_for)
    assert search()["count"] == 0


def test_the_backend_comes_back_after_it_was_taken_out():
    """The Solr contract tests take the backend out of CKAN's search modules
    and put it back: every later search must reach PostgreSQL again."""
    from ckan.lib.search import index as search_index

    from ckanext.datasud_pgsearch import backend

    backend.uninstall()
    assert type(search_index.make_connection()).__module__ == "pysolr"
    backend.install()
    assert isinstance(search_index.make_connection(), backend.PgSolrConnection)
