"""The search index says what the database says about who may see each
dataset: what this plugin changes on the models reaches the index here, and
``check`` finds (and ``fix`` repairs) every dataset whose visibility in the
index differs from the database's.

CKAN 2.12 indexes in its actions. A termination withdraws its datasets on the
models (``withdrawal.apply_termination``); once that is committed,
:func:`refresh_index` takes them out of the public's sight. It works the same
on Solr and on ``datasud_pgsearch`` (both through CKAN's ``make_connection``):

- datasets are deleted from the index by their unique key (``index_id``),
  never by a query whose clauses Solr limits (1,024 by default);
- the commit waits for the new searcher (``waitSearcher=True``): when the
  termination returns, the public's searches no longer find the datasets
  (CKAN's own ``search.commit()`` does not wait);
- if the index cannot be reached (Solr down, a timeout), the withdrawal
  stands and the update is queued as a background job; anything still out of
  step (a lost job, a process killed between the commit and the index) is
  found by ``ckan datasud-partnership check-index``, which ``run-schedule``
  runs with ``--fix`` every day.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ..common import settings

log = logging.getLogger(__name__)

REINDEX_CHUNK = 500  # datasets per index request and per background job
READ_PAGE = 10_000  # index documents read per search while checking

PUBLIC, PRIVATE, ABSENT = "public", "private", "absent"


def index_id(package_id: str) -> str:
    """The index's unique key of a dataset, as CKAN's indexing computes it."""
    return hashlib.md5(f"{package_id}{tk.config.get('ckan.site_id')}".encode()).hexdigest()


def _connection() -> Any:
    # CKAN's connection: Solr's, or datasud_pgsearch's when that plugin is loaded.
    from ckan.lib.search import index as search_index

    return search_index.make_connection()


def commit_visible(connection: Any | None = None) -> None:
    """Commit the index and wait until searches see the change."""
    (connection or _connection()).commit(waitSearcher=True)


def chunks(package_ids: list[str]) -> list[list[str]]:
    return [package_ids[i : i + REINDEX_CHUNK] for i in range(0, len(package_ids), REINDEX_CHUNK)]


# -- after a termination's withdrawals -----------------------------------------------
def refresh_index(sender: Any = None, dataset_ids: list[str] | None = None, **kwargs: Any) -> None:
    """The search index after many datasets were made private on the models
    (the receiver of ``datasets_made_private``, once committed).

    Up to ``inline_reindex_limit`` datasets are reindexed at once. Beyond, the
    datasets leave the index at once (the public no longer finds them) and
    background jobs (``ckan jobs worker``) index them again as private
    datasets, for their organization's members: CKAN's indexing costs some
    20 ms a dataset, too long for a web request withdrawing thousands."""
    package_ids = list(dataset_ids or [])
    try:
        if len(package_ids) <= settings.inline_reindex_limit():
            reindex(package_ids)
        else:
            remove(package_ids)
            _enqueue(package_ids, "reindex withdrawn datasets")
    except Exception:
        log.exception("The search index could not be updated after %s withdrawals", len(package_ids))
        _enqueue(package_ids, "retry: reindex withdrawn datasets")


def remove(package_ids: list[str]) -> None:
    """Take datasets out of the index, one request a chunk, one commit."""
    connection = _connection()
    for chunk in chunks(package_ids):
        connection.delete(id=[index_id(package_id) for package_id in chunk], commit=False)
    commit_visible(connection)


def _enqueue(package_ids: list[str], title: str) -> None:
    parts = chunks(package_ids)
    for number, chunk in enumerate(parts, 1):
        try:
            tk.enqueue_job(reindex, [chunk], title=f"datasud_partnership: {title} ({number}/{len(parts)})")
        except Exception:
            log.exception(
                "Could not queue the reindexing of %s datasets: `ckan datasud-partnership check-index --fix` "
                "repairs them (run-schedule runs it every day)",
                len(chunk),
            )


def reindex(package_ids: list[str]) -> None:
    """Index again datasets changed on the models (a purged one leaves the index)."""
    from ckan import logic

    existing = {
        package_id
        for (package_id,) in model.Session.query(model.Package.id).filter(model.Package.id.in_(package_ids))
    }
    for package_id in package_ids:
        if package_id in existing:
            logic.index_update_package({"ignore_auth": True}, package_id, defer_commit=True)
    gone = [package_id for package_id in package_ids if package_id not in existing]
    if gone:
        _connection().delete(id=[index_id(package_id) for package_id in gone], commit=False)
    if package_ids:
        commit_visible()


# -- check-index ----------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Difference:
    """A dataset the index shows otherwise than the database: each side says
    ``public``, ``private``, ``draft``, ``deleted`` or ``absent``."""

    dataset_id: str
    name: str | None
    database: str
    index: str

    @property
    def exposed(self) -> bool:
        """The public finds in the index what it may not see."""
        return self.index == PUBLIC and self.database != PUBLIC


def _seen_as(state: str | None, private: bool | None) -> str:
    if state == "active":
        return PRIVATE if private else PUBLIC
    return state or ABSENT


def _database() -> dict[str, tuple[str | None, str]]:
    """Each dataset's name and what the index should say of it."""
    drop_deleted = tk.asbool(tk.config.get("ckan.search.remove_deleted_packages"))
    rows = model.Session.query(
        model.Package.id, model.Package.name, model.Package.state, model.Package.private
    )
    expected = {}
    for package_id, name, state, private in rows.yield_per(READ_PAGE):
        seen = _seen_as(state, private)
        expected[package_id] = (name, ABSENT if seen == "deleted" and drop_deleted else seen)
    return expected


def _indexed() -> Iterator[tuple[str, str]]:
    """Each indexed dataset of this portal and what the index says of it."""
    connection = _connection()
    site = tk.config.get("ckan.site_id")
    start = 0
    while True:
        found = connection.search(
            q="*:*",
            fq=[f'+site_id:"{site}"', "+entity_type:package"],
            fl="id,state,capacity",
            sort="index_id asc",
            rows=READ_PAGE,
            start=start,
        )
        for doc in found.docs:
            yield doc["id"], _seen_as(doc.get("state"), doc.get("capacity") != PUBLIC)
        start += READ_PAGE
        if len(found.docs) < READ_PAGE:
            return


def check() -> list[Difference]:
    """Every dataset whose visibility in the index differs from the
    database's, the exposed ones (public in the index only) first."""
    expected = _database()
    differences = []
    for package_id, seen in _indexed():
        name, wanted = expected.pop(package_id, (None, ABSENT))
        if seen != wanted:
            differences.append(Difference(package_id, name, wanted, seen))
    differences += [
        Difference(package_id, name, wanted, ABSENT)
        for package_id, (name, wanted) in expected.items()
        if wanted != ABSENT
    ]
    return sorted(differences, key=lambda d: (not d.exposed, d.name or "", d.dataset_id))


def fix(differences: list[Difference]) -> None:
    """Bring the index in line with the database for these datasets."""
    for chunk in chunks([difference.dataset_id for difference in differences]):
        reindex(chunk)
