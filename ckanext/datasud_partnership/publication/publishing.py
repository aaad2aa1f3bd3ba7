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
from ..common.language import current_language
from ..common.roles import is_publisher, user_of
from ..profile import scheming
from . import declarations, journal
from . import gate as G
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


def may_publish(context: Context, organization_id: str | None) -> bool:
    """May the calling user publish the organization's datasets? Its
    publishers may (the roles of ``publishing_roles``); the portal's team
    only where ``sysadmins_may_publish`` says so."""
    user = user_of(context)
    if is_publisher(user, organization_id):
        return True
    return user is not None and user.sysadmin and settings.sysadmins_may_publish()


NOT_A_PUBLISHER = (
    "Only the partner publishes its datasets: a member of the organization with a publishing role"
)


def check_may_publish(context: Context, organization_id: str | None) -> None:
    if not may_publish(context, organization_id):
        raise tk.NotAuthorized(_(NOT_A_PUBLISHER))


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


def message(msgid: str, params: dict[str, Any] | None) -> str:
    """An unmet condition's message in the reader's language: the msgid
    translated, licences named by their titles (the gate and the recorded
    harvest reasons keep their ids)."""
    text = _(msgid)
    if not params:
        return text
    titles = licence_titles()
    shown = dict(params)
    for key in ("licence", "licences"):
        if isinstance(shown.get(key), str):
            shown[key] = ", ".join(titles.get(i.strip(), i.strip()) for i in shown[key].split(","))
    return text % shown


def refusal(unmet: list[G.Unmet]) -> tk.ValidationError:
    errors: dict[str, list[str]] = {}
    for condition in unmet:
        key = ERROR_KEYS.get(condition.field, condition.field)
        errors.setdefault(key, []).append(message(condition.message, condition.params))
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
        declaration_version=declarations.current_version(day),
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


def licence_titles() -> dict[str, str]:
    """Each licence of CKAN's register by its title in the user's language
    (the portal's list carries ``title_fr`` / ``title_en``): the refusals
    name licences so."""
    lang = current_language()
    return {
        licence.id: getattr(licence, f"title_{lang}", None) or licence.title
        for licence in model.Package.get_license_register().values()
    }


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


# The conditions ``dataset_publication_check`` reports, in the order a person
# meets them; each but "permission" and "dataset" is a condition of the gate.
CHECKED = ("permission", "dataset", "agreement", "licence", "metadata", "terms", "declaration")


def publication_check(
    context: Context, package: model.Package, declaration_value: Any = None
) -> dict[str, Any]:
    """Every condition ``dataset_publish`` would check for ``package`` and
    the calling user, judged now by the same functions (``judge``,
    ``may_publish``), each with its state and its messages in the caller's
    language. Nothing is written. With ``declaration_value``, the
    declaration the caller would send is judged too; without it, the
    declaration is reported as still to be made, with the text in force."""
    declaration, problems = G.parse_declaration(declaration_value)
    unmet, agreement = judge(package, declaration)
    if problems:
        unmet = [u for u in unmet if u.condition != "declaration"] + problems
    messages: dict[str, list[str]] = {name: [] for name in CHECKED}
    for condition in unmet:
        messages[condition.condition].append(message(condition.message, condition.params))
    if not may_publish(context, package.owner_org):
        messages["permission"].append(_(NOT_A_PUBLISHER))
    if Snapshot.of(package).published:
        messages["dataset"].append(_("This dataset is already published"))
    terms = current_terms()
    text = declarations.current()
    details: dict[str, dict[str, Any]] = {
        "agreement": {
            "agreement": {"id": agreement.id, "reference": agreement.reference, "kind": agreement.kind}
            if agreement
            else None
        },
        "licence": {
            "licence_id": package.license_id,
            "open_licences": sorted(settings.open_licences()),
        },
        "metadata": {"missing": missing_for_publication(package)},
        "terms": {
            "version": terms.version if terms else None,
            "url": terms.url if terms else None,
            "accepted": terms is None or accepted_version(package.owner_org, terms) is not None
            if package.owner_org
            else False,
        },
        "declaration": {
            "declared": declaration is not None,
            "version": text.version,
            "text": dict(text.text),
            "field": G.DECLARATION_FIELD,
        },
    }
    conditions = [
        {"condition": name, "met": not messages[name], "messages": messages[name], **details.get(name, {})}
        for name in CHECKED
    ]
    return {
        "id": package.id,
        "name": package.name,
        "published": Snapshot.of(package).published,
        "may_publish": all(c["met"] for c in conditions),
        "unmet": [c["condition"] for c in conditions if not c["met"]],
        "conditions": conditions,
    }
