"""Where an agreement's uploaded documents are kept: a private folder of
CKAN's storage API, never served as static files."""

from __future__ import annotations

import os
import uuid
from typing import IO, Any

import ckan.plugins.toolkit as tk
from ckan.lib import files
from werkzeug.datastructures import FileStorage

from ...common import settings
from ...common.validation import invalid
from ..model import Agreement

PDF_MAGIC = b"%PDF-"
FOLDER = ("datasud_partnership", "agreements")  # under ckan.storage_path
ENDPOINT = "datasud_agreement_documents.download"
MB = 1024 * 1024


def max_bytes() -> int:
    return settings.document_max_mb() * MB


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
