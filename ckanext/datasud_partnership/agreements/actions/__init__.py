"""The agreement actions of CKAN's action API, by topic.

Each action checks access, validates its input with a schema, applies the
rules of ``rules.py`` and records what it changed as an event. A refused
request raises a ValidationError naming the field and writes nothing.
"""

from __future__ import annotations

from typing import Any

from . import kinds, lifecycle, notice, read, termination


def get_actions() -> dict[str, Any]:
    return {
        f.__name__: f
        for f in (
            kinds.agreement_kind_list,
            lifecycle.agreement_create,
            lifecycle.agreement_patch,
            lifecycle.agreement_cancel,
            lifecycle.agreement_sign,
            lifecycle.agreement_notify,
            lifecycle.agreement_amend,
            lifecycle.agreement_milestone_update,
            notice.agreement_notice_serve,
            notice.agreement_notice_answer,
            notice.agreement_notice_lift,
            termination.agreement_terminate,
            read.agreement_show,
            read.agreement_list,
            read.agreement_history,
        )
    }
