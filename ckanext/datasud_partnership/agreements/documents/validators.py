"""Validators of an agreement's documents."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk
from ckan.types import Context
from werkzeug.datastructures import FileStorage

_ = tk._


def http_url(value: Any, context: Context) -> Any:
    parts = urlparse(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise tk.Invalid(_("Expected a URL starting with http:// or https://"))
    return value


def file_upload(value: Any, context: Context) -> Any:
    if not isinstance(value, FileStorage):
        raise tk.Invalid(_("Expected a file sent as multipart/form-data"))
    return value
