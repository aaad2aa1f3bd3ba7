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
        "datasud_partnership_declaration_version",
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


@pytest.mark.usefixtures("clean_db")
def test_copies_of_a_schedule_record_are_merged_keeping_when_each_was_made(migrate_db_for, agreement_factory):
    """Overlapping runs before ``0006_schedule_once`` could record a renewal
    twice: the revision keeps the first, with the copies' recording times."""
    import datetime as dt

    import sqlalchemy as sa

    agreement_id = agreement_factory(in_force=True)["id"]
    model.Session.remove()
    migrate_db_for("datasud_partnership", "0005_harvest_declarations", False)
    insert = sa.text(
        'INSERT INTO datasud_partnership_agreement_event (agreement_id, event, at, "on", data)'
        " VALUES (:a, 'renewed', :at, '2025-01-31', '{}')"
    )
    with model.ensure_engine().begin() as connection:
        for minute in (1, 2, 3):
            connection.execute(insert, {"a": agreement_id, "at": dt.datetime(2025, 2, 1, 6, minute)})
    migrate_db_for("datasud_partnership")

    with model.ensure_engine().connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT at, data FROM datasud_partnership_agreement_event"
                " WHERE agreement_id = :a AND event = 'renewed'"
            ),
            {"a": agreement_id},
        ).all()
    assert [(row.at, row.data) for row in rows] == [
        (
            dt.datetime(2025, 2, 1, 6, 1),
            {"copies_recorded_at": ["2025-02-01T06:02:00", "2025-02-01T06:03:00"]},
        )
    ]
