"""The Challenge sandbox (seed 003, art. 2, phase 2: "Publication des jeux
de données sur le bac à sable mis à disposition des candidats du
Challenge").

While its organization holds an agreement in force whose kind grants
sandbox publication (``grants_sandbox`` in the kind's file), a publisher may
put a dataset **in the sandbox**: it stays private in CKAN (every public
path, DCAT and the public counts already leave it out) and gets one more
permission label, ``sandbox-<kind>``, that CKAN's permission labels
(``IPermissionLabels``, see plugin.py) give to the members of every
organization holding an agreement of that kind in force (the cohort). The
portal's team (sysadmins) reads everything. So search, the dataset page, the
API and the organization pages show it to them and to nobody else.

- Putting a dataset in the sandbox asks for the personal-data declaration
  (others see the data) and the metadata publication requires; it is
  journalled (``sandboxed``); the first one marks the agreement's milestone
  ``publication_bac_a_sable`` done.
- "Publish for real" is ``dataset_publish``: the whole gate; on success the
  dataset leaves the sandbox (``unsandboxed``, path ``dataset_publish``).
- When the agreement ends, its datasets leave the sandbox: private to their
  organization, with their history (``unsandboxed``, path ``agreement_ended``;
  ``run-schedule`` each day, and a termination at once). Nothing is deleted.

The search index holds the labels: every change here reindexes the dataset.
A dataset's label also needs its row to be of its current organization, the
dataset active and private, and the agreement in force when it is indexed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import get_permission_labels
from ckan.types import Context

from ..agreements import history
from ..agreements.model import Agreement, Milestone
from ..agreements.queries import sandbox_organizations
from ..common import events
from ..common.dates import today
from ..common.messages import N_
from ..common.roles import user_of
from . import declarations, journal, publishing
from . import gate as G
from .model import SandboxEntry

Session = model.Session
_ = tk._

LABEL_PREFIX = "sandbox-"
MILESTONE = "publication_bac_a_sable"  # the Challenge's milestone (config/agreement_kinds)


def label(kind: str) -> str:
    """The permission label of the sandbox of an agreement kind's cohort."""
    return LABEL_PREFIX + kind


# -- the rules (plain Python) ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Facts:
    """What putting a dataset in the sandbox looks at."""

    agreement_in_force: bool  # an agreement granting sandbox publication
    published: bool
    in_sandbox: bool
    declaration: G.Declaration | None
    declaration_version: str
    missing_metadata: tuple[str, ...] = ()
    metadata_labels: dict[str, str] = dataclasses.field(default_factory=dict)


def unmet_conditions(facts: Facts) -> list[G.Unmet]:
    """Every condition for the sandbox that does not hold (empty: go)."""
    unmet = []
    if not facts.agreement_in_force:
        unmet.append(
            G.Unmet(
                "agreement",
                "owner_org",
                N_("The organization has no agreement in force that grants sandbox publication"),
            )
        )
    if facts.published:
        unmet.append(G.Unmet("dataset", "id", N_("A published dataset does not go in the sandbox")))
    elif facts.in_sandbox:
        unmet.append(G.Unmet("dataset", "id", N_("This dataset is already in the sandbox")))
    unmet.extend(G.declaration_unmet(facts.declaration, facts.declaration_version))
    unmet.extend(G.metadata_unmet(facts.missing_metadata, facts.metadata_labels))
    return unmet


def carries_label(entry_organization: str | None, owner_org: str | None, state: str, private: bool) -> bool:
    """Is a dataset with a sandbox row of ``entry_organization`` shown to the
    cohort (its agreement being in force)? Only while active and private, in
    the organization that put it there."""
    return bool(entry_organization) and entry_organization == owner_org and state == "active" and private


# -- permission labels (IPermissionLabels, plugin.py) ------------------------------


