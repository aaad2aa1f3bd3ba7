"""Each plugin's migrations go up and down cleanly."""

import pytest
from ckan import model
from sqlalchemy import inspect

TABLES = {
    "datasud_pgsearch": ["datasud_pgsearch_document"],
    "datasud_partnership": [
        "datasud_partnership_agreement",
        "datasud_partnership_agreement_event",
        "datasud_partnership_amendment",
        "datasud_partnership_milestone",
        "datasud_partnership_contribution",
        "datasud_partnership_notice",
        "datasud_partnership_termination",
        "datasud_partnership_agreement_state",
        "datasud_partnership_publication_journal",
        "datasud_partnership_terms_version",
        "datasud_partnership_terms_acceptance",
        "datasud_partnership_harvest_declaration",
        "datasud_partnership_harvest_outcome",
    ],
}


def _present(tables: list[str]) -> list[bool]:
    inspector = inspect(model.ensure_engine())
    return [inspector.has_table(table) for table in tables]


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("plugin", sorted(TABLES))
def test_upgrade_and_downgrade(migrate_db_for, plugin):
    tables = TABLES[plugin]
    assert all(_present(tables))
    migrate_db_for(plugin, "base", False)
    assert not any(_present(tables))
    migrate_db_for(plugin)
    assert all(_present(tables))
