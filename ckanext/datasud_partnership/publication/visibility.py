"""A dataset taken off the portal disappears for the public everywhere
(seed 000, art. 2.3: the partner is sovereign over what the portal shows).

CKAN's activity streams (``ckanext.activity``) keep every dataset as it was
at each change, labelled with who could read it *then*: after a withdrawal,
a deletion or a return to draft, the copies made while it was public still
show to anyone. The rule here, on every read path that shows them:

- the organization's members (whoever reads the dataset through its
  organization, as a collaborator, or as the creator of a dataset without
  one) and the portal's team (sysadmins) keep the whole history, as CKAN
  shows it to them;
- anyone else (anonymous visitors, users outside the organization) sees the
  activities of a dataset only while it is published (active and not
  private), and only those recorded since its current publication began: a
  dataset withdrawn over personal data, repaired and published again never
  shows the versions before the withdrawal;
- the activities of a purged dataset show to the portal's team only.

The same eye on the other read paths that name datasets: the free tags
(``tag_list``, ``tag_search``, ``tag_autocomplete``), the resource formats
(``format_autocomplete``) and the members of a group or an organization
(``member_list``) are those of the datasets the caller may read; refusing a
dataset (``package_show``'s auth) names what the caller asked for, not the
dataset's id.

Chained actions and auth functions; who reads what comes from CKAN's
permission labels (``IPermissionLabels``), as CKAN's own search and
activity filters do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import authz, model
from ckan.lib.dictization import model_dictize
from ckan.lib.plugins import get_permission_labels
from flask import Blueprint, request

from ckanext.activity.logic import schema as activity_schema
from ckanext.activity.model import Activity

from ..common.validation import checked_input

_ = tk._
Package = model.Package


# -- who reads ------------------------------------------------------------------------


def reader_labels(context: Any) -> frozenset[str] | None:
    """The caller's permission labels; ``None`` for who reads everything
    (a sysadmin, or an internal call that skips authorization)."""
    if context.get("ignore_auth"):
        return None
    user = context.get("user")
    if user and authz.is_sysadmin(user):
        return None
    user_obj = context.get("auth_user_obj") or (model.User.get(user) if user else None)
    return frozenset(get_permission_labels().get_user_dataset_labels(user_obj))


def _published() -> Any:
    """SQL: the dataset is published: active and not private."""
    return sa.and_(Package.state == "active", Package.private.isnot(True))


def _read_as_member(labels: Iterable[str]) -> Any:
    """SQL: the caller reads the dataset other than as the public: the labels
    CKAN gives a dataset that is not public (member of its organization,
    collaborator, creator of a dataset without organization) meet the caller's."""
    wanted: dict[str, list[str]] = {"member-": [], "creator-": [], "collaborator-": []}
    for label in labels:
        for prefix, values in wanted.items():
            if label.startswith(prefix):
                values.append(label[len(prefix) :])
    return sa.or_(
        Package.owner_org.in_(wanted["member-"]),
        sa.and_(Package.owner_org.is_(None), Package.creator_user_id.in_(wanted["creator-"])),
        Package.id.in_(wanted["collaborator-"]),
    )


def readable(labels: Iterable[str]) -> Any:
    """SQL: the datasets a caller with these labels may read."""
    return sa.or_(_published(), _read_as_member(labels))


# -- activities -----------------------------------------------------------------------


class _Seen(NamedTuple):
    """What the rule needs of one activity."""

    id: str
    object_id: str | None
    activity_type: str | None
    timestamp: dt.datetime

    @classmethod
    def of(cls, activity: Any) -> _Seen:
        if isinstance(activity, dict):
            stamp = activity["timestamp"]
            return cls(
                activity["id"],
                activity.get("object_id"),
                activity.get("activity_type"),
                stamp if isinstance(stamp, dt.datetime) else dt.datetime.fromisoformat(stamp),
            )
        return cls(activity.id, activity.object_id, activity.activity_type, activity.timestamp)


def _is_about_a_dataset(activity_type: str | None) -> bool:
    return bool(activity_type) and (
        activity_type.endswith("package") or activity_type.endswith("resource view")
    )


