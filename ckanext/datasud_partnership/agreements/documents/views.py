"""The protected download of an agreement's uploaded documents."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib import files
from flask import Blueprint, request

from .. import queries
from .storage import holding

_ = tk._


def _readable(id: str) -> Any:
    """The agreement, once the current user may read the whole of it
    (sysadmins, the partner's admins); else a 404 or a 403 page."""
    try:
        agreement = queries.get(id)
    except tk.ObjectNotFound:
        return tk.abort(404, _("Agreement not found"))
    context = {"user": tk.current_user.name, "auth_user_obj": tk.current_user}
    try:
        tk.check_access("agreement_show_full", context, {"organization_id": agreement.organization_id})
    except tk.NotAuthorized:
        return tk.abort(
            403, _("Only the portal's administrators and the partner's admins read this document")
        )
    return agreement


def download(id: str, index: int) -> Any:
    """Stream an uploaded document to whom may read the whole agreement."""
    agreement = _readable(id)
    documents = agreement.documents or []
    entry = documents[index] if index < len(documents) else {}
    folder = holding(entry["file"]["stored_as"]) if "file" in entry else None
    if folder is None:
        return tk.abort(404, _("Document not found"))
    stored = entry["file"]
    data = files.FileData(
        files.Location(stored["stored_as"]), size=stored["size"], content_type="application/pdf"
    )
    request.environ["__no_cache__"] = True  # CKAN then marks the response private
    response = folder.as_response(data, stored["name"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def printable(id: str) -> Any:
    """The agreement itself, pre-filled from the record, as a PDF to print
    for signature (kinds with an ``agreement_template``), for whom may read
    the whole agreement; ``?lang=en`` for English."""
    from flask import Response

    from ..actions.letter import printable as make_printable

    agreement = _readable(id)
    kind = queries.kind_of(agreement)
    if not kind.agreement_template:
        return tk.abort(404, _("Document not found"))
    language = "en" if request.args.get("lang") == "en" else "fr"
    name, content = make_printable(agreement, kind, language)
    request.environ["__no_cache__"] = True
    return Response(
        content,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


blueprint = Blueprint("datasud_agreement_documents", __name__)
blueprint.add_url_rule("/agreement/<id>/print", view_func=printable, methods=["GET"])
blueprint.add_url_rule("/agreement/<id>/document/<int:index>", view_func=download, methods=["GET"])
