"""Harvest consumers that survive idle, through the real Redis queues."""

from __future__ import annotations

import os
import time

import pytest
from ckan.plugins import toolkit as tk

from ckanext.datasud_partnership.publication.harvest import compat

from ..publication.conftest import DECLARATION, act, published
from .queues import Consumer, harvest

IDLE_SHORT = 3.0  # seconds: ten times the short socket timeout below


def make_source(source, name="cd13-portail", source_type="ckan", url=None, **fields):
    return act(
        "harvest_source_create",
        user="cd13-admin",
        name=name,
        title="Portail du partenaire",
        url=url or source.url + "/",
        source_type=source_type,
        owner_org="cd13",
        frequency="MANUAL",
        publication_declaration=DECLARATION,
        **fields,
    )


@pytest.fixture
def short_socket_timeout(app, monkeypatch):
    """Redis reads that time out after 0.3 s (redis-py 8's default is 5 s):
    what kills an unpatched consumer after 5 s idle kills it here at once."""
    url = tk.config["ckan.redis.url"]
    monkeypatch.setitem(
        tk.config, "ckan.redis.url", url + ("&" if "?" in url else "?") + "socket_timeout=0.3"
    )


def test_without_the_fix_an_idle_consumer_dies(short_socket_timeout, app, monkeypatch):
    from ckanext.harvest import queue

    monkeypatch.setattr(queue, "get_consumer", compat._ORIGINAL["get_consumer"])
    consumer = Consumer("gather", app.flask_app)
    consumer.start()
    consumer.join(IDLE_SHORT)
    assert not consumer.is_alive()
    assert "Timeout reading from socket" in str(consumer.error)


def test_an_idle_consumer_survives_and_then_harvests(short_socket_timeout, partner, source, consumers):
    dataset = source.add("comptages-velo")
    time.sleep(IDLE_SHORT)  # idle: ten socket timeouts
    assert consumers.alive() and consumers.errors() == []
    created = make_source(source)
    result = harvest(created["id"], consumers)
    assert [o["report_status"] for o in result["objects"].values()] == ["added"], result
    assert published(dataset["id"])
    # the publishers (the web's side) keep the configured timeout
    from ckanext.harvest import queue

    assert queue.get_connection().connection_pool.connection_kwargs["socket_timeout"] == 0.3


@pytest.mark.skipif(not os.environ.get("DATASUD_LONG_TESTS"), reason="minutes long: DATASUD_LONG_TESTS=1")
def test_consumers_survive_minutes_idle_with_redis_defaults(partner, source, consumers):
    dataset = source.add("qualite-air")
    time.sleep(float(os.environ.get("DATASUD_IDLE_SECONDS", "200")))
    assert consumers.alive() and consumers.errors() == []
    result = harvest(make_source(source)["id"], consumers)
    assert [o["report_status"] for o in result["objects"].values()] == ["added"], result
    assert published(dataset["id"])
