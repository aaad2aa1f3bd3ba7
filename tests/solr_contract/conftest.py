"""The Solr path, with ``datasud_pgsearch`` unloaded: CKAN's own
``make_connection`` and a real ``pysolr.Solr`` on ``solr_url``, answered by
:class:`FakeSolr` (``solr.py``)."""

from __future__ import annotations

import pytest
import responses
from ckan import plugins

from ckanext.datasud_pgsearch import backend

# the partners and their datasets, as the publication tests make them
from tests.publication.conftest import partner  # noqa: F401

from .solr import URL, FakeSolr


@pytest.fixture
def solr(clean_db, ckan_config, monkeypatch):
    """Solr on ``solr_url``, our backend out of CKAN's search modules for the
    test; every request checked against CKAN's schema. (After ``clean_db``:
    its migrations load every plugin with tables, ours included.)"""
    plugins.unload("datasud_pgsearch")
    backend.uninstall()
    monkeypatch.setitem(ckan_config, "solr_url", URL)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeSolr(mock)
        fake.serve()
        try:
            yield fake
        finally:
            plugins.load("datasud_pgsearch")
    assert fake.problems == [], "requests Solr would refuse"
