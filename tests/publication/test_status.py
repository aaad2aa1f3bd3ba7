"""The publication status, licence and dates, in package_show and in the
search index: organization members facet on them; the public never sees a
withdrawn dataset; nothing a client sends can set them."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from freezegun import freeze_time

from .conftest import DECLARATION, act, draft_dataset


def show(name: str, user: str = "cd13-editor") -> dict:
    return act("package_show", user=user, id=name)


def test_a_dataset_s_life_as_package_show_tells_it(partner):
    with freeze_time("2026-03-02 09:30:00"):
        draft_dataset()
        dataset = show("budget-2026")
        assert dataset["publication_status"] == "never_published"
        assert dataset["publication_date"] is None
        assert dataset["published_licence_id"] is None
        act("dataset_publish", id="budget-2026", publication_declaration=DECLARATION)
        dataset = show("budget-2026", user=None)
        assert dataset["publication_status"] == "published"
        assert dataset["publication_date"] == "2026-03-02"
        assert dataset["last_publication_date"] == "2026-03-02T09:30:00"
        assert dataset["published_licence_id"] == "odc-odbl"
    with freeze_time("2026-05-10 14:00:00"):
        act("dataset_withdraw", id="budget-2026", reason="Mise à jour")
        dataset = show("budget-2026")
        assert dataset["publication_status"] == "withdrawn"
        assert dataset["published_licence_id"] == "odc-odbl"  # as it was published
    with freeze_time("2026-06-01 08:00:00"):
        act("dataset_publish", id="budget-2026", license_id="cc-by", publication_declaration=DECLARATION)
        dataset = show("budget-2026")
        assert dataset["publication_status"] == "published"
        assert dataset["publication_date"] == "2026-03-02"  # the first publication
        assert dataset["last_publication_date"] == "2026-06-01T08:00:00"
        assert dataset["published_licence_id"] == "cc-by"


def test_a_draft_is_a_draft(partner):
    draft_dataset(state="draft")
    assert show("budget-2026")["publication_status"] == "draft"


def test_clients_cannot_set_the_status_and_a_shown_dataset_updates_as_it_is(partner):
    draft_dataset()
    dataset = show("budget-2026")
    dataset.update(
        publication_status="published",
        publication_date="2000-01-01",
        published_licence_id="cc-by",
        notes="Nouvelle description",
    )
    act("package_update", **dataset)
    again = show("budget-2026")
    assert again["notes"] == "Nouvelle description"
    assert again["publication_status"] == "never_published"
    assert again["publication_date"] is None
    assert again["published_licence_id"] is None
    assert again["private"] is True


@pytest.fixture
def three_datasets(partner):
    draft_dataset("published-one", private=False, publication_declaration=DECLARATION)
    draft_dataset("withdrawn-one", private=False, publication_declaration=DECLARATION)
    act("dataset_withdraw", id="withdrawn-one", reason="Erreur")
    draft_dataset("never-one")
    return partner


def facet(result: dict, field: str) -> dict[str, int]:
    return {item["name"]: item["count"] for item in result["search_facets"][field]["items"]}


def test_members_facet_on_the_status_and_the_public_sees_only_what_is_published(three_datasets):
    fields = '["publication_status", "published_licence_id"]'
    mine = act(
        "package_search",
        user="cd13-member",
        fq="organization:cd13",
        include_private=True,
        **{"facet.field": fields},
    )
    assert facet(mine, "publication_status") == {"published": 1, "withdrawn": 1, "never_published": 1}
    assert facet(mine, "published_licence_id") == {"odc-odbl": 2}
    withdrawn = act(
        "package_search", user="cd13-member", fq="publication_status:withdrawn", include_private=True
    )
    assert [d["name"] for d in withdrawn["results"]] == ["withdrawn-one"]
    assert withdrawn["results"][0]["publication_status"] == "withdrawn"
    public = act("package_search", user=None, include_private=True, **{"facet.field": fields})
    assert [d["name"] for d in public["results"]] == ["published-one"]
    assert facet(public, "publication_status") == {"published": 1}
    outsider = act(
        "package_search", user="nice-editor", q="publication_status:withdrawn", include_private=True
    )
    assert outsider["count"] == 0


def test_the_last_publication_date_is_a_date_range_in_search(partner):
    with freeze_time("2026-03-02 09:30:00"):
        draft_dataset("spring", private=False, publication_declaration=DECLARATION)
    with freeze_time("2026-09-15 10:00:00"):
        draft_dataset("autumn", private=False, publication_declaration=DECLARATION)
    found = act("package_search", user=None, fq="last_publication_date:[2026-06-01T00:00:00Z TO *]")
    assert [d["name"] for d in found["results"]] == ["autumn"]


def test_members_facet_on_the_year_of_first_publication(partner):
    """The dates are Solr date points (no facets): the year is a string twin."""
    with freeze_time("2025-11-20 09:30:00"):
        draft_dataset("old-one", private=False, publication_declaration=DECLARATION)
    with freeze_time("2026-03-02 09:30:00"):
        draft_dataset("new-one", private=False, publication_declaration=DECLARATION)
    draft_dataset("never-one")

    found = act(
        "package_search",
        user="cd13-member",
        include_private=True,
        fq="organization:cd13",
        **{"facet.field": '["publication_year"]'},
    )

    assert facet(found, "publication_year") == {"2025": 1, "2026": 1}
    assert "publication_year" not in act("package_show", id="old-one")  # the index's field only


def test_the_journal_exports_as_csv_for_the_organization_s_members(three_datasets, app):
    import csv
    import io

    text = act("publication_journal_export", user="cd13-member", organization="cd13")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["dataset_name"], r["action"]) for r in rows] == [
        ("withdrawn-one", "withdrawn"),
        ("withdrawn-one", "published"),
        ("published-one", "published"),
    ]
    published_row = rows[-1]
    assert published_row["licence_id"] == "odc-odbl"
    assert published_row["personal_data"] == "none"
    assert published_row["declared_by"] == "cd13-editor"
    assert published_row["actor"] == "cd13-editor"
    assert published_row["agreement_id"] == three_datasets["agreement"]["id"]
    assert rows[0]["reason"] == "Erreur"
    only = act("publication_journal_export", user="cd13-member", organization="cd13", action="withdrawn")
    assert len(list(csv.DictReader(io.StringIO(only)))) == 1
    with pytest.raises(tk.NotAuthorized):
        act("publication_journal_export", user="nice-editor", organization="cd13")
    # the download the journal page links to
    url = "/publication-journal.csv?organization=cd13&action=published"
    app.get(url, status=403, base_url="http://localhost")
    app.set_session_user("cd13-member")
    response = app.get(url, status=200, base_url="http://localhost")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "journal-publication-cd13-" in response.headers["Content-Disposition"]
    # in French, for Excel: ";" with a byte-order mark, the columns' French labels
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith(
        "\ufeffDate et heure (UTC);Action;Identifiant du jeu de données;Jeu de données;"
    )
    assert len(lines) == 3
    # the machine names and commas, as the API gives them
    response = app.get(url + "&header=names&separator=,", status=200, base_url="http://localhost")
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("timestamp,action,dataset_id,dataset_name")
    assert len(lines) == 3
    labelled = act(
        "publication_journal_export", user="cd13-member", organization="cd13", header="labels", separator=";"
    )
    assert labelled.startswith("\ufeffDate and time (UTC);Action;")  # outside a request: English
