"""The agreements in the partner organization's activity stream.

Every event of an agreement's history becomes one CKAN activity on the
partner organization (``object_id`` = the organization's id), with an activity
type per kind of event: ``agreement signed``, ``agreement notice served``...
(see ``ACTIVITY_TYPES``), each rendered by its template
``snippets/activities/agreement_<event>.html``. Events of a kind unknown here
get the generic type ``agreement event``; reminders, which change nothing,
stay out of the stream.

Privacy. An organization's activity stream, and every other list that carries
its activities (a follower's dashboard, the acting user's stream, the API),
is readable by anybody, with each activity's ``data`` in full; CKAN's
permission labels only filter the activity types ending in "package". So the
``data`` of these activities holds the public register alone: organization,
kind, reference, status, and the dates that the register shows anyway (in
force from, end, renewal, a status change). Never the referent's contact
details, money, the notices' contents, milestones, reasons or observations.
Those details are read when the stream is displayed, from the event itself,
and only for the people who may read the whole agreement
(``agreement_show_full``: sysadmins and the partner's admins); see
:func:`event_details`. ``ckan.auth.public_activity_stream_detail`` plays no
part: it would otherwise open them to everybody.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from flask import has_request_context

from ..common.dates import today
from ..common.language import current_language
from . import kinds as K
from . import queries
from . import rules as R
from .model import Agreement, AgreementEvent, Milestone

log = logging.getLogger(__name__)
Session = model.Session

EVENTS = (
    "created",
    "updated",
    "cancelled",
    "signed",
    "notified",
    "amended",
    "milestone",
    "notice_served",
    "notice_answered",
    "notice_lifted",
    "termination_notified",
    "terminated",
    "renewed",
    "expired",
    "letter_issued",
)
# event -> activity type; the template is the type with "_" for " "
ACTIVITY_TYPES = {event: "agreement " + event.replace("_", " ") for event in EVENTS}
GENERIC_TYPE = "agreement event"
# Recorded in the history but no change to the agreement: the scheduled
# reminders (e-mailed, see notify.py) stay out of the stream.
NOT_IN_STREAM = frozenset({"reminder"})

# The events whose date the public register shows anyway: a change of status
# (signed, in force, under notice, terminating, ended) or of its dates.
PUBLIC_DATE_EVENTS = frozenset(EVENTS) - {
    "created",
    "updated",
    "milestone",
    "notice_answered",
    "letter_issued",
}


def activity_types() -> list[str]:
    return [*ACTIVITY_TYPES.values(), GENERIC_TYPE]


def register_activity_types() -> None:
    """Let CKAN's activity extension accept these types: ``activity_create``
    validates a type and its ``object_id`` through ``object_id_validators``."""
    from ckanext.activity.logic.validators import object_id_validators

    for activity_type in activity_types():
        object_id_validators[activity_type] = "group_id_exists"


def streams_enabled() -> bool:
    return p.plugin_loaded("activity") and tk.asbool(tk.config.get("ckan.activity_streams_enabled"))


# -- writing: the receiver of common.events.agreement_events_committed ------------------------------
def on_events(sender: Any, events: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
    """Add one activity per committed event. The events are committed already:
    a failure here is logged and leaves them as they are."""
    if not events or not streams_enabled():
        return
    from ckanext.activity.model import Activity

    try:
        rows = activities_for(events)
        if rows:  # in bulk: the scheduled run commits thousands of events at once
            Session.execute(sa.insert(Activity), rows)
        Session.commit()
    except Exception:
        Session.rollback()
        log.exception("Agreement events %s: activities not recorded", [e.get("id") for e in events])


def activities_for(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of CKAN's ``activity`` table for the events."""
    shown = [event for event in events if event["event"] not in NOT_IN_STREAM]
    public = public_facts({event["agreement_id"] for event in shown})
    users = {name: model.User.get(name) for name in {event["actor"] for event in shown if event.get("actor")}}
    result = []
    for event in shown:
        facts = public.get(event["agreement_id"])
        if facts is None:
            continue
        actor = users.get(event.get("actor") or "")
        name = event["event"]
        data = {
            **facts,
            "event": {
                "id": event["id"],
                "name": name,
                # the date in law: a termination notified is dated by its request
                "on": law_date(event) if name in PUBLIC_DATE_EVENTS else None,
                **public_event_fields(event),
            },
            "actor": actor.name if actor else None,
        }
        result.append(
            {
                "id": str(uuid.uuid4()),
                "timestamp": dt.datetime.fromisoformat(event["at"]) if event.get("at") else utcnow(),
                # The scheduled command acts for nobody; CKAN needs a subject and
                # hides the site user's activities: the organization stands in.
                "user_id": actor.id if actor else facts["group"]["id"],
                "object_id": facts["group"]["id"],
                "activity_type": ACTIVITY_TYPES.get(name, GENERIC_TYPE),
                "data": data,
            }
        )
    return result


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def public_facts(agreement_ids: set[str]) -> dict[str, dict[str, Any]]:
    """What the public register says of each agreement, and its organization
    (a few queries for all: the scheduled run commits thousands of events)."""
    if not agreement_ids:
        return {}
    agreements = Session.query(Agreement).filter(Agreement.id.in_(agreement_ids)).all()
    org_ids = {agreement.organization_id for agreement in agreements}
    orgs = {org.id: org for org in Session.query(model.Group).filter(model.Group.id.in_(org_ids))}
    notices_by, endings_by = queries.notices_and_terminations([a.id for a in agreements])
    registry = K.registered()
    day = today()
    result = {}
    for agreement in agreements:
        org = orgs.get(agreement.organization_id)
        if org is None:
            continue
        kind = registry.get(agreement.kind)
        facts = queries.facts(agreement, notices_by.get(agreement.id, []), endings_by.get(agreement.id))
        result[agreement.id] = {
            "agreement": {
                "id": agreement.id,
                "reference": agreement.reference,
                "kind": agreement.kind,
                "kind_title": {"fr": kind.title.fr, "en": kind.title.en} if kind else None,
                "status": R.status(kind, facts, day) if kind else None,
            },
            # the shape of CKAN's own organization activities, for its macros
            "group": {"id": org.id, "name": org.name, "title": org.title, "type": org.type},
        }
    return result


