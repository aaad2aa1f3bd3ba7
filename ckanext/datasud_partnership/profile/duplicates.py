"""Likely duplicates (seed 000, art. 2.3: avoid publishing the same data
twice): another dataset of the same organization with the same title
(ignoring case, accents and spacing) or a resource with the same URL.

A warning, never a refusal: ``package_create`` and ``resource_create``
return it in their result (key ``likely_duplicates``) and, in the web UI, show
it as a notice on the next page of the form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model
from ckan.types import Context, DataDict

from ..common.validation import reference, reject_unsafe

_ = tk._
RESULT_KEY = "likely_duplicates"


def normalize_title(title: str) -> str:
    """Lower case, no accents, single spaces, no punctuation."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def find(
    owner_org: str | None, title: str | None, urls: Iterable[str], exclude_id: str | None
) -> list[dict[str, Any]]:
    """The other live datasets of ``owner_org`` with the same title or a
    resource at one of ``urls``; each with the reasons (title, url)."""
    if not owner_org:
        return []
    found: dict[str, dict[str, Any]] = {}
    Package = model.Package
    live = (Package.owner_org == owner_org, Package.state != "deleted", Package.id != (exclude_id or ""))
    wanted = normalize_title(title or "")
    if wanted:
        # the organization's titles (a few thousand at most), compared in Python
        rows = model.Session.query(Package.id, Package.name, Package.title).filter(*live)
        for row in rows:
            if normalize_title(row.title or "") == wanted:
                found.setdefault(row.id, {"id": row.id, "name": row.name, "title": row.title, "reasons": []})[
                    "reasons"
                ].append("title")
    urls = sorted({url.strip() for url in urls if url and url.strip()})
    if urls:
        rows = (
            model.Session.query(Package.id, Package.name, Package.title, model.Resource.url)
            .join(model.Resource, model.Resource.package_id == Package.id)
            .filter(*live, model.Resource.state == "active", model.Resource.url.in_(urls))
        )
        for row in rows:
            entry = found.setdefault(
                row.id, {"id": row.id, "name": row.name, "title": row.title, "reasons": []}
            )
            if "url" not in entry["reasons"]:
                entry["reasons"].append("url")
    return sorted(found.values(), key=lambda entry: entry["name"])


def readable(context: Context, duplicates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Those of ``duplicates`` the caller may read (CKAN's ``package_show``
    auth for each): a warning never names a dataset the caller cannot see."""
    check = {key: context[key] for key in ("user", "auth_user_obj", "ignore_auth") if key in context}
    return [
        entry
        for entry in duplicates
        if authz.is_authorized_boolean("package_show", dict(check), {"id": entry["id"]})
    ]


def message(duplicates: list[dict[str, Any]]) -> str:
    names = ", ".join(f"« {entry['title']} » ({entry['name']})" for entry in duplicates)
    return _(
        "This dataset may duplicate another dataset of the organization (same title or same resource URL): "
        "%(datasets)s. Check before publishing."
    ) % {"datasets": names}


def warning(duplicates: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not duplicates:
        return None
    return {"message": message(duplicates), "datasets": duplicates}


def show_in_form(found: dict[str, Any] | None) -> None:
    """In the web UI (not the API), a notice on the next page of the form."""
    if found is None:
        return
    try:
        path = tk.request.path
    except (RuntimeError, AttributeError, TypeError):
        return
    if path and not path.startswith("/api/"):
        tk.h.flash_notice(found["message"])


@tk.chained_action
def resource_create(original: Any, context: Context, data_dict: DataDict) -> Any:
    # CKAN core looks the dataset up with package_id as given (2147483648:
    # ``text = bigint``, a 500) before it validates the resource
    reject_unsafe(data_dict)
    # and hands ``url`` to urlparse as given (a number: a TypeError, a 500)
    data_dict = {**data_dict, "package_id": reference(data_dict, "package_id")}
    if data_dict.get("url") is not None:
        data_dict["url"] = reference(data_dict, "url", required=False) or ""
    result = original(context, data_dict)
    package = model.Package.get(result.get("package_id") or "") if isinstance(result, dict) else None
    if package is None or package.type == "harvest":
        return result
    found = warning(readable(context, find(package.owner_org, None, [result.get("url") or ""], package.id)))
    if found:
        result = {**result, RESULT_KEY: found}
        show_in_form(found)
    return result
