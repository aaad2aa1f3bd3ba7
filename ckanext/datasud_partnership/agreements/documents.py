"""The documents of an agreement: the signed PDF, as a URL or an upload.

``agreement_document_add`` (sysadmins) appends one entry to the agreement's
``documents``; nothing is ever removed (a wrong document stays on record, a
later one supersedes it). An uploaded file must be a PDF (its first bytes are
``%PDF-``, whatever the client says its type is) of at most
``ckanext.datasud_partnership.document_max_mb`` megabytes.

The files are kept in a private folder, never served as static files:
``<ckan.storage_path>/datasud_partnership/agreements/<agreement id>/<uuid>.pdf``,
written and read through CKAN 2.12's storage API (``ckan.lib.files``, a
file-keeper ``ckan:fs`` storage that computes the SHA-256 while it writes and
refuses paths leaving its folder). They are downloaded only through the view
``/agreement/<id>/document/<index>``, by the people who may read the whole
agreement (``agreement_show_full``: sysadmins and the partner's admins).
"""

from __future__ import annotations

import os
import uuid
from typing import IO, Any
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk
from ckan.lib import files
from flask import Blueprint, request
from werkzeug.datastructures import FileStorage

from . import store
from .actions import actor, finish, invalid, loaded
from .auth import _portal_team_only
from .model import Agreement

_ = tk._

MAX_MB_OPTION = "ckanext.datasud_partnership.document_max_mb"
DEFAULT_MAX_MB = 20
PDF_MAGIC = b"%PDF-"
FOLDER = ("datasud_partnership", "agreements")  # under ckan.storage_path
ENDPOINT = "datasud_agreement_documents.download"
MB = 1024 * 1024


