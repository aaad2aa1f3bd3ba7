"""The publication journal as a CSV download (the page's "Download CSV")."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, request

from ..ui.shared import csv_choices

blueprint = Blueprint("datasud_publication", __name__)

FILTERS = ("organization", "dataset", "action", "since", "until")


@blueprint.route("/publication-journal.csv")
def journal_csv() -> Any:
    data = {key: request.args[key] for key in FILTERS if request.args.get(key)}
    data.update(csv_choices())
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    try:
        text = tk.get_action("publication_journal_export")(context, data)
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error) or tk._("Not authorized to read this journal"))
    except tk.ValidationError as error:
        return tk.abort(400, "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in error.error_dict.items()))
    scope = re.sub(r"[^a-z0-9_-]", "", data.get("organization", "").lower()) or "portail"
    name = f"journal-publication-{scope}-{dt.date.today().isoformat()}.csv"
    return Response(
        text,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