def dataset_labels(dataset_obj: model.Package) -> list[str]:
    """The sandbox label a dataset carries besides CKAN's own, if any."""
    if not carries_label(
        dataset_obj.owner_org, dataset_obj.owner_org, dataset_obj.state, dataset_obj.private
    ):
        return []
    entry = Session.get(SandboxEntry, dataset_obj.id)
    if entry is None or not carries_label(
        entry.organization_id, dataset_obj.owner_org, dataset_obj.state, bool(dataset_obj.private)
    ):
        return []
    if dataset_obj.owner_org not in sandbox_organizations(organization_ids=[dataset_obj.owner_org]):
        return []
    return [label(entry.kind)]


def user_labels(labels: list[str]) -> list[str]:
    """The sandbox labels of a user whose CKAN labels are ``labels``: one per
    kind of the in-force sandbox agreements of the user's organizations."""
    organizations = [value[len("member-") :] for value in labels if value.startswith("member-")]
    if not organizations:
        return []
    found = sandbox_organizations(organization_ids=organizations)
    return sorted({label(agreement.kind) for agreement in found.values()})


def seen_in_sandbox(context: Context, package: model.Package) -> bool:
    """Does the caller see ``package`` as a sandbox dataset (the cohort; the
    portal's team)? Claims are filed on those as on published datasets."""
    shown = dataset_labels(package)
    if not shown:
        return False
    user = user_of(context)
    if user is not None and user.sysadmin:
        return True
    return bool(set(shown) & set(get_permission_labels().get_user_dataset_labels(user)))


# -- facts and changes -------------------------------------------------------------


def entry_of(package_id: str) -> SandboxEntry | None:
    return Session.get(SandboxEntry, package_id)


def judge(
    package: model.Package, declaration: G.Declaration | None
) -> tuple[list[G.Unmet], Agreement | None]:
    agreement = (
        sandbox_organizations(organization_ids=[package.owner_org]).get(package.owner_org)
        if package.owner_org
        else None
    )
    facts = Facts(
        agreement_in_force=agreement is not None,
        published=publishing.Snapshot.of(package).published,
        in_sandbox=entry_of(package.id) is not None,
        declaration=declaration,
        declaration_version=declarations.current_version(),
        missing_metadata=G.missing_metadata(
            publishing.package_as_dict(package), publishing.required_fields(package.type)
        ),
        metadata_labels=publishing.metadata_labels(package.type),
    )
    return unmet_conditions(facts), agreement


def check(context: Context, package: model.Package, declaration_value: Any = None) -> dict[str, Any]:
    """For ``dataset_publication_check``: may the caller put the dataset in the
    sandbox now, and is it there? Nothing is written."""
    declaration, problems = G.parse_declaration(declaration_value)
    unmet, agreement = judge(package, declaration)
    if problems:
        unmet = [u for u in unmet if u.condition != "declaration"] + problems
    messages = [_(u.message) % u.params if u.params else _(u.message) for u in unmet]
    if not publishing.may_publish(context, package.owner_org):
        messages.insert(0, _(publishing.NOT_A_PUBLISHER))
    entry = entry_of(package.id)
    return {
        "in_sandbox": entry is not None,
        "since": entry.since.isoformat() if entry else None,
        "granted": agreement is not None,
        "agreement": {"id": agreement.id, "reference": agreement.reference, "kind": agreement.kind}
        if agreement
        else None,
        "may_sandbox": not messages,
        "messages": messages,
    }


def _reindex_once_committed(package_ids: list[str]) -> None:
    # the labels changed: the index follows once committed (publication/index.py)
    events.send_once_committed(Session, events.datasets_made_private, "publication", dataset_ids=package_ids)


