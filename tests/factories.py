"""Factories for the partnership's own records, in the style of CKAN's
``ckan.tests.factories``: each one creates its record through the
extension's action, as a user of the portal would, and returns what the
action returns (a dict).

``tests/conftest.py`` registers them as fixtures with pytest-factoryboy, as
CKAN's pytest plugin registers its own: ``agreement_factory`` (the class) and
``agreement`` (one record made with the defaults), and likewise
``terms_version``, ``terms_acceptance`` and ``claim``. Call a factory with
the action's own fields to say what you need::

    agreement_factory(organization="cd13", reference="CONV-CD13", in_force=True)
    terms_version_factory(version="2")
    terms_acceptance_factory(organization="cd13", user="cd13-admin")
    claim_factory(user="outsider", dataset="budget-2026", kind="outdated")

Who acts: ``user`` names the user the action runs as, with authorization on
(as the tests' ``act`` helpers call actions); by default the portal's team,
the sysadmin ``region-team`` of the tests' ``people`` and ``partner``
fixtures (made here when a test has not made it). ``user=None`` acts
anonymously.

A field left at ``None`` is not sent: the action sees it missing.

Dates: the actions refuse a date in the future and record "today" with what
they record: freeze time around a factory as around any action
(``with freeze_time("2024-01-31"): agreement_factory(in_force=True)``).
"""

from __future__ import annotations

from typing import Any

import factory
from ckan.tests import factories as ckan_factories
from ckan.tests import helpers
from pytest_factoryboy import named_model

TEAM = "region-team"  # the portal team's sysadmin in the tests' fixtures

# The dates an agreement created ``in_force=True`` carries, by kind.
IN_FORCE: dict[str, dict[str, str | None]] = {
    # in force from its notification, 31 January 2024: renewed tacitly on
    # every 31 January, termination notice by 31 December
    "datasud_partnership": {"signed_on": "2024-01-15", "notified_on": "2024-01-31"},
    # in force from its signature, 15 March 2022, until 31 December 2023
    "challenge_open_data": {"signed_on": "2022-03-15", "notified_on": None},
}


def portal_team() -> str:
    """The name of the portal team's sysadmin, made if the test has none."""
    from ckan import model

    if model.User.get(TEAM) is None:
        ckan_factories.Sysadmin(name=TEAM)
    return TEAM


def _in_force(field: str) -> factory.Maybe:
    """``field``'s date for an agreement of its kind in force, if ``in_force``; else not sent."""
    return factory.Maybe("in_force", factory.LazyAttribute(lambda o: IN_FORCE[o.kind][field]), None)


class ActionFactory(ckan_factories.CKANFactory):
    """A CKANFactory that calls its action as ``user``, authorization on,
    and sends no field left at ``None``."""

    user = factory.LazyFunction(portal_team)

    @classmethod
    def _api_prepare_args(cls, data_dict: dict[str, Any]) -> dict[str, Any]:
        user = data_dict.pop("user", None)
        data = {key: value for key, value in data_dict.items() if value is not None}
        data["context"] = {"user": user or "", "ignore_auth": False}
        return data

    @classmethod
    def model(cls, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"{cls.__name__} gives what {cls._meta.action} returns; read it through an action"
        )


class AgreementFactory(ActionFactory):
    """An agreement, through ``agreement_create``: a draft, unless given
    ``signed_on`` (and ``notified_on``), or ``in_force=True`` for the dates of
    ``IN_FORCE`` of its kind. Every field of ``agreement_create`` may be given
    (parties, referent_name, referent_email, end_on, documents...); the
    organization is a new one unless named."""

    class Meta:
        model = named_model(dict, "Agreement")
        action = "agreement_create"

    class Params:
        in_force = False

    kind = "datasud_partnership"
    organization = factory.LazyFunction(lambda: ckan_factories.Organization()["name"])
    reference = factory.Sequence(lambda n: f"CONV-{n + 1:04d}")
    signed_on = _in_force("signed_on")
    notified_on = _in_force("notified_on")


class TermsVersionFactory(ActionFactory):
    """A version of the portal's terms of use, through ``terms_version_create``
    (published by the portal's team): the version in force from then on."""

    class Meta:
        model = named_model(dict, "TermsVersion")
        action = "terms_version_create"

    version = factory.Sequence(lambda n: str(n + 1))
    title = factory.LazyAttribute(lambda o: f"CGU v{o.version}")
    url = factory.LazyAttribute(lambda o: f"https://datasud.example/cgu{o.version}")


def _version_in_force() -> str:
    return helpers.call_action("terms_version_list")[0]["version"]


class TermsAcceptanceFactory(ActionFactory):
    """An organization's acceptance of the terms of use, through
    ``terms_accept`` as one of its admins (``user``): by default of the version
    in force. Gives ``terms_status``'s answer. ``organization`` is required."""

    class Meta:
        model = named_model(dict, "TermsAcceptance")
        action = "terms_accept"

    organization = None
    version = factory.LazyFunction(_version_in_force)


class ClaimFactory(ActionFactory):
    """A claim about a published dataset, through ``claim_create``, filed by
    ``user``. ``dataset`` (its name or id) is required."""

    class Meta:
        model = named_model(dict, "Claim")
        action = "claim_create"

    dataset = None
    kind = "other"
    description = factory.Sequence(lambda n: f"Signalement n° {n + 1}")
