from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultPermissionLabels, DefaultTranslation
from ckan.types import Context

from . import cli
from .agreements import activity as agreement_activity
from .agreements import auth as agreement_auth
from .agreements import kinds, notify
from .agreements import model as _agreement_tables  # noqa: F401 - registers the tables
from .agreements.actions import get_actions as agreement_actions
from .agreements.documents import actions as agreement_documents
from .agreements.documents import views as agreement_document_views
from .claims import actions as claim_actions
from .claims import auth as claim_auth
from .claims import model as _claim_tables  # noqa: F401 - registers the tables
from .common import action_docs, config_files, events, outbox, outbox_actions, settings, user_language
from .profile import actions as profile_actions
from .profile import dcat as profile_dcat
from .profile import facets as profile_facets
from .profile import helpers as profile_helpers
from .profile import validators as profile_validators
from .profile import vocabularies as profile_vocabularies
from .publication import actions as publication_actions
from .publication import auth as publication_auth
from .publication import chains as publication_chains
from .publication import index as publication_index
from .publication import journal as publication_journal
from .publication import model as _publication_tables  # noqa: F401 - registers the tables
from .publication import sandbox, withdrawal
from .publication import views as publication_views
from .publication import visibility as publication_visibility
from .publication.harvest import actions as harvest_actions
from .publication.harvest import auth as harvest_auth
from .publication.harvest import compat as harvest_compat
from .publication.harvest import model as _harvest_tables  # noqa: F401 - registers the tables
from .ui import admin as ui_admin
from .ui import csrf as ui_csrf
from .ui import helpers as ui_helpers
from .ui import views as ui_views