def public_event_fields(event: dict[str, Any]) -> dict[str, Any]:
    """The register's dates an event changes (nothing else of its data)."""
    data = event.get("data") or {}
    if event["event"] == "amended":
        end = data.get("end_on")
        return {"number": data.get("number"), "end_on": end[1] if end else None}
    if event["event"] == "termination_notified":
        return {"effective_on": data.get("effective_on")}
    return {}


# -- reading: the details, for those who may read the whole agreement ------------------
def event_details(activity: dict[str, Any]) -> dict[str, Any] | None:
    """The confidential details of the event behind an activity, or None when
    the current user may not read the whole agreement (template helper)."""
    data = activity.get("data") or {}
    event_id = (data.get("event") or {}).get("id")
    agreement_id = (data.get("agreement") or {}).get("id")
    if not event_id or not agreement_id:
        return None
    row = Session.get(AgreementEvent, event_id)
    agreement = Session.get(Agreement, agreement_id)
    if row is None or agreement is None or row.agreement_id != agreement.id:
        return None
    context = {"user": tk.g.user if has_request_context() else None}
    try:
        tk.check_access("agreement_show_full", context, {"organization_id": agreement.organization_id})
    except tk.NotAuthorized:
        return None
    details = {
        **(row.data or {}),
        "reason": row.reason,
        "on": row.on.isoformat() if row.on else None,
        "law_on": law_date(
            {"event": row.event, "on": row.on.isoformat() if row.on else None, "data": row.data or {}}
        ),
        "party_names": {party.get("role"): party.get("name") for party in agreement.parties or []},
    }
    if row.event == "milestone":
        milestone = (
            Session.query(Milestone)
            .filter_by(agreement_id=agreement.id, code=details.get("code"))
            .one_or_none()
        )
        details["milestone_title"] = milestone.title if milestone else {"fr": details.get("code")}
    kind = K.registered().get(agreement.kind)
    mode = kind.terminations.get(details.get("mode") or "") if kind else None
    if mode is not None:
        details["mode_title"] = {"fr": mode.title.fr, "en": mode.title.en}
    return details


def day(value: str | None) -> str:
    """An ISO date written in the current language: 30 juin 2024 (helper)."""
    if not value:
        return ""
    from babel.dates import format_date

    try:
        return format_date(dt.date.fromisoformat(value[:10]), format="long", locale=current_language())
    except ValueError:
        return value


# -- one line of an agreement's history, the date in law first -------------------------
# The events whose date in law is another than ``on``: a termination notified
# is dated by its request (``on`` is its effective date).
def law_date(event: dict[str, Any]) -> str | None:
    """The date in law of a history event (ISO), or None when the event has
    none (a draft created or edited, a document added)."""
    data = event.get("data") or {}
    if event.get("event") == "termination_notified":
        return data.get("requested_on") or event.get("on")
    if event.get("event") in ("created", "updated", "document_added"):
        return None
    return event.get("on")


def event_what(event: dict[str, Any], agreement: dict[str, Any] | None = None) -> str:
    """What an event of ``agreement_history`` did, in words, with what names
    it: the milestone, the amendment's number, the notice's deadline, the
    termination's mode and effective date, the document's title."""
    _ = tk._
    name = event.get("event") or ""
    data = event.get("data") or {}
    lang = current_language()
    if name == "milestone":
        milestones = {m["code"]: m for m in (agreement or {}).get("milestones") or []}
        title = (milestones.get(data.get("code")) or {}).get("title") or {}
        label = title.get(lang[:2]) or title.get("fr") or data.get("code") or ""
        after = data.get("after") or [None]
        if after[0]:
            return _("Milestone done: %(milestone)s") % {"milestone": label}
        return _("Milestone marked not done: %(milestone)s") % {"milestone": label}
    if name == "amended":
        return _("Amendment no. %(number)s: %(what)s") % {
            "number": data.get("number"),
            "what": event.get("reason") or "",
        }
    if name == "notice_served":
        return _("Formal notice served (deadline: %(deadline)s)") % {"deadline": day(data.get("deadline"))}
    if name == "termination_notified":
        kind = K.registered().get((agreement or {}).get("kind") or "")
        mode = kind.terminations.get(data.get("mode") or "") if kind else None
        return _("Termination notified: %(mode)s (clause %(clause)s), effective on %(effective)s") % {
            "mode": mode.title.get(lang) if mode else data.get("mode"),
            "clause": data.get("clause") or "",
            "effective": day(data.get("effective_on")),
        }
    if name in ("signed", "notified") and data.get("in_force_from"):
        base = _("Agreement signed") if name == "signed" else _("Agreement notified")
        return _("%(act)s, in force from %(day)s") % {"act": base, "day": day(data["in_force_from"])}
    if name in ("document_added", "letter_issued"):
        base = _("Letter issued") if name == "letter_issued" else _("Document added")
        return f"{base}: {data.get('title') or ''}"
    from ..ui.helpers import agreement_event_label

    return agreement_event_label(name)


def helpers() -> dict[str, Any]:
    return {
        "datasud_partnership_event_details": event_details,
        "datasud_partnership_day": day,
        "datasud_partnership_law_date": law_date,
        "datasud_partnership_event_what": event_what,
    }
