"""The CSRF check of the extension's pages, in one place.

CKAN 2.12 relies on Flask-WTF's check, which it weakens in two ways that
this module closes for our pages:

- ``ckan_before_request`` calls ``csrf.exempt(view)`` whenever a request
  is not identified by the session cookie (an API token, or no session at
  all: an anonymous visit). Flask-WTF keeps that exemption in a set on the
  application's ``CSRFProtect``: the view then accepts tokenless POSTs from
  a logged-in browser, for every user, until the server restarts.
- A ``before_app_request`` hook runs before Flask-WTF's own check: our hook
  that answers CKAN's bulk "Make public" (ui/views.py) would act on a
  forged form.

``refuse_forged_requests`` runs before every other hook of ours (its
blueprint is registered first, see plugin.py) on each POST (PUT, PATCH,
DELETE) to a ``datasud_*`` blueprint or to CKAN's bulk form of an
organization, and checks the token itself whatever Flask-WTF remembers.
A request identified by an API token stays exempt, as CKAN designed it for
API clients: a browser never sends that header across sites.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, current_app, g, request
from flask_wtf.csrf import CSRFError

_ = tk._

PREFIX = "datasud_"  # every blueprint of the extension is named so
CORE_ENDPOINTS = frozenset({"organization.bulk_process"})  # a core form our hooks answer

blueprint = Blueprint("datasud_csrf", __name__)


def guarded(endpoint: str | None, blueprint_name: str | None) -> bool:
    """Whether a request to ``endpoint`` goes through our check."""
    return (blueprint_name or "").startswith(PREFIX) or endpoint in CORE_ENDPOINTS


def by_api_token() -> bool:
    """Whether CKAN identified the user by the API token header (CKAN also
    sets ``login_via_auth_header`` for anonymous visits: not those)."""
    header = tk.config.get("apitoken_header_name") or "Authorization"
    return bool(
        request.headers.get(header) and g.get("login_via_auth_header") and tk.current_user.is_authenticated
    )


@blueprint.before_app_request
def refuse_forged_requests() -> Any:
    config = current_app.config
    if not (config.get("WTF_CSRF_ENABLED", True) and config.get("WTF_CSRF_CHECK_DEFAULT", True)):
        return None
    if request.method not in config.get("WTF_CSRF_METHODS", ("POST", "PUT", "PATCH", "DELETE")):
        return None
    if not guarded(request.endpoint, request.blueprint) or by_api_token():
        return None
    try:
        # Flask-WTF's own check (the form field or the X-CSRFToken header, the
        # referrer over HTTPS), without the exemptions it remembers
        current_app.extensions["csrf"].protect()
    except CSRFError:
        return tk.abort(
            400,
            _(
                "This form has expired or was not sent from this portal's page: "
                "nothing was changed. Reload the page and send the form again."
            ),
        )
    return None
