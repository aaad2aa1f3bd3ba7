"""The publication journal: every publication and withdrawal, append-only,
and the status fields read from it.

The status fields are added to ``package_show`` (and so to the API, the
pages and search results) and to the search index, so that organization
pages facet on them:

- ``publication_status``: ``draft`` (CKAN's draft state), ``published``
  (active and public), ``withdrawn`` (published once, private again) or
  ``never_published``;
- ``published_licence_id``: the licence of the last publication;
- ``publication_date``: the day of the first publication (ISO date);
- ``last_publication_date``: when it was last published (ISO date-time).

The search index also gets ``publication_year`` (the year of the first
publication, a string): facet on it, on ``publication_status`` and on
``published_licence_id``. The two dates are Solr date points without
docValues in CKAN's schema: Solr filters and sorts on them but refuses to
facet on them (the strict mode of ``datasud_pgsearch`` refuses it too).

The journal is the only source: nothing a client sends can set these.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ckan import model
from ckan.types import Context
from sqlalchemy import text

from ..common.roles import user_of
from ..common.tables import utcnow
from . import gate as G
from .model import JournalEntry

Session = model.Session


def record(
    package: model.Package,
    action: str,
    context: Context,
    path: str,
    declaration: G.Declaration | None = None,
    agreement_id: str | None = None,
    reason: str | None = None,
    ground: dict[str, Any] | None = None,
    declared: dict[str, Any] | None = None,
    actor_id: str | None = None,
) -> JournalEntry:
    """``declared`` and ``actor_id``: a declaration made beforehand (a harvest
    source's) and the user it is on the strength of, in place of the caller's."""
    user = user_of(context)
    now = utcnow()
    if declared is None and declaration is not None:
        declared = {
            **dataclasses.asdict(declaration),
            "declared_by": user.name if user else None,
            "declared_at": now.isoformat(),
        }
    entry = JournalEntry(
        dataset_id=package.id,
        organization_id=package.owner_org,
        action=action,
        licence_id=package.license_id,
        declaration=declared,
        agreement_id=agreement_id,
        actor=actor_id or (user.id if user else None),
        timestamp=now,
        reason=reason,
        ground=ground,
        path=path,
    )
    Session.add(entry)
    return entry


def last_action(dataset_id: str) -> str | None:
    """The dataset's last journal entry's action (``published``,
    ``withdrawn``), None if it has none."""
    row = (
        Session.query(JournalEntry.action)
        .filter_by(dataset_id=dataset_id)
        .order_by(JournalEntry.timestamp.desc(), JournalEntry.id.desc())
        .first()
    )
    return row[0] if row else None


FIELDS = ("publication_status", "published_licence_id", "publication_date", "last_publication_date")

# One indexed read of the dataset's journal entries.
SUMMARY = text(
    """
    SELECT min(timestamp) FILTER (WHERE action = 'published'),
           max(timestamp) FILTER (WHERE action = 'published'),
           (array_agg(licence_id ORDER BY timestamp DESC, id DESC)
                FILTER (WHERE action = 'published'))[1]
    FROM datasud_partnership_publication_journal
    WHERE dataset_id = :dataset_id
    """
)


def of(dataset: dict[str, Any]) -> dict[str, Any]:
    """The status fields of a dataset dict (``id``, ``state``, ``private``)."""
    if any(isinstance(pending, JournalEntry) for pending in model.Session.new):
        model.Session.flush()  # an entry of this very change (a raw SQL read does not autoflush)
    first, latest, licence_id = model.Session.execute(SUMMARY, {"dataset_id": dataset["id"]}).one()
    return {
        "publication_status": status(dataset.get("state"), bool(dataset.get("private")), latest is not None),
        "published_licence_id": licence_id,
        "publication_date": first.date().isoformat() if first else None,
        "last_publication_date": latest.isoformat() if latest else None,
    }


def add_to_shown(pkg_dict: dict[str, Any]) -> None:
    """``package_show``: a dict read from the search index (CKAN's cache, valid
    while ``metadata_modified`` matches) carries the fields as they were
    computed when it was indexed, and every publication or withdrawal
    reindexes the dataset; a dict built from the database gets them read
    from the journal."""
    if FIELDS[0] not in pkg_dict:
        pkg_dict.update(of(pkg_dict))


def status(state: str | None, private: bool, ever_published: bool) -> str:
    if state == "draft":
        return "draft"
    if state == "active" and not private:
        return "published"
    return "withdrawn" if ever_published else "never_published"


def index_fields(index_dict: dict[str, Any]) -> dict[str, Any]:
    """The status fields as the search index takes them: dates in UTC with a
    trailing Z (Solr's format; CKAN's own date clean-up ran before plugins)."""
    shown = index_dict.get("validated_data_dict")
    shown = json.loads(shown) if isinstance(shown, str) else {}
    # package_show just computed them for the stored copy: no second read
    fields = {name: shown[name] for name in FIELDS if name in shown} if FIELDS[0] in shown else of(index_dict)
    for name in ("publication_date", "last_publication_date"):
        value = fields.pop(name)
        if value:
            fields[name] = (value[:19] if "T" in value else value + "T00:00:00") + "Z"
    if fields.get("publication_date"):
        fields["publication_year"] = fields["publication_date"][:4]
    return {name: value for name, value in fields.items() if value is not None}
