"""Agreement kinds loaded from the shipped config files."""

from pathlib import Path

import pytest

from ckanext.datasud_partnership.agreements.kinds import load_kinds

KINDS_DIR = Path(__file__).resolve().parents[2] / "config" / "agreement_kinds"


@pytest.fixture(scope="session")
def kinds():
    return load_kinds(KINDS_DIR)


@pytest.fixture(scope="session")
def datasud(kinds):
    return kinds["datasud_partnership"]


@pytest.fixture(scope="session")
def challenge(kinds):
    return kinds["challenge_open_data"]
