"""Shared pytest set-up: CKAN's pytest plugin, with our tables kept alive, and
one database per worker when pytest-xdist runs the tests in parallel.

CKAN's first ``clean_db`` of a session drops every table, ours included; the
override below re-applies the migrations of every plugin that has tables,
when they are not at their head (running alembic for nothing costs some
0.7 s a test).

With ``-n N`` (``make test`` runs two workers), worker slot ``k`` gets a copy
of the ini's database, ``<database>_w<k>``, made from it as a template before
any worker starts, and an ini of its own (``local/test-workers/``) with that
database, its own Redis database (the ini's + 8 + k), site id
(``<site id>_w<k>``) and storage path (``<storage path>-w<k>``). CKAN's pytest
plugin reads ``--ckan-ini`` in ``pytest_sessionstart``, after the
``pytest_configure`` below has pointed the worker at its own ini; the browser
tests' server and the CLI tests read the same ini. ``-n 0`` or
``-p no:xdist`` runs the tests in one process on the ini's own database.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest

PLUGINS_WITH_TABLES = ("activity", "harvest", "datasud_pgsearch", "datasud_partnership")


@functools.cache
def _heads(plugin: str) -> frozenset[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from ckan.cli.db import _resolve_alembic_config

    return frozenset(ScriptDirectory.from_config(Config(_resolve_alembic_config(plugin))).get_heads())


def _at_head(plugin: str) -> bool:
    import sqlalchemy as sa
    from ckan import model

    with model.ensure_engine().connect() as connection:
        try:
            versions = connection.execute(sa.text(f'SELECT version_num FROM "{plugin}_alembic_version"'))
        except sa.exc.ProgrammingError:  # dropped with every table
            return False
        return frozenset(row[0] for row in versions) == _heads(plugin)


def migrate_all(migrate_db_for: Any) -> None:
    """Every plugin's migrations that are not applied. A plugin the test has
    not loaded is loaded for its migration (alembic finds it through it)."""
    from ckan import plugins as p

    for plugin in PLUGINS_WITH_TABLES:
        loaded = p.plugin_loaded(plugin)
        if not loaded:
            p.load(plugin)
        try:
            if not _at_head(plugin):
                migrate_db_for(plugin)
        finally:
            if not loaded:
                p.unload(plugin)


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """The database emptied and migrated, and this site's search index
    emptied too: with datasud_pgsearch the index is a table of the database,
    but on Solr earlier tests' documents would remain."""
    from ckan.lib import search

    reset_db()
    migrate_all(migrate_db_for)
    search.clear_all()


@pytest.fixture(autouse=True)
def load_standard_plugins(with_plugins):
    """Every test runs with the plugins of test.ini loaded."""


# -- parallel runs: one database, Redis database, site id and storage per worker --

ROOT = Path(__file__).resolve().parent
WORKER_INIS = ROOT / "local" / "test-workers"
REDIS_OFFSET = 8  # worker slot k uses Redis database <the ini's> + 8 + k
REDIS_DATABASES = 16  # Redis's default
# CKAN lets these variables override the ini (ckan.config.environment); the
# workers' inis carry values derived from them, so the workers drop them.
ENV_OVERRIDES = {
    "sqlalchemy.url": "CKAN_SQLALCHEMY_URL",
    "ckan.redis.url": "CKAN_REDIS_URL",
    "ckan.site_id": "CKAN_SITE_ID",
    "ckan.storage_path": "CKAN_STORAGE_PATH",
}


def _worker_count(config: pytest.Config) -> int:
    """How many workers pytest-xdist starts; 0 when it runs none."""
    if config.getoption("dist", "no") == "no":
        return 0
    return len(config.getoption("tx", None) or ())


def _escape(value: str) -> str:
    return value.replace("%", "%%")  # ConfigParser interpolates %(...)s


