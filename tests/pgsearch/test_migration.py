"""The search backend's migration goes up and down cleanly."""

import pytest
from ckan import model
from sqlalchemy import inspect


def _has_index_table() -> bool:
    return inspect(model.ensure_engine()).has_table("datasud_pgsearch_document")


@pytest.mark.usefixtures("clean_db")
def test_upgrade_and_downgrade(migrate_db_for):
    assert _has_index_table()
    migrate_db_for("datasud_pgsearch", "base", False)
    assert not _has_index_table()
    migrate_db_for("datasud_pgsearch")
    assert _has_index_table()
