"""Benchmark of what the Challenge sandbox costs ``package_search``.

Usage (from the repository root)::

    .venv/bin/python benchmarks/sandbox.py
    .venv/bin/python benchmarks/sandbox.py --datasets 2000 --sandbox 200 --calls 10 --rounds 2  # quick

In its own database (``datasud_bench_sandbox``; config written under
``local/``; emptied first, never the data of the tests or of the demo), with
test.ini's plugins, one process:

1. 20 Challenge beneficiaries (agreements in force of the kind
   ``challenge_open_data``, which grants the sandbox) and 20 partners under a
   partnership agreement; ``--datasets`` complete datasets as bulk rows spread
   over the 40 organizations: ``--sandbox`` of them private datasets of the
   beneficiaries, the others public; indexed through CKAN's own indexing;
2. in alternating rounds, the same ``--sandbox`` private datasets **out of**
   the sandbox (private to their organization) and **in** it (a sandbox row
   each, reindexed: the cohort's permission label): ``package_search`` with
   ``include_private=True`` and the organization and tags facets, through
   ``get_action``, for
   - a member of one beneficiary (the cohort: with the sandbox, it finds the
     1,000 more datasets; without, those of its own organization only),
   - the public (anonymous: never the sandbox),
   - the dataset count of one beneficiary's page as the public sees it,
   p50 and p95 of each, and the ratio of the p95s (in / out); target <= 1.1;
3. ``dataset_publication_check`` on a sandbox dataset, by its editor: p50, p95.

Prints a table and writes JSON under ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from typing import Any

import common
from publication import DECLARATION, bulk_datasets, context, reindex

DATABASE = "datasud_bench_sandbox"
ORGANIZATIONS = 20  # of each kind
TARGET_RATIO = 1.1


def set_up(tk: Any, sysadmin: str) -> dict[str, list[str]]:
    """The beneficiaries (with their member and editor) and the partners."""
    today = dt.date.today()
    orgs: dict[str, list[str]] = {"challenge": [], "partnership": []}
    for name in ("cohort-member", "cohort-editor"):
        tk.get_action("user_create")(
            {"user": sysadmin, "ignore_auth": True},
            {"name": name, "email": f"{name}@bench.example", "password": "Bench-password-2026"},
        )
    for kind in orgs:
        for number in range(ORGANIZATIONS):
            users = (
                [
                    {"name": "cohort-member", "capacity": "member"},
                    {"name": "cohort-editor", "capacity": "editor"},
                ]
                if kind == "challenge" and number == 0
                else []
            )
            org = tk.get_action("organization_create")(
                context(sysadmin),
                {"name": f"{kind}-{number:02d}", "title": f"{kind} {number}", "users": users},
            )
            agreement = {
                "organization": org["name"],
                "reference": f"{kind.upper()}-{number:02d}",
                "signed_on": (today - dt.timedelta(days=100)).isoformat(),
            }
            if kind == "challenge":
                agreement.update(
                    kind="challenge_open_data", end_on=(today + dt.timedelta(days=365)).isoformat()
                )
            else:
                agreement.update(
                    kind="datasud_partnership", notified_on=(today - dt.timedelta(days=90)).isoformat()
                )
            tk.get_action("agreement_create")(context(sysadmin), agreement)
            orgs[kind].append(org["id"])
    return orgs


def sandbox_rows(ids_by_org: dict[str, list[str]], agreements: dict[str, str], inside: bool) -> None:
    """The datasets in the sandbox (a row each) or out of it."""
    import sqlalchemy as sa
    from ckan import model

    from ckanext.datasud_partnership.publication.model import SandboxEntry

    model.Session.execute(sa.delete(SandboxEntry))
    if inside:
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        rows = [
            {
                "dataset_id": pid,
                "organization_id": org_id,
                "agreement_id": agreements[org_id],
                "kind": "challenge_open_data",
                "since": now,
            }
            for org_id, ids in ids_by_org.items()
            for pid in ids
        ]
        model.Session.execute(sa.insert(SandboxEntry), rows)
    model.Session.commit()


def measure(tk: Any, cohort_org: str, public_org: str, calls: int) -> dict[str, list[float]]:
    facets = '["organization","tags"]'
    searches = {
        "cohort member": lambda: tk.get_action("package_search")(
            context("cohort-member"), {"q": "", "include_private": True, "facet.field": facets, "rows": 20}
        ),
        "public": lambda: tk.get_action("package_search")(
            context(""), {"q": "", "include_private": True, "facet.field": facets, "rows": 20}
        ),
        "cohort member, q=budget": lambda: tk.get_action("package_search")(
            context("cohort-member"), {"q": "budget", "include_private": True, "rows": 20}
        ),
        "public organization page count": lambda: tk.get_action("package_search")(
            context(""), {"fq": f"owner_org:{public_org}", "include_private": True, "rows": 0}
        ),
    }
    return {label: common.time_each(call, calls, warmup=2) for label, call in searches.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=10000, help="datasets in all")
    parser.add_argument("--sandbox", type=int, default=1000, help="of them, in the sandbox")
    parser.add_argument("--calls", type=int, default=30, help="calls per block")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds (out, in)")
    parser.add_argument("--redis", type=int, default=5, help="the benchmark's Redis database")
    args = parser.parse_args(argv)
    began = time.perf_counter()

    _ini, wsgi_app = common.prepare("bench-sandbox", DATABASE, args.redis, "DataSud (benchmark sandbox)")

    import ckan.plugins.toolkit as tk
    from ckan import model

    from ckanext.datasud_partnership.agreements.model import Agreement

    result: dict[str, Any] = common.run_record(args)
    with wsgi_app.test_request_context(environ_base={"CKAN_LANG": "fr"}):
        sysadmin = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        orgs = set_up(tk, sysadmin)
        agreements = {a.organization_id: a.id for a in model.Session.query(Agreement)}
        print("  bulk rows and indexing", file=sys.stderr)
        every_org = orgs["challenge"] + orgs["partnership"]
        public_each = (args.datasets - args.sandbox) // len(every_org)
        sandbox_each = args.sandbox // len(orgs["challenge"])
        sandboxed: dict[str, list[str]] = {}
        public: list[str] = []
        for org_id in every_org:
            public += bulk_datasets(org_id, f"pub-{org_id[:8]}", public_each, private=False, journal=True)
        for org_id in orgs["challenge"]:
            sandboxed[org_id] = bulk_datasets(
                org_id, f"bac-{org_id[:8]}", sandbox_each, private=True, journal=False
            )
        sandbox_ids = [pid for ids in sandboxed.values() for pid in ids]
        result["datasets"] = len(public) + len(sandbox_ids)
        result["sandbox_datasets"] = len(sandbox_ids)
        result["index_seconds"] = round(reindex(public + sandbox_ids), 1)
        common.analyze(DATABASE)
        model.Session.remove()

        times: dict[str, dict[str, list[float]]] = {"out": {}, "in": {}}
        reindexing = []
        for round_number in range(args.rounds):
            for variant in ("out", "in") if round_number % 2 == 0 else ("in", "out"):
                sandbox_rows(sandboxed, agreements, inside=variant == "in")
                reindexing.append(reindex(sandbox_ids))
                model.Session.remove()
                found = tk.get_action("package_search")(
                    context("cohort-member"), {"q": "", "include_private": True, "rows": 0}
                )["count"]
                expected = len(public) + (len(sandbox_ids) if variant == "in" else sandbox_each)
                assert found == expected, (variant, found, expected)
                anonymous = tk.get_action("package_search")(context(""), {"include_private": True, "rows": 0})
                assert anonymous["count"] == len(public), anonymous["count"]
                for label, values in measure(
                    tk, orgs["challenge"][0], orgs["challenge"][1], args.calls
                ).items():
                    times[variant].setdefault(label, []).extend(values)
        result["reindex_sandbox_seconds"] = round(sum(reindexing) / len(reindexing), 1)
        result["searches"] = {}
        for label in times["in"]:
            inside, outside = common.timings(times["in"][label]), common.timings(times["out"][label])
            ratio = inside["p95_ms"] / outside["p95_ms"] if outside["p95_ms"] else float("nan")
            result["searches"][label] = {"in": inside, "out": outside, "ratio_p95": round(ratio, 3)}

        # dataset_publication_check on a sandbox dataset (in the sandbox now), by its editor
        sandbox_rows(sandboxed, agreements, inside=True)
        probe = sandboxed[orgs["challenge"][0]][0]
        check = tk.get_action("dataset_publication_check")(context("cohort-editor"), {"id": probe})
        assert check["sandbox"]["in_sandbox"], check["sandbox"]
        values = common.time_each(
            lambda: tk.get_action("dataset_publication_check")(
                context("cohort-editor"), {"id": probe, "publication_declaration": DECLARATION}
            ),
            args.calls * args.rounds,
            warmup=2,
        )
        result["dataset_publication_check"] = common.timings(values)
    result["seconds"] = round(time.perf_counter() - began, 1)
    print_report(result)
    common.RESULTS.mkdir(exist_ok=True)
    path = common.RESULTS / f"sandbox-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nwritten: {path}")
    worst = max(s["ratio_p95"] for s in result["searches"].values())
    return 0 if worst <= TARGET_RATIO else 1


def print_report(result: dict[str, Any]) -> None:
    print(
        f"\n=== package_search, {result['datasets']:,} datasets, {result['sandbox_datasets']:,} "
        f"in the sandbox (out: the same private to their organization) ==="
    )
    print(
        f"  indexing: {result['index_seconds']} s; reindexing the sandbox: {result['reindex_sandbox_seconds']} s"
    )
    print(f"  {'search':<34}{'out p50':>9}{'out p95':>9}{'in p50':>9}{'in p95':>9}{'ratio p95':>11}")
    for label, row in result["searches"].items():
        print(
            f"  {label:<34}{row['out']['p50_ms']:>9}{row['out']['p95_ms']:>9}"
            f"{row['in']['p50_ms']:>9}{row['in']['p95_ms']:>9}{row['ratio_p95']:>11}"
        )
    check = result["dataset_publication_check"]
    print(f"  dataset_publication_check: p50 {check['p50_ms']} ms, p95 {check['p95_ms']} ms")
    worst = max(s["ratio_p95"] for s in result["searches"].values())
    print(f"  target: ratio p95 <= {TARGET_RATIO}: {'met' if worst <= TARGET_RATIO else 'NOT met'} ({worst})")


if __name__ == "__main__":
    sys.exit(main())