def _worker_settings(base: dict[str, str], slot: int) -> dict[str, str]:
    from urllib.parse import urlsplit, urlunsplit

    from sqlalchemy.engine import make_url

    suffix = f"_w{slot}"
    url = make_url(base["sqlalchemy.url"])
    redis = urlsplit(base["ckan.redis.url"])
    redis_db = int(redis.path.strip("/") or 0) + REDIS_OFFSET + slot
    if redis_db >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"worker {slot} would need Redis database {redis_db}: Redis has {REDIS_DATABASES}. "
            f"Give the ini a lower ckan.redis.url database, or run fewer workers (-n)."
        )
    site_id = base["ckan.site_id"]
    hidden = base.get("ckan.hide_activity_from_users", site_id).split()
    settings = {
        "sqlalchemy.url": url.set(database=url.database + suffix).render_as_string(hide_password=False),
        "ckan.redis.url": urlunsplit(redis._replace(path=f"/{redis_db}")),
        "ckan.site_id": site_id + suffix,
        "ckan.hide_activity_from_users": " ".join(site_id + suffix if u == site_id else u for u in hidden),
    }
    if base.get("ckan.storage_path"):
        settings["ckan.storage_path"] = f"{base['ckan.storage_path']}-w{slot}"
    return settings


def _copy_database(base_url: str, copies: list[str]) -> None:
    """(Re)create each copy from the base database, as a template: the base
    holds every migration (``ckan db upgrade``), a copy costs a second or so.
    PostgreSQL copies a database only while no one else is connected to it."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for copy in copies:
                for statement in (
                    f'DROP DATABASE IF EXISTS "{copy}"',
                    f'CREATE DATABASE "{copy}" TEMPLATE "{url.database}"',
                ):
                    try:
                        connection.execute(sa.text(statement))
                    except sa.exc.DBAPIError as error:
                        raise pytest.UsageError(
                            f"{statement}: {str(error.orig).strip()}\n"
                            f"The test workers' databases are copies of {url.database}: the role "
                            f"{url.username} needs CREATEDB (`make services` grants it), and no other "
                            f"session may use {url.database} or the copies meanwhile (another test "
                            f"run?). `-n 0` runs the tests in one process, on {url.database} itself."
                        ) from None
    finally:
        engine.dispose()


def _prepare_workers(ini: str, count: int) -> list[str]:
    """The workers' databases and inis, one per slot; returns the inis' paths."""
    from ckan.cli import CKANConfigLoader
    from sqlalchemy.engine import make_url

    ini_path = Path(ini).resolve()
    conf = CKANConfigLoader(str(ini_path)).get_config()
    base = {key: os.environ.get(var) or conf.get(key, "") for key, var in ENV_OVERRIDES.items()}
    ini_site_id = conf.get("ckan.site_id", "")
    hidden = (conf.get("ckan.hide_activity_from_users") or ini_site_id).split()
    base["ckan.hide_activity_from_users"] = " ".join(
        base["ckan.site_id"] if u == ini_site_id else u for u in hidden
    )
    slots = [_worker_settings(base, slot) for slot in range(count)]
    databases = [make_url(settings["sqlalchemy.url"]).database for settings in slots]
    _copy_database(base["sqlalchemy.url"], databases)

    WORKER_INIS.mkdir(parents=True, exist_ok=True)
    paths = []
    for database, settings in zip(databases, slots, strict=True):
        path = WORKER_INIS / f"{database}.ini"
        lines = [
            f"# Written by conftest.py at each parallel run: {ini_path} for one test worker.",
            "[app:main]",
            f"use = config:{_escape(str(ini_path))}",
            *(f"{key} = {_escape(value)}" for key, value in settings.items()),
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(str(path))
    return paths


class _WorkerSlots:
    """The controller's plugin: gives each worker a free slot (its ini) before
    it starts, and takes it back when the worker goes down, so that a worker
    replacing a crashed one gets that one's database."""

    def __init__(self, inis: list[str]) -> None:
        self.free = list(inis)
        self.taken: dict[str, str] = {}

    def pytest_configure_node(self, node: Any) -> None:
        ini = self.free.pop(0)
        self.taken[node.gateway.id] = ini
        node.workerinput["datasud_ckan_ini"] = ini

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        ini = self.taken.pop(node.gateway.id, None)
        if ini:
            self.free.append(ini)


def pytest_configure(config: pytest.Config) -> None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # a worker: its own ini, before CKAN's plugin reads it
        config.option.ckan_ini = workerinput["datasud_ckan_ini"]
        for var in ENV_OVERRIDES.values():
            os.environ.pop(var, None)
        return
    count = _worker_count(config)
    if count:  # the controller: every worker's database, before anyone connects to the base
        if not config.option.ckan_ini:
            raise pytest.UsageError("--ckan-ini is required")
        config.pluginmanager.register(_WorkerSlots(_prepare_workers(config.option.ckan_ini, count)))
