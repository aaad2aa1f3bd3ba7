"""Actions of sovereign publication: publish, withdraw, the journal, the terms of use."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ..claims import mail as claims_mail
from ..claims import queries as claims_queries
from ..common import csv, lookups
from ..common.dates import today
from ..common.lookups import organization, readable
from ..common.messages import N_
from ..common.roles import user_of
from ..common.validation import invalid, validate
from . import chains, declarations, publishing, sandbox
from . import schema as S
from .model import JournalEntry, TermsAcceptance, TermsVersion
from .terms import acceptance as terms_acceptance
from .terms import accepted_version, current_terms

Session = model.Session
_ = tk._


def _dataset(reference: str) -> model.Package:
    """Locked (chains.locked): the check an action makes on it and the change
    it then asks for are one step, whatever concurrent calls do."""
    package = chains.locked(reference)
    if package is None or package.state == "deleted":
        raise tk.ObjectNotFound(_("Dataset not found"))
    return package


def dataset_publish(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Publish a dataset: make it public (and active, if it is a draft),
    through the gate.

    :param id: the dataset's id or name
    :param license_id: optional: the licence to publish under (else its own)
    :param publication_declaration: ``{"personal_data": "none"|"anonymized",
        "text_version": ..., "note": ...}``, made for this publication
    """
    data = validate(data_dict, S.dataset_publish(), context)
    package = _dataset(data["id"])
    tk.check_access("package_update", context, {"id": package.id})
    if not package.private and package.state == "active":
        raise invalid("id", "This dataset is already published")
    patch = {
        "id": package.id,
        "private": False,
        "state": "active",
        chains.DECLARATION: data.get(chains.DECLARATION),
    }
    if data.get("license_id"):
        patch["license_id"] = data["license_id"]
    context[chains.PATH] = "dataset_publish"
    return tk.get_action("package_patch")(context, patch)


def dataset_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a published dataset: it becomes private again and keeps
    everything. The partner always may; the portal's team only with a ground.

    :param id: the dataset's id or name
    :param reason: why
    :param ground: for the portal's team: ``{"type": "fault", "agreement_id": ...}``,
        ``{"type": "claim", "claim_id": ...}`` or ``{"type": "takedown", "text": ...}``
    """
    data = validate(data_dict, S.dataset_withdraw(), context)
    package = _dataset(data["id"])
    if package.private or package.state != "active":
        raise invalid("id", "This dataset is not published")
    context[chains.PATH] = context.get(chains.PATH) or "dataset_withdraw"
    withdrawal = {"reason": data["reason"], "ground": data.get("ground")}
    result = tk.get_action("package_patch")(
        context, {"id": package.id, "private": True, chains.WITHDRAWAL: withdrawal}
    )
    ground = data.get("ground")
    if isinstance(ground, dict) and ground.get("type") == "claim":  # tell whoever filed it
        claim = claims_queries.get(ground["claim_id"])
        claims_mail.answered(claim, claim.messages[-1])
        if not context.get("defer_commit"):
            model.Session.commit()
    return result


def dataset_sandbox(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Put a dataset in the Challenge sandbox (publication/sandbox.py):
    private in CKAN, seen by the cohort (the members of every organization
    holding an agreement in force of a kind that grants the sandbox) and the
    portal's team only. A draft becomes active (and stays private).

    :param id: the dataset's id or name
    :param publication_declaration: ``{"personal_data": "none"|"anonymized",
        "text_version": ..., "note": ...}`` on the declaration text in force
        (``declaration_version_show``): the cohort sees the data
    :returns: the dataset (``package_show``)
    """
    data = validate(data_dict, S.dataset_sandbox(), context)
    package = _dataset(data["id"])
    tk.check_access("package_update", context, {"id": package.id})
    sandbox.put_in(context, package, data.get(chains.DECLARATION))
    if package.state != "active" or not package.private:
        # a draft goes active and private (never public here); CKAN's action commits it all
        tk.get_action("package_patch")(
            {**context, chains.PATH: "dataset_sandbox"},
            {"id": package.id, "state": "active", "private": True},
        )
    else:
        Session.commit()
    return tk.get_action("package_show")(dict(context, for_view=False), {"id": package.id})


