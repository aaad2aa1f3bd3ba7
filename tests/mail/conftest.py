"""E-mail tests: the partners of the agreement and publication tests."""

from __future__ import annotations

import smtplib

import pytest

from tests.agreements.conftest import challenge, datasud, kinds, people  # noqa: F401 - fixtures
from tests.publication.conftest import partner  # noqa: F401 - the fixture


def refused(*args, **kwargs):
    raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def smtp_down(monkeypatch):
    """The SMTP server refuses connections (as when it is down)."""
    monkeypatch.setattr(smtplib, "SMTP", refused)
