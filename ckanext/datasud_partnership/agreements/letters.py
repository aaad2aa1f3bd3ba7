"""The letters the agreements require, generated as PDF and archived.

When the portal team serves a formal notice or records a termination, the
portal writes the letter the convention requires (seed 000, art. 7: a formal
notice listing the breaches and the deadline; a termination with its
motives, the actions announced, its effective date and the datasets
withdrawn). Each letter is an HTML template under
``config/agreement_letters/<kind>/<letter>.<language>.html`` (a region edits
the wording without code; ``default/`` holds the templates of a kind with
none of its own), rendered by a sandboxed Jinja environment and printed to
PDF by WeasyPrint (Debian's Pango draws the text). French by default,
English on request.

The PDF is added to the agreement's documents (kept, never replaced: a
second letter is a new document), attached to the e-mails of the event
(``notify.py``), and downloaded from the Convention tab by those who may read
the whole agreement (``documents/views.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..common import settings
from ..common.mail import long_date
from . import kinds as K

log = logging.getLogger(__name__)

FOLDER = "agreement_letters"
FORMAL_NOTICE = "formal_notice"
TERMINATION = "termination"
AGREEMENT = "agreement"  # the agreement itself, printed for signature (a kind's agreement_template)
LETTERS = (FORMAL_NOTICE, TERMINATION)
LANGUAGES = ("fr", "en")
TITLES = {
    (FORMAL_NOTICE, "fr"): "Lettre de mise en demeure",
    (FORMAL_NOTICE, "en"): "Formal notice letter",
    (TERMINATION, "fr"): "Lettre de notification de la résiliation",
    (TERMINATION, "en"): "Termination notification letter",
}


class LetterError(ValueError):
    """No template for this letter, or one that cannot be rendered."""


def folder(config_dir: Path | None = None) -> Path:
    return (config_dir or settings.config_dir()) / FOLDER


def template_name(kind: str, letter: str, language: str, config_dir: Path | None = None) -> str:
    """The kind's own template of the letter, else the default one."""
    root = folder(config_dir)
    for owner in (kind, "default"):
        name = f"{owner}/{letter}.{language}.html"
        if (root / name).is_file():
            return name
    raise LetterError(
        f"{root}: no template {kind}/{letter}.{language}.html nor default/{letter}.{language}.html"
    )


def _environment(root: Path, language: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(root)), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.filters["date"] = lambda day: long_date(day, language) if day else ""
    return env


def render_html(
    kind: str, letter: str, language: str, variables: dict[str, Any], config_dir: Path | None = None
) -> str:
    root = folder(config_dir)
    env = _environment(root, language)
    try:
        return env.get_template(template_name(kind, letter, language, config_dir)).render(
            language=language, **variables
        )
    except jinja2.TemplateError as error:
        raise LetterError(f"{root}/{kind}/{letter}.{language}.html: {error}") from error


def to_pdf(html: str, base: Path | None = None) -> bytes:
    import weasyprint  # imported when a letter is made: it loads Pango

    return weasyprint.HTML(string=html, base_url=str(base or folder())).write_pdf()


def make(
    kind: str, letter: str, language: str, variables: dict[str, Any], config_dir: Path | None = None
) -> bytes:
    """The letter as PDF bytes."""
    return to_pdf(render_html(kind, letter, language, variables, config_dir), folder(config_dir))


def file_name(letter: str, language: str, reference: str, day: dt.date) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in reference)
    prefix = {"formal_notice": "mise-en-demeure", "termination": "resiliation"}.get(letter, "convention")
    if language == "en":
        prefix = {"formal_notice": "formal-notice", "termination": "termination"}.get(letter, "agreement")
    return f"{prefix}-{safe}-{day.isoformat()}.pdf"


def title(letter: str, language: str, day: dt.date) -> str:
    return f"{TITLES[(letter, language)]} ({long_date(day, language)})"


# -- what a letter says, from the records -------------------------------------------
def parties(agreement: Any, organization_title: str) -> dict[str, dict[str, str]]:
    by_role = {p.get("role"): p for p in agreement.parties or []}
    operator = by_role.get("operator") or {}
    partner = by_role.get("partner") or {}
    return {
        "operator": {
            "name": operator.get("name") or "",
            "signatory": operator.get("signatory") or "",
            "signatory_title": operator.get("signatory_title") or "",
        },
        "partner": {
            "name": partner.get("name") or organization_title,
            "signatory": partner.get("signatory") or "",
            "signatory_title": partner.get("signatory_title") or "",
        },
    }


def common_variables(
    agreement: Any,
    kind: K.Kind,
    language: str,
    organization_title: str,
    region_referent: dict[str, str] | None,
    day: dt.date,
) -> dict[str, Any]:
    return {
        "agreement": {
            "reference": agreement.reference,
            "kind_title": kind.title.get(language),
            "source": kind.source,
            "signed_on": agreement.signed_on,
            "notified_on": agreement.notified_on,
            "deliberation_number": agreement.deliberation_number or "",
            "deliberation_date": agreement.deliberation_date,
            "referent": {
                "name": agreement.referent_name or "",
                "email": agreement.referent_email or "",
                "phone": agreement.referent_phone or "",
            },
        },
        "region_referent": region_referent or {"name": "", "email": ""},
        "organization_title": organization_title,
        "day": day,
        **parties(agreement, organization_title),
    }
