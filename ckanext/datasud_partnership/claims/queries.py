"""Claims as the rest of the plugin sees them: find, cite, close."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import model

from ..common.tables import utcnow
from .model import CLOSED, OPEN, OUTCOMES, Claim, ClaimMessage

Session = model.Session
_ = tk._


def get(claim_id: str) -> Claim:
    claim = Session.get(Claim, claim_id)
    if claim is None:
        raise tk.ObjectNotFound(_("Claim not found"))
    return claim


def citable(claim_id: str, dataset_id: str) -> Claim:
    """The open claim about this dataset that a withdrawal cites."""
    claim = Session.get(Claim, claim_id)
    if claim is None or claim.dataset_id != dataset_id:
        raise tk.ValidationError({"ground": [_("No claim about this dataset is on record with this id")]})
    if claim.status != OPEN:
        raise tk.ValidationError({"ground": [_("This claim is closed")]})
    return claim


def close(claim: Claim, user: model.User, outcome: str, text: str) -> ClaimMessage:
    """Close the claim with its outcome and a last message (not committed)."""
    assert outcome in OUTCOMES
    now = utcnow()
    message = ClaimMessage(claim_id=claim.id, author=user.id, text=text, outcome=outcome, written_at=now)
    Session.add(message)
    claim.status = CLOSED
    claim.outcome = outcome
    claim.closed_by = user.id
    claim.closed_at = now
    return message
