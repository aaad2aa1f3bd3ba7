"""Issuing a letter: made from its template, kept among the agreement's
documents (never replacing one), and recorded in its history."""

from __future__ import annotations

import logging
from typing import Any

from ckan import model

from ...common.dates import today
from .. import history, letters
from .. import kinds as K
from ..documents.storage import store_bytes
from ..model import Agreement

log = logging.getLogger(__name__)
Session = model.Session


def region_referent(agreement: Agreement) -> dict[str, str] | None:
    user = Session.get(model.User, agreement.region_referent_id) if agreement.region_referent_id else None
    return {"name": user.display_name, "email": user.email or ""} if user else None


def issue(
    agreement: Agreement,
    kind: K.Kind,
    letter: str,
    language: str,
    variables: dict[str, Any],
    who: str | None,
    about: dict[str, Any],
    dated: Any = None,
) -> dict[str, Any]:
    """Make the letter, add it to the documents and record it; returns the
    document's entry. ``about`` says what it is the letter of (a notice's
    id, the termination), for the e-mail that carries it."""
    organization = Session.get(model.Group, agreement.organization_id)
    organization_title = organization.display_name if organization else ""
    day = today()
    content = letters.make(
        kind.name,
        letter,
        language,
        {
            **letters.common_variables(
                agreement, kind, language, organization_title, region_referent(agreement), day
            ),
            **variables,
        },
    )
    dated = dated or day  # the letter's date: the notice's service, the termination's request
    name = letters.file_name(letter, language, agreement.reference, dated)
    stored = store_bytes(agreement, name, content)
    entry: dict[str, Any] = {
        "title": letters.title(letter, language, dated),
        "file": stored,
        "added_on": day.isoformat(),
        "added_by": who,
        "letter": {"letter": letter, "language": language, **about},
    }
    Session.flush()
    Session.refresh(agreement, attribute_names=["documents"], with_for_update=True)  # one writer at a time
    index = len(agreement.documents or [])
    agreement.documents = [*(agreement.documents or []), entry]
    history.record(
        agreement,
        "letter_issued",
        who,
        on=day,
        index=index,
        title=entry["title"],
        letter=letter,
        language=language,
        **about,
    )
    return entry


def senders(agreement: Agreement, organization_title: str, sender_role: str) -> dict[str, Any]:
    """``sender`` and ``addressee`` of a letter sent by ``sender_role``."""
    parties = letters.parties(agreement, organization_title)
    other = "partner" if sender_role == "operator" else "operator"
    return {"sender": parties[sender_role], "addressee": parties[other]}


def issue_safely(*args: Any, **kwargs: Any) -> dict[str, Any] | None:
    """``issue``, but a letter that cannot be made (a broken template, no
    Pango) is logged and does not undo the act it records: the portal team
    sees no letter among the documents and can add the signed one."""
    try:  # everything that may fail (rendering, printing, storing) comes before any row is written
        return issue(*args, **kwargs)
    except Exception:
        log.exception("Agreement %s: the %s letter could not be made", args[0].reference, args[2])
        return None


def printable(agreement: Agreement, kind: K.Kind, language: str) -> tuple[str, bytes]:
    """The agreement itself as the kind's template writes it, pre-filled from
    the record (parties, representatives, deliberation, referents), to be
    printed for signature: (file name, PDF). Not archived: the signed copy is."""
    if not kind.agreement_template:
        raise letters.LetterError(f"{kind.name}: no agreement_template")
    organization = Session.get(model.Group, agreement.organization_id)
    organization_title = organization.display_name if organization else ""
    day = today()
    variables = letters.common_variables(
        agreement, kind, language, organization_title, region_referent(agreement), day
    )
    variables.update(sender=variables["operator"], addressee=variables["partner"])
    content = letters.make(kind.name, kind.agreement_template, language, variables)
    return letters.file_name(letters.AGREEMENT, language, agreement.reference, day), content
