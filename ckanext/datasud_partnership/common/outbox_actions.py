"""The outbox through the action API, for the portal's team (sysadmins
only): ``mail_outbox_list``, ``mail_outbox_show``, ``mail_outbox_retry``."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic.schema import validator_args
from ckan.types import AuthResult, Context, DataDict, Schema

from . import outbox
from .validation import invalid, pagination, text_value, validate

_ = tk._


@validator_args
def _list_schema(ignore_missing, one_of) -> Schema:
    return {
        "status": [ignore_missing, one_of(list(outbox.STATUSES))],
        "recipient": [ignore_missing, text_value],
        **pagination(50),
    }


@validator_args
def _one_schema(not_empty) -> Schema:
    return {"id": [not_empty, text_value]}


@validator_args
def _retry_schema(ignore_missing) -> Schema:
    return {"id": [ignore_missing, text_value]}


def row_dict(row: outbox.OutboxMail, full: bool = False) -> dict[str, Any]:
    result = {
        "id": row.id,
        "created": row.created.isoformat(),
        "topic": row.topic,
        "recipient_name": row.recipient_name,
        "recipient_email": row.recipient_email,
        "role": row.role,
        "language": row.language,
        "subject": row.subject,
        "message_id": row.message_id,
        "status": row.status,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "last_attempt_at": row.last_attempt_at.isoformat() if row.last_attempt_at else None,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "attachments": [
            {"filename": a["filename"], "mimetype": a["mimetype"]} for a in row.attachments or []
        ],
    }
    if full:
        result["body_text"] = row.body_text
        result["body_html"] = row.body_html
    return result


@tk.side_effect_free
def mail_outbox_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The e-mails of the outbox, newest first (the portal's team).

    :param status: ``queued``, ``sent`` or ``failed``
    :param recipient: part of the address or name
    :param limit: (default 50), :param offset:
    """
    tk.check_access("mail_outbox_list", context, data_dict)
    data = validate(data_dict, _list_schema(), context)
    total, rows = outbox.listing(data.get("status"), data.get("recipient"), data["limit"], data["offset"])
    return {"count": total, "counts": outbox.counts(), "results": [row_dict(row) for row in rows]}


@tk.side_effect_free
def mail_outbox_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One e-mail of the outbox with its text and HTML (the portal's team).

    :param id: the e-mail's id
    """
    tk.check_access("mail_outbox_show", context, data_dict)
    data = validate(data_dict, _one_schema(), context)
    row = outbox.Session.get(outbox.OutboxMail, data["id"])
    if row is None:
        raise invalid("id", "No e-mail of the outbox has this id")
    return row_dict(row, full=True)


def mail_outbox_retry(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Send now the e-mails that failed or still wait (or the one named),
    as ``ckan datasud-partnership mail retry`` does (the portal's team).

    :param id: one e-mail's id (optional)
    """
    tk.check_access("mail_outbox_retry", context, data_dict)
    data = validate(data_dict, _retry_schema(), context)
    if data.get("id"):
        row = outbox.Session.get(outbox.OutboxMail, data["id"])
        if row is None:
            raise invalid("id", "No e-mail of the outbox has this id")
        if row.status == outbox.SENT:
            raise invalid("id", "This e-mail was sent already")
        return outbox.deliver([row.id])
    return outbox.retry()


def _portal_team_only(context: Context, data_dict: DataDict) -> AuthResult:
    # sysadmins pass every check before this is asked
    return {"success": False, "msg": _("Only the portal's administrators read the e-mail outbox")}


def get_actions() -> dict[str, Any]:
    return {
        "mail_outbox_list": mail_outbox_list,
        "mail_outbox_show": mail_outbox_show,
        "mail_outbox_retry": mail_outbox_retry,
    }


def get_auth_functions() -> dict[str, Any]:
    return dict.fromkeys(get_actions(), _portal_team_only)
