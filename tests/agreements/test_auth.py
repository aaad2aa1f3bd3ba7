"""Who may do what with agreements: a matrix of roles x actions."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from freezegun import freeze_time

from .conftest import act

ROLES = ["anonymous", "outsider", "member", "editor", "admin", "other_admin", "sysadmin"]
USER = {
    "anonymous": None,
    "outsider": "outsider",
    "member": "cd13-member",
    "editor": "cd13-editor",
    "admin": "cd13-admin",
    "other_admin": "digne-admin",
    "sysadmin": "region-team",
}
EVERYBODY = set(ROLES)
TEAM = {"sysadmin"}
PARTNER_ADMINS = {"admin", "sysadmin"}

MATRIX = [
    ("agreement_kind_list", {}, EVERYBODY),
    ("agreement_show", {}, EVERYBODY),
    ("agreement_list", {}, EVERYBODY),
    ("agreement_show_full", {}, PARTNER_ADMINS),
    ("agreement_history", {}, PARTNER_ADMINS),
    ("agreement_create", {}, TEAM),
    ("agreement_patch", {}, TEAM),
    ("agreement_cancel", {}, TEAM),
    ("agreement_sign", {}, TEAM),
    ("agreement_notify", {}, TEAM),
    ("agreement_amend", {}, TEAM),
    ("agreement_milestone_update", {}, TEAM),
    ("agreement_notice_serve", {}, TEAM),
    ("agreement_notice_lift", {}, TEAM),
    ("agreement_notice_answer", {}, PARTNER_ADMINS),
    # the partner terminates alone only in the modes its kind allows
    (
        "agreement_terminate",
        {"motives": "Motifs", "mode": "anniversary", "initiator": "partner"},
        PARTNER_ADMINS,
    ),
    ("agreement_terminate", {"motives": "Motifs", "mode": "anniversary", "initiator": "operator"}, TEAM),
    (
        "agreement_terminate",
        {"mode": "mutual", "initiator": "partner", "motives": "Motifs", "modalities": "Modalités"},
        TEAM,
    ),
    ("agreement_terminate", {"motives": "Motifs", "mode": "fault", "initiator": "partner"}, TEAM),
]


@pytest.fixture
def agreement(people, agreement_factory):
    with freeze_time("2024-01-31"):
        return agreement_factory(
            organization="cd13",
            reference="CONV-2024-013",
            in_force=True,
            referent_email="referent@cd13.example",
        )


@pytest.mark.parametrize(("action", "extra", "allowed"), MATRIX, ids=[f"{m[0]}-{m[1]}" for m in MATRIX])
def test_matrix(agreement, action, extra, allowed):
    data = {"id": agreement["id"], "organization_id": agreement["organization_id"], **extra}
    for role in ROLES:
        context = {"user": USER[role] or "", "ignore_auth": False}
        try:
            tk.check_access(action, context, dict(data))
            granted = True
        except tk.NotAuthorized:
            granted = False
        assert granted == (role in allowed), f"{role} on {action} {extra}"


@pytest.mark.parametrize("role", ROLES)
def test_the_public_register_hides_the_confidential_fields(agreement, role):
    shown = act("agreement_show", user=USER[role], id=agreement["id"])
    assert shown["reference"] == "CONV-2024-013"
    assert shown["status"] == "in_force" or shown["status"]  # computed for everybody
    confidential = {"referent", "financial", "notices", "termination", "parties", "documents"}
    if role in PARTNER_ADMINS:
        assert shown["referent"]["email"] == "referent@cd13.example"
    else:
        assert not confidential & set(shown), f"{role} sees {confidential & set(shown)}"
        assert "referent@cd13.example" not in str(shown)


def test_refused_actions_change_nothing(agreement):
    with pytest.raises(tk.NotAuthorized):
        act(
            "agreement_notice_serve",
            user="cd13-admin",
            id=agreement["id"],
            breaches=["x"],
            deadline="2030-01-01",
        )
    with pytest.raises(tk.NotAuthorized):
        act(
            "agreement_terminate",
            motives="Motifs de la résiliation",
            user="cd13-editor",
            id=agreement["id"],
            mode="anniversary",
            initiator="partner",
        )
    history = act("agreement_history", id=agreement["id"])["results"]
    assert [e["event"] for e in history] == ["created", "signed", "notified"]
    assert act("agreement_show", id=agreement["id"])["termination"] is None