# -- validation ----------------------------------------------------------------------
def http_url(value: Any, context: Any) -> Any:
    parts = urlparse(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise tk.Invalid(_("Expected a URL starting with http:// or https://"))
    return value


def file_upload(value: Any, context: Any) -> Any:
    if not isinstance(value, FileStorage):
        raise tk.Invalid(_("Expected a file sent as multipart/form-data"))
    return value


def schema() -> dict[str, Any]:
    v = tk.get_validator
    return {
        "id": [v("not_empty"), v("unicode_safe")],
        "title": [v("not_empty"), v("unicode_safe")],
        # empty values (a web form's blank field, no file chosen) count as absent
        "url": [v("ignore_empty"), v("unicode_safe"), v("strip_value"), http_url],
        "upload": [v("ignore_empty"), file_upload],
    }


def max_bytes() -> int:
    return tk.asint(tk.config.get(MAX_MB_OPTION, DEFAULT_MAX_MB)) * MB


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


def checked_pdf(upload: FileStorage) -> tuple[IO[bytes], int]:
    """The upload's stream, rewound, and its size; refuses what is too large
    or not a PDF. The size is measured, never taken from the client."""
    limit = max_bytes()
    stream = upload.stream  # werkzeug keeps each uploaded file seekable (memory or temp file)
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > limit:
        raise invalid("upload", "The file is too large: %(max)s MB at most", max=limit // MB)
    magic = stream.read(len(PDF_MAGIC))
    stream.seek(0)
    if magic != PDF_MAGIC:
        raise invalid("upload", "Only PDF files are accepted")
    return stream, size


def original_name(upload: FileStorage) -> str:
    # some browsers send the client's full path
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or "document.pdf"


# -- storage ----------------------------------------------------------------------------
def storage() -> files.Storage | None:
    """The private folder of the agreements' files (never publicly served);
    None when the portal has no ``ckan.storage_path``."""
    root = tk.config.get("ckan.storage_path")
    if not root:
        return None
    return files.make_storage(
        "datasud_partnership_agreements",
        {
            "type": "ckan:fs",
            "path": os.path.join(os.path.abspath(root), *FOLDER),
            "initialize": True,
            "overwrite_existing": False,
            "hashing_algorithm": "sha256",
            "supported_types": ["application/pdf"],
            "public": False,
        },
    )


def store_file(agreement: Agreement, upload: FileStorage) -> dict[str, Any]:
    folder = storage()
    if folder is None:
        raise invalid("upload", "This portal has no storage for uploaded files (ckan.storage_path)")
    stream, size = checked_pdf(upload)
    location = files.Location(f"{agreement.id}/{uuid.uuid4()}.pdf")
    stored = folder.upload(location, files.Upload(stream, original_name(upload), size, "application/pdf"))
    return {"name": original_name(upload), "size": stored.size, "sha256": stored.hash, "stored_as": location}


# -- the action ------------------------------------------------------------------------
def agreement_document_add(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Add a document to an agreement (sysadmins): the signed PDF, or any
    other. Nothing is removed: a later document supersedes a wrong one.

    :param id: the agreement's id
    :param title: the document's title
    :param url: an http(s) URL, or
    :param upload: a PDF file sent as multipart/form-data (at most
        ``ckanext.datasud_partnership.document_max_mb`` MB, default 20)
    :returns: the agreement, as ``agreement_show`` shows it in full
    """
    data, agreement, kind = loaded(data_dict, context, "agreement_document_add", schema())
    _either_url_or_upload(data)
    store.Session.refresh(agreement, with_for_update=True)  # one writer of the list at a time
    entry: dict[str, Any] = {"title": data["title"]}
    if "url" in data:
        entry["url"] = data["url"]
    else:
        entry["file"] = store_file(agreement, data["upload"])
    who = actor(context)
    entry.update({"added_on": store.today().isoformat(), "added_by": who})
    index = len(agreement.documents or [])
    agreement.documents = [*(agreement.documents or []), entry]  # a new list: the JSONB column is saved
    details = {k: entry[k] for k in ("title", "url", "file") if k in entry}
    store.record(agreement, "document_added", who, index=index, **details)
    return finish(agreement, kind, context)


# -- reading ------------------------------------------------------------------------------
def listed(agreement: Agreement) -> list[dict[str, Any]]:
    """The documents as the full view shows them: an uploaded file gets the
    ``url`` of its protected download."""
    result = []
    for index, entry in enumerate(agreement.documents or []):
        entry = dict(entry)
        if "file" in entry:
            entry["url"] = tk.url_for(ENDPOINT, id=agreement.id, index=index, _external=True)
        result.append(entry)
    return result


def download(id: str, index: int) -> Any:
    """Stream an uploaded document to whom may read the whole agreement."""
    try:
        agreement = store.get(id)
    except tk.ObjectNotFound:
        return tk.abort(404, _("Agreement not found"))
    context = {"user": tk.current_user.name, "auth_user_obj": tk.current_user}
    try:
        tk.check_access("agreement_show_full", context, {"organization_id": agreement.organization_id})
    except tk.NotAuthorized:
        return tk.abort(
            403, _("Only the portal's administrators and the partner's admins read this document")
        )
    documents = agreement.documents or []
    entry = documents[index] if index < len(documents) else {}
    folder = storage()
    if "file" not in entry or folder is None:
        return tk.abort(404, _("Document not found"))
    stored = entry["file"]
    data = files.FileData(
        files.Location(stored["stored_as"]), size=stored["size"], content_type="application/pdf"
    )
    request.environ["__no_cache__"] = True  # CKAN then marks the response private
    response = folder.as_response(data, stored["name"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


blueprint = Blueprint("datasud_agreement_documents", __name__)
blueprint.add_url_rule("/agreement/<id>/document/<int:index>", view_func=download, methods=["GET"])


def get_actions() -> dict[str, Any]:
    return {"agreement_document_add": agreement_document_add}


def get_auth_functions() -> dict[str, Any]:
    return {"agreement_document_add": _portal_team_only}
