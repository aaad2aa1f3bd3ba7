"""Two fixes this portal applies to its harvesting stack (ckanext-harvest
1.6.3, ckanext-dcat 2.4.4 on CKAN 2.12), installed once at start-up
(``install``, from the plugin's ``configure``) and each undone by
``uninstall``.

1. **Consumers that survive idle** (upstream ckan/ckanext-harvest#581).
   CKAN 2.12 pins redis-py 8, whose default ``socket_timeout`` is 5 s;
   ckanext-harvest opens its queue connection without one, so the gather and
   fetch consumers' ``BLPOP`` (a read that waits for the next message) raises
   ``TimeoutError: Timeout reading from socket`` as soon as the queue stays
   empty that long, and the consumer process ends. A pin is impossible
   (CKAN requires redis==8.0.1) and a fork would be ours to maintain for one
   keyword; so the consumers' connection is given ``socket_timeout=None``
   (the waiting read waits, as with redis-py < 6), with TCP keepalive and a
   health check before a command on a connection idle for long, so that a
   vanished server is still noticed. Only the *consumers* get it: the
   publishers (the web requests that queue a job) keep the configured
   timeout. ckanext-harvest looks ``get_consumer`` up in its module at each
   call (``get_gather_consumer``, ``get_fetch_consumer``): one assignment
   covers every caller.

2. **A DCAT harvest reads the private datasets it updates.** ckanext-dcat's
   ``_get_existing_dataset`` calls ``package_show`` with an empty context:
   anonymous, so a dataset imported private is ``NotAuthorized``, raised
   outside the import's ``try`` (the fetch consumer dies, the object stays
   unacknowledged, the job "Running"). The same look-up is done here as the
   site user (the harvest's own user), as ckanext-harvest's CKAN harvester
   does (``ignore_auth``), and only for a dataset of the harvest source's
   organization: a dataset of another organization with the same guid is
   not updated by this source (the import errs, it is not moved).
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

log = logging.getLogger(__name__)

HEALTH_CHECK_SECONDS = 30
_ORIGINAL: dict[str, Any] = {}


# -- 1. the queue consumers' connection ----------------------------------------------
def unblocked(client: Any) -> Any:
    """``client`` (a redis-py client) with reads that wait as long as the
    server takes: the connections its pool opens from now on, and those it
    holds already."""
    pool = client.connection_pool
    pool.connection_kwargs["socket_timeout"] = None
    pool.connection_kwargs["socket_keepalive"] = True
    pool.connection_kwargs["health_check_interval"] = HEALTH_CHECK_SECONDS
    for connection in list(getattr(pool, "_available_connections", [])) + list(
        getattr(pool, "_in_use_connections", [])
    ):
        connection.disconnect()  # reopened with the new arguments on first use
        connection.socket_timeout = None
        connection.socket_keepalive = True
        connection.health_check_interval = HEALTH_CHECK_SECONDS
    return client


def get_consumer(queue_name: str, routing_key: str) -> Any:
    """ckanext-harvest's ``get_consumer``, whose Redis connection's reads
    wait (see the module's documentation)."""
    from ckanext.harvest import queue

    consumer = _ORIGINAL["get_consumer"](queue_name, routing_key)
    if isinstance(consumer, queue.RedisConsumer):
        unblocked(consumer.redis)
    return consumer


# -- 2. the DCAT harvester's look-up of the dataset it updates --------------------------
def _importing_source(guid: str) -> Any:
    """The harvest source whose object for ``guid`` is being imported."""
    from ckanext.harvest.model import HarvestObject

    row = (
        model.Session.query(HarvestObject.harvest_source_id)
        .filter(HarvestObject.guid == guid, HarvestObject.state == "IMPORT")
        .order_by(HarvestObject.import_started.desc())
        .first()
    )
    return model.Package.get(row[0]) if row else None


def get_existing_dataset(self: Any, guid: str) -> dict[str, Any] | None:
    """ckanext-dcat's ``DCATHarvester._get_existing_dataset``, reading the
    dataset as the site user; None for a dataset of another organization than
    the importing source's (ckanext-dcat then creates the dataset anew: a new
    id, a name of its own)."""
    datasets = self._read_datasets_from_db(guid)
    if not datasets:
        return None
    source = _importing_source(guid)
    candidates = [row[0] for row in datasets]
    if source is not None:
        owned = {
            row[0]
            for row in model.Session.query(model.Package.id).filter(
                model.Package.id.in_(candidates), model.Package.owner_org == source.owner_org
            )
        }
        mine = [dataset_id for dataset_id in candidates if dataset_id in owned]
        if not mine:
            log.warning(
                "guid %s names a dataset of another organization than harvest source %s's: not updated",
                guid,
                source.id,
            )
            return None
        candidates = mine
    if len(candidates) > 1:
        log.error("Found more than one dataset with the same guid: %s", guid)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return tk.get_action("package_show")(
        {"ignore_auth": True, "user": site_user["name"]}, {"id": candidates[0]}
    )


# -- installation ---------------------------------------------------------------------
def install() -> None:
    """Apply both fixes (idempotent); each only if its extension is installed."""
    if not _ORIGINAL:
        try:
            from ckanext.harvest import queue
        except ImportError:  # pragma: no cover - ckanext-harvest not installed
            queue = None
        if queue is not None:
            _ORIGINAL["get_consumer"] = queue.get_consumer
            queue.get_consumer = get_consumer
        try:
            from ckanext.dcat.harvesters.base import DCATHarvester
        except ImportError:  # pragma: no cover - ckanext-dcat not installed
            DCATHarvester = None  # noqa: N806
        if DCATHarvester is not None:
            _ORIGINAL["get_existing_dataset"] = DCATHarvester._get_existing_dataset
            DCATHarvester._get_existing_dataset = get_existing_dataset


def uninstall() -> None:
    """Put ckanext-harvest's and ckanext-dcat's own functions back."""
    if "get_consumer" in _ORIGINAL:
        from ckanext.harvest import queue

        queue.get_consumer = _ORIGINAL.pop("get_consumer")
    if "get_existing_dataset" in _ORIGINAL:
        from ckanext.dcat.harvesters.base import DCATHarvester

        DCATHarvester._get_existing_dataset = _ORIGINAL.pop("get_existing_dataset")
    _ORIGINAL.clear()
