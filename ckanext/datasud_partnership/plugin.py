from __future__ import annotations

from pathlib import Path
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from . import cli
from .agreements import actions as agreement_actions
from .agreements import activity as agreement_activity
from .agreements import auth as agreement_auth
from .agreements import kinds
from .agreements import model as _agreement_tables  # noqa: F401 - registers the tables
from .agreements import notify as agreement_notify
from .agreements import store as agreement_store

# The repository's config/ folder, used when no config_dir is set.
DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


@tk.blanket.config_declarations
class DatasudPartnershipPlugin(p.SingletonPlugin, DefaultTranslation):
    """Wiring only: the rules live in plain modules next to this one."""

    p.implements(p.ITranslation)
    p.implements(p.IClick)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.ISignal)
    p.implements(p.ITemplateHelpers)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        agreement_activity.register_activity_types()

    # IConfigurable: a wrong agreement kind file stops start-up, naming it
    def configure(self, config: Any) -> None:
        directory = Path(config.get("ckanext.datasud_partnership.config_dir") or DEFAULT_CONFIG_DIR)
        kinds.configure(directory / "agreement_kinds")

    # IClick
    def get_commands(self) -> list:
        return [cli.datasud_partnership]

    # IActions
    def get_actions(self) -> dict[str, Any]:
        return agreement_actions.get_actions()

    # IAuthFunctions
    def get_auth_functions(self) -> dict[str, Any]:
        return agreement_auth.get_auth_functions()

    # ISignal: what follows the agreement events once committed
    def get_signal_subscriptions(self) -> dict[Any, list[Any]]:
        return {
            agreement_store.events_committed: [agreement_activity.on_events, agreement_notify.on_events],
        }

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return agreement_activity.helpers()
