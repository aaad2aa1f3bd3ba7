"""``dataset_publication_check`` says what ``dataset_publish`` would decide,
condition by condition, and writes nothing; the declaration texts are records
an API client reads (``declaration_version_list`` / ``_show``)."""

from __future__ import annotations

from typing import Any

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import helpers
from freezegun import freeze_time

from tests.publication.conftest import DECLARATION, act, draft_dataset, published

pytestmark = pytest.mark.usefixtures("partner")


def check(name: str = "budget-2026", user: str | None = "cd13-editor", **data: Any) -> dict[str, Any]:
    return act("dataset_publication_check", user=user, id=name, **data)


def journal_count() -> int:
    from ckanext.datasud_partnership.publication.model import JournalEntry

    return model.Session.query(JournalEntry).count()


def test_a_ready_dataset_needs_only_the_declaration_and_then_publishes():
    draft_dataset()
    before = check()
    assert before["may_publish"] is False
    assert before["unmet"] == ["declaration"]
    declaration = next(c for c in before["conditions"] if c["condition"] == "declaration")
    assert declaration["version"] == "2026-01" and declaration["declared"] is False
    assert "RGPD" in declaration["text"]["fr"] and "GDPR" in declaration["text"]["en"]
    agreement = next(c for c in before["conditions"] if c["condition"] == "agreement")
    assert agreement["met"] and agreement["agreement"]["reference"] == "CONV-CD13"

    with_declaration = check(publication_declaration=DECLARATION)
    assert with_declaration["may_publish"] is True and with_declaration["unmet"] == []
    # nothing written by either check
    assert journal_count() == 0 and not published("budget-2026")

    act("dataset_publish", id="budget-2026", publication_declaration=DECLARATION)
    assert published("budget-2026")
    assert check()["unmet"] == ["dataset", "declaration"]


def _stale_terms(terms_version_factory: Any) -> None:
    terms_version_factory(version="2", title="CGU DataSud v2", url="https://datasud.example/cgu2")


# (what is wrong, how to make it wrong, the condition the check names, the
# field dataset_publish's refusal names)
BROKEN = [
    ("licence closed", {"license_id": "notspecified"}, "licence", "license_id"),
    ("no description", {"notes": ""}, "metadata", "notes"),
    ("no theme", {"theme": []}, "metadata", "theme"),
]


