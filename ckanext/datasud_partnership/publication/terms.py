"""The portal's terms of use (CGU): the version in force, and whether an
organization accepted it."""

from __future__ import annotations

from ckan import model

from .model import TermsAcceptance, TermsVersion

Session = model.Session


def current_terms() -> TermsVersion | None:
    """The version in force: the newest published."""
    return (
        Session.query(TermsVersion).order_by(TermsVersion.published_at.desc(), TermsVersion.id.desc()).first()
    )


def acceptance(organization_id: str, terms: TermsVersion | None) -> TermsAcceptance | None:
    if terms is None:
        return None
    return (
        Session.query(TermsAcceptance)
        .filter_by(organization_id=organization_id, terms_version_id=terms.id)
        .one_or_none()
    )


def accepted_version(organization_id: str, terms: TermsVersion | None) -> str | None:
    """``terms``' version if the organization accepted it, else None."""
    return terms.version if terms is not None and acceptance(organization_id, terms) else None
