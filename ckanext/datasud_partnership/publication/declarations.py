"""The personal-data declaration's texts, versioned as records.

A publisher declares, for each publication, that the dataset holds no
personal data or that it was anonymized, on the text in force that day. The
texts are rows (``declaration_version_create``); the first one was seeded
from the former option ``ckanext.datasud_partnership.declaration_version``
by migration 0010. Raising the version makes every older declaration stale
(``gate.declaration_is_current``), harvest sources' included.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from ckan import model
from sqlalchemy import or_

from ..common import settings
from ..common.dates import iso, today
from ..common.language import localized
from .model import DeclarationVersion

Session = model.Session

# The first text (seeded by migration 0010; the text in force while no row is
# recorded, e.g. in a database emptied by the tests).
SEED_TEXT = {
    "fr": (
        "Je déclare, pour l'organisation qui publie, que ce jeu de données ne contient aucune "
        "donnée à caractère personnel au sens du règlement général sur la protection des données "
        "(RGPD), ou que les données à caractère personnel qu'il contenait ont été anonymisées de "
        "sorte qu'aucune personne ne puisse plus être identifiée ; dans ce cas, je précise comment."
    ),
    "en": (
        "I declare, on behalf of the publishing organization, that this dataset holds no personal "
        "data within the meaning of the General Data Protection Regulation (GDPR), or that the "
        "personal data it held were anonymized so that no person can be identified any more; in "
        "that case, I say how."
    ),
}


@dataclasses.dataclass(frozen=True)
class Text:
    """One version of the declaration's text, as the pages and the API give it."""

    version: str
    text: dict[str, str]
    in_force_from: dt.date | None
    created_at: dt.datetime | None = None

    def in_language(self, lang: str | None = None) -> str:
        return localized(self.text, lang)

    def as_dict(self, current: str | None = None) -> dict[str, Any]:
        return {
            "version": self.version,
            "text": dict(self.text),
            "in_force_from": iso(self.in_force_from),
            "created_at": iso(self.created_at),
            "current": self.version == current,
        }


def _text(row: DeclarationVersion) -> Text:
    return Text(row.version, dict(row.text or {}), row.in_force_from, row.created_at)


def _in_force(day: dt.date) -> Any:
    return or_(DeclarationVersion.in_force_from.is_(None), DeclarationVersion.in_force_from <= day)


def current(day: dt.date | None = None) -> Text:
    """The text in force on ``day`` (default: today): the one most recently
    in force. With no row at all, the seed: the former option's version
    and ``SEED_TEXT``."""
    row = (
        Session.query(DeclarationVersion)
        .filter(_in_force(day or today()))
        .order_by(
            DeclarationVersion.in_force_from.desc().nulls_last(),
            DeclarationVersion.id.desc(),
        )
        .first()
    )
    return _text(row) if row is not None else seed()


def seed() -> Text:
    return Text(settings.declaration_version(), dict(SEED_TEXT), None)


def current_version(day: dt.date | None = None) -> str:
    """The version a declaration must be made on, ``day`` (default: today)."""
    return current(day).version


def every() -> list[Text]:
    """Every version, the latest to come into force first."""
    rows = Session.query(DeclarationVersion).order_by(
        DeclarationVersion.in_force_from.desc().nulls_last(), DeclarationVersion.id.desc()
    )
    return [_text(row) for row in rows] or [seed()]


def find(version: str) -> Text | None:
    return next((text for text in every() if text.version == version), None)


def add(version: str, text: dict[str, str], in_force_from: dt.date, user_id: str | None) -> Text:
    """Record a new version (after the seed, recorded first if it is not:
    the history lists every text ever declared on)."""
    if Session.query(DeclarationVersion.id).first() is None:
        first = seed()
        Session.add(DeclarationVersion(version=first.version, text=first.text, in_force_from=None))
    row = DeclarationVersion(version=version, text=text, in_force_from=in_force_from, created_by=user_id)
    Session.add(row)
    Session.flush()
    return _text(row)
