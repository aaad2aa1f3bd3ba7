"""E-mail tests: the partners of the agreement and publication tests."""

from __future__ import annotations

import smtplib

import pytest

from tests.agreements.conftest import challenge, datasud, kinds, people  # noqa: F401 - fixtures
from tests.publication.conftest import (
    DECLARATION,
    act,
    draft_dataset,
    partner,  # noqa: F401 - the fixture
)


def refused(*args, **kwargs):
    raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def smtp_down(monkeypatch):
    """The SMTP server refuses connections (as when it is down)."""
    monkeypatch.setattr(smtplib, "SMTP", refused)


def file_claim(description: str = "Des noms de particuliers.") -> None:
    """An outsider's claim on a published dataset of cd13: three e-mails."""
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    act(
        "claim_create",
        user="outsider",
        dataset=dataset["name"],
        kind="personal_data",
        description=description,
    )
