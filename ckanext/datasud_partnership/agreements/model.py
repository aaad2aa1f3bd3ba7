"""Tables of the agreements. Created only by this plugin's migrations.

Nothing here is ever deleted: a mistaken draft is cancelled, amendments are
added, and every change is a row of the append-only event history.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

from ..common.tables import PREFIX, new_id, utcnow


class Agreement(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = PREFIX + "agreement"

    id = Column(Text, primary_key=True, default=new_id)
    organization_id = Column(Text, nullable=False, index=True)  # CKAN group id (no FK on core)
    kind = Column(Text, nullable=False, index=True)
    reference = Column(Text, nullable=False)
    # [{"role": "operator"|"partner", "name": ..., "signatory": ..., "signatory_title": ...}]
    parties = Column(JSONB, nullable=False, default=list)
    deliberation_number = Column(Text)
    deliberation_date = Column(Date)
    signed_on = Column(Date)
    notified_on = Column(Date)
    # the entry into force the signature or notification states, when later
    # than it (a successor scheduled to follow the current agreement)
    in_force_from = Column(Date)
    end_on = Column(Date)  # fixed-term kinds: the end, as last amended
    referent_name = Column(Text)
    referent_email = Column(Text)
    referent_phone = Column(Text)
    # the region's referent ("Chef de projet référent au sein des services de
    # la Région"): a user id of the portal team (no FK on core)
    region_referent_id = Column(Text)
    documents = Column(JSONB, nullable=False, default=list)  # [{"title": ..., "url": ...}]
    beneficiary_invoice_on = Column(Date)
    cancelled_on = Column(Date)
    created = Column(DateTime, nullable=False, default=utcnow)
    created_by = Column(Text)


class AgreementEvent(tk.BaseModel):  # type: ignore[misc, valid-type]
    """The history: who, when, what, why. Rows are only ever added."""

    __tablename__ = PREFIX + "agreement_event"

    id = Column(Integer, primary_key=True, autoincrement=True)
    agreement_id = Column(Text, ForeignKey(PREFIX + "agreement.id"), nullable=False, index=True)
    event = Column(Text, nullable=False)
    actor = Column(Text)  # a user id, or None for the scheduled command
    at = Column(DateTime, nullable=False, default=utcnow)
    on = Column(Date)  # the day the event concerns (a renewal's anniversary, an effective date...)
    reason = Column(Text)
    data = Column(JSONB, nullable=False, default=dict)


class Amendment(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = PREFIX + "amendment"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)

    id = Column(Text, primary_key=True, default=new_id)
    agreement_id = Column(Text, ForeignKey(PREFIX + "agreement.id"), nullable=False, index=True)
    number = Column(Integer, nullable=False)
    signed_on = Column(Date, nullable=False)
    description = Column(Text, nullable=False)
    end_on = Column(Date)  # the new end, if it changes it
    contributions = Column(JSONB)  # the new financial terms, if it changes them
    created = Column(DateTime, nullable=False, default=utcnow)
    created_by = Column(Text)


class Milestone(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = PREFIX + "milestone"
    __table_args__ = (UniqueConstraint("agreement_id", "code"),)

    id = Column(Text, primary_key=True, default=new_id)
    agreement_id = Column(Text, ForeignKey(PREFIX + "agreement.id"), nullable=False, index=True)
    code = Column(Text, nullable=False)
    phase = Column(Text, nullable=False)
    position = Column(Integer, nullable=False)
    title = Column(JSONB, nullable=False)  # {"fr": ..., "en": ...}
    session = Column(Boolean, nullable=False, default=True)
    done_on = Column(Date)
    note = Column(Text)


class Contribution(tk.BaseModel):  # type: ignore[misc, valid-type]
    """One funder's share of the financial terms in force."""

    __tablename__ = PREFIX + "contribution"

    id = Column(Text, primary_key=True, default=new_id)
    agreement_id = Column(Text, ForeignKey(PREFIX + "agreement.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    funder = Column(JSONB, nullable=False)  # {"fr": ..., "en": ...}
    amount = Column(Numeric(12, 2), nullable=False)
    beneficiary = Column(Boolean, nullable=False, default=False)


class Notice(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A formal notice ("mise en demeure")."""

    __tablename__ = PREFIX + "notice"

    id = Column(Text, primary_key=True, default=new_id)
    agreement_id = Column(Text, ForeignKey(PREFIX + "agreement.id"), nullable=False, index=True)
    served_by = Column(Text, nullable=False)  # operator | partner
    served_on = Column(Date, nullable=False)
    breaches = Column(JSONB, nullable=False)  # list of texts
    deadline = Column(Date, nullable=False)
    observations = Column(Text)
    observations_on = Column(Date)
    lifted_on = Column(Date)
    lift_reason = Column(Text)


class Termination(tk.BaseModel):  # type: ignore[misc, valid-type]
    __tablename__ = PREFIX + "termination"

    id = Column(Text, primary_key=True, default=new_id)
    agreement_id = Column(Text, ForeignKey(PREFIX + "agreement.id"), nullable=False, unique=True)
    mode = Column(Text, nullable=False)
    clause = Column(Text, nullable=False)
    initiator = Column(Text, nullable=False)  # operator | partner
    requested_on = Column(Date, nullable=False)
    effective_on = Column(Date, nullable=False)  # first day no longer in force
    reason = Column(Text)  # the motives (art. 7)
    actions = Column(Text)  # the actions announced against either party (art. 7)
    modalities = Column(Text)  # an agreed termination: the modalities the parties agreed (art. 7.2)
    expert = Column(Text)  # ... or the expert they appointed to set them
    notice_id = Column(Text, ForeignKey(PREFIX + "notice.id"))
    # datasets to withdraw: "all", "none", or a list of dataset ids
    withdraw = Column(JSONB, nullable=False, default="none")
    applied_at = Column(DateTime)  # when the scheduled command applied it
    recorded_by = Column(Text)


class AgreementState(tk.BaseModel):  # type: ignore[misc, valid-type]
    """The computed fields of an agreement, cached for fast listing.

    Derived by ``rules.summary`` from the facts, never typed: valid from
    ``computed_on`` until the day before ``valid_until`` (None: until the
    facts change). Every action refreshes its agreement's row; the scheduled
    command refreshes those whose validity has run out.
    """

    __tablename__ = PREFIX + "agreement_state"

    agreement_id = Column(Text, ForeignKey(PREFIX + "agreement.id"), primary_key=True)
    status = Column(Text, nullable=False, index=True)
    in_force_from = Column(Date)
    current_term_end = Column(Date)
    next_anniversary = Column(Date, index=True)
    anniversary_notice_deadline = Column(Date)
    ends_on = Column(Date, index=True)
    grants_publication = Column(Boolean, nullable=False)
    computed_on = Column(Date, nullable=False)
    valid_until = Column(Date, index=True)
