"""Where an agreement's uploaded documents are kept: CKAN 2.12's file
storage API, never served as static files.

A portal on several machines names a storage for them, shared by every web
host (an object store, a shared folder), with CKAN's options::

    ckan.files.storage.datasud_agreements.type = ckan:fs   (or any file-keeper adapter)
    ckan.files.storage.datasud_agreements.path = /srv/shared/agreements

Without it, the files stay in a private folder under ``ckan.storage_path``
(``datasud_partnership/agreements/``). ``ckan datasud-partnership
documents-migrate`` copies the files kept there into the named storage (each
under the same location), after which every host reads them from it; a file
not copied yet is still read from the folder."""

from __future__ import annotations

import io
import os
import uuid
from typing import IO, Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import files
from werkzeug.datastructures import FileStorage

from ...common import settings
from ...common.validation import invalid
from ..model import Agreement

Session = model.Session

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


NAMED = "datasud_agreements"  # ckan.files.storage.datasud_agreements.*


def named() -> files.Storage | None:
    """The storage the portal names for the documents, if it does."""
    try:
        return files.get_storage(NAMED)
    except files.exc.UnknownStorageError:
        return None


def storage() -> files.Storage | None:
    """The storage new documents go to: the named one when the portal
    configures it, else the private folder."""
    return named() or local_folder()


def holding(location: str) -> files.Storage | None:
    """The storage that holds a stored document: the named one, or the
    private folder for a file not migrated yet."""
    data = files.FileData(files.Location(location))
    target, folder = named(), local_folder()
    if target is not None and folder is not None and not target.exists(data) and folder.exists(data):
        return folder
    return target or folder


def migrate() -> dict[str, int]:
    """Copy each document of the private folder into the named storage
    (under the same location); what is there already stays as it is."""
    target, folder = named(), local_folder()
    if target is None or folder is None:
        raise invalid(
            "storage", "No storage named %(name)s is configured (ckan.files.storage.%(name)s.*)", name=NAMED
        )
    counts = {"copied": 0, "present": 0, "missing": 0}
    for agreement in Session.query(Agreement).order_by(Agreement.id):
        for entry in agreement.documents or []:
            if "file" not in entry:
                continue
            data = files.FileData(files.Location(entry["file"]["stored_as"]), content_type="application/pdf")
            if target.exists(data):
                counts["present"] += 1
            elif not folder.exists(data):
                counts["missing"] += 1
            else:
                target.upload(data.location, folder.file_as_upload(data))
                counts["copied"] += 1
    return counts


def local_folder() -> files.Storage | None:
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


def store_bytes(agreement: Agreement, name: str, content: bytes) -> dict[str, Any]:
    """Keep a PDF the portal made itself (a generated letter) beside the uploads."""
    folder = storage()
    if folder is None:
        raise invalid("letter", "This portal has no storage for the agreements' files (ckan.storage_path)")
    location = files.Location(f"{agreement.id}/{uuid.uuid4()}.pdf")
    upload = files.Upload(io.BytesIO(content), name, len(content), "application/pdf")
    stored = folder.upload(location, upload)
    return {"name": name, "size": stored.size, "sha256": stored.hash, "stored_as": location}


def read_bytes(entry: dict[str, Any]) -> bytes | None:
    """The content of a stored document (None when it cannot be found)."""
    stored = entry.get("file") or {}
    folder = holding(stored["stored_as"]) if stored.get("stored_as") else None
    if folder is None:
        return None
    data = files.FileData(files.Location(stored["stored_as"]), size=stored.get("size") or 0)
    return folder.content(data)


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
