"""Tables of sovereign publication: the journal, the terms of use and the
declaration texts."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB

from ..common.tables import PREFIX, utcnow


class JournalEntry(tk.BaseModel):  # type: ignore[misc, valid-type]
    """One publication or withdrawal. Rows are only ever added."""

    __tablename__ = PREFIX + "publication_journal"

    id = Column(Integer, primary_key=True, autoincrement=True)
    dataset_id = Column(Text, nullable=False, index=True)  # CKAN package id (no FK on core)
    organization_id = Column(Text, nullable=False, index=True)
    action = Column(Text, nullable=False)  # published | withdrawn
    licence_id = Column(Text)  # the licence under which it was published
    # {"personal_data", "text_version", "note", "declared_by", "declared_at"}
    declaration = Column(JSONB)
    agreement_id = Column(Text)  # the agreement in force at that moment
    actor = Column(Text)  # user id
    timestamp = Column(DateTime, nullable=False, default=utcnow, index=True)
    reason = Column(Text)
    # withdrawals by the portal: {"type": "fault"|"claim"|"takedown", "agreement_id"|"claim_id"|"text": ...}
    ground = Column(JSONB)
    path = Column(Text)  # the way it came: dataset_publish, package_update, bulk, harvest, termination...


class TermsVersion(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A version of the portal's terms of use (CGU); the newest is in force."""

    __tablename__ = PREFIX + "terms_version"

    id = Column(Integer, primary_key=True, autoincrement=True)
    version = Column(Text, nullable=False, unique=True)
    title = Column(Text, nullable=False)
    url = Column(Text, nullable=False)
    summary = Column(Text)
    published_at = Column(DateTime, nullable=False, default=utcnow)
    published_by = Column(Text)


class TermsAcceptance(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = PREFIX + "terms_acceptance"
    __table_args__ = (UniqueConstraint("organization_id", "terms_version_id"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    organization_id = Column(Text, nullable=False, index=True)
    terms_version_id = Column(Integer, ForeignKey(PREFIX + "terms_version.id"), nullable=False)
    accepted_by = Column(Text, nullable=False)
    accepted_at = Column(DateTime, nullable=False, default=utcnow)


class DeclarationVersion(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A version of the personal-data declaration's text; the newest in force
    is the one a publisher makes. Rows are only ever added."""

    __tablename__ = PREFIX + "declaration_version"

    id = Column(Integer, primary_key=True, autoincrement=True)
    version = Column(Text, nullable=False, unique=True)
    text = Column(JSONB, nullable=False)  # {"fr": ..., "en": ...}
    in_force_from = Column(Date)  # None: since the portal began
    created_at = Column(DateTime, nullable=False, default=utcnow)
    created_by = Column(Text)


class SandboxEntry(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A dataset in the sandbox (publication/sandbox.py): still private in
    CKAN, seen by the cohort of the agreement's kind. One row a dataset,
    deleted when it leaves (the journal keeps the history)."""

    __tablename__ = PREFIX + "sandbox"

    dataset_id = Column(Text, primary_key=True)  # CKAN package id (no FK on core)
    organization_id = Column(Text, nullable=False, index=True)
    agreement_id = Column(Text, nullable=False, index=True)
    kind = Column(Text, nullable=False)  # the agreement's kind: the cohort that sees it
    since = Column(DateTime, nullable=False, default=utcnow)
    by = Column(Text)  # user id
