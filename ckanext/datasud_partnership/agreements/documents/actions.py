"""Adding a document to an agreement (sysadmins)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ...common.dates import today
from .. import history
from .. import schema as S
from ..actions.base import actor, finish, loaded
from .storage import store_file

Session = model.Session
_ = tk._


def _either_url_or_upload(data: dict[str, Any]) -> None:
    given = [field for field in ("url", "upload") if field in data]
    if len(given) == 1:
        return
    message = (
        _("Give either a URL or a file to upload, not both")
        if given
        else _("Give the document's URL or upload its file")
    )
    raise tk.ValidationError({"url": [message], "upload": [message]})


def agreement_document_add(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add a document to an agreement (sysadmins): the signed PDF, or any
    other. Nothing is removed: a later document supersedes a wrong one.

    :param id: the agreement's id
    :param title: the document's title
    :param url: an http(s) URL, or
    :param upload: a PDF file sent as multipart/form-data (at most
        ``ckanext.datasud_partnership.document_max_mb`` MB, default 20)
    :returns: the agreement, as ``agreement_show`` shows it in full
    """
    data, agreement, kind = loaded(data_dict, context, "agreement_document_add", S.agreement_document_add())
    _either_url_or_upload(data)
    Session.refresh(agreement, with_for_update=True)  # one writer of the list at a time
    entry: dict[str, Any] = {"title": data["title"]}
    if "url" in data:
        entry["url"] = data["url"]
    else:
        entry["file"] = store_file(agreement, data["upload"])
    who = actor(context)
    entry.update({"added_on": today().isoformat(), "added_by": who})
    index = len(agreement.documents or [])
    agreement.documents = [*(agreement.documents or []), entry]  # a new list: the JSONB column is saved
    details = {k: entry[k] for k in ("title", "url", "file") if k in entry}
    history.record(agreement, "document_added", who, index=index, **details)
    return finish(agreement, kind, context)


def get_actions() -> dict[str, Any]:
    return {"agreement_document_add": agreement_document_add}
