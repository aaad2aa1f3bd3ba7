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
``harvest_source_declare``. The rules are in ``rules.py``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context
from sqlalchemy import and_, or_

from ...common import settings
from ...common.roles import is_partner_admin, is_publisher, user_of
from ...common.tables import utcnow
from .. import declarations, journal, publishing
from .. import gate as G
from ..publishing import Snapshot
from ..terms import current_terms
from . import rules as R
from .model import HarvestDeclaration, HarvestOutcome

Session = model.Session
_ = tk._
FIELD = G.DECLARATION_FIELD


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
    terms = current_terms()
    return R.declaration_unmet(
        row.as_rule() if row else None,
        organization_id or source.owner_org,
        declarations.current_version(),
        terms.version if terms else None,
    )


def may_declare(user: model.User | None, organization_id: str | None) -> bool:
    """An admin of the source's organization, with a publishing role; a
    sysadmin only where sysadmins may publish (same rule as publishing)."""
    if user is not None and user.sysadmin:
        return settings.sysadmins_may_publish()
    return is_publisher(user, organization_id) and is_partner_admin(user, organization_id)


def declare(context: Context, source: model.Package, value: Any) -> HarvestDeclaration:
    """Record the declaration ``value`` for the harvest source ``source``, in
    the caller's transaction; a ValidationError on ``publication_declaration``
    otherwise (the caller rolls back: nothing changes)."""
    if not source.owner_org:
        raise tk.ValidationError({FIELD: [_("The harvest source belongs to no organization")]})
    if not may_declare(user_of(context), source.owner_org):
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
    if not problems:
        problems = G.declaration_unmet(declaration, declarations.current_version())
    if problems:
        raise publishing.refusal(problems)
    terms = current_terms()
    row = HarvestDeclaration(
        source_id=source.id,
        organization_id=source.owner_org,
        personal_data=declaration.personal_data,
        text_version=declaration.text_version,
        note=declaration.note,
        terms_version=terms.version if terms else None,
        declared_by=user_of(context).id,
        declared_at=utcnow(),
    )
    Session.add(row)
    return row


def on_source_change(context: Context, source: model.Package, value: Any) -> None:
    """A harvest source was created or updated (by package_create/update):
    record the declaration that came with it, if any. The source itself is
    left to ckanext-harvest: the gate does not apply to it."""
    if isinstance(value, list) and len(value) == 1:  # the source form's fields, unflattened
        value = value[0] if (value[0] or {}).get("personal_data") else None
    if value is None or value == "":
        return
    declare(context, source, value)


# -- imports -------------------------------------------------------------------------
def importing_object(context: Context, package: model.Package) -> Any:
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


def unmet_dict(unmet: G.Unmet) -> dict[str, Any]:
    return dataclasses.asdict(unmet)


def apply_import(
    context: Context, before: Snapshot | None, package: model.Package, harvest_object: Any
) -> str:
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
        last = journal.last_action(package.id)
        if last != "withdrawn":
            source = model.Package.get(source_id)
            row = current_declaration(source_id)
            problems = (
                declaration_problems(source, package.owner_org, row)
                if source is not None
                else R.declaration_unmet(None, package.owner_org, "", None)
            )
            gate_unmet, agreement = publishing.judge(package, None)
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
        journal.record(
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
        journal.record(
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
            at=utcnow(),
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