# The start of a dataset's current publication: its first activity recorded
# while public after the last one recorded while it was not (no such activity:
# public all along). A dataset published now but with no activity recorded
# while public has no start: the public sees none of its history.
_STARTS = sa.text(
    """
    WITH closed AS (
        SELECT object_id, max(timestamp) AS at FROM activity
        WHERE object_id = ANY(:ids) AND activity_type LIKE '%package'
          AND NOT coalesce('public' = ANY(permission_labels), false)
        GROUP BY object_id
    )
    SELECT a.object_id, min(a.timestamp) AS start
    FROM activity a LEFT JOIN closed c ON c.object_id = a.object_id
    WHERE a.object_id = ANY(:ids) AND a.activity_type LIKE '%package'
      AND 'public' = ANY(a.permission_labels)
      AND (c.at IS NULL OR a.timestamp > c.at)
    GROUP BY a.object_id
    """
)


def _publication_starts(dataset_ids: list[str]) -> dict[str, dt.datetime]:
    if not dataset_ids:
        return {}
    return dict(model.Session.execute(_STARTS, {"ids": dataset_ids}).all())


def hidden(activities: Iterable[Any], labels: frozenset[str]) -> set[str]:
    """The ids of the activities (dicts or objects) a caller with these labels
    may not see, by the rule of this module. CKAN's own filter (the labels an
    activity was recorded with) applies besides."""
    seen = [_Seen.of(activity) for activity in activities]
    object_ids = sorted({s.object_id for s in seen if s.object_id})
    if not object_ids:
        return set()
    rows = model.Session.query(
        Package.id, _published().label("published"), _read_as_member(labels).label("member")
    ).filter(Package.id.in_(object_ids))
    datasets = {row.id: row for row in rows}
    starts = _publication_starts([row.id for row in datasets.values() if row.published and not row.member])
    refused = set()
    for s in seen:
        dataset = datasets.get(s.object_id or "")
        if dataset is None:
            if _is_about_a_dataset(s.activity_type):  # a purged dataset
                refused.add(s.id)
            continue
        if dataset.member:
            continue
        start = starts.get(dataset.id)
        if not dataset.published or start is None or s.timestamp < start:
            refused.add(s.id)
    return refused


def _limit_max() -> int:
    return int(tk.config.get("ckan.activity_list_limit_max") or 100)


