"""Grounds and the gate, all the way (issue 13, section 5): a purge of a
published dataset, the termination ground, the metadata a published dataset
keeps, and CSV exports a spreadsheet cannot turn into formulas."""

from __future__ import annotations

import csv
import io

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.logic import ValidationError
from freezegun import freeze_time

from .conftest import DECLARATION, act, draft_dataset, published


def journal(dataset_id: str) -> list[dict]:
    """The dataset's journal, oldest first."""
    return list(reversed(act("publication_journal_list", user="region-team", dataset=dataset_id)["results"]))


# --- dataset_purge -----------------------------------------------------------


def test_purging_a_published_dataset_needs_a_ground(partner):
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    with pytest.raises(ValidationError) as error:
        act("dataset_purge", user="region-team", id=dataset["id"])
    assert "ground" in error.value.error_dict
    assert published(dataset["name"])
    assert [e["action"] for e in journal(dataset["id"])] == ["published"]


def test_a_purge_with_a_ground_is_journalled_as_a_withdrawal(partner):
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    act(
        "dataset_purge",
        user="region-team",
        id=dataset["id"],
        publication_withdrawal={
            "reason": "Données personnelles",
            "ground": {"type": "takedown", "text": "Ordonnance du 3 mars"},
        },
    )
    model.Session.expire_all()
    assert model.Package.get(dataset["id"]) is None
    entries = journal(dataset["id"])
    assert [e["action"] for e in entries] == ["published", "withdrawn"]
    assert entries[-1]["path"] == "dataset_purge"
    assert entries[-1]["reason"] == "Données personnelles"
    assert entries[-1]["ground"] == {"type": "takedown", "text": "Ordonnance du 3 mars"}
    assert entries[-1]["actor"] == "region-team"


def test_a_purge_of_a_dataset_never_published_needs_nothing(partner):
    dataset = draft_dataset()
    act("dataset_purge", user="region-team", id=dataset["id"])
    model.Session.expire_all()
    assert model.Package.get(dataset["id"]) is None
    assert journal(dataset["id"]) == []


# --- the termination ground ----------------------------------------------------


def test_only_the_termination_itself_withdraws_on_its_ground(partner):
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    act(
        "agreement_terminate",
        motives="Motifs de la résiliation",
        modalities="Modalités arrêtées par les parties",
        user="region-team",
        id=partner["agreement"]["id"],
        mode="mutual",
        initiator="partner",
        requested_on="2024-06-01",
    )  # it withdraws nothing
    ground = {"type": "termination", "agreement_id": partner["agreement"]["id"]}
    for user in ("region-team", "cd13-editor"):
        with pytest.raises(ValidationError) as error:
            act("dataset_withdraw", user=user, id=dataset["id"], reason="Fin de convention", ground=ground)
        assert "ground" in error.value.error_dict
        assert published(dataset["name"])
    assert [e["action"] for e in journal(dataset["id"])] == ["published"]


# --- the metadata a published dataset keeps --------------------------------------

BLANKS = ["", "   ", "\u200b", "\u00a0\u2003\u3000", "\ufeff\u200d\u2060", "\t\n"]


@pytest.mark.parametrize("field", ["notes", "spatial_text"])
@pytest.mark.parametrize("blank", BLANKS, ids=[repr(b) for b in BLANKS])
def test_a_published_dataset_keeps_its_required_metadata(partner, field, blank):
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    with pytest.raises(ValidationError) as error:
        act("package_patch", id=dataset["id"], **{field: blank})
    assert field in error.value.error_dict
    shown = act("package_show", id=dataset["id"])
    assert shown[field] == dataset[field] and published(dataset["name"])


@pytest.mark.parametrize("blank", ["\u200b", "\u00a0 \u2003"], ids=repr)
def test_invisible_text_does_not_count_as_filled_in_for_publication(partner, blank):
    dataset = draft_dataset(notes=blank)
    with pytest.raises(ValidationError) as error:
        act("dataset_publish", id=dataset["id"], publication_declaration=DECLARATION)
    assert "notes" in error.value.error_dict
    assert "notes" in [m["field"] for m in act("dataset_missing_metadata", id=dataset["id"])]


def test_a_published_dataset_still_changes_what_it_may(partner):
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    patched = act("package_patch", id=dataset["id"], notes="Le budget primitif, voté en décembre.")
    assert patched["notes"] == "Le budget primitif, voté en décembre." and published(dataset["name"])
    # a draft may be incomplete
    draft = draft_dataset("brouillon")
    assert act("package_patch", id=draft["id"], notes="")["notes"] == ""


# --- CSV exports ------------------------------------------------------------------------

DANGEROUS = ['=HYPERLINK("https://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("text", DANGEROUS, ids=repr)
def test_a_cell_a_spreadsheet_would_read_as_a_formula_is_neutralised(text):
    from ckanext.datasud_partnership.common.csv import neutralised

    assert neutralised(text) == "'" + text
    assert neutralised("Budget = recettes") == "Budget = recettes"
    assert neutralised("") == "" and neutralised(None) == ""
    assert neutralised(42) == "42"


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_the_journal_export_neutralises_formulas(partner):
    declaration = {**DECLARATION, "personal_data": "anonymized", "note": "=cmd|'/c calc'!A1"}
    dataset = draft_dataset(private=False, publication_declaration=declaration)
    act("dataset_withdraw", id=dataset["id"], reason="@SUM(1+1)*cmd|' /C calc'!A0")
    text = act("publication_journal_export", user="cd13-member", organization="cd13")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["reason"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert rows[1]["declaration_note"] == "'=cmd|'/c calc'!A1"
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in _cells(text))


def test_the_agreements_export_neutralises_formulas(app, partner):
    act(
        "agreement_create",
        user="region-team",
        kind="challenge_open_data",
        organization="nice",
        reference='=HYPERLINK("https://evil.example","CONV")',
        signed_on="2024-01-15",
        end_on="2024-12-31",  # after season 2: a fixed-term agreement gives its end
    )
    app.set_session_user("region-team")
    response = app.get(
        "/ckan-admin/agreements/agreements.csv?header=names&separator=,", base_url="http://localhost"
    )
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert '\'=HYPERLINK("https://evil.example","CONV")' in [r["reference"] for r in rows]
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in _cells(text))


# --- claims: the server dates them; filters are not acts ----------------------------------


def test_a_claim_is_dated_by_the_server(partner):
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    with freeze_time("2026-05-04 10:00:00"):
        claim = act(
            "claim_create",
            user="outsider",
            dataset=dataset["id"],
            kind="personal_data",
            description="Un nom apparaît",
            filed_at="2020-01-01T00:00:00",
        )
    assert claim["filed_at"].startswith("2026-05-04")


def test_journal_filters_are_days_not_acts(partner):
    draft_dataset(private=False, publication_declaration=DECLARATION)
    assert (
        act("publication_journal_list", user="cd13-admin", organization="cd13", since="2099-01-01")["count"]
        == 0
    )
    assert (
        act("publication_journal_list", user="cd13-admin", organization="cd13", until="2099-01-01")["count"]
        == 1
    )
    with pytest.raises(ValidationError) as error:
        act("publication_journal_list", user="cd13-admin", organization="cd13", since="01/01/2026")
    assert "since" in error.value.error_dict
    with pytest.raises(tk.NotAuthorized):
        act("publication_journal_list", user="nice-editor", organization="cd13")
