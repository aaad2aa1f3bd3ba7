"""The publication gate: when may a dataset become published?

"Published" means publicly visible: the dataset is active and not private.
A dataset becomes published only when every condition below holds, checked
by the server at that moment. Plain Python, no CKAN import: the caller
gathers the facts, this module judges them and names every unmet condition.
"""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..common.messages import N_

PERSONAL_DATA = ("none", "anonymized")
DECLARATION_FIELD = "publication_declaration"  # the field a client sends it in


@dataclasses.dataclass(frozen=True)
class Unmet:
    """One condition that does not hold: the field at fault and a message
    (an English msgid with ``%(name)s`` placeholders, translated by the caller)."""

    condition: str
    field: str
    message: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Declaration:
    """The publisher's declaration for one publication (GDPR)."""

    personal_data: str  # "none" | "anonymized"
    text_version: str
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Facts:
    """What the gate looks at, gathered by the caller at the moment of publishing."""

    agreement_in_force: bool
    licence_id: str | None
    open_licences: frozenset[str]
    declaration: Declaration | None
    declaration_version: str  # the current version of the declaration text
    terms_version: str | None  # the current terms of use (None: none published yet)
    terms_accepted: str | None  # the version the organization accepted
    missing_metadata: tuple[str, ...] = ()
    # each required field's label, in the user's language (default: its name)
    metadata_labels: dict[str, str] = dataclasses.field(default_factory=dict)


def parse_declaration(value: Any) -> tuple[Declaration | None, list[Unmet]]:
    """Read a declaration as an API client sends it: ``{"personal_data":
    "none" | "anonymized", "text_version": ..., "note": ...}``."""
    if value in (None, "", {}):
        return None, []
    if not isinstance(value, dict):
        return None, [Unmet("declaration", DECLARATION_FIELD, N_("The declaration must be an object"))]
    problems = []
    personal = value.get("personal_data")
    if personal not in PERSONAL_DATA:
        problems.append(
            Unmet(
                "declaration",
                DECLARATION_FIELD,
                N_("personal_data must be one of: %(values)s"),
                {"values": ", ".join(PERSONAL_DATA)},
            )
        )
    version = value.get("text_version")
    if not isinstance(version, str) or not version.strip():
        problems.append(Unmet("declaration", DECLARATION_FIELD, N_("text_version is missing")))
    note = value.get("note") or ""
    if not isinstance(note, str):
        problems.append(Unmet("declaration", DECLARATION_FIELD, N_("note must be a text")))
        note = ""
    if personal == "anonymized" and not note.strip():
        problems.append(
            Unmet(
                "declaration",
                DECLARATION_FIELD,
                N_("Say in a note how the personal data was anonymized"),
            )
        )
    if problems:
        return None, problems
    return Declaration(personal_data=personal, text_version=version.strip(), note=note.strip()), []


def unmet_conditions(facts: Facts) -> list[Unmet]:
    """Every condition for publication that does not hold (empty: publish)."""
    unmet = []
    if not facts.agreement_in_force:
        unmet.append(
            Unmet(
                "agreement",
                "owner_org",
                N_("The organization has no partnership agreement in force that grants publication"),
            )
        )
    if not facts.licence_id:
        unmet.append(Unmet("licence", "license_id", N_("Choose a licence")))
    elif facts.licence_id not in facts.open_licences:
        unmet.append(
            Unmet(
                "licence",
                "license_id",
                N_("The licence “%(licence)s” is not one of the portal's open licences: %(licences)s"),
                # ids: the reader sees titles, in the language it reads (publishing.message)
                {"licence": facts.licence_id, "licences": ", ".join(sorted(facts.open_licences))},
            )
        )
    unmet.extend(declaration_unmet(facts.declaration, facts.declaration_version))
    if facts.terms_version is not None and facts.terms_accepted != facts.terms_version:
        unmet.append(
            Unmet(
                "terms",
                "terms_of_use",
                N_("The organization has not accepted the terms of use in force (version %(version)s)"),
                {"version": facts.terms_version},
            )
        )
    unmet.extend(metadata_unmet(facts.missing_metadata, facts.metadata_labels))
    return unmet


def declaration_is_current(text_version: str | None, current_version: str) -> bool:
    """Does a declaration made on ``text_version`` of the declaration text
    still count? Only on the version in force: raising the version makes
    every older declaration stale."""
    return text_version == current_version


def declaration_unmet(declaration: Declaration | None, current_version: str) -> list[Unmet]:
    """Why the publisher's declaration does not count (empty: it counts)."""
    if declaration is None:
        return [
            Unmet(
                "declaration",
                DECLARATION_FIELD,
                N_("Declare that the data holds no personal data, or that it was anonymized"),
            )
        ]
    if not declaration_is_current(declaration.text_version, current_version):
        return [
            Unmet(
                "declaration",
                DECLARATION_FIELD,
                N_("The declaration was made on text version %(given)s; the current version is %(current)s"),
                {"given": declaration.text_version, "current": current_version},
            )
        ]
    return []


def licence_change_unmet(
    was_published: bool, licence_before: str | None, is_published: bool, licence_after: str | None
) -> Unmet | None:
    """The licence of a published dataset does not change in place (seed
    000, art. 3): to change it, withdraw, then publish again under the new
    one, which makes a new record."""
    if was_published and is_published and licence_before != licence_after:
        return Unmet(
            "licence",
            "license_id",
            N_(
                "The licence of a published dataset does not change: withdraw it, "
                "then publish it again under the new licence"
            ),
        )
    return None


# characters that show nothing though Unicode counts them as letters or symbols
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def blank(value: Any) -> bool:
    """Does ``value`` show nothing? None, an empty list or object, a text of
    Unicode spaces, control and format characters only (zero-width spaces and
    joiners, the byte-order mark, soft hyphens...), or a list of such values.
    A multiple-choice field stored as a JSON list is read as that list."""
    if isinstance(value, str):
        if value.startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                pass
            else:
                return blank(value) if isinstance(value, list) else False
        return all(
            char.isspace()
            or char in INVISIBLE
            or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")
            for char in value
        )
    if isinstance(value, (list, tuple)):
        return all(blank(item) for item in value)
    if isinstance(value, dict):
        return not value
    return value is None


def missing_metadata(dataset: dict[str, Any], required: Iterable[str]) -> tuple[str, ...]:
    """The required fields that are blank in ``dataset`` (a package dict):
    the rule for a publication and for every change of a published dataset."""
    return tuple(field for field in required if blank(dataset.get(field)))


def metadata_unmet(missing: Iterable[str], labels: dict[str, str]) -> list[Unmet]:
    """One unmet condition per missing field, named by its label."""
    return [
        Unmet(
            "metadata", field, N_("%(label)s: required for publication"), {"label": labels.get(field, field)}
        )
        for field in missing
    ]
