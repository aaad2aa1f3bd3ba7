"""Harvesting under the publication gate: the rules, in plain Python.

A harvest run publishes nobody's dataset by itself: it imports what a
partner's harvest source offers, and the gate decides, dataset by dataset,
whether the result is published or kept private. The personal-data
declaration a publisher makes at each publication is made, for a harvest
source, once by an admin of the source's organization when configuring the
source; it counts only while the declaration text and the terms of use it
was made under are the ones in force, and only for that organization.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..gate import DECLARATION_FIELD, N_, Unmet, declaration_is_current

# What a harvest import did to one dataset (the record the organization reads)
PUBLISHED = "published"  # public after the import, on the strength of the source's declaration
PRIVATE = "private"  # the gate refused: imported, kept private, reasons recorded
WITHDRAWN = "withdrawn"  # the partner withdrew it: updated, kept private, no publication
PRIVATE_AT_SOURCE = "private_at_source"  # the source itself offers it as private
WITHDRAWN_AT_SOURCE = "withdrawn_at_source"  # no longer offered by the source: withdrawn here
OUTCOMES = (PUBLISHED, PRIVATE, WITHDRAWN, PRIVATE_AT_SOURCE, WITHDRAWN_AT_SOURCE)
# the ground of a withdrawal the source decided (the journal cites the source)
SOURCE_GROUND = "harvest_source"


@dataclasses.dataclass(frozen=True)
class SourceDeclaration:
    """The declaration recorded for a harvest source."""

    organization_id: str
    personal_data: str
    text_version: str
    terms_version: str | None  # the terms of use in force when it was made (None: none published)
    declared_by: str  # user id
    declared_at: dt.datetime
    note: str = ""


def declaration_unmet(
    declaration: SourceDeclaration | None,
    organization_id: str | None,
    text_version: str,
    terms_version: str | None,
) -> list[Unmet]:
    """Why the source's declaration does not count (empty: it counts), given
    the source's organization, the declaration text and the terms of use in
    force now."""
    field = DECLARATION_FIELD
    if declaration is None:
        return [
            Unmet(
                "declaration",
                field,
                N_(
                    "The harvest source has no personal-data declaration: an admin of the "
                    "organization must declare, for the source, that the data holds no personal "
                    "data or that it was anonymized"
                ),
            )
        ]
    unmet = []
    if declaration.organization_id != organization_id:
        unmet.append(
            Unmet(
                "declaration",
                field,
                N_(
                    "The harvest source's declaration was made for another organization: an admin "
                    "of the source's organization must declare again"
                ),
            )
        )
    if not declaration_is_current(declaration.text_version, text_version):
        unmet.append(
            Unmet(
                "declaration",
                field,
                N_(
                    "The harvest source's declaration no longer counts: it was made on declaration "
                    "text version %(given)s and version %(current)s is in force; an admin of the "
                    "organization must declare again"
                ),
                {"given": declaration.text_version, "current": text_version},
            )
        )
    if terms_version is not None and declaration.terms_version != terms_version:
        unmet.append(
            Unmet(
                "declaration",
                field,
                N_(
                    "The harvest source's declaration no longer counts: it was made under the terms "
                    "of use version %(given)s and version %(current)s is in force; an admin of the "
                    "organization must declare again"
                ),
                {"given": declaration.terms_version or "-", "current": terms_version},
            )
        )
    return unmet


def withdrawn_stays_withdrawn() -> Unmet:
    """The reason recorded when an update keeps a withdrawn dataset private."""
    return Unmet(
        "withdrawn",
        "private",
        N_(
            "The organization withdrew this dataset: the harvest updates it and keeps it private; "
            "publish it again to make it public"
        ),
    )


def private_at_source() -> Unmet:
    return Unmet("source", "private", N_("The harvest source offers this dataset as private"))


def no_longer_offered() -> Unmet:
    return Unmet(
        "source",
        "private",
        N_("The harvest source no longer offers this dataset: withdrawn, kept with its history"),
    )


def foreign_licence(licence: str) -> Unmet:
    """A licence the source gives that is not in the portal's list."""
    return Unmet(
        "licence",
        "license_id",
        N_(
            "The harvest source gives the licence %(licence)s, which is not in the portal's list: "
            "the dataset is imported private, with no licence; publish it with one of the portal's "
            "open licences"
        ),
        {"licence": licence},
    )


def decide(
    was_published: bool,
    will_be_public: bool,
    last_journal_action: str | None,
    unmet: list[Unmet],
) -> tuple[str, list[Unmet]]:
    """What a harvest import makes of one dataset: its outcome and the reasons.

    ``will_be_public``: the import, as CKAN saved it, leaves the dataset active
    and not private; ``last_journal_action``: the dataset's last publication
    journal entry (``published``, ``withdrawn`` or None; ``withdrawn_at_source``
    when the source withdrew it: judged again like a first import); ``unmet``: the
    conditions the gate finds unmet (judged only when they matter)."""
    if not will_be_public:
        return PRIVATE_AT_SOURCE, [private_at_source()]
    if was_published:
        return PUBLISHED, []
    if last_journal_action == "withdrawn":
        return WITHDRAWN, [withdrawn_stays_withdrawn()]
    if unmet:
        return PRIVATE, list(unmet)
    return PUBLISHED, []
