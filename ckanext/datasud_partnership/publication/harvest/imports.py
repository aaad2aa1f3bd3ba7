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

from ...common import events, settings
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


def object_importing(context: Context, dataset_id: Any) -> Any:
    """The harvest object being imported into the dataset ``dataset_id``
    (before CKAN's action saves it): ckanext-harvest's harvesters set the
    object's ``package_id`` before they call ``package_create`` or
    ``package_update``."""
    if not context.get("ignore_auth") or not isinstance(dataset_id, str) or not dataset_id:
        return None
    if not plugins.plugin_loaded("harvest"):
        return None
    from ckanext.harvest.model import HarvestObject as Object

    Session.flush()  # the harvester's object, as it set it (CKAN's session does not autoflush)
    return (
        Session.query(Object)
        .filter(Object.package_id == dataset_id, Object.state == "IMPORT")
        .order_by(Object.import_started.desc())
        .first()
    )


# Fields of the metadata profile a source may not carry (a CKAN portal without
# the profile, a DCAT catalogue without a theme): what the portal holds stays
KEPT_FIELDS = (
    "theme",
    "spatial_text",
    "spatial_level",
    "spatial_code",
    "temporal_start",
    "temporal_end",
    "frequency",
)
FOREIGN_LICENCE = "datasud_foreign_licence"  # context key: the licence the source gave