def put_in(context: Context, package: model.Package, declaration_value: Any) -> SandboxEntry:
    """Put ``package`` in the sandbox, in the caller's transaction, or raise
    a ValidationError naming every unmet condition."""
    publishing.check_may_publish(context, package.owner_org)
    declaration, problems = G.parse_declaration(declaration_value)
    unmet, agreement = judge(package, declaration)
    unmet = problems + [u for u in unmet if not (problems and u.condition == "declaration")]
    if unmet:
        raise publishing.refusal(unmet)
    assert agreement is not None
    user = user_of(context)
    entry = SandboxEntry(
        dataset_id=package.id,
        organization_id=package.owner_org,
        agreement_id=agreement.id,
        kind=agreement.kind,
        by=user.id if user else None,
    )
    Session.add(entry)
    journal.record(package, "sandboxed", context, "dataset_sandbox", declaration, agreement.id)
    _milestone_done(agreement, user.id if user else None)
    _reindex_once_committed([package.id])
    return entry


def _milestone_done(agreement: Agreement, actor: str | None, day: dt.date | None = None) -> None:
    """The agreement's sandbox milestone is done on the first sandbox publication."""
    milestone = Session.query(Milestone).filter_by(agreement_id=agreement.id, code=MILESTONE).one_or_none()
    if milestone is None or milestone.done_on is not None:
        return
    day = day or today()
    before = [milestone.done_on, milestone.note]
    milestone.done_on = day
    history.record(
        agreement, "milestone", actor, on=day, code=MILESTONE, before=before, after=[day, milestone.note]
    )


def take_out(
    context: Context, package: model.Package, path: str, reason: str | None = None, reindex: bool = True
) -> bool:
    """Take ``package`` out of the sandbox (if it is there), journalled, in the
    caller's transaction. Returns whether it was there."""
    entry = entry_of(package.id)
    if entry is None:
        return False
    Session.delete(entry)
    journal.record(package, "unsandboxed", context, path, agreement_id=entry.agreement_id, reason=reason)
    if reindex:
        _reindex_once_committed([package.id])
    return True


def left_by_publication(context: Context, package: model.Package, path: str) -> None:
    """A sandbox dataset published for real leaves the sandbox (CKAN's
    action reindexes it as public)."""
    take_out(context, package, path, reindex=False)


def close(entries: list[SandboxEntry], path: str, reason: str) -> list[str]:
    """The datasets of ``entries`` leave the sandbox (their agreement ended):
    private to their organization, journalled; in the caller's transaction."""
    ids = []
    for entry in entries:
        package = model.Package.get(entry.dataset_id)
        Session.delete(entry)
        if package is not None:
            journal.record(
                package,
                "unsandboxed",
                {"ignore_auth": True},
                path,
                agreement_id=entry.agreement_id,
                reason=reason,
            )
        ids.append(entry.dataset_id)
    if ids:
        _reindex_once_committed(ids)
    return ids


ENDED = N_("The agreement that granted the sandbox is no longer in force")


def close_ended(day: dt.date | None = None) -> list[str]:
    """Every sandbox dataset whose agreement is no longer in force on ``day``
    leaves the sandbox (``run-schedule``); committed. Returns their ids."""
    entries = Session.query(SandboxEntry).all()
    if not entries:
        return []
    in_force = sandbox_organizations(day, sorted({e.organization_id for e in entries}))
    ended = [e for e in entries if getattr(in_force.get(e.organization_id), "id", None) != e.agreement_id]
    ids = close(ended, "agreement_ended", ENDED)
    Session.commit()
    return ids


def on_termination(sender: Any = None, termination: Any = None, **kwargs: Any) -> None:
    """A termination takes effect (``termination_took_effect``, sender: the
    agreement): its sandbox datasets leave the sandbox, in that transaction."""
    agreement_id = getattr(sender, "id", None)
    if agreement_id:
        entries = Session.query(SandboxEntry).filter_by(agreement_id=agreement_id).all()
        close(entries, "termination", ENDED)


# -- pages --------------------------------------------------------------------------


def in_sandbox(package_id: str | None) -> bool:
    """Template helper: is the dataset in the sandbox (its banner)?"""
    return bool(package_id) and entry_of(package_id) is not None
