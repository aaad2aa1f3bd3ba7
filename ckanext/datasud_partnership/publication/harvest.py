"""Harvesting under the publication gate (ckanext-harvest).

ckanext-harvest creates and updates datasets through ``package_create`` and
``package_update`` with ``ignore_auth``, as the site user: the chained actions
of ``chains.py`` see every import, and hand it here when a harvest object of
ckanext-harvest is being imported for the dataset. Then, instead of refusing
(a harvest must not fail for a dataset the gate does not let through), the
import is applied and the dataset is published only if the gate passes with
the harvest source's declaration; otherwise it is kept private, and the
reasons are recorded for the organization (``HarvestOutcome``, read through
``harvest_publication_show`` / ``harvest_publication_list``).

The declaration of a harvest source is made by an admin of the source's
organization, with ``publication_declaration`` on ``harvest_source_create``,
``harvest_source_update``, ``harvest_source_patch`` or with
``harvest_source_declare``. The rules are in ``harvest_rules.py``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan import authz, model
from sqlalchemy import Column, DateTime, Integer, Text, and_, or_
from sqlalchemy.dialects.postgresql import JSONB

from ..agreements.model import PREFIX, _now
from . import gate as G
from . import harvest_rules as R
from . import service
from .model import JournalEntry
from .service import Snapshot

Session = model.Session
_ = tk._
FIELD = "publication_declaration"


class HarvestDeclaration(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A personal-data declaration made for a harvest source. Rows are only
    added: the newest of a source is the one that counts (if it still does)."""

    __tablename__ = PREFIX + "harvest_declaration"

    id = Column(Integer, primary_key=True, autoincrement=True)
    source_id = Column(Text, nullable=False, index=True)  # the harvest source (a dataset id)
    organization_id = Column(Text, nullable=False)
    personal_data = Column(Text, nullable=False)  # none | anonymized
    text_version = Column(Text, nullable=False)  # of the declaration text
    note = Column(Text)
    terms_version = Column(Text)  # the terms of use in force then (None: none published)
    declared_by = Column(Text, nullable=False)  # user id
    declared_at = Column(DateTime, nullable=False, default=_now)

    def as_rule(self) -> R.SourceDeclaration:
        return R.SourceDeclaration(
            organization_id=self.organization_id,
            personal_data=self.personal_data,
            text_version=self.text_version,
            terms_version=self.terms_version,
            declared_by=self.declared_by,
            declared_at=self.declared_at,
            note=self.note or "",
        )


class HarvestOutcome(tk.BaseModel):  # type: ignore[misc, valid-type]
    """What the last harvest import did to a dataset, and why: one row per
    dataset, replaced at each import."""

    __tablename__ = PREFIX + "harvest_outcome"

    dataset_id = Column(Text, primary_key=True)
    organization_id = Column(Text, index=True)
    source_id = Column(Text, nullable=False, index=True)
    harvest_job_id = Column(Text)
    harvest_object_id = Column(Text)
    outcome = Column(Text, nullable=False)  # harvest_rules.OUTCOMES
    # [{"condition", "field", "message" (English msgid), "params"}]: translated when read
    reasons = Column(JSONB, nullable=False, default=list)
    at = Column(DateTime, nullable=False, default=_now)


# -- the declaration of a source --------------------------------------------------
def current_declaration(source_id: str) -> HarvestDeclaration | None:
    return (
        Session.query(HarvestDeclaration)
        .filter_by(source_id=source_id)
        .order_by(HarvestDeclaration.declared_at.desc(), HarvestDeclaration.id.desc())
        .first()
    )


def declaration_problems(
    source: model.Package, organization_id: str | None = None, row: HarvestDeclaration | None = None
) -> list[G.Unmet]:
    """Why the source's declaration (``row``: the current one, if already
    read) does not count now for a dataset of ``organization_id`` (by
    default: the source's organization)."""
    row = row or current_declaration(source.id)
    terms = service.current_terms()
    return R.declaration_unmet(
        row.as_rule() if row else None,
        organization_id or source.owner_org,
        service.declaration_version(),
        terms.version if terms else None,
    )


def may_declare(user: model.User | None, organization_id: str | None) -> bool:
    """An admin of the source's organization, with a publishing role; a
    sysadmin only where sysadmins may publish (same rule as publishing)."""
    if user is not None and user.sysadmin:
        return service.sysadmins_may_publish()
    return (
        service.is_publisher(user, organization_id)
        and authz.users_role_for_group_or_org(organization_id, user.name) == "admin"
    )


def declare(context: Any, source: model.Package, value: Any) -> HarvestDeclaration:
    """Record the declaration ``value`` for the harvest source ``source``, in
    the caller's transaction; a ValidationError on ``publication_declaration``
    otherwise (the caller rolls back: nothing changes)."""
    if not source.owner_org:
        raise tk.ValidationError({FIELD: [_("The harvest source belongs to no organization")]})
    if not may_declare(service.user_of(context), source.owner_org):
        raise tk.ValidationError(
            {
                FIELD: [
                    _(
                        "Only an admin of the organization makes the personal-data declaration "
                        "of its harvest sources"
                    )
                ]
            }
        )
    declaration, problems = G.parse_declaration(value)
    if declaration is None and not problems:
        problems = [
            G.Unmet(
                "declaration",
                FIELD,
                G.N_("Declare that the data holds no personal data, or that it was anonymized"),
            )
        ]
    if declaration is not None and declaration.text_version != service.declaration_version():
        problems.append(
            G.Unmet(
                "declaration",
                FIELD,
                G.N_(
                    "The declaration was made on text version %(given)s; the current version is %(current)s"
                ),
                {"given": declaration.text_version, "current": service.declaration_version()},
            )
        )
    if problems:
        raise service.refusal(problems)
    terms = service.current_terms()
    row = HarvestDeclaration(
        source_id=source.id,
        organization_id=source.owner_org,
        personal_data=declaration.personal_data,
        text_version=declaration.text_version,
        note=declaration.note,
        terms_version=terms.version if terms else None,
        declared_by=service.user_of(context).id,
        declared_at=_now(),
    )
    Session.add(row)
    return row


