"""Server-side page tests through CKAN's test app, as a logged-in browser.

The test client keeps its session cookie for "localhost", not for
``ckan.site_url``: every request goes there."""

from __future__ import annotations

import re
from typing import Any

BASE = "http://localhost"


def login(app: Any, name: str | None) -> None:
    app.set_session_user(name)


def get(app: Any, url: str, status: int = 200) -> Any:
    return app.get(url, status=status, base_url=BASE, follow_redirects=False)


def post(
    app: Any, url: str, data: dict[str, Any], status: int = 200, token: bool = True, action: str | None = None
) -> Any:
    """POST the form of the page at ``url`` (to ``action``, else ``url``), with
    the CSRF token the page carries unless ``token`` is false; a success
    answers 302 (not followed: it names ckan.site_url)."""
    if token:
        page = get(app, url)
        match = re.search(r'name="_csrf_token" value="([^"]+)"', page.body)
        data = {"_csrf_token": match.group(1) if match else "", **data}
    return app.post(action or url, data=data, status=status, base_url=BASE, follow_redirects=False)
