"""Each user's language: the one the portal writes to them in (e-mails, the
generated documents). A field ``language`` on the user's edit page and in
``user_show`` / ``user_create`` / ``user_update`` / ``user_patch``; a user who
never chose one reads the portal's default language (``ckan.locale_default``).

Stored in a small table of ours (one row per user who chose), not in CKAN's
``plugin_extras``, which only sysadmins may write through the API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict
from sqlalchemy import Column, Text, func

from .language import portal_language
from .tables import PREFIX
from .validation import checked_input, invalid

Session = model.Session
FIELD = "language"


class UserLanguage(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = PREFIX + "user_language"

    user_id = Column(Text, primary_key=True)  # CKAN user id (no FK on core)
    language = Column(Text, nullable=False)


def offered() -> list[str]:
    """The languages a user may choose: the portal's offered locales."""
    languages = [code.split("_")[0] for code in tk.aslist(tk.config.get("ckan.locales_offered"))]
    default = portal_language().split("_")[0]
    return list(dict.fromkeys([default, *languages]))


def language_of(user: model.User | str | None) -> str:
    """The language ``user`` (a user, an id or a name) reads: theirs, else the portal's.
    Usable by the generated documents (template helper ``datasud_user_language``)."""
    if user is not None and not isinstance(user, model.User):
        user = model.User.get(user)
    if user is not None:
        row = Session.get(UserLanguage, user.id)
        if row is not None and row.language in offered():
            return row.language
    return portal_language().split("_")[0]


def languages_by_address(addresses: Iterable[str]) -> dict[str, str]:
    """The chosen language of the active users with these e-mail addresses
    (lower-cased address -> language); an address of nobody is absent."""
    wanted = {a.strip().lower() for a in addresses if a and a.strip()}
    if not wanted:
        return {}
    rows = (
        Session.query(func.lower(model.User.email), UserLanguage.language)
        .join(UserLanguage, UserLanguage.user_id == model.User.id)
        .filter(func.lower(model.User.email).in_(wanted), model.User.state == "active")
        .order_by(model.User.created)
    )
    choices = set(offered())
    result: dict[str, str] = {}
    for address, language in rows:
        if language in choices:
            result.setdefault(address, language)
    return result


def _store(user_id: str, language: str) -> None:
    row = Session.get(UserLanguage, user_id)
    if row is None:
        Session.add(UserLanguage(user_id=user_id, language=language))
    else:
        row.language = language


def _chosen(data_dict: DataDict) -> str | None:
    """The language the data names (``None``: not given); refuses another."""
    value = data_dict.pop(FIELD, None)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.strip() not in offered():
        raise invalid(
            FIELD, "Choose one of the portal's languages: %(languages)s", languages=", ".join(offered())
        )
    return value.strip()


# the fields CKAN's user actions pass to SQL as given (a list, a NUL: a 500 in core)
USER_IDS = ("id", "name", "email")


def _save_after(action: Any, context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Run CKAN's action, then store the language in the same transaction."""
    data_dict = checked_input(data_dict or {}, context, ids=USER_IDS)
    language = _chosen(data_dict)
    if language is None:
        result = action(context, data_dict)
    else:
        deferred = context.get("defer_commit")
        context["defer_commit"] = True
        try:
            result = action(context, data_dict)
        finally:
            context["defer_commit"] = deferred
        _store(result["id"], language)
        if not deferred:
            Session.commit()
    if isinstance(result, dict) and result.get("id"):
        result[FIELD] = language or language_of(result["id"])
    return result


@tk.chained_action
def user_create(action: Any, context: Context, data_dict: DataDict) -> dict[str, Any]:
    return _save_after(action, context, data_dict)


@tk.chained_action
def user_update(action: Any, context: Context, data_dict: DataDict) -> dict[str, Any]:
    return _save_after(action, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def user_show(action: Any, context: Context, data_dict: DataDict) -> dict[str, Any]:
    result = action(context, checked_input(data_dict or {}, context, ids=("id",)))
    if isinstance(result, dict) and result.get("id"):
        result[FIELD] = language_of(result["id"])
    return result


def get_actions() -> dict[str, Any]:
    return {"user_create": user_create, "user_update": user_update, "user_show": user_show}


def language_name(code: str) -> str:
    """``Français``, ``English``: a language in its own words."""
    from babel import Locale

    try:
        return Locale.parse(code).get_display_name(code).capitalize()
    except (ValueError, TypeError):
        return code


def get_helpers() -> dict[str, Any]:
    return {
        "datasud_user_language": language_of,
        "datasud_languages_offered": offered,
        "datasud_language_name": language_name,
    }
