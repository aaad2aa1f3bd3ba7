"""Claims (art. 5): anyone logged in reports a problem with a published
dataset; the partner's admins and the portal's team read and answer it,
and may withdraw the dataset citing it; e-mails tell who must know."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.logic import ValidationError

from ..agreements.mailbox import received
from .conftest import DECLARATION, act, draft_dataset, published

pytestmark = pytest.mark.usefixtures("with_request_context")


@pytest.fixture
def claimed(partner, claim_factory) -> dict:
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    claim = claim_factory(
        user="outsider",
        dataset=dataset["name"],
        kind="personal_data",
        description="Le fichier contient des noms et adresses de particuliers.",
    )
    return {**partner, "dataset": dataset, "claim": claim}


def test_a_logged_in_user_files_a_claim_and_the_partner_and_portal_admins_are_told(partner, mail_server):
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    claim = act(
        "claim_create",
        user="outsider",
        dataset=dataset["name"],
        kind="personal_data",
        description="Le fichier contient des noms de particuliers.",
    )
    assert claim["status"] == "open"
    assert claim["filed_by"] == "outsider"
    assert claim["dataset_name"] == "budget-2026"
    mails = received(mail_server)
    addressees = sorted(m.to for m in mails)
    admin_email = partner["users"]["admin"]["email"]
    team_email = partner["users"]["sysadmin"]["email"]
    assert addressees == sorted([admin_email, team_email])
    # the partner's editor and the person who filed it are not told of their own claim
    text = next(m for m in mails if m.to == admin_email)
    assert "Budget primitif 2026" in text.subject
    assert "noms de particuliers" in text.body
    assert "Données personnelles" in text.body  # the portal speaks French


def test_anonymous_users_do_not_file_claims(partner):
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    with pytest.raises(tk.NotAuthorized):
        act("claim_create", user=None, dataset=dataset["name"], kind="other", description="x")


def test_claims_are_about_published_datasets_and_name_bad_fields(partner):
    dataset = draft_dataset()  # private: not published
    with pytest.raises(ValidationError) as error:
        act("claim_create", user="outsider", dataset=dataset["name"], kind="other", description="x")
    assert "dataset" in error.value.error_dict
    public = draft_dataset("public-one", private=False, publication_declaration=DECLARATION)
    with pytest.raises(ValidationError) as error:
        act("claim_create", user="outsider", dataset=public["name"], kind="gossip", description="  ")
    assert set(error.value.error_dict) == {"kind", "description"}
    assert act("claim_list", user="region-team")["count"] == 0


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("outsider", True),
        ("cd13-admin", True),
        ("region-team", True),
        ("cd13-editor", False),
        ("nice-editor", False),
    ],
)
def test_who_reads_a_claim(claimed, user, allowed):
    if allowed:
        assert act("claim_show", user=user, id=claimed["claim"]["id"])["kind"] == "personal_data"
    else:
        with pytest.raises(tk.NotAuthorized):
            act("claim_show", user=user, id=claimed["claim"]["id"])


def test_lists_the_organization_s_claims_for_its_admins_and_one_s_own_for_others(claimed):
    assert act("claim_list", user="cd13-admin", organization="cd13")["count"] == 1
    assert act("claim_list", user="region-team", status="open")["count"] == 1
    assert act("claim_list", user="outsider")["count"] == 1
    assert act("claim_list", user="nice-editor")["count"] == 0
    with pytest.raises(tk.NotAuthorized):
        act("claim_list", user="cd13-editor", organization="cd13")


def test_the_partner_answers_then_resolves_and_the_filer_is_told(claimed, mail_server):
    claim_id = claimed["claim"]["id"]
    with pytest.raises(tk.NotAuthorized):
        act("claim_answer", user="outsider", id=claim_id, text="Je réponds moi-même")
    answered = act("claim_answer", user="cd13-admin", id=claim_id, text="Nous vérifions le fichier.")
    assert answered["status"] == "open"
    assert answered["messages"][0]["author"] == "cd13-admin"
    resolved = act(
        "claim_resolve", user="cd13-admin", id=claim_id, outcome="corrected", text="Colonnes supprimées."
    )
    assert (resolved["status"], resolved["outcome"], resolved["closed_by"]) == (
        "closed",
        "corrected",
        "cd13-admin",
    )
    assert [m["text"] for m in resolved["messages"]] == ["Nous vérifions le fichier.", "Colonnes supprimées."]
    to_filer = [m for m in received(mail_server) if m.to == claimed["users"]["outsider"]["email"]]
    assert len(to_filer) == 2
    assert "Colonnes supprimées." in to_filer[-1].body
    # a closed claim is not answered again, and nothing changes
    with pytest.raises(ValidationError) as error:
        act("claim_answer", user="cd13-admin", id=claim_id, text="encore")
    assert "id" in error.value.error_dict
    assert len(act("claim_show", user="cd13-admin", id=claim_id)["messages"]) == 2


def test_resolving_needs_a_known_outcome_and_a_text(claimed):
    with pytest.raises(ValidationError) as error:
        act("claim_resolve", user="cd13-admin", id=claimed["claim"]["id"], outcome="withdrawn", text="")
    assert set(error.value.error_dict) == {"outcome", "text"}
    assert act("claim_show", user="cd13-admin", id=claimed["claim"]["id"])["status"] == "open"


def test_the_portal_withdraws_citing_the_claim_which_closes_it(claimed):
    claim_id = claimed["claim"]["id"]
    act(
        "dataset_withdraw",
        user="region-team",
        id=claimed["dataset"]["id"],
        reason="Données personnelles signalées",
        ground={"type": "claim", "claim_id": claim_id},
    )
    assert not published("budget-2026")
    entry = act("publication_journal_list", user="cd13-admin", organization="cd13", action="withdrawn")[
        "results"
    ][0]
    assert entry["ground"] == {"type": "claim", "claim_id": claim_id}
    assert entry["actor"] == "region-team"
    claim = act("claim_show", user="outsider", id=claim_id)
    assert (claim["status"], claim["outcome"]) == ("closed", "withdrawn")


def test_a_withdrawal_cannot_cite_a_claim_about_another_dataset(claimed):
    other = draft_dataset("other-one", private=False, publication_declaration=DECLARATION)
    with pytest.raises(ValidationError) as error:
        act(
            "dataset_withdraw",
            user="region-team",
            id=other["id"],
            reason="x",
            ground={"type": "claim", "claim_id": claimed["claim"]["id"]},
        )
    assert "ground" in error.value.error_dict
    assert published("other-one")
    assert act("claim_show", user="cd13-admin", id=claimed["claim"]["id"])["status"] == "open"


def test_the_partner_may_cite_the_claim_too(claimed):
    act(
        "dataset_withdraw",
        user="cd13-editor",
        id=claimed["dataset"]["id"],
        reason="Anonymisation à refaire",
        ground={"type": "claim", "claim_id": claimed["claim"]["id"]},
    )
    assert not published("budget-2026")
    assert act("claim_show", user="outsider", id=claimed["claim"]["id"])["outcome"] == "withdrawn"
