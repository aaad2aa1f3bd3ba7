"""Shared pytest set-up: CKAN's pytest plugin, with our tables kept alive.

CKAN's first ``clean_db`` of a session drops every table, ours included; the
override below re-applies the migrations of every plugin that has tables,
when they are not at their head (running alembic for nothing costs some
0.7 s a test).
"""

from __future__ import annotations

import functools
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
    reset_db()
    migrate_all(migrate_db_for)


@pytest.fixture(autouse=True)
def load_standard_plugins(with_plugins):
    """Every test runs with the plugins of test.ini loaded."""
