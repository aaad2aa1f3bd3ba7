"""Shared pytest set-up: CKAN's pytest plugin, with our tables kept alive.

CKAN's first ``clean_db`` of a session drops every table, ours included; the
override below re-applies the migrations of every plugin that has tables.
"""

import pytest

PLUGINS_WITH_TABLES = ("activity", "harvest", "datasud_pgsearch", "datasud_partnership")


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    reset_db()
    for plugin in PLUGINS_WITH_TABLES:
        migrate_db_for(plugin)


@pytest.fixture(autouse=True)
def load_standard_plugins(with_plugins):
    """Every test runs with the plugins of test.ini loaded."""
