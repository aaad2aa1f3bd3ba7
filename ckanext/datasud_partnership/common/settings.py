"""The portal's settings of this plugin, read from CKAN's config. Every
default is in ``config_declaration.yaml`` only: nothing here repeats one."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

OPTION = "ckanext.datasud_partnership."
# The repository's config/ folder, used when config_dir is empty; an
# installed wheel carries it under <prefix>/share (setup.py's data_files).
CHECKOUT_CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"
INSTALLED_CONFIG_DIR = Path(sys.prefix) / "share" / "ckanext-datasud_partnership" / "config"


def _get(name: str) -> object:
    return tk.config.get(OPTION + name)


def config_dir(config: Mapping[str, Any] | None = None) -> Path:
    """The folder of the agreement kinds, the portal's lists and the demo
    content: the option's, else the repository's ``config/``."""
    config = tk.config if config is None else config
    if config.get(OPTION + "config_dir"):
        return Path(config[OPTION + "config_dir"])
    return CHECKOUT_CONFIG_DIR if CHECKOUT_CONFIG_DIR.is_dir() else INSTALLED_CONFIG_DIR


def display_timezone(config: Mapping[str, Any]) -> str:
    """The time zone pages show moments in: CKAN's ``ckan.display_timezone``
    when the site set it (anything but CKAN's default, UTC), else this
    plugin's ``display_timezone`` (default Europe/Paris; set it to UTC to
    keep UTC)."""
    chosen = str(config.get("ckan.display_timezone") or "UTC")
    if chosen != "UTC":
        return chosen
    return str(config.get(OPTION + "display_timezone"))


def reminder_days() -> int:
    return tk.asint(_get("reminder_days"))


def open_licences() -> frozenset[str]:
    return frozenset(tk.aslist(_get("open_licences")))


def declaration_version() -> str:
    return str(_get("declaration_version"))


def publishing_roles() -> list[str]:
    return tk.aslist(_get("publishing_roles"))


def sysadmins_may_publish() -> bool:
    return tk.asbool(_get("sysadmins_may_publish"))


def required_for_publication() -> list[str]:
    """The configured fields (used when no scheming schema is loaded)."""
    return tk.aslist(_get("required_for_publication"))


def inline_reindex_limit() -> int:
    return tk.asint(_get("inline_reindex_limit"))


def document_max_mb() -> int:
    return tk.asint(_get("document_max_mb"))


def mail_delivery() -> str:
    """``worker`` or ``inline``: see config_declaration.yaml."""
    return "inline" if str(_get("mail_delivery")).strip().lower() == "inline" else "worker"


def mail_reply_to() -> str:
    return str(_get("mail_reply_to") or tk.config.get("smtp.reply_to") or "").strip()
