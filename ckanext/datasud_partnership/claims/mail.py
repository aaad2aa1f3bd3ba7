"""E-mails about claims: to the partner's admins and the portal's team when
a claim is filed, to whoever filed it when it is answered or closed, each in
their language. Queued in the outbox in the action's transaction (sent once
committed: common/outbox.py); a failure to compose is logged and never
undoes the claim."""

from __future__ import annotations

import logging

import ckan.plugins.toolkit as tk
from ckan import model
from flask_babel import force_locale

from ..common import mail as notify
from ..common import outbox
from ..common.messages import N_
from .model import Claim, ClaimMessage

log = logging.getLogger(__name__)
_ = tk._


FILER = "filer"
KIND_TITLES = {
    "personal_data": N_("Personal data"),
    "inaccurate": N_("Inaccurate data"),
    "outdated": N_("Outdated data"),
    "rights": N_("Rights or licence"),
    "other": N_("Other problem"),
}
OUTCOME_TITLES = {
    "corrected": N_("the data was corrected"),
    "withdrawn": N_("the dataset was withdrawn"),
    "unfounded": N_("the claim is unfounded"),
}


def filed(claim: Claim) -> None:
    _send(claim, None, notify.deduplicated(notify.partner_and_portal_admins(claim.organization_id)))


def answered(claim: Claim, message: ClaimMessage) -> None:
    filer = model.Session.get(model.User, claim.filed_by)
    if filer is None:
        return
    _send(claim, message, notify.deduplicated([(filer.display_name, filer.email, FILER)]))


def _send(claim: Claim, message: ClaimMessage | None, people: list[notify.Recipient]) -> None:
    """Queue the e-mails in the caller's transaction (not committed here)."""
    try:
        with notify.request_context():
            mails = [compose(claim, message, person) for person in people]
    except Exception:
        notify.count_failure()
        log.exception("Claim %s: e-mails not composed", claim.id)
        return
    for mail in mails:
        outbox.enqueue(mail)


def compose(claim: Claim, message: ClaimMessage | None, recipient: notify.Recipient) -> notify.Mail:
    package = model.Package.get(claim.dataset_id)
    organization = model.Group.get(claim.organization_id)
    site_title = tk.config.get("ckan.site_title") or ""
    with force_locale(recipient.language):
        dataset_title = package.title or package.name if package else claim.dataset_id
        variables = {
            "recipient": recipient,
            "claim": claim,
            "message": message,
            "dataset_title": dataset_title,
            "organization_title": organization.display_name if organization else "",
            "kind_title": _(KIND_TITLES[claim.kind]),
            "outcome_title": _(OUTCOME_TITLES[claim.outcome]) if claim.outcome else "",
            "filed_on": notify.long_date(claim.filed_at.date(), recipient.language),
            "claim_url": tk.url_for(
                "api.action", ver=3, logic_function="claim_show", id=claim.id, _external=True
            ),
            "site_title": site_title,
            "site_url": tk.config.get("ckan.site_url") or "",
        }
        body = tk.render("emails/claims/claim.txt", variables)
        if message is None:
            subject = _("Claim about the dataset %(title)s", title=dataset_title)
        else:
            subject = _("Answer to your claim about the dataset %(title)s", title=dataset_title)
        prefix = f"[{site_title}] " if site_title else ""
    topic = "claim:filed" if message is None else "claim:answered"
    return notify.Mail(recipient=recipient, subject=prefix + subject, body=notify.tidy(body), topic=topic)
