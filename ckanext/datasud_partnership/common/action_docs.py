"""What ``help_show`` says of the actions this plugin chains.

CKAN wraps a chained action in ``functools.partial`` and copies only the
chained function's ``__dict__`` onto it, so ``help_show`` answers with the
docstring of ``partial`` ("partial(func, *args, **keywords)...") instead of
the action's. Each chained action here carries, in its ``__dict__``, the
docstring of the action it chains (CKAN core's, or the plugin's that defines
it) followed by what this portal adds; CKAN copies it onto the partial.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import ckan.plugins as p

CORE_MODULES = ("get", "create", "update", "delete", "patch")
ADDED = "On this portal (ckanext-datasud_partnership):"


def _core(name: str) -> Callable[..., Any] | None:
    import importlib

    for module in CORE_MODULES:
        found = getattr(importlib.import_module(f"ckan.logic.action.{module}"), name, None)
        if callable(found):
            return found
    return None


def _from_other_plugins(name: str, ours: Any) -> Callable[..., Any] | None:
    for plugin in p.PluginImplementations(p.IActions):
        if plugin is ours:
            continue
        found = plugin.get_actions().get(name)
        if found is not None and not getattr(found, "chained_action", False):
            return found
    return None


def text(chained: Callable[..., Any], chained_from: Callable[..., Any] | None) -> str:
    """The chained-from action's docstring, then ours (each dedented)."""
    parts = [inspect.cleandoc(chained_from.__doc__ or "")] if chained_from is not None else []
    ours = inspect.cleandoc(chained.__doc__ or "")
    if ours:
        parts.append(f"{ADDED}\n\n{ours}")
    return "\n\n".join(part for part in parts if part)


def documented(actions: dict[str, Any], plugin: Any) -> dict[str, Any]:
    """``actions`` with each chained one carrying its help text."""
    for name, action in actions.items():
        if getattr(action, "chained_action", False):
            chained_from = _core(name) or _from_other_plugins(name, plugin)
            action.__dict__["__doc__"] = text(action, chained_from)
    return actions
