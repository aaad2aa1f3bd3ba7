"""The profile's actions: what ``package_create`` adds to its result (the
likely duplicates; for a draft, what publication still needs) and the same
on demand."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from . import duplicates, schema

_ = tk._


def package_create_with_notes(inner: Any) -> Any:
    """``package_create`` (``inner``: the chained action under it) with its notes."""

    @tk.chained_action
    def package_create(original: Any, context: Any, data_dict: dict[str, Any]) -> Any:
        result = inner(original, context, data_dict)
        if not isinstance(result, dict) or result.get("type", "dataset") == "harvest":
            return result
        package = model.Package.get(result.get("id") or "")
        if package is not None and (package.state != "active" or package.private):
            # a draft: what publication will still ask for
            result = {**result, "missing_for_publication": schema.missing_for_publication(package)}
        urls = [resource.get("url") or "" for resource in result.get("resources") or []]
        candidates = duplicates.find(result.get("owner_org"), result.get("title"), urls, result.get("id"))
        found = duplicates.warning(duplicates.readable(context, candidates))
        if found:
            result = {**result, duplicates.RESULT_KEY: found}
            duplicates.show_in_form(found)
        return result

    return package_create


def _package(context: Any, data_dict: dict[str, Any]) -> model.Package:
    reference = data_dict.get("id")
    if not reference:
        raise tk.ValidationError({"id": [_("Missing value")]})
    tk.check_access("package_show", context, {"id": reference})
    package = model.Package.get(reference)
    if package is None:
        raise tk.ObjectNotFound(_("Dataset not found"))
    return package


@tk.side_effect_free
def dataset_missing_metadata(context: Any, data_dict: dict[str, Any]) -> list[dict[str, str]]:
    """What the dataset still needs for publication: the fields the schema
    marks ``required_for_publication`` that are empty, with their labels.

    :param id: the dataset's id or name
    """
    return schema.missing_for_publication(_package(context, data_dict))


@tk.side_effect_free
def dataset_likely_duplicates(context: Any, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The likely duplicates of an existing dataset (same organization, same
    title or a resource with the same URL), among those the caller may read.

    :param id: the dataset's id or name
    """
    package = _package(context, data_dict)
    urls = [resource.url for resource in package.resources]
    return duplicates.readable(context, duplicates.find(package.owner_org, package.title, urls, package.id))


def get_actions(actions: dict[str, Any]) -> dict[str, Any]:
    """The profile's actions, given the plugin's other actions."""
    return {
        "package_create": package_create_with_notes(actions["package_create"]),
        "resource_create": duplicates.resource_create,
        "dataset_missing_metadata": dataset_missing_metadata,
        "dataset_likely_duplicates": dataset_likely_duplicates,
    }
