"""What several pages share: the form a page received, and the listing of
what harvesting did (an organization's page and the portal's)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import unflatten
from ckan.logic import clean_dict, tuplize_dict
from flask import request

from ..common import csv
from ..common.language import current_language
from ..publication.harvest.rules import OUTCOMES as HARVEST_OUTCOMES
from . import helpers as H
from .answers import call, context, errors_of


def form_data() -> dict[str, Any]:
    """The posted form, its ``field__0__key`` names unflattened."""
    return clean_dict(unflatten(tuplize_dict(dict(request.form.items()))))


HARVEST_PER_PAGE = 50


def harvest_outcomes_context(group: dict[str, Any] | None) -> dict[str, Any]:
    """The harvest sources of an organization (or of the portal), each with
    what its last imports did to its datasets and why
    (``harvest_publication_list``), filtered by outcome and source."""
    filters = {key: request.args[key] for key in ("outcome", "source") if request.args.get(key)}
    page = max(tk.h.get_page_number(request.args), 1)
    fq = "+dataset_type:harvest" + (f' +owner_org:"{group["id"]}"' if group else "")
    sources = call("package_search", fq=fq, include_private=True, rows=1000, sort="title_string asc")[
        "results"
    ]
    errors: dict[str, list[str]] = {}
    shown = []
    for source in sources:
        if filters.get("source") and filters["source"] not in (source["name"], source["id"]):
            continue
        paged = bool(filters.get("source"))
        data = {
            "id": source["id"],
            "limit": HARVEST_PER_PAGE,
            "offset": (page - 1) * HARVEST_PER_PAGE if paged else 0,
            **({"outcome": filters["outcome"]} if filters.get("outcome") else {}),
        }
        try:
            listed = tk.get_action("harvest_publication_list")(context(), data)
        except tk.ValidationError as error:
            # a filter the action refuses (the same for every source): said once, in place
            errors = errors_of(error)
            shown = []
            break
        shown.append({"source": source, "listed": listed})
    ids = [row["dataset_id"] for item in shown for row in item["listed"]["results"]]
    organizations = {}
    if group is None:
        organizations = {o["id"]: o for o in call("organization_list", all_fields=True, limit=1000)}
    return {
        "sources": shown,
        "all_sources": sources,
        "datasets": H.dataset_names(ids),
        "organizations": organizations,
        "filters": filters,
        "outcomes": HARVEST_OUTCOMES,
        "errors": errors,
        "page": page,
        "per_page": HARVEST_PER_PAGE,
    }


def csv_choices() -> dict[str, str]:
    """How a page's CSV download is written: ``separator`` and ``header``
    from the query string, else ``;`` (with a byte-order mark) in French and
    ``,`` otherwise, with the columns' labels in the reader's language.
    ``header=names`` gives the machine names, as the API does."""
    separator = request.args.get("separator")
    header = request.args.get("header")
    return {
        "separator": separator if separator in csv.SEPARATORS else csv.default_separator(current_language()),
        "header": header if header in csv.HEADERS else "labels",
    }
