"""The partnership's factories as fixtures (see tests/factories.py), as CKAN's
pytest plugin registers its own: ``agreement_factory`` and ``agreement``,
``terms_version_factory`` and ``terms_version``, ``terms_acceptance_factory``
and ``terms_acceptance``, ``claim_factory`` and ``claim``."""

from pytest_factoryboy import register

from tests.factories import AgreementFactory, ClaimFactory, TermsAcceptanceFactory, TermsVersionFactory

register(AgreementFactory)
register(TermsVersionFactory)
register(TermsAcceptanceFactory)
register(ClaimFactory)