def prepare_import(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """What a harvest import asks of CKAN, made fit for the portal before CKAN
    validates it (``data_dict`` is returned, changed or not):

    - a licence outside the portal's list is not a reason to refuse the
      dataset: it is imported with ``notspecified`` (never published), and
      the source's licence is kept in the context for the outcome's reason;
    - on an update, a field of the profile the source leaves empty keeps the
      portal's value (the source wins for every field it carries);
    - a source that does not say whether the dataset is private offers it
      publicly (then the gate decides, as for a creation)."""
    harvest_object = object_importing(context, data_dict.get("id"))
    if harvest_object is None:
        return data_dict
    data_dict = dict(data_dict)
    if "private" not in data_dict:
        # a source that does not say (a DCAT catalogue lists what it publishes)
        # offers the dataset publicly: the gate judges it, as on its creation
        data_dict["private"] = False
    licence = data_dict.get("license_id")
    if licence and model.Package.get_license_register().get(licence) is None:
        context[FOREIGN_LICENCE] = str(licence)
        data_dict["license_id"] = "notspecified"
    package = model.Package.get(data_dict["id"])
    if package is not None and package.state != "deleted":
        extras = {e.get("key") for e in data_dict.get("extras") or [] if isinstance(e, dict)}
        held = package.extras
        for field in KEPT_FIELDS:
            if field in extras or not G.blank(data_dict.get(field)) or G.blank(held.get(field)):
                continue
            value = held[field]
            if field == "theme" and isinstance(value, str) and value.startswith("["):
                import json

                value = json.loads(value)
            data_dict[field] = value
    return data_dict


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
    foreign = context.pop(FOREIGN_LICENCE, None)
    if after.published and not was_published:
        last = last_withdrawal_kind(package.id)
        if last != "withdrawn":
            unmet, agreement, row = judged(package, source_id)
            if foreign:  # the source's own licence, rather than "notspecified"
                unmet = [R.foreign_licence(foreign)] + [u for u in unmet if u.condition != "licence"]
    outcome, reasons = R.decide(was_published, after.published, last, unmet)

    if outcome in (R.PRIVATE, R.WITHDRAWN):
        package.private = True
    if outcome == R.PUBLISHED and not was_published:
        publish(context, package, row, agreement, source_id, harvest_object.harvest_job_id)
    elif before is not None and before.published and not Snapshot.of(package).published:
        # published until now, and this import leaves it private: say so in the journal
        withdraw_for_source(context, package, source_id, reasons)
    record_outcome(package, source_id, harvest_object.harvest_job_id, harvest_object.id, outcome, reasons)
    return outcome


def judged(package: model.Package, source_id: str) -> tuple[list[G.Unmet], Any, HarvestDeclaration | None]:
    """The unmet conditions for publishing ``package`` on the strength of the
    harvest source's declaration, the agreement it would be published under,
    and that declaration."""
    source = model.Package.get(source_id)
    row = current_declaration(source_id)
    problems = (
        declaration_problems(source, package.owner_org, row)
        if source is not None
        else R.declaration_unmet(None, package.owner_org, "", None)
    )
    gate_unmet, agreement = publishing.judge(package, None)
    return problems + [u for u in gate_unmet if u.condition != "declaration"], agreement, row


def last_withdrawal_kind(dataset_id: str) -> str | None:
    """The dataset's last journal action, where a withdrawal because the
    source stopped offering the dataset does not count as the partner's
    (the source offering it again publishes it again, through the gate)."""
    from ..model import JournalEntry

    entry = (
        Session.query(JournalEntry.action, JournalEntry.ground)
        .filter_by(dataset_id=dataset_id)
        .order_by(JournalEntry.timestamp.desc(), JournalEntry.id.desc())
        .first()
    )
    if entry is None:
        return None
    if entry.action == "withdrawn" and (entry.ground or {}).get("type") == R.SOURCE_GROUND:
        return "withdrawn_at_source"
    return entry.action


def publish(
    context: Context,
    package: model.Package,
    row: HarvestDeclaration,
    agreement: Any,
    source_id: str,
    job_id: str | None,
) -> None:
    """Journal the publication of ``package`` on the strength of the source's
    declaration ``row`` (the dataset is public on the models already)."""
    declarant = Session.get(model.User, row.declared_by)
    declared = {
        "personal_data": row.personal_data,
        "text_version": row.text_version,
        "note": row.note or "",
        "terms_version": row.terms_version,
        "declared_by": declarant.name if declarant else None,
        "declared_at": row.declared_at.isoformat(),
        "harvest_source_id": source_id,
        "harvest_job_id": job_id,
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


def source_ground(source_id: str) -> dict[str, Any]:
    """The ground of a withdrawal decided by the source: the source cited."""
    source = model.Package.get(source_id)
    return {
        "type": R.SOURCE_GROUND,
        "harvest_source_id": source_id,
        "harvest_source_url": source.url if source is not None else None,
        "harvest_source_title": source.title if source is not None else None,
    }


def withdraw_for_source(
    context: Context, package: model.Package, source_id: str, reasons: list[G.Unmet]
) -> None:
    """The source no longer offers the published ``package`` (or offers it as
    private or deleted): it is withdrawn (private), never deleted, the journal
    citing the source."""
    package.private = True
    journal.record(
        package,
        "withdrawn",
        context,
        "harvest",
        reason="; ".join(r["message"] for r in translated([unmet_dict(u) for u in reasons])) or None,
        ground=source_ground(source_id),
    )


def record_outcome(
    package: model.Package,
    source_id: str,
    job_id: str | None,
    object_id: str | None,
    outcome: str,
    reasons: list[G.Unmet],
) -> None:
    Session.merge(
        HarvestOutcome(
            dataset_id=package.id,
            organization_id=package.owner_org,
            source_id=source_id,
            harvest_job_id=job_id,
            harvest_object_id=object_id,
            outcome=outcome,
            reasons=[unmet_dict(u) for u in reasons],
            at=utcnow(),
        )
    )


def translated(reasons: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The recorded reasons, in the reader's language."""
    result = []
    for reason in reasons or []:
        text = publishing.message(reason["message"], reason.get("params"))
        result.append({"field": reason["field"], "message": text})
    return result


def published_from_source(source_id: str) -> list[model.Package]:
    """The published datasets a harvest source brought (its harvest objects')."""
    from ckanext.harvest.model import HarvestObject

    ids = Session.query(HarvestObject.package_id).filter(
        HarvestObject.harvest_source_id == source_id, HarvestObject.package_id.isnot(None)
    )
    return (
        Session.query(model.Package)
        .filter(
            model.Package.id.in_(ids.distinct()),
            model.Package.state == "active",
            model.Package.private.is_(False),
        )
        .all()
    )


# -- the source no longer offers a dataset ----------------------------------------------
def withdraw_instead_of_delete(context: Context, dataset_id: Any) -> bool:
    """A harvester deleting a dataset its source no longer offers (ckanext-dcat's
    ``dcat_rdf_harvester`` does, with ``package_delete``): the dataset is
    withdrawn here instead, never deleted, the journal citing the source if it
    was published (committed here; the caller skips CKAN's deletion). False
    when this is no harvest import."""
    harvest_object = object_importing(context, dataset_id)
    package = model.Package.get(dataset_id) if harvest_object is not None else None
    if package is None or package.type == "harvest" or package.state == "deleted":
        return False
    reasons = [R.no_longer_offered()]
    if Snapshot.of(package).published:
        withdraw_for_source(context, package, harvest_object.harvest_source_id, reasons)
    package.private = True
    record_outcome(
        package,
        harvest_object.harvest_source_id,
        harvest_object.harvest_job_id,
        harvest_object.id,
        R.WITHDRAWN_AT_SOURCE,
        reasons,
    )
    events.send_once_committed(Session, events.datasets_made_private, "publication", dataset_ids=[package.id])
    Session.commit()
    return True


# -- judged again once the missing condition is met ---------------------------------------
def rejudge_source(source_id: str) -> dict[str, str]:
    """Judge again, through the gate, every dataset the source's imports kept
    private for an unmet condition (``private``): those that pass now (a
    declaration made, an agreement in force, the terms accepted...) are
    published on the strength of the source's declaration, the others get
    their reasons of now. Committed; returns the new outcome by dataset id.
    Called when a declaration is made for the source and when one of its
    harvest jobs ends (the next run), whether or not the source changed the
    dataset."""
    rows = (
        Session.query(HarvestOutcome)
        .filter(HarvestOutcome.source_id == source_id, HarvestOutcome.outcome == R.PRIVATE)
        .all()
    )
    if not rows:
        return {}
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context: Context = {"user": site_user["name"], "ignore_auth": True}
    results: dict[str, str] = {}
    published = []
    for row in rows:
        package = model.Package.get(row.dataset_id)
        if package is None or package.state != "active" or not package.private:
            continue
        if last_withdrawal_kind(package.id) == "withdrawn":  # the partner withdrew it meanwhile
            continue
        unmet, agreement, declaration = judged(package, source_id)
        if unmet:
            # the source's own licence, while the dataset still has none of the portal's
            kept = (
                [r for r in row.reasons or [] if _foreign(r)] if package.license_id == "notspecified" else []
            )
            row.reasons = kept + [unmet_dict(u) for u in unmet if not (kept and u.condition == "licence")]
            row.at = utcnow()
            results[package.id] = R.PRIVATE
            continue
        package.private = False
        publish(context, package, declaration, agreement, source_id, row.harvest_job_id)
        row.outcome, row.reasons, row.at = R.PUBLISHED, [], utcnow()
        results[package.id] = R.PUBLISHED
        published.append(package.id)
    Session.commit()
    if published:
        from .. import index

        index.reindex(published)
    return results


def _foreign(reason: dict[str, Any]) -> bool:
    return reason.get("condition") == "licence" and "%(licence)s, which is not in" in (
        reason.get("message") or ""
    )
