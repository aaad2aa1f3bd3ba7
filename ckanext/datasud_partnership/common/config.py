"""The folder of the portal's own files: agreement kinds, lists, demo content."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

OPTION = "ckanext.datasud_partnership.config_dir"
# The repository's config/ folder, used when the option is empty.
DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"


def config_dir(config: Mapping[str, Any] | None = None) -> Path:
    """The folder the option names, else the repository's ``config/``."""
    config = tk.config if config is None else config
    return Path(config.get(OPTION) or DEFAULT_CONFIG_DIR)
