"""Finding what an action is about: a dataset, an organization; a
ValidationError or ObjectNotFound naming it otherwise."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from .validation import invalid, reference

_ = tk._


def readable(context: Context, data_dict: DataDict) -> model.Package:
    """The dataset ``data_dict["id"]`` names, once the caller may read it."""
    name_or_id = reference(data_dict, "id")
    tk.check_access("package_show", context, {"id": name_or_id})
    package = model.Package.get(name_or_id)
    if package is None:
        raise tk.ObjectNotFound(_("Dataset not found"))
    return package


def organization(reference: str, active_only: bool = False) -> model.Group:
    """The organization ``reference`` (id or name) names; ``active_only``: a
    deleted one counts as absent."""
    org = model.Group.get(reference)
    if org is None or not org.is_organization or (active_only and org.state != "active"):
        raise invalid("organization", "Organization not found: %(value)s", value=reference)
    return org


def names(table: Any, ids: Iterable[str | None]) -> dict[str, str]:
    """The ``name`` of each row of ``table`` (a CKAN model: User, Package,
    Group) whose id is in ``ids``, in one query."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(model.Session.query(table.id, table.name).filter(table.id.in_(wanted)))
