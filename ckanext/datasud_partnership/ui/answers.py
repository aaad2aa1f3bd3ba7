"""How a page calls an action and answers its refusals, in one place.

``call`` runs an action for the current user. When the action refuses, the
request ends there with the answer a user expects, and nothing was written
(the actions validate and check access before they change anything):

- ``ValidationError``: the page given by ``invalid`` (a function of the
  errors, ``{field: [messages]}``), shown again with the messages in place,
  status 400 (or ``invalid_status``; None keeps the page's own, as a
  redirect's);
- ``NotAuthorized``: 403, with ``forbidden`` or the action's own message;
- ``ObjectNotFound``: 404, with ``not_found`` or the action's own message.

The answer is raised as Flask's ``abort(response)``, which CKAN's error
handlers pass through unchanged, so a view reads as its successful path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from flask import abort, make_response

_ = tk._

Errors = dict[str, list[str]]


def context() -> dict[str, Any]:
    user = tk.current_user
    return {"user": user.name if user.is_authenticated else "", "auth_user_obj": user}


def errors_of(error: tk.ValidationError) -> Errors:
    """A ValidationError as ``{field: [messages]}`` (nested errors flattened)."""
    return {key: list(_messages(value)) for key, value in (error.error_dict or {}).items()}


def _messages(value: Any) -> Any:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _messages(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from _messages(inner)


def call(
    action_name: str,
    /,
    *,
    invalid: Callable[[Errors], Any] | None = None,
    invalid_status: int | None = 400,
    forbidden: str | None = None,
    not_found: str | None = None,
    context_extra: dict[str, Any] | None = None,
    **data: Any,
) -> Any:
    """The action's result; a refusal ends the request (see the module)."""
    try:
        return tk.get_action(action_name)({**context(), **(context_extra or {})}, data)
    except tk.ValidationError as error:
        errors = errors_of(error)
        if invalid is None:
            message = "; ".join(m for messages in errors.values() for m in messages)
            return tk.abort(400, message)
        page = invalid(errors)
        # None: the page's own status (a redirect after flashing the messages)
        abort(make_response(page) if invalid_status is None else make_response(page, invalid_status))
    except tk.NotAuthorized as error:
        return tk.abort(403, forbidden or str(error) or _("Not authorized"))
    except tk.ObjectNotFound as error:
        return tk.abort(404, not_found or str(error) or _("Not found"))


def may(auth: str, **data: Any) -> bool:
    """Whether the current user passes an auth function (to show a button)."""
    try:
        tk.check_access(auth, context(), data)
    except tk.NotAuthorized:
        return False
    return True