@pytest.mark.parametrize(("case", "fields", "condition", "field"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_unmet_condition_is_the_one_the_gate_refuses(case, fields, condition, field):
    draft_dataset(**fields)
    answer = check(publication_declaration=DECLARATION)
    assert answer["unmet"] == [condition]
    met = next(c for c in answer["conditions"] if c["condition"] == condition)
    assert met["messages"]
    with pytest.raises(tk.ValidationError) as refused:
        act("dataset_publish", id="budget-2026", publication_declaration=DECLARATION)
    assert field in refused.value.error_dict
    assert not published("budget-2026")


def test_terms_not_accepted_and_a_stale_declaration(terms_version_factory):
    draft_dataset()
    _stale_terms(terms_version_factory)
    stale = {"personal_data": "none", "text_version": "2025-01"}
    answer = check(publication_declaration=stale)
    assert answer["unmet"] == ["terms", "declaration"]
    terms = next(c for c in answer["conditions"] if c["condition"] == "terms")
    assert terms["version"] == "2" and terms["accepted"] is False
    with pytest.raises(tk.ValidationError) as refused:
        act("dataset_publish", id="budget-2026", publication_declaration=stale)
    assert {"terms_of_use", "publication_declaration"} <= set(refused.value.error_dict)


def test_a_badly_formed_declaration_is_judged_as_publish_judges_it():
    draft_dataset()
    answer = check(publication_declaration={"personal_data": "maybe", "text_version": "2026-01"})
    assert answer["unmet"] == ["declaration"]
    declaration = next(c for c in answer["conditions"] if c["condition"] == "declaration")
    assert any("personal_data" in m for m in declaration["messages"])


def test_an_organization_without_agreement(partner):
    act(
        "package_create",
        user="nice-editor",
        **{
            "name": "nice-data",
            "title": "Données de Nice",
            "notes": "Un jeu.",
            "license_id": "odc-odbl",
            "tags": [{"name": "nice"}],
            "resources": [{"url": "https://nice.example/data.csv", "format": "CSV"}],
            "theme": ["economie-finances"],
            "spatial_text": "Nice",
            "temporal_start": "2026-01-01",
            "private": True,
            "owner_org": "nice",
        },
    )
    answer = check("nice-data", user="nice-editor", publication_declaration=DECLARATION)
    assert answer["unmet"] == ["agreement", "terms"]  # nor has it accepted the terms
    with pytest.raises(tk.ValidationError) as refused:
        act("dataset_publish", user="nice-editor", id="nice-data", publication_declaration=DECLARATION)
    assert "owner_org" in refused.value.error_dict


def test_who_may_publish():
    draft_dataset()
    # a member reads the private dataset but does not publish it
    member = check(user="cd13-member", publication_declaration=DECLARATION)
    assert member["unmet"] == ["permission"]
    # the portal's team, without sysadmins_may_publish
    team = check(user="region-team", publication_declaration=DECLARATION)
    assert team["unmet"] == ["permission"]
    # outsiders and the public do not even read a private dataset
    for user in ("outsider", None):
        with pytest.raises(tk.NotAuthorized):
            check(user=user)


def test_the_public_is_told_it_may_not_publish_a_published_dataset():
    draft_dataset()
    act("dataset_publish", id="budget-2026", publication_declaration=DECLARATION)
    answer = check(user=None)
    assert answer["unmet"] == ["permission", "dataset", "declaration"]


@pytest.mark.parametrize("bad", [None, "", ["budget-2026"], {"x": 1}, "a\x00b"])
def test_a_bad_id_is_refused_naming_it(bad):
    with pytest.raises(tk.ValidationError) as refused:
        act("dataset_publication_check", id=bad)
    assert "id" in refused.value.error_dict


# -- the declaration texts ------------------------------------------------------------------


def test_the_seed_text_is_listed_and_current():
    listed = act("declaration_version_list", user=None)
    assert [v["version"] for v in listed] == ["2026-01"]
    assert listed[0]["current"] is True and listed[0]["in_force_from"] is None
    assert act("declaration_version_show", user=None)["version"] == "2026-01"


def test_a_new_text_comes_into_force_on_its_day_and_stales_older_declarations():
    draft_dataset()
    with freeze_time("2027-01-10"):
        created = act(
            "declaration_version_create",
            user="region-team",
            version="2027-02",
            text_fr="Je déclare que ces données ne contiennent aucune donnée personnelle (texte 2027).",
            text_en="I declare these data hold no personal data (2027 text).",
            in_force_from="2027-02-01",
        )
        assert created["current"] is False
        assert act("declaration_version_show", user=None)["version"] == "2026-01"
        assert check(publication_declaration=DECLARATION)["may_publish"] is True
    with freeze_time("2027-02-01"):
        assert [v["version"] for v in act("declaration_version_list", user=None)] == ["2027-02", "2026-01"]
        answer = check(publication_declaration=DECLARATION)
        assert answer["unmet"] == ["declaration"]
        declaration = next(c for c in answer["conditions"] if c["condition"] == "declaration")
        assert declaration["version"] == "2027-02" and "2027" in declaration["text"]["fr"]
        # an API client publishes from what the two actions say, and the
        # journal points at the version declared
        current = act("declaration_version_show", user="cd13-editor")["version"]
        act(
            "dataset_publish",
            id="budget-2026",
            publication_declaration={"personal_data": "none", "text_version": current},
        )
        entry = act("publication_journal_list", dataset="budget-2026")["results"][0]
        assert entry["declaration"]["text_version"] == "2027-02"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"version": "2026-01"}, "version"),  # exists already
        ({"in_force_from": "2020-01-01"}, "in_force_from"),  # in the past
        ({"in_force_from": "tomorrow"}, "in_force_from"),
        ({"text_fr": ""}, "text_fr"),
        ({"text_en": ["x"]}, "text_en"),
        ({"version": "a\x00"}, "version"),
    ],
)
def test_a_bad_text_version_is_refused_naming_the_field_and_changes_nothing(data, field):
    values = {"version": "2027-01", "text_fr": "Texte.", "text_en": "Text.", **data}
    with pytest.raises(tk.ValidationError) as refused:
        act("declaration_version_create", user="region-team", **values)
    assert field in refused.value.error_dict
    assert len(act("declaration_version_list", user=None)) == 1


def test_only_the_portal_team_records_a_text():
    with pytest.raises(tk.NotAuthorized):
        act("declaration_version_create", user="cd13-admin", version="x", text_fr="a", text_en="b")
    with pytest.raises(tk.ObjectNotFound):
        act("declaration_version_show", user=None, version="nope")


def test_the_journal_of_a_dataset_without_naming_its_organization():
    draft_dataset()
    act("dataset_publish", id="budget-2026", publication_declaration=DECLARATION)
    for user in ("cd13-member", "cd13-editor"):
        assert act("publication_journal_list", user=user, dataset="budget-2026")["count"] == 1
    for user in ("nice-editor", None):
        with pytest.raises(tk.NotAuthorized):
            act("publication_journal_list", user=user, dataset="budget-2026")
    assert helpers.call_action("publication_journal_list", dataset="budget-2026")["count"] == 1


@pytest.mark.parametrize("bad", ["", ["2026-01"], "a\x00"])
def test_a_bad_version_to_show_is_refused_naming_it(bad):
    with pytest.raises(tk.ValidationError) as refused:
        act("declaration_version_show", user=None, version=bad)
    assert "version" in refused.value.error_dict
