"""The current language: one rule for every page, message, label and list."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import has_request_context

# CKAN's messages are written in English: outside a request nothing
# translates them, so that is the language of what the server says there.
MESSAGES_LANGUAGE = "en"


def portal_language() -> str:
    """The portal's default language (``ckan.locale_default``): the language
    of e-mails, which go to people whose own language is not known."""
    return str(tk.config.get("ckan.locale_default") or MESSAGES_LANGUAGE)


def current_language() -> str:
    """The language the server answers in now, as a code (``fr``, ``en``):
    the request's; outside a request (a command, a background job), English,
    the language of CKAN's untranslated messages."""
    if has_request_context():
        try:
            lang = tk.h.lang()
        except (RuntimeError, TypeError, AttributeError):  # a request CKAN has not set up
            lang = None
        if lang:
            return str(lang).split("_")[0]
    return MESSAGES_LANGUAGE


def localized(texts: Any, lang: str | None = None) -> str:
    """A ``{"fr": ..., "en": ...}`` text in ``lang`` (default: the current
    language), else in the portal's language, else the first one given."""
    if not isinstance(texts, dict):
        return "" if texts is None else str(texts)
    if not texts:
        return ""
    lang = (lang or current_language()).split("_")[0]
    for choice in (lang, portal_language().split("_")[0]):
        if texts.get(choice):
            return str(texts[choice])
    return str(next(iter(texts.values())))