def dataset_unsandbox(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Take a dataset out of the Challenge sandbox: private to its
    organization again, with its history (publishers; the portal's team).

    :param id: the dataset's id or name
    :param reason: optional: why
    :returns: the dataset (``package_show``)
    """
    data = validate(data_dict, S.dataset_unsandbox(), context)
    package = _dataset(data["id"])
    tk.check_access("package_update", context, {"id": package.id})
    user = user_of(context)
    if not (user is not None and user.sysadmin):
        publishing.check_may_publish(context, package.owner_org)
    if not sandbox.take_out(context, package, "dataset_unsandbox", data.get("reason")):
        raise invalid("id", "This dataset is not in the sandbox")
    Session.commit()
    return tk.get_action("package_show")(dict(context, for_view=False), {"id": package.id})


def _display_names(ids: Any) -> dict[str, str]:
    """Each user's full name (else login), in one query."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = Session.query(model.User.id, model.User.fullname, model.User.name).filter(
        model.User.id.in_(wanted)
    )
    return {row.id: row.fullname or row.name for row in rows}


def _entry_dict(entry: JournalEntry, names: dict[str, str], shown: dict[str, str]) -> dict[str, Any]:
    return {
        "id": entry.id,
        "dataset_id": entry.dataset_id,
        "organization_id": entry.organization_id,
        "action": entry.action,
        "licence_id": entry.licence_id,
        "declaration": entry.declaration,
        "agreement_id": entry.agreement_id,
        "actor": names.get(entry.actor or ""),
        "actor_display_name": shown.get(entry.actor or ""),
        "timestamp": entry.timestamp.isoformat(),
        "reason": entry.reason,
        "ground": entry.ground,
        "path": entry.path,
    }


def _reads_every_journal(context: Context, auth: str) -> bool:
    """The portal's team reads every organization's entries (of a dataset
    that moved, the former owner's too)."""
    try:
        tk.check_access(auth, dict(context), {"organization_id": None})
    except tk.NotAuthorized:
        return False
    return True


def _journal_query(context: Context, data: dict[str, Any], auth: str) -> Any:
    """The journal entries the filters select, once the caller may read them."""
    org_id = None
    package = model.Package.get(data["dataset"]) if data.get("dataset") else None
    if data.get("organization"):
        org_id = organization(data["organization"]).id
    elif package is not None and not _reads_every_journal(context, auth):
        org_id = package.owner_org  # the dataset's organization, as if the caller had named it
    tk.check_access(auth, context, {"organization_id": org_id})
    query = Session.query(JournalEntry)
    if org_id:
        query = query.filter(JournalEntry.organization_id == org_id)
    if data.get("dataset"):
        query = query.filter(JournalEntry.dataset_id == (package.id if package else data["dataset"]))
    if data.get("action"):
        query = query.filter(JournalEntry.action == data["action"])
    if data.get("since"):
        query = query.filter(JournalEntry.timestamp >= dt.datetime.combine(data["since"], dt.time.min))
    if data.get("until"):
        query = query.filter(
            JournalEntry.timestamp < dt.datetime.combine(data["until"], dt.time.min) + dt.timedelta(days=1)
        )
    return query.order_by(JournalEntry.timestamp.desc(), JournalEntry.id.desc())


@tk.side_effect_free
def publication_journal_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The publication journal, newest first. Partners read their
    organization's; the portal's team reads all.

    :param organization: id or name (required unless sysadmin, or unless
        ``dataset`` is given: then the dataset's organization)
    :param dataset: id or name
    :param action: ``published``, ``withdrawn``, ``sandboxed`` or ``unsandboxed``
    :param since, until: ISO dates (inclusive)
    :param limit: (default 100, at most 1000), :param offset:
    """
    data = validate(data_dict, S.publication_journal_list(), context)
    query = _journal_query(context, data, "publication_journal_list")
    count = query.count()
    rows = query.offset(data["offset"]).limit(data["limit"]).all()
    names = lookups.names(model.User, (row.actor for row in rows))
    shown = _display_names(row.actor for row in rows)
    return {"count": count, "results": [_entry_dict(row, names, shown) for row in rows]}


# Each column's machine name (the API's header) and its label (the pages').
CSV_COLUMNS = {
    "timestamp": N_("Date and time (UTC)"),
    "action": N_("Action"),
    "dataset_id": N_("Dataset id"),
    "dataset_name": N_("Dataset"),
    "organization_id": N_("Organization id"),
    "organization_name": N_("Organization"),
    "licence_id": N_("Licence"),
    "personal_data": N_("Personal data"),
    "declaration_text_version": N_("Declaration text version"),
    "declaration_note": N_("Anonymization note"),
    "declared_by": N_("Declared by"),
    "agreement_id": N_("Agreement id"),
    "actor": N_("By"),
    "reason": N_("Reason"),
    "ground_type": N_("Ground"),
    "ground_reference": N_("Ground reference"),
    "path": N_("Path"),
}


@tk.side_effect_free
def publication_journal_export(context: Context, data_dict: DataDict) -> str:
    """The journal entries the filters select (same filters as
    ``publication_journal_list``, no paging), newest first, as CSV text
    (UTF-8, one header line: see ``CSV_COLUMNS``).

    :param organization: id or name (as ``publication_journal_list``)
    :param dataset: id or name
    :param action: ``published`` or ``withdrawn``
    :param since, until: ISO dates (inclusive)
    :param separator: ``,`` (default) or ``;`` (then with a UTF-8 byte-order
        mark: French Excel opens it as columns)
    :param header: ``names`` (default: the columns' stable machine names) or
        ``labels`` (in the caller's language)
    :returns: the CSV text
    """
    data = validate(data_dict, S.journal_export(), context)
    query = _journal_query(context, data, "publication_journal_export")
    header = CSV_COLUMNS if data.get("header", "names") == "names" else [_(v) for v in CSV_COLUMNS.values()]
    return csv.text(header, _journal_rows(query), data.get("separator", ","))


def _journal_rows(query: Any) -> Any:
    """The export's rows (``CSV_COLUMNS``), read a thousand entries at a time."""
    packages: dict[str, str] = {}
    groups: dict[str, str] = {}
    for rows in _batches(query, 1000):
        names = lookups.names(model.User, (row.actor for row in rows))
        packages.update(lookups.names(model.Package, {r.dataset_id for r in rows} - packages.keys()))
        groups.update(lookups.names(model.Group, {r.organization_id for r in rows} - groups.keys()))
        for row in rows:
            declaration = row.declaration or {}
            ground = row.ground or {}
            reference = next((str(v) for k, v in ground.items() if k != "type" and k != "clause"), "")
            yield (
                row.timestamp.isoformat(),
                row.action,
                row.dataset_id,
                packages.get(row.dataset_id, ""),
                row.organization_id,
                groups.get(row.organization_id, ""),
                row.licence_id or "",
                declaration.get("personal_data", ""),
                declaration.get("text_version", ""),
                declaration.get("note") or "",
                declaration.get("declared_by") or "",
                row.agreement_id or "",
                names.get(row.actor or "", ""),
                row.reason or "",
                ground.get("type", ""),
                reference,
                row.path or "",
            )


def _batches(query: Any, size: int) -> Any:
    offset = 0
    while True:
        rows = query.offset(offset).limit(size).all()
        if not rows:
            return
        yield rows
        offset += size


def _terms_dict(terms: TermsVersion) -> dict[str, Any]:
    return {
        "version": terms.version,
        "title": terms.title,
        "url": terms.url,
        "summary": terms.summary,
        "published_at": terms.published_at.isoformat(),
    }


def terms_version_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Publish a new version of the portal's terms of use (sysadmins). From
    then on, each organization must accept it before publishing again.

    :param version: the version's name, unique
    :param title: its title
    :param url: where its text is read
    :param summary: optional: what changed
    :returns: ``{"version", "title", "url", "summary", "published_at"}``
    """
    tk.check_access("terms_version_create", context, data_dict)
    data = validate(data_dict, S.terms_version_create(), context)
    if Session.query(TermsVersion).filter_by(version=data["version"]).first():
        raise invalid("version", "This version of the terms of use already exists")
    user = user_of(context)
    terms = TermsVersion(published_by=user.id if user else None, **data)
    Session.add(terms)
    Session.commit()
    return _terms_dict(terms)


@tk.side_effect_free
def terms_version_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Every version of the terms of use, the one in force first (anybody).

    :returns: a list of ``{"version", "title", "url", "summary", "published_at"}``
    """
    tk.check_access("terms_version_list", context, data_dict)
    rows = Session.query(TermsVersion).order_by(TermsVersion.published_at.desc(), TermsVersion.id.desc())
    return [_terms_dict(t) for t in rows]


def terms_accept(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Accept the terms of use in force, for an organization (its admins).

    :param organization: id or name
    :param version: the version accepted: must be the one in force
    """
    data = validate(data_dict, S.terms_accept(), context)
    org = organization(data["organization"])
    tk.check_access("terms_accept", context, {"organization_id": org.id})
    terms = current_terms()
    if terms is None or terms.version != data["version"]:
        raise invalid(
            "version",
            "The terms of use in force are version %(version)s",
            version=terms.version if terms else "-",
        )
    if accepted_version(org.id, terms) is None:
        user = user_of(context)
        Session.add(TermsAcceptance(organization_id=org.id, terms_version_id=terms.id, accepted_by=user.id))
        Session.commit()
    return terms_status(context, {"organization": org.id})


@tk.side_effect_free
def terms_status(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Has the organization accepted the terms of use in force? (anybody)

    :param organization: the organization's id or name
    :returns: ``{"organization", "terms": the version in force or None,
        "accepted", "accepted_at", "accepted_by"}``
    """
    data = validate(data_dict, S.terms_status(), context)
    org = organization(data["organization"])
    tk.check_access("terms_status", context, {"organization_id": org.id})
    terms = current_terms()
    acceptance = terms_acceptance(org.id, terms)
    user = Session.get(model.User, acceptance.accepted_by) if acceptance else None
    return {
        "organization": org.name,
        "terms": _terms_dict(terms) if terms else None,
        "accepted": terms is None or acceptance is not None,
        "accepted_at": acceptance.accepted_at.isoformat() if acceptance else None,
        "accepted_by": user.name if user else None,
    }


def declaration_version_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record a new version of the personal-data declaration's text
    (sysadmins). From its first day in force, publishers declare on it, and
    every declaration made on an older version (harvest sources' included)
    no longer counts.

    :param version: the version's name, unique (e.g. ``2027-01``)
    :param text_fr: the text in French, as publishers will read it
    :param text_en: the text in English
    :param in_force_from: optional ISO date, today or later (default: today)
    :returns: the version recorded (``version``, ``text``, ``in_force_from``,
        ``created_at``, ``current``)
    """
    tk.check_access("declaration_version_create", context, data_dict)
    data = validate(data_dict, S.declaration_version_create(), context)
    start = data.get("in_force_from") or today()
    if start < today():
        raise invalid("in_force_from", "A declaration text comes into force today or later")
    if declarations.find(data["version"]) is not None:
        raise invalid("version", "This version of the declaration text already exists")
    user = user_of(context)
    text = {"fr": data["text_fr"], "en": data["text_en"]}
    recorded = declarations.add(data["version"], text, start, user.id if user else None)
    Session.commit()
    return recorded.as_dict(declarations.current_version())


@tk.side_effect_free
def declaration_version_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """Every version of the personal-data declaration's text, the latest to
    come into force first; ``current`` marks the one a publisher declares on
    today (anyone may read them).

    :returns: a list of ``{"version", "text": {"fr", "en"}, "in_force_from",
        "created_at", "current"}``
    """
    tk.check_access("declaration_version_list", context, data_dict)
    current = declarations.current_version()
    return [text.as_dict(current) for text in declarations.every()]


@tk.side_effect_free
def declaration_version_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One version of the declaration's text (default: the one in force):
    what a journal entry's ``declaration.text_version`` points at.

    :param version: optional: the version's name
    """
    tk.check_access("declaration_version_list", context, data_dict)
    data = validate(data_dict, S.declaration_version_show(), context)
    current = declarations.current()
    if not data.get("version"):
        return current.as_dict(current.version)
    found = declarations.find(data["version"])
    if found is None:
        raise tk.ObjectNotFound(_("No declaration text has this version"))
    return found.as_dict(current.version)


@tk.side_effect_free
def dataset_publication_check(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Before publishing: every condition ``dataset_publish`` would check
    for this dataset and the calling user, judged now, each with its state;
    nothing is written. A client that reads it (and
    ``declaration_version_show`` for the text to declare on) knows what to
    send: ``dataset_publish`` with the declaration, the licence if needed.

    :param id: the dataset's id or name (the caller must be able to read it)
    :param publication_declaration: optional: the declaration the caller
        would send, judged as ``dataset_publish`` would judge it
    :returns: ``{"id", "name", "published", "may_publish", "unmet": [names],
        "conditions": [{"condition", "met", "messages", ...details}]}``, the
        conditions being ``permission`` (the caller publishes for the
        organization), ``dataset`` (not already published), ``agreement``
        (in force and granting publication: ``agreement``), ``licence``
        (``licence_id``, ``open_licences``), ``metadata`` (``missing``:
        fields and labels), ``terms`` (``version``, ``url``, ``accepted``)
        and ``declaration`` (``declared``, ``version``, ``text``, ``field``);
        ``sandbox``: ``{"in_sandbox", "since", "granted"`` (an agreement
        granting sandbox publication is in force) ``, "agreement",
        "may_sandbox", "messages"}`` for ``dataset_sandbox``
    """
    data = validate(data_dict, S.dataset_publication_check(), context)
    package = readable(context, {"id": data["id"]})
    result = publishing.publication_check(context, package, data.get(chains.DECLARATION))
    result["sandbox"] = sandbox.check(context, package, data.get(chains.DECLARATION))
    return result


@tk.side_effect_free
def dataset_missing_metadata(context: Context, data_dict: DataDict) -> list[dict[str, str]]:
    """What the dataset still needs for publication: the fields the schema
    marks ``required_for_publication`` that are empty, with their labels.

    :param id: the dataset's id or name
    """
    return publishing.missing_for_publication(readable(context, data_dict))


def get_actions() -> dict[str, Any]:
    return {
        "dataset_missing_metadata": dataset_missing_metadata,
        "dataset_publication_check": dataset_publication_check,
        "declaration_version_create": declaration_version_create,
        "declaration_version_list": declaration_version_list,
        "declaration_version_show": declaration_version_show,
        "dataset_publish": dataset_publish,
        "dataset_withdraw": dataset_withdraw,
        "publication_journal_list": publication_journal_list,
        "publication_journal_export": publication_journal_export,
        "terms_version_create": terms_version_create,
        "terms_version_list": terms_version_list,
        "terms_accept": terms_accept,
        "terms_status": terms_status,
        "dataset_sandbox": dataset_sandbox,
        "dataset_unsandbox": dataset_unsandbox,
        **chains.get_chained_actions(),
    }
