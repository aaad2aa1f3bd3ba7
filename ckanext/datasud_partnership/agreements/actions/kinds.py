"""The agreement kinds this portal knows (read)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from .. import kinds as K


@tk.side_effect_free
def agreement_kind_list(context: Context, data_dict: DataDict) -> list[dict[str, Any]]:
    """The agreement kinds this portal knows, with their rules.

    :returns: every kind: its name, title, rules (renewal, notice, termination modes, milestones, terms)
    """
    tk.check_access("agreement_kind_list", context, data_dict)
    result = []
    for kind in K.registered().values():
        result.append(
            {
                "name": kind.name,
                "title": {"fr": kind.title.fr, "en": kind.title.en},
                "description": {"fr": kind.description.fr, "en": kind.description.en},
                "grants_publication": kind.grants_publication,
                "starts_on": kind.term.starts_on,
                "term_months": kind.term.months,
                "fixed_end": kind.term.fixed_end.isoformat() if kind.term.fixed_end else None,
                "fixed_term": kind.term.fixed,
                "seasons": [
                    {
                        "code": season.code,
                        "title": {"fr": season.title.fr, "en": season.title.en},
                        "starts_on": season.starts_on.isoformat(),
                        "ends_on": season.ends_on.isoformat(),
                    }
                    for season in kind.term.seasons
                ],
                "tacit_renewal": kind.renewal.tacit,
                "terminations": {
                    name: {
                        "clause": mode.clause,
                        "title": {"fr": mode.title.fr, "en": mode.title.en},
                        "initiators": mode.initiators,
                        "partner_alone": mode.partner_alone,
                        "effective": mode.effective,
                        "notice_months": mode.notice_months,
                        "requires_formal_notice": mode.requires_formal_notice,
                        "may_withdraw_datasets": mode.may_withdraw_datasets,
                        "motives_required": mode.motives_required,
                        "modalities": mode.modalities,
                    }
                    for name, mode in kind.terminations.items()
                },
                "free": kind.financial.free,
                "milestones": len(kind.milestones),
                # the phases in order, with their titles and their milestones' codes
                "phases": [
                    {
                        "code": phase.code,
                        "title": {"fr": phase.title.fr, "en": phase.title.en},
                        "milestones": [m.code for m in kind.milestones if m.phase == phase.code],
                    }
                    for phase in kind.phases
                ],
            }
        )
    return result
