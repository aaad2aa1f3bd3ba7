"""The one place that applies the publication gate, and the journal.

Every path that can make a dataset public (the actions ``dataset_publish``,
``package_create``, ``package_update`` and all that call it, the bulk
"Make public", moving a dataset to another organization...) ends here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model

from ..agreements import store as agreement_store
from ..claims import service as claims
from . import gate as G
from .model import JournalEntry, TermsAcceptance, TermsVersion

Session = model.Session
_ = tk._

OPTION = "ckanext.datasud_partnership."


# -- the portal's settings ------------------------------------------------------
def open_licences() -> frozenset[str]:
    return frozenset(tk.aslist(tk.config.get(OPTION + "open_licences")))


def declaration_version() -> str:
    return str(tk.config.get(OPTION + "declaration_version"))


def publishing_roles() -> list[str]:
    return tk.aslist(tk.config.get(OPTION + "publishing_roles"))


def sysadmins_may_publish() -> bool:
    return tk.asbool(tk.config.get(OPTION + "sysadmins_may_publish"))


def required_fields(dataset_type: str = "dataset") -> list[str]:
    """The fields the dataset schema marks ``required_for_publication``; the
    config option when no scheming schema is loaded."""
    from ..profile import schema as profile_schema

    fields = profile_schema.required_for_publication(dataset_type)
    if fields is None:
        return tk.aslist(tk.config.get(OPTION + "required_for_publication"))
    return fields


# -- states ----------------------------------------------------------------------
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


# -- terms of use ------------------------------------------------------------------
def current_terms() -> TermsVersion | None:
    return (
        Session.query(TermsVersion).order_by(TermsVersion.published_at.desc(), TermsVersion.id.desc()).first()
    )


def accepted_version(organization_id: str, terms: TermsVersion | None) -> str | None:
    if terms is None:
        return None
    accepted = (
        Session.query(TermsAcceptance)
        .filter_by(organization_id=organization_id, terms_version_id=terms.id)
        .one_or_none()
    )
    return terms.version if accepted else None


# -- who decides --------------------------------------------------------------------
def user_of(context: Any) -> model.User | None:
    """The acting user, looked up once per context."""
    if not context.get("user"):
        return None
    cached = context.get(_USER)
    if cached is None or cached.name != context["user"]:
        cached = context[_USER] = model.User.get(context["user"])
    return cached


_USER = "datasud_user"


def is_publisher(user: model.User | None, organization_id: str | None) -> bool:
    """A member of the owning organization with a publishing role. A sysadmin
    acts as the portal's team, even when CKAN made it a member of the
    organization it created."""
    if user is None or not organization_id or user.sysadmin:
        return False
    role = authz.users_role_for_group_or_org(organization_id, user.name)
    return role in publishing_roles()


def check_may_publish(context: Any, organization_id: str | None) -> None:
    user = user_of(context)
    if is_publisher(user, organization_id):
        return
    if user is not None and user.sysadmin and sysadmins_may_publish():
        return
    raise tk.NotAuthorized(
        _("Only the partner publishes its datasets: a member of the organization with a publishing role")
    )


# -- the gate ------------------------------------------------------------------------
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


def judge(package: model.Package, declaration: G.Declaration | None, day: dt.date | None = None):
    """The unmet conditions for publishing ``package`` (as it would be saved)
    with ``declaration``, and the agreement it would be published under."""
    agreement = agreement_store.publishing_agreement(package.owner_org, day) if package.owner_org else None
    terms = current_terms()
    dataset = package_as_dict(package)
    facts = G.Facts(
        agreement_in_force=agreement is not None,
        licence_id=package.license_id,
        open_licences=open_licences(),
        declaration=declaration,
        declaration_version=declaration_version(),
        terms_version=terms.version if terms else None,
        terms_accepted=accepted_version(package.owner_org, terms) if package.owner_org else None,
        missing_metadata=G.missing_metadata(dataset, required_fields(package.type)),
        metadata_labels=metadata_labels(package.type),
    )
    return G.unmet_conditions(facts), agreement


def check_gate(package: model.Package, declaration_value: Any, day: dt.date | None = None):
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
    from ..profile import schema as profile_schema

    return {field: profile_schema.label(field, dataset_type) for field in required_fields(dataset_type)}


# -- the journal ---------------------------------------------------------------------
def record(
    package: model.Package,
    action: str,
    context: Any,
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
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
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


def publish_checked(context: Any, package: model.Package, declaration_value: Any, path: str) -> JournalEntry:
    """Apply the gate to a dataset about to become published and journal it."""
    check_may_publish(context, package.owner_org)
    declaration, agreement = check_gate(package, declaration_value)
    return record(package, "published", context, path, declaration, agreement.id if agreement else None)


GROUND_TYPES = {
    "fault": "agreement_id",
    "termination": "agreement_id",
    "claim": "claim_id",
    "takedown": "text",
}


def check_withdrawal(
    context: Any, package: model.Package, reason: str | None, ground: Any
) -> dict[str, Any] | None:
    """The partner always may withdraw; the portal's team only with a ground:
    a termination (for fault, or another mode that decided withdrawals), a
    claim, or a legal takedown. Returns the ground to cite."""
    user = user_of(context)
    partner = is_publisher(user, package.owner_org)
    if not partner and (user is None or not user.sysadmin):
        raise tk.NotAuthorized(_("Only the partner withdraws its datasets"))
    if partner and not ground:
        return None  # the partner needs no ground; one it cites is checked
    kind = ground.get("type") if isinstance(ground, dict) else None
    if kind not in GROUND_TYPES:
        raise tk.ValidationError(
            {
                "ground": [
                    _(
                        "The portal withdraws a partner's dataset only with a ground: "
                        "a termination for fault, a claim or a legal takedown"
                    )
                ]
            }
        )
    needed = GROUND_TYPES[kind]
    value = str(ground.get(needed) or "").strip()
    if not value:
        raise tk.ValidationError({"ground": [_("The ground must give %s") % needed]})
    if needed == "agreement_id":
        termination = agreement_store.termination_of(value)
        if (
            termination is None
            or termination.agreement_id is None
            or (agreement_store.get(value).organization_id != package.owner_org)
        ):
            raise tk.ValidationError(
                {"ground": [_("No termination of this organization's agreement is on record")]}
            )
        if kind == "fault" and termination.mode != "fault":
            raise tk.ValidationError({"ground": [_("This agreement was not terminated for fault")]})
        return {"type": kind, "agreement_id": value, "clause": termination.clause}
    if kind == "claim":
        claims.citable(value, package.id)
    return {"type": kind, needed: value}


def withdraw_checked(
    context: Any, package: model.Package, reason: str | None, ground: Any, path: str
) -> JournalEntry:
    cited = check_withdrawal(context, package, reason, ground)
    entry = record(package, "withdrawn", context, path, reason=reason, ground=cited)
    if cited and cited["type"] == "claim":  # the claim it answers is closed with it
        claims.close(claims.get(cited["claim_id"]), user_of(context), "withdrawn", reason or "")
    return entry


def last_publication(dataset_id: str) -> JournalEntry | None:
    return (
        Session.query(JournalEntry)
        .filter_by(dataset_id=dataset_id, action="published")
        .order_by(JournalEntry.timestamp.desc(), JournalEntry.id.desc())
        .first()
    )


def withdraw_for_termination(agreement: Any, termination: Any) -> None:
    """Withdraw the datasets a termination decided, when it takes effect.

    Done on the models in the caller's transaction, so all of them or none
    (CKAN 2.12's package_update discards its changes when asked not to
    commit); the search index follows once that transaction is committed
    (:func:`refresh_index`). Each journal entry cites the agreement and the
    clause."""
    query = Session.query(model.Package).filter(
        model.Package.owner_org == agreement.organization_id,
        model.Package.state == "active",
        model.Package.private.is_(False),
        model.Package.type != "harvest",
    )
    if termination.withdraw != "all":
        query = query.filter(model.Package.id.in_(termination.withdraw))
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"]}
    ground = {"type": "termination", "agreement_id": agreement.id}
    reason = _("Termination of agreement %(reference)s (clause %(clause)s)") % {
        "reference": agreement.reference,
        "clause": termination.clause,
    }
    withdrawn = []
    cited = None
    for package in query.order_by(model.Package.name).all():
        # the ground is the same for every dataset of the organization: checked once
        cited = cited or check_withdrawal(context, package, reason, ground)
        package.private = True
        record(package, "withdrawn", context, "termination", reason=reason, ground=cited)
        withdrawn.append(package.id)
    if withdrawn:
        agreement_store.after_commit(lambda: refresh_index(withdrawn))


REINDEX_CHUNK = 500  # datasets per search-index request and per background job


def refresh_index(package_ids: list[str]) -> None:
    """The search index after many datasets were made private on the models.

    Up to ``inline_reindex_limit`` datasets are reindexed at once. Beyond, the
    datasets leave the index at once (a few requests: the public no longer
    finds them) and background jobs (``ckan jobs worker``) index them again as
    private datasets, for their organization's members: CKAN's indexing costs
    some 20 ms a dataset, too long for a web request withdrawing thousands."""
    from ckan.lib.search import index as search_index

    if len(package_ids) <= tk.asint(tk.config.get(OPTION + "inline_reindex_limit")):
        reindex(package_ids)
        return
    connection = search_index.make_connection()  # the one CKAN's indexing uses
    site_id = tk.config.get("ckan.site_id")
    chunks = [package_ids[i : i + REINDEX_CHUNK] for i in range(0, len(package_ids), REINDEX_CHUNK)]
    for chunk in chunks:
        ids = " OR ".join(f'"{package_id}"' for package_id in chunk)
        connection.delete(q=f'+site_id:"{site_id}" +id:({ids})', commit=False)
    connection.commit()
    for number, chunk in enumerate(chunks, 1):
        tk.enqueue_job(
            reindex,
            [chunk],
            title=f"datasud_partnership: reindex withdrawn datasets ({number}/{len(chunks)})",
        )


def reindex(package_ids: list[str]) -> None:
    """Update the search index for datasets changed on the models: CKAN 2.12
    indexes in its actions only."""
    from ckan import logic
    from ckan.lib import search

    for package_id in package_ids:
        logic.index_update_package({"ignore_auth": True}, package_id, defer_commit=True)
    if package_ids:
        search.commit()