def on_source_change(context: Any, source: model.Package, value: Any) -> None:
    """A harvest source was created or updated (by package_create/update):
    record the declaration that came with it, if any. The source itself is
    left to ckanext-harvest: the gate does not apply to it."""
    if isinstance(value, list) and len(value) == 1:  # the source form's fields, unflattened
        value = value[0] if (value[0] or {}).get("personal_data") else None
    if value is None or value == "":
        return
    declare(context, source, value)


# -- imports -------------------------------------------------------------------------
def importing_object(context: Any, package: model.Package) -> Any:
    """The ckanext-harvest object being imported into ``package`` right now,
    if this change is a harvest import: ckanext-harvest marks the object
    ``IMPORT`` while its harvester runs and calls CKAN's actions with
    ``ignore_auth`` (which an API client cannot set). On a creation the object
    already names the dataset; on an update, an earlier object of the same
    source and guid does."""
    if not context.get("ignore_auth") or not plugins.plugin_loaded("harvest"):
        return None
    from ckanext.harvest.model import HarvestObject as Object

    # two indexed look-ups (package_id, then guid), rather than one correlated query
    records = Session.query(Object.guid, Object.harvest_source_id).filter(Object.package_id == package.id)
    same_record = [
        and_(Object.guid == guid, Object.harvest_source_id == source_id)
        for guid, source_id in records.distinct()
    ]
    if not same_record:
        return None
    return (
        Session.query(Object)
        .filter(Object.state == "IMPORT", or_(*same_record))
        .order_by(Object.import_started.desc())
        .first()
    )


def last_journal_action(dataset_id: str) -> str | None:
    row = (
        Session.query(JournalEntry.action)
        .filter_by(dataset_id=dataset_id)
        .order_by(JournalEntry.timestamp.desc(), JournalEntry.id.desc())
        .first()
    )
    return row[0] if row else None


def unmet_dict(unmet: G.Unmet) -> dict[str, Any]:
    return dataclasses.asdict(unmet)


def apply_import(context: Any, before: Snapshot | None, package: model.Package, harvest_object: Any) -> str:
    """Decide what the import makes of ``package`` (saved, not committed):
    published through the gate on the strength of the source's declaration,
    or kept private with the reasons recorded. Returns the outcome."""
    after = Snapshot.of(package)
    source_id = harvest_object.harvest_source_id
    was_published = before is not None and before.published and before.owner_org == after.owner_org
    last = None
    unmet: list[G.Unmet] = []
    row = None
    agreement = None
    if after.published and not was_published:
        last = last_journal_action(package.id)
        if last != "withdrawn":
            source = model.Package.get(source_id)
            row = current_declaration(source_id)
            problems = (
                declaration_problems(source, package.owner_org, row)
                if source is not None
                else R.declaration_unmet(None, package.owner_org, "", None)
            )
            gate_unmet, agreement = service.judge(package, None)
            unmet = problems + [u for u in gate_unmet if u.condition != "declaration"]
    outcome, reasons = R.decide(was_published, after.published, last, unmet)

    if outcome in (R.PRIVATE, R.WITHDRAWN):
        package.private = True
    if outcome == R.PUBLISHED and not was_published:
        declarant = Session.get(model.User, row.declared_by)
        declared = {
            "personal_data": row.personal_data,
            "text_version": row.text_version,
            "note": row.note or "",
            "terms_version": row.terms_version,
            "declared_by": declarant.name if declarant else None,
            "declared_at": row.declared_at.isoformat(),
            "harvest_source_id": source_id,
            "harvest_job_id": harvest_object.harvest_job_id,
        }
        service.record(
            package,
            "published",
            context,
            "harvest",
            agreement_id=agreement.id if agreement else None,
            declared=declared,
            actor_id=row.declared_by,
        )
    elif before is not None and before.published and not Snapshot.of(package).published:
        # published until now, and this import leaves it private: say so in the journal
        service.record(
            package,
            "withdrawn",
            context,
            "harvest",
            reason="; ".join(r["message"] for r in translated([unmet_dict(u) for u in reasons])) or None,
            ground={"type": "harvest", "harvest_source_id": source_id},
        )
    Session.merge(
        HarvestOutcome(
            dataset_id=package.id,
            organization_id=package.owner_org,
            source_id=source_id,
            harvest_job_id=harvest_object.harvest_job_id,
            harvest_object_id=harvest_object.id,
            outcome=outcome,
            reasons=[unmet_dict(u) for u in reasons],
            at=_now(),
        )
    )
    return outcome


def translated(reasons: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The recorded reasons, in the reader's language."""
    result = []
    for reason in reasons or []:
        message = reason["message"]
        text = _(message)
        params = reason.get("params") or {}
        result.append({"field": reason["field"], "message": text % params if params else text})
    return result
