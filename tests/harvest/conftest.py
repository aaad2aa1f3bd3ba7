"""Fixtures of the harvests through the queues: the partner of the
publication tests, the consumers, a source on 127.0.0.1."""

from __future__ import annotations

import pytest

from ..publication.conftest import partner  # noqa: F401 - the fixture
from .queues import Consumers, LocalSource


@pytest.fixture(scope="module")
def local_source():
    site = LocalSource()
    yield site
    site.close()


@pytest.fixture
def source(local_source):
    """The source on 127.0.0.1, with no dataset yet."""
    local_source.datasets.clear()
    return local_source


@pytest.fixture
def consumers(app):
    running = Consumers(app.flask_app)
    yield running
    running.stop()
