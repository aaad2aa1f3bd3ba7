"""The profile's actions: what ``package_create`` adds to its result (the
likely duplicates) and the same on demand."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ..common.lookups import readable
from . import duplicates

_ = tk._


def package_create_with_notes(inner: Any) -> Any:
    """``package_create`` (``inner``: the chained action under it) with its notes."""

    @tk.chained_action
    def package_create(original: Any, context: Context, data_dict: DataDict) -> Any:
        result = inner(original, context, data_dict)
        if not isinstance(result, dict) or result.get("type", "dataset") == "harvest":
            return result
        urls = [resource.get("url") or "" for resource in result.get("resources") or []]
        candidates = duplicates.find(result.get("owner_org"), result.get("title"), urls, result.get("id"))
        found = duplicates.warning(duplicates.readable(context, candidates))
        if found:
            result = {**result, duplicates.RESULT_KEY: found}
            duplicates.show_in_form(found)
        return result

    return package_create


@tk.side_effect_free
def dataset_likely_duplicates(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The likely duplicates of an existing dataset (same organization, same
    title or a resource with the same URL), among those the caller may read.

    :param id: the dataset's id or name
    """
    package = readable(context, data_dict)
    urls = [resource.url for resource in package.resources]
    return duplicates.readable(context, duplicates.find(package.owner_org, package.title, urls, package.id))


def get_actions(actions: dict[str, Any]) -> dict[str, Any]:
    """The profile's actions, given the plugin's other actions."""
    return {
        "package_create": package_create_with_notes(actions["package_create"]),
        "resource_create": duplicates.resource_create,
        "dataset_likely_duplicates": dataset_likely_duplicates,
    }