def _stream(name: str, schema: Callable[[], dict[str, Any]]) -> Callable[..., Any]:
    """CKAN's activity list ``name``, without what the caller may not see,
    each page as full as CKAN's (by offset, or by date as the web pages ask)."""

    @tk.chained_action
    @tk.side_effect_free
    def stream(original: Any, context: Any, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
        data_dict = checked_input(data_dict, context, ids=("id",), numbers=("limit", "offset"))
        labels = reader_labels(context)
        data, errors = tk.navl_validate(dict(data_dict), schema(), context)
        if labels is None or errors:
            return original(context, data_dict)  # CKAN's answer, or its refusal of the input
        offset, limit = int(data.get("offset") or 0), int(data.get("limit") or 0)

        def fetch(position: int, count: int) -> list[dict[str, Any]]:
            return original(context, {**data_dict, "offset": position, "limit": count})

        # CKAN returns the oldest first when asked for what follows a date
        oldest_first = bool(data.get("after")) and not data.get("before")
        return _refilled(fetch, labels, offset, limit, oldest_first)

    stream.__name__ = name
    return stream


def _refilled(
    fetch: Callable[[int, int], list[dict[str, Any]]],
    labels: frozenset[str],
    offset: int,
    limit: int,
    oldest_first: bool,
) -> list[dict[str, Any]]:
    """The page ``offset``, ``limit`` (0: no limit, as CKAN) of the visible
    activities, read from CKAN's stream in the order of its query, from its
    start. Each call of CKAN's action has a fixed cost (an organization's
    stream first shows the organization: some 90 ms), so the first asks twice
    the page, the next ones CKAN's maximum."""
    wanted = offset + limit
    kept: list[dict[str, Any]] = []
    position = 0
    asked = (min(_limit_max(), 2 * limit) if not offset else _limit_max()) if limit else 0
    while True:
        page = fetch(position, asked)
        refused = hidden(page, labels)
        in_order = page[::-1] if oldest_first else page
        kept += [activity for activity in in_order if activity["id"] not in refused]
        position += len(page)
        if not asked or len(page) < asked or len(kept) >= wanted:
            break
        asked = _limit_max()
    window = kept[offset : offset + limit] if limit else kept[offset:]
    return window[::-1] if oldest_first else window


def _previous(activity: Activity) -> Activity | None:
    """The activity ``activity_diff`` compares with, as CKAN finds it."""
    return (
        model.Session.query(Activity)
        .filter(Activity.object_id == activity.object_id, Activity.timestamp < activity.timestamp)
        .order_by(Activity.timestamp.desc())
        .first()
    )


def _activity_auth(name: str) -> Callable[..., Any]:
    """CKAN's auth for ``name`` (one activity, with its data), then the rule;
    a diff also shows the activity before: both must be visible."""

    @tk.chained_auth_function
    @tk.auth_allow_anonymous_access
    def auth(next_auth: Any, context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
        result = next_auth(context, data_dict)
        labels = reader_labels(context)
        if not result.get("success") or labels is None:
            return result
        activity = context.get("activity") or Activity.get(data_dict.get("id"))
        if activity is None:
            return result
        shown = [activity]
        if name == "activity_diff":
            shown.append(_previous(activity))
        if hidden([a for a in shown if a is not None], labels):
            return {"success": False, "msg": _("Unauthorized to view activity data")}
        return result

    auth.__name__ = name
    return auth


# -- tags, formats, members -----------------------------------------------------------


def _terms(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise tk.ValidationError({field: [_("Must be a string or a list of strings")]})
    return [v.strip() for v in values if v.strip()]


def _tag_query(context: Any, data_dict: dict[str, Any]) -> tuple[list[str], int | None, int | None]:
    """The search terms (``query`` or ``q``), offset and limit of a tag search."""
    number = [tk.get_validator("ignore_missing"), tk.get_validator("natural_number_validator")]
    data, errors = tk.navl_validate(
        {key: data_dict[key] for key in ("offset", "limit") if data_dict.get(key) not in (None, "")},
        {"offset": number, "limit": number},
        context,
    )
    if errors:
        raise tk.ValidationError(errors)
    field = "query" if data_dict.get("query") else "q"
    return _terms(data_dict.get(field), field), data.get("offset"), data.get("limit")


def _free_tags(labels: frozenset[str], terms: list[str], offset: int | None, limit: int | None) -> Any:
    """The free tags of the datasets a caller may read, matching every term."""
    query = (
        model.Session.query(model.Tag)
        .join(model.PackageTag, model.PackageTag.tag_id == model.Tag.id)
        .join(Package, Package.id == model.PackageTag.package_id)
        .filter(model.Tag.vocabulary_id.is_(None), model.PackageTag.state == "active", readable(labels))
        .distinct()
    )
    for term in terms:
        query = query.filter(model.Tag.name.ilike(f"%{_escape(term)}%", escape="\\"))
    return query.order_by(model.Tag.name).offset(offset).limit(limit)


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _tags_action(name: str) -> Callable[..., Any]:
    """``tag_list``, ``tag_search``, ``tag_autocomplete`` on free tags, for
    whoever does not read everything: the tags of the datasets they may read.
    A vocabulary's tags are the vocabulary's, not the datasets': CKAN's."""

    @tk.chained_action
    @tk.side_effect_free
    def tags(original: Any, context: Any, data_dict: dict[str, Any]) -> Any:
        data_dict = checked_input(data_dict, context, ids=("vocabulary_id",), numbers=("limit", "offset"))
        for field in ("query", "q"):  # CKAN core hands a list of numbers or an object to SQL (a 500)
            _terms(data_dict.get(field), field)
        labels = reader_labels(context)
        if labels is None or "vocabulary_id" in data_dict:
            return original(context, data_dict)
        tk.check_access(name, context, data_dict)
        terms, offset, limit = _tag_query(context, data_dict)
        if name == "tag_list":
            found = _free_tags(labels, terms, offset, limit).all()
            if tk.asbool(data_dict.get("all_fields")):
                return model_dictize.tag_list_dictize(found, context)
            return [tag.name for tag in found]
        if not terms:  # CKAN searches nothing without a term
            return {"count": 0, "results": []} if name == "tag_search" else []
        found = _free_tags(labels, terms, offset, limit).all()
        if name == "tag_autocomplete":
            return [tag.name for tag in found]
        return {
            "count": _free_tags(labels, terms, None, None).count(),
            "results": [model_dictize.tag_dictize(tag, context, include_datasets=False) for tag in found],
        }

    tags.__name__ = name
    return tags


@tk.chained_action
@tk.side_effect_free
def format_autocomplete(original: Any, context: Any, data_dict: dict[str, Any]) -> list[str]:
    """The resource formats of the datasets the caller may read."""
    data_dict = checked_input(data_dict, context, texts=("q",), numbers=("limit",))
    labels = reader_labels(context)
    if labels is None:
        return original(context, data_dict)
    from ckan.logic.schema import default_autocomplete_schema

    data, errors = tk.navl_validate(dict(data_dict), default_autocomplete_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("format_autocomplete", context, data)
    total = sa.func.count(model.Resource.format).label("total")
    query = (
        model.Session.query(model.Resource.format, total)
        .join(Package, Package.id == model.Resource.package_id)
        .filter(
            model.Resource.state == "active",
            readable(labels),
            model.Resource.format.ilike(f"%{_escape(data['q'])}%", escape="\\"),
        )
        .group_by(model.Resource.format)
        .order_by(total.desc(), model.Resource.format)
        .limit(data.get("limit") or 5)
    )
    return [row.format.lower() for row in query]


@tk.chained_action
@tk.side_effect_free
def member_list(original: Any, context: Any, data_dict: dict[str, Any]) -> list[Any]:
    """The members of a group or an organization: its users (CKAN shows them
    to anyone) and, of its datasets, those the caller may read."""
    data_dict = checked_input(data_dict, context, ids=("id",), texts=("object_type", "capacity"))
    members = original(context, data_dict)
    labels = reader_labels(context)
    if labels is None:
        return members
    dataset_ids = [member[0] for member in members if member[1] == "package"]
    if not dataset_ids:
        return members
    shown = {
        row.id
        for row in model.Session.query(Package.id).filter(Package.id.in_(dataset_ids), readable(labels))
    }
    return [member for member in members if member[1] != "package" or member[0] in shown]


# -- refusals -------------------------------------------------------------------------


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def package_show(next_auth: Any, context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """CKAN's refusal names the dataset's id, even when the caller gave its
    name: name what the caller asked for instead. (That the dataset exists,
    403 rather than 404, stays CKAN's answer.)"""
    result = next_auth(context, data_dict)
    if result.get("success"):
        return result
    asked = data_dict.get("id") or data_dict.get("name_or_id") or ""
    return {
        **result,
        "msg": _("User %s not authorized to read package %s") % (context.get("user") or "", asked),
    }


# -- the pages that do not ask -------------------------------------------------------

blueprint = Blueprint("datasud_visibility", __name__)


@blueprint.before_app_request
def _activity_pages_ask_activity_show() -> Any:
    """Two of CKAN's activity pages do not follow its actions: the resource's
    history (``/dataset/<id>/resources/<resource_id>/history/<activity_id>``)
    reads the activity without asking ``activity_show`` (anyone who may read
    the dataset now sees any of its past resources), and the changes between
    two versions (``/dataset/changes_multiple``) lets ``activity_show``'s
    refusal through as a server error. Both ask it here first: the history
    with the version's data, as the dataset's history page does."""
    if request.endpoint == "activity.resource_history":
        wanted = [((request.view_args or {}).get("activity_id"), True)]
    elif request.endpoint == "activity.package_changes_multiple":
        wanted = [(request.args.get("new_id"), False), (request.args.get("old_id"), False)]
    else:
        return None
    for activity_id, include_data in wanted:
        context = {"user": tk.g.user, "auth_user_obj": tk.g.userobj}
        try:
            tk.check_access("activity_show", context, {"id": activity_id, "include_data": include_data})
        except (tk.ObjectNotFound, tk.ValidationError):
            return tk.abort(404, _("Activity not found"))
        except tk.NotAuthorized:
            return tk.abort(403, _("Unauthorized to view activity data"))
    return None


# -- wiring ---------------------------------------------------------------------------

STREAMS = {
    "package_activity_list": activity_schema.default_activity_list_schema,
    "organization_activity_list": activity_schema.default_activity_list_schema,
    "group_activity_list": activity_schema.default_activity_list_schema,
    "user_activity_list": activity_schema.default_activity_list_schema,
    "recently_changed_packages_activity_list": activity_schema.default_dashboard_activity_list_schema,
    "dashboard_activity_list": activity_schema.default_dashboard_activity_list_schema,
}


def get_chained_actions() -> dict[str, Any]:
    actions: dict[str, Any] = {}
    if p.plugin_loaded("activity"):  # the streams are the activity plugin's
        actions.update({name: _stream(name, schema) for name, schema in STREAMS.items()})
    actions.update({name: _tags_action(name) for name in ("tag_list", "tag_search", "tag_autocomplete")})
    actions["format_autocomplete"] = format_autocomplete
    actions["member_list"] = member_list
    return actions


def get_chained_auth() -> dict[str, Any]:
    auth: dict[str, Any] = {}
    if p.plugin_loaded("activity"):
        auth.update(
            {name: _activity_auth(name) for name in ("activity_show", "activity_data_show", "activity_diff")}
        )
    auth["package_show"] = package_show
    return auth
