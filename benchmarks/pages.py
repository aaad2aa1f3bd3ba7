"""Benchmark of the web UI's pages: server-side render time against CKAN's
own organization and dataset pages, in the same run.

Usage (from the repository root)::

    .venv/bin/python benchmarks/pages.py             # 1,000 agreements, 30 requests a page
    .venv/bin/python benchmarks/pages.py --agreements 100 --calls 10   # quick check

In its own database ``datasud_bench_pages`` (config written under ``local/``;
never the data of the tests or of the demo), with test.ini's plugins, one
process, each page requested through CKAN's whole WSGI stack (Flask's test
client, logged in as the partner's admin or the portal's sysadmin):

1. a partner with an agreement in force (a formal notice running, its
   history), the terms accepted, a published dataset; ``--agreements``
   other organizations, each with an agreement in force;
2. the pages, requested in alternating rounds so that all see the same
   machine: CKAN's organization page and dataset page (the references), the
   Convention tab, the Publish page, the dataset's journal tab, and the
   admin agreements table (first page of 50, every agreement counted);
3. p50 and p95 of each, and the ratio of each of our pages to the CKAN page
   it sits beside (target 1.2).

The reference pages are CKAN's own views and templates, rendered with this
plugin loaded (its tabs, badge and buttons included): unloading the plugin
in the same process would leave its blueprints and templates half there.

Prints a table and writes JSON under ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
import uuid
from typing import Any

import common

DATABASE = "datasud_bench_pages"
TARGET_RATIO = 1.2
DECLARATION = {"personal_data": "none", "text_version": "2026-01"}


def set_up(tk: Any, sysadmin: str, others: int) -> dict[str, Any]:
    import sqlalchemy as sa
    from ckan import model

    today = dt.date.today()
    ctx = {"user": sysadmin}
    tk.get_action("user_create")(
        {"user": sysadmin, "ignore_auth": True},
        {"name": "bench-admin", "email": "bench-admin@bench.example", "password": "Bench-password-2026"},
    )
    org = tk.get_action("organization_create")(
        dict(ctx),
        {
            "name": "bench-partner",
            "title": "Partenaire",
            "users": [{"name": "bench-admin", "capacity": "admin"}],
        },
    )
    agreement = tk.get_action("agreement_create")(
        dict(ctx),
        {
            "kind": "datasud_partnership",
            "organization": org["name"],
            "reference": "CONV-BENCH",
            "signed_on": (today - dt.timedelta(days=800)).isoformat(),
            "notified_on": (today - dt.timedelta(days=790)).isoformat(),
            "referent_name": "Mission open data",
            "referent_email": "opendata@bench.example",
        },
    )
    tk.get_action("agreement_notice_serve")(
        dict(ctx),
        {
            "id": agreement["id"],
            "breaches": ["Données non mises à jour"],
            "served_on": (today - dt.timedelta(days=5)).isoformat(),
            "deadline": (today + dt.timedelta(days=25)).isoformat(),
        },
    )
    tk.get_action("terms_version_create")(
        dict(ctx), {"version": "bench-1", "title": "CGU", "url": "https://bench.example/cgu"}
    )
    tk.get_action("terms_accept")(
        {"user": "bench-admin"}, {"organization": org["name"], "version": "bench-1"}
    )
    dataset = tk.get_action("package_create")(
        {"user": "bench-admin"},
        {
            "name": "parkings",
            "title": "Parkings publics",
            "notes": "Les parkings publics.",
            "license_id": "lo-2.0",
            "owner_org": org["id"],
            "tags": [{"name": "stationnement"}],
            "theme": ["mobilite"],
            "spatial_text": "Bouches-du-Rhône",
            "temporal_start": "2024-01-01",
            "resources": [{"url": "https://bench.example/parkings.csv", "format": "CSV"}],
            "private": False,
            "publication_declaration": DECLARATION,
        },
    )
    # the other organizations as bulk rows, then their agreements through the action
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    rows = [
        {
            "id": str(uuid.uuid4()),
            "name": f"partenaire-{n:05d}",
            "title": f"Partenaire n° {n}",
            "type": "organization",
            "is_organization": True,
            "state": "active",
            "approval_status": "approved",
            "created": now,
            "extras": {},
        }
        for n in range(others)
    ]
    if rows:
        model.Session.execute(sa.insert(model.Group), rows)
        model.Session.commit()
    for n, row in enumerate(rows):
        tk.get_action("agreement_create")(
            dict(ctx),
            {
                "kind": "datasud_partnership",
                "organization": row["name"],
                "reference": f"CONV-{n:05d}",
                "signed_on": (today - dt.timedelta(days=400 + n % 300)).isoformat(),
                "notified_on": (today - dt.timedelta(days=390 + n % 300)).isoformat(),
            },
        )
    return {"org": org, "dataset": dataset}


PAGES = (
    # (name, path, user, the CKAN page it is compared with)
    ("organization page (CKAN)", "/organization/bench-partner", "bench-admin", None),
    ("dataset page (CKAN)", "/dataset/parkings", "bench-admin", None),
    ("Convention tab", "/organization/convention/bench-partner", "bench-admin", "organization page (CKAN)"),
    ("Publish page", "/dataset/publish/parkings", "bench-admin", "dataset page (CKAN)"),
    ("dataset journal tab", "/dataset/journal/parkings", "bench-admin", "dataset page (CKAN)"),
    ("admin agreements table", "/ckan-admin/agreements/", "SYSADMIN", "organization page (CKAN)"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreements", type=int, default=1000, help="other organizations with an agreement")
    parser.add_argument("--calls", type=int, default=30, help="requests per page")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (calls split between them)")
    args = parser.parse_args(argv)
    began = time.perf_counter()

    _ini, wsgi_app = common.prepare("bench-pages", DATABASE, 5, "DataSud (benchmark pages)")

    import ckan.plugins.toolkit as tk
    from ckan import model
    from flask_login import FlaskLoginClient

    result: dict[str, Any] = common.run_record(args)
    with wsgi_app.test_request_context():
        sysadmin = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        print(f"  set-up: a partner and {args.agreements} other agreements", file=sys.stderr)
        start = time.perf_counter()
        set_up(tk, sysadmin, args.agreements)
        result["setup_seconds"] = round(time.perf_counter() - start, 1)
        common.analyze(DATABASE)
        model.Session.remove()

    wsgi_app.test_client_class = FlaskLoginClient
    clients = {
        "bench-admin": wsgi_app.test_client(user=model.User.get("bench-admin")),
        "SYSADMIN": wsgi_app.test_client(user=model.User.get(sysadmin)),
    }
    model.Session.remove()

    def request(path: str, user: str) -> None:
        response = clients[user].get(path, base_url="http://localhost")
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
        model.Session.remove()

    for _name, path, user, _ref in PAGES:  # warm-up: templates compiled, caches filled
        request(path, user)
    times: dict[str, list[float]] = {name: [] for name, *_rest in PAGES}
    per_round = max(1, args.calls // args.rounds)
    for round_number in range(args.rounds):
        order = PAGES if round_number % 2 == 0 else tuple(reversed(PAGES))
        for name, path, user, _ref in order:
            times[name].extend(common.time_each(lambda p=path, u=user: request(p, u), per_round))
    pages = {}
    for name, path, _user, reference in PAGES:
        stats = common.timings(times[name])
        if reference:
            stats["ratio_p50"] = round(stats["p50_ms"] / common.percentile(times[reference], 50), 2)
        pages[name] = {"path": path, "compared_with": reference, **stats}
    result["pages"] = pages
    result["target_ratio"] = TARGET_RATIO
    result["seconds"] = round(time.perf_counter() - began, 1)

    print(f"\n{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6}  compared with")
    for name, row in pages.items():
        ratio = f"{row['ratio_p50']:.2f}" if "ratio_p50" in row else "-"
        print(f"{name:32} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {ratio:>6}  {row['compared_with'] or ''}")
    print(f"(target ratio <= {TARGET_RATIO}; {args.agreements} other agreements; {result['seconds']} s)")
    common.RESULTS.mkdir(exist_ok=True)
    out = common.RESULTS / f"pages-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"written {out.relative_to(common.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