@tk.blanket.config_declarations
class DatasudPartnershipPlugin(p.SingletonPlugin, DefaultTranslation, DefaultPermissionLabels):
    """Wiring only: the rules live in plain modules next to this one."""

    p.implements(p.ITranslation)
    p.implements(p.IClick)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.ISignal)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IBlueprint)
    p.implements(p.IValidators)
    p.implements(p.IPermissionLabels)
    p.implements(p.IFacets, inherit=True)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        agreement_activity.register_activity_types()
        # the portal's licence list, unless the site names another one
        if not config.get("licenses_group_url"):
            config["licenses_group_url"] = (settings.config_dir(config) / "licenses.json").resolve().as_uri()
        # moments shown in the portal's time zone, unless the site chose CKAN's own
        config["ckan.display_timezone"] = settings.display_timezone(config)

    # IConfigurable: a wrong agreement kind file stops start-up, naming it
    def configure(self, config: Any) -> None:
        directory = settings.config_dir(config)
        kinds.configure(directory / "agreement_kinds")
        profile_vocabularies.configure_themes(directory / "themes.yaml")
        publication_chains.allow_search_parameters()
        config_files.check_same_files(directory)
        # harvest consumers that survive idle, DCAT updates of private datasets
        harvest_compat.install()

    # IClick
    def get_commands(self) -> list:
        return [cli.datasud_partnership]

    # IActions
    def get_actions(self) -> dict[str, Any]:
        actions = {
            **agreement_actions(),
            **agreement_documents.get_actions(),
            **publication_actions.get_actions(),
            **harvest_actions.get_actions(),
            **claim_actions.get_actions(),
            **publication_visibility.get_chained_actions(),
            **user_language.get_actions(),
            **outbox_actions.get_actions(),
        }
        # the profile's notes (likely duplicates, what a draft still needs)
        # around the publication gate's package_create
        actions.update(profile_actions.get_actions(actions))
        if p.plugin_loaded("dcat"):
            actions["dcat_dataset_show"] = profile_dcat.dcat_dataset_show
            actions["dcat_catalog_show"] = profile_dcat.dcat_catalog_show
        return action_docs.documented(actions, self)

    # IAuthFunctions
    def get_auth_functions(self) -> dict[str, Any]:
        return {
            **agreement_auth.get_auth_functions(),
            **publication_auth.get_auth_functions(),
            **harvest_auth.get_auth_functions(),
            **claim_auth.get_auth_functions(),
            **publication_visibility.get_chained_auth(),
            **outbox_actions.get_auth_functions(),
        }

    # ISignal: what follows each event (common/events.py says when each is sent)
    def get_signal_subscriptions(self) -> dict[Any, list[Any]]:
        return {
            # an agreement's events, just before their commit: the e-mails to the
            # referent and the admins, queued in the outbox in that transaction
            events.agreement_events_to_commit: [notify.on_events],
            # an agreement's events, once committed: its partner's activity stream
            events.agreement_events_committed: [agreement_activity.on_events],
            # e-mails queued in the outbox, once committed: to the background worker
            events.mails_queued: [outbox.on_queued],
            # a termination takes effect: the datasets it decided are withdrawn,
            # in the same transaction (all of them with it, or none)
            # and its sandbox datasets leave the sandbox (private to their organization)
            events.termination_took_effect: [withdrawal.withdraw_for_termination, sandbox.on_termination],
            # datasets made private on the models, once committed: the search index
            events.datasets_made_private: [publication_index.refresh_index],
        }

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return {
            **agreement_activity.helpers(),
            **profile_helpers.get_helpers(),
            **ui_helpers.get_helpers(),
            **user_language.get_helpers(),
            "datasud_in_sandbox": sandbox.in_sandbox,
        }

    # IValidators: the metadata profile's validators
    def get_validators(self) -> dict[str, Any]:
        return profile_validators.get_validators()

    # IBlueprint: the CSRF check of our pages (first: its hook runs before our
    # others); the protected download of an agreement's uploaded documents;
    # the publication journal as CSV; the activity pages that must ask first; the web UI's pages
    def get_blueprint(self) -> Any:
        return [
            ui_csrf.blueprint,
            agreement_document_views.blueprint,
            publication_views.blueprint,
            publication_visibility.blueprint,
            ui_views.dataset,
            ui_views.organization,
            ui_views.deposit,
            ui_views.partners,
            ui_admin.blueprint,
            ui_admin.terms_blueprint,
            ui_admin.claims_blueprint,
            ui_admin.harvest_blueprint,
            ui_admin.mail_blueprint,
        ]

    # IPackageController: the publication gate, once CKAN saved the change
    # and before it commits (see publication/chains.py)
    def after_dataset_create(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        publication_chains.after_change(context, pkg_dict)

    def after_dataset_update(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        publication_chains.after_change(context, pkg_dict)

    def after_dataset_delete(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        publication_chains.after_change(context, pkg_dict)

    # IPackageController: the publication status, read from the journal
    def after_dataset_show(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        if pkg_dict.get("type") != "harvest" and pkg_dict.get("id"):
            publication_journal.add_to_shown(pkg_dict)

    # IPermissionLabels: CKAN's labels, and the sandbox's (publication/sandbox.py)
    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        return super().get_dataset_labels(dataset_obj) + sandbox.dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        labels = super().get_user_dataset_labels(user_obj)
        return labels + sandbox.user_labels(labels)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        if pkg_dict.get("type") != "harvest":
            pkg_dict.update(publication_journal.index_fields(pkg_dict))
            pkg_dict.update(profile_facets.index_fields(pkg_dict))
        return pkg_dict

    def after_dataset_search(
        self, search_results: dict[str, Any], search_params: dict[str, Any]
    ) -> dict[str, Any]:
        return profile_facets.label_items(search_results)

    # IFacets: the Theme facet (profile/facets.py)
    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        return profile_facets.with_theme_facet(facets_dict)

    def organization_facets(
        self, facets_dict: dict[str, Any], organization_type: str, package_type: str | None
    ) -> dict[str, Any]:
        return profile_facets.with_theme_facet(facets_dict)
