"""Who decides: the partner publishes and withdraws; the portal withdraws
only with a ground; a withdrawal loses nothing."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.logic import ValidationError

from .conftest import DECLARATION, act, draft_dataset, published


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("cd13-editor", True),
        ("cd13-admin", True),
        ("cd13-member", False),
        ("region-team", False),
        ("nice-editor", False),
    ],
)
def test_who_publishes(partner, user, allowed):
    dataset = draft_dataset()
    if allowed:
        act("dataset_publish", user=user, id=dataset["id"], publication_declaration=DECLARATION)
        assert published(dataset["name"])
    else:
        with pytest.raises(tk.NotAuthorized):
            act("dataset_publish", user=user, id=dataset["id"], publication_declaration=DECLARATION)
        assert not published(dataset["name"])


@pytest.mark.ckan_config("ckanext.datasud_partnership.sysadmins_may_publish", True)
def test_sysadmins_publish_when_the_portal_allows_it(partner):
    dataset = draft_dataset()
    act("dataset_publish", user="region-team", id=dataset["id"], publication_declaration=DECLARATION)
    assert published(dataset["name"])


def test_the_partner_always_withdraws_and_loses_nothing(partner):
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
    )  # ended on 2024-07-01: no agreement in force today
    act("dataset_withdraw", id=dataset["id"], reason="Données périmées")
    assert not published(dataset["name"])
    kept = act("package_show", id=dataset["id"])
    assert kept["notes"] == "Le budget voté par le conseil départemental."
    assert len(kept["resources"]) == 1
    assert act("package_search", user=None, q="name:budget-2026")["count"] == 0
    assert act("package_search", user="cd13-member", q="name:budget-2026", include_private=True)["count"] == 1
    # publishing again goes through the gate: no agreement in force any more
    with pytest.raises(ValidationError) as error:
        act("dataset_publish", id=dataset["id"], publication_declaration=DECLARATION)
    assert "owner_org" in error.value.error_dict
    entry = act("publication_journal_list", user="cd13-admin", organization="cd13", action="withdrawn")[
        "results"
    ][0]
    assert entry["reason"] == "Données périmées" and entry["actor"] == "cd13-editor"


def test_the_portal_withdraws_only_with_a_ground(partner):
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    with pytest.raises(ValidationError) as error:
        act("dataset_withdraw", user="region-team", id=dataset["id"], reason="Nettoyage")
    assert "ground" in error.value.error_dict
    with pytest.raises(ValidationError):
        act("package_patch", user="region-team", id=dataset["id"], private=True)
    assert published(dataset["name"])
    act(
        "dataset_withdraw",
        user="region-team",
        id=dataset["id"],
        reason="Décision de justice",
        ground={"type": "takedown", "text": "Ordonnance du 3 mars"},
    )
    assert not published(dataset["name"])
    entry = act("publication_journal_list", user="region-team", dataset=dataset["name"])["results"][0]
    assert entry["ground"] == {"type": "takedown", "text": "Ordonnance du 3 mars"}


def test_a_member_neither_publishes_nor_withdraws(partner):
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    with pytest.raises(tk.NotAuthorized):
        act("dataset_withdraw", user="cd13-member", id=dataset["id"], reason="Non")
    assert published(dataset["name"])


def test_new_terms_block_publishing_until_accepted(partner, terms_version_factory):
    terms_version_factory(version="2")
    dataset = draft_dataset()
    with pytest.raises(ValidationError) as error:
        act("dataset_publish", id=dataset["id"], publication_declaration=DECLARATION)
    assert set(error.value.error_dict) == {"terms_of_use"}
    assert act("terms_status", user=None, organization="cd13")["accepted"] is False
    with pytest.raises(tk.NotAuthorized):
        act("terms_accept", user="cd13-editor", organization="cd13", version="2")
    with pytest.raises(ValidationError):
        act("terms_accept", user="cd13-admin", organization="cd13", version="1")
    status = act("terms_accept", user="cd13-admin", organization="cd13", version="2")
    assert status["accepted"] is True and status["accepted_by"] == "cd13-admin"
    act("dataset_publish", id=dataset["id"], publication_declaration=DECLARATION)
    assert published(dataset["name"])


def test_a_stale_declaration_is_refused(partner):
    dataset = draft_dataset()
    with pytest.raises(ValidationError) as error:
        act(
            "dataset_publish",
            id=dataset["id"],
            publication_declaration={"personal_data": "none", "text_version": "2019-01"},
        )
    assert "2026-01" in error.value.error_dict["publication_declaration"][0]


def test_journal_readers(partner):
    draft_dataset(private=False, publication_declaration=DECLARATION)
    assert act("publication_journal_list", user="cd13-member", organization="cd13")["count"] == 1
    for user in (None, "outsider", "nice-editor"):
        with pytest.raises(tk.NotAuthorized):
            act("publication_journal_list", user=user, organization="cd13")
    with pytest.raises(tk.NotAuthorized):
        act("publication_journal_list", user="cd13-member")  # all organizations: the portal's team only
    assert act("publication_journal_list", user="region-team")["count"] == 1
