"""The language of the commands' output: the portal's (``ckan.locale_default``),
through the translation catalogue."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click
from flask_babel import force_locale

from .language import portal_language


@contextlib.contextmanager
def portal_locale(ctx: click.Context) -> Iterator[None]:
    """A request of CKAN's application in the portal's language, for ``_()``
    (and for rendering the e-mails) while a command runs."""
    flask_app = ctx.meta.get("flask_app")
    request = flask_app.test_request_context() if flask_app is not None else contextlib.nullcontext()
    with request, force_locale(portal_language()):
        yield
