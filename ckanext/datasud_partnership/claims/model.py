"""Tables of the claims. A claim and its messages are never deleted."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from sqlalchemy import Column, DateTime, ForeignKey, Integer, Text
from sqlalchemy.orm import relationship

from ..common.tables import PREFIX, new_id, utcnow

OPEN = "open"
CLOSED = "closed"
# why a claim was closed
OUTCOMES = ("corrected", "withdrawn", "unfounded")
# what the claim is about
KINDS = ("personal_data", "inaccurate", "outdated", "rights", "other")


class Claim(tk.BaseModel):  # type: ignore[misc, valid-type]
    """A problem reported about a published dataset."""

    __tablename__ = PREFIX + "claim"

    id = Column(Text, primary_key=True, default=new_id)
    dataset_id = Column(Text, nullable=False, index=True)  # CKAN package id (no FK on core)
    organization_id = Column(Text, nullable=False, index=True)  # the partner, when filed
    kind = Column(Text, nullable=False)
    description = Column(Text, nullable=False)
    filed_by = Column(Text, nullable=False)  # user id
    filed_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    status = Column(Text, nullable=False, default=OPEN)
    outcome = Column(Text)
    closed_at = Column(DateTime)
    closed_by = Column(Text)

    messages = relationship("ClaimMessage", order_by="ClaimMessage.id", lazy="selectin")


class ClaimMessage(tk.BaseModel):  # type: ignore[misc, valid-type]
    """An answer to a claim; the one that closes it carries the outcome."""

    __tablename__ = PREFIX + "claim_message"

    id = Column(Integer, primary_key=True, autoincrement=True)
    claim_id = Column(Text, ForeignKey(PREFIX + "claim.id"), nullable=False, index=True)
    author = Column(Text, nullable=False)  # user id
    written_at = Column(DateTime, nullable=False, default=utcnow)
    text = Column(Text, nullable=False)
    outcome = Column(Text)
