"""Publishing: judging a dataset against the gate and applying the verdict.

Every path that can make a dataset public (``dataset_publish``,
``package_create``, ``package_update`` and all that call it, the bulk
"Make public", moving a dataset to another organization, harvesting) asks
:func:`judge` (through :func:`check_gate` or :func:`publish_checked`): the
facts are gathered here, the pure rules of ``gate.py`` decide.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

from ..agreements.queries import publishing_agreement
from ..common import settings
from ..common.roles import is_publisher, user_of
from ..profile import scheming
from . import gate as G
from . import journal
from .model import JournalEntry
from .terms import accepted_version, current_terms

_ = tk._


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What matters of a dataset for publication, at one moment."""

    id: str
    state: str
    private: bool
    owner_org: str | None
    license_id: str | None
    type: str

    @property
    def published(self) -> bool:
        return self.state == "active" and not self.private

    @classmethod
    def of(cls, package: model.Package) -> Snapshot:
        return cls(
            id=package.id,
            state=package.state,
            private=bool(package.private),
            owner_org=package.owner_org,
            license_id=package.license_id,
            type=package.type,
        )


def check_may_publish(context: Context, organization_id: str | None) -> None:
    user = user_of(context)
    if is_publisher(user, organization_id):
        return
    if user is not None and user.sysadmin and settings.sysadmins_may_publish():
        return
    raise tk.NotAuthorized(
        _("Only the partner publishes its datasets: a member of the organization with a publishing role")
    )


def required_fields(dataset_type: str = "dataset") -> list[str]:
    """The fields the dataset schema marks ``required_for_publication``; the
    config option when no scheming schema is loaded."""
    fields = scheming.required_for_publication(dataset_type)
    return settings.required_for_publication() if fields is None else fields


def missing_for_publication(package: model.Package) -> list[dict[str, str]]:
    """The fields of ``package`` that publication still needs, each with its
    label in the current language."""
    missing = G.missing_metadata(package_as_dict(package), required_fields(package.type))
    return [{"field": field, "label": scheming.label(field, package.type)} for field in missing]


def check_metadata_kept(package: model.Package) -> None:
    """A published dataset keeps the metadata its publication required:
    a change that blanks one of them is refused, naming each field."""
    missing = G.missing_metadata(package_as_dict(package), required_fields(package.type))
    if missing:
        raise refusal(G.metadata_unmet(missing, metadata_labels(package.type)))


# CKAN's ValidationError reads "tags" errors as per-tag dicts: tags are
# named by the form's field instead.
ERROR_KEYS = {"tags": "tag_string"}


def refusal(unmet: list[G.Unmet]) -> tk.ValidationError:
    errors: dict[str, list[str]] = {}
    for condition in unmet:
        text = _(condition.message)
        key = ERROR_KEYS.get(condition.field, condition.field)
        errors.setdefault(key, []).append(text % condition.params if condition.params else text)
    return tk.ValidationError(errors)


def judge(
    package: model.Package, declaration: G.Declaration | None, day: dt.date | None = None
) -> tuple[list[G.Unmet], Any]:
    """The unmet conditions for publishing ``package`` (as it would be saved)
    with ``declaration``, and the agreement it would be published under."""
    agreement = publishing_agreement(package.owner_org, day) if package.owner_org else None
    terms = current_terms()
    dataset = package_as_dict(package)
    facts = G.Facts(
        agreement_in_force=agreement is not None,
        licence_id=package.license_id,
        open_licences=settings.open_licences(),
        declaration=declaration,
        declaration_version=settings.declaration_version(),
        terms_version=terms.version if terms else None,
        terms_accepted=accepted_version(package.owner_org, terms) if package.owner_org else None,
        missing_metadata=G.missing_metadata(dataset, required_fields(package.type)),
        metadata_labels=metadata_labels(package.type),
    )
    return G.unmet_conditions(facts), agreement


def check_gate(
    package: model.Package, declaration_value: Any, day: dt.date | None = None
) -> tuple[G.Declaration | None, Any]:
    """Judge the publication of ``package`` (as it would be saved) now.
    Returns (declaration, agreement) or raises a ValidationError naming every
    unmet condition."""
    declaration, problems = G.parse_declaration(declaration_value)
    unmet, agreement = judge(package, declaration, day)
    unmet = problems + [u for u in unmet if not (problems and u.condition == "declaration")]
    if unmet:
        raise refusal(unmet)
    return declaration, agreement


def package_as_dict(package: model.Package) -> dict[str, Any]:
    """The fields the required-metadata rule reads, from the model."""
    data: dict[str, Any] = {
        "title": package.title,
        "notes": package.notes,
        "tags": [t.name for t in package.get_tags()],
        "tag_string": ",".join(t.name for t in package.get_tags()),
        "resources": [r.id for r in package.resources],
        "url": package.url,
        "author": package.author,
        "maintainer": package.maintainer,
        "version": package.version,
    }
    # a multiple-choice field stores its empty list as "[]"
    data.update({key: value for key, value in package.extras.items() if value != "[]"})
    return data


def metadata_labels(dataset_type: str) -> dict[str, str]:
    """The labels of the required fields, in the user's language."""
    return {field: scheming.label(field, dataset_type) for field in required_fields(dataset_type)}


def publish_checked(
    context: Context, package: model.Package, declaration_value: Any, path: str
) -> JournalEntry:
    """Apply the gate to a dataset about to become published and journal it."""
    check_may_publish(context, package.owner_org)
    declaration, agreement = check_gate(package, declaration_value)
    return journal.record(
        package, "published", context, path, declaration, agreement.id if agreement else None
    )
