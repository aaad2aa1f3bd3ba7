from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation


@tk.blanket.config_declarations
class DatasudPartnershipPlugin(p.SingletonPlugin, DefaultTranslation):
    """Wiring only: the rules live in plain modules next to this one."""

    p.implements(p.ITranslation)
