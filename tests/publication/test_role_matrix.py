"""Who may do what in sovereign publication: every role against every
operation, each run for real through its action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import pytest

from .conftest import DECLARATION, act, draft_dataset

YES, NO, GROUND = "yes", "no", "needs a ground"

ROLES = {
    "anonymous": None,
    "outsider": "outsider",
    "member": "cd13-member",
    "editor": "cd13-editor",
    "admin": "cd13-admin",
    "other_admin": "nice-admin",
    "sysadmin": "region-team",
}

# role -> (publish, withdraw, read journal, export journal, accept terms,
#          create terms version, file claim, resolve claim)
MATRIX = {
    "anonymous": (NO, NO, NO, NO, NO, NO, NO, NO),
    "outsider": (NO, NO, NO, NO, NO, NO, YES, NO),
    "member": (NO, NO, YES, YES, NO, NO, YES, NO),
    "editor": (YES, YES, YES, YES, NO, NO, YES, NO),
    "admin": (YES, YES, YES, YES, YES, NO, YES, YES),
    "other_admin": (NO, NO, NO, NO, NO, NO, YES, NO),
    "sysadmin": (NO, GROUND, YES, YES, NO, YES, YES, YES),
}
OPERATIONS = (
    "publish",
    "withdraw",
    "read journal",
    "export journal",
    "accept terms",
    "create terms version",
    "file claim",
    "resolve claim",
)


def outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except tk.NotAuthorized:
        return NO
    except tk.ValidationError as error:
        if "ground" in error.error_dict:
            return GROUND
        raise
    return YES


@pytest.mark.parametrize("role", list(MATRIX))
def test_role_matrix(partner, role, claim_factory):
    user = ROLES[role]
    draft = draft_dataset("draft-one")
    public = draft_dataset("public-one", private=False, publication_declaration=DECLARATION)
    draft_dataset("claimed-one", private=False, publication_declaration=DECLARATION)
    claim = claim_factory(user="outsider", dataset="claimed-one", kind="outdated", description="Vieux")
    operations = {
        "publish": lambda: act(
            "dataset_publish", user=user, id=draft["id"], publication_declaration=DECLARATION
        ),
        "withdraw": lambda: act("dataset_withdraw", user=user, id=public["id"], reason="Retrait"),
        "read journal": lambda: act("publication_journal_list", user=user, organization="cd13"),
        "export journal": lambda: act("publication_journal_export", user=user, organization="cd13"),
        "accept terms": lambda: act("terms_accept", user=user, organization="cd13", version="1"),
        "create terms version": lambda: act(
            "terms_version_create", user=user, version="2", title="CGU v2", url="https://datasud.example/cgu2"
        ),
        "file claim": lambda: act(
            "claim_create", user=user, dataset="claimed-one", kind="other", description="Un problème"
        ),
        "resolve claim": lambda: act(
            "claim_resolve", user=user, id=claim["id"], outcome="unfounded", text="Vérifié"
        ),
    }
    observed = {name: outcome(operations[name]) for name in OPERATIONS}
    assert observed == dict(zip(OPERATIONS, MATRIX[role], strict=True))
