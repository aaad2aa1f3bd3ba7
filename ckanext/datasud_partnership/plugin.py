from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from . import cli


@tk.blanket.config_declarations
class DatasudPartnershipPlugin(p.SingletonPlugin, DefaultTranslation):
    """Wiring only: the rules live in plain modules next to this one."""

    p.implements(p.ITranslation)
    p.implements(p.IClick)

    # IClick
    def get_commands(self) -> list:
        return [cli.datasud_partnership]
