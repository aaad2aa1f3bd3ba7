"""Benchmark of concurrent publications and withdrawals of one dataset, on a
real multi-process server.

Usage (from the repository root)::

    .venv/bin/python benchmarks/concurrency.py                   # the issue's race: 50 calls, 8 threads
    .venv/bin/python benchmarks/concurrency.py --calls 200 --pairs 20

In its own database ``datasud_bench_concurrency`` (config written under
``local/``; never the data of the tests or of the demo), with test.ini's
plugins:

1. in this process, through the actions: a partner organization with a
   DataSud agreement in force and the terms of use accepted, its editor and
   an API token of the editor's, and three private datasets ready for
   publication;
2. gunicorn serves the portal with ``--workers`` processes (``bin/wsgi.py``,
   as README's "Security and operations" says);
3. the race: ``--calls`` ``dataset_publish`` / ``dataset_withdraw`` calls in
   a random order (``--seed``) on the first dataset, from ``--threads``
   threads over HTTP, then ``--updates`` ``package_update`` calls making the
   second one public or private: calls, successes, refusals by reason,
   journal rows, entries repeating the one before (target 0), and whether
   the database, search (as the partner, private ones included, and as the
   public) and the last journal entry agree (target: yes);
4. the latency of a publish-then-withdraw pair on the third dataset, from
   one thread alone (``--pairs`` pairs), then from ``--threads`` threads at
   once on that same dataset (each ``--pairs`` pairs): p50 and p95 of the
   pairs (done or refused, each call waited for the dataset's row), and how
   many calls were refused (under contention, most: another thread did it).

Prints a table and writes JSON under ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import threading
import time
from collections import Counter
from typing import Any

import common

sys.path.insert(0, str(common.ROOT))
from tests.publication import race  # noqa: E402 - the same race as the test

DATABASE = "datasud_bench_concurrency"
REDIS_DB = 6
PROFILE_FIELDS = {
    "theme": ["economie-finances"],
    "spatial_text": "Bouches-du-Rhône",
    "temporal_start": "2026-01-01",
}
DATASETS = ("course", "mises-a-jour", "paires")


def set_up(tk: Any) -> str:
    """The partner, its datasets; returns the editor's API token."""
    sysadmin = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    today = dt.date.today()
    for name in ("bench-admin", "bench-editor"):
        tk.get_action("user_create")(
            {"user": sysadmin, "ignore_auth": True},
            {"name": name, "email": f"{name}@bench.example", "password": "Bench-password-2026"},
        )
    tk.get_action("organization_create")(
        {"user": sysadmin},
        {
            "name": "bench-partner",
            "title": "Partenaire du banc d'essai",
            "users": [
                {"name": "bench-admin", "capacity": "admin"},
                {"name": "bench-editor", "capacity": "editor"},
            ],
        },
    )
    tk.get_action("agreement_create")(
        {"user": sysadmin},
        {
            "kind": "datasud_partnership",
            "organization": "bench-partner",
            "reference": "CONV-BENCH",
            "signed_on": (today - dt.timedelta(days=800)).isoformat(),
            "notified_on": (today - dt.timedelta(days=790)).isoformat(),
        },
    )
    tk.get_action("terms_version_create")(
        {"user": sysadmin}, {"version": "bench-1", "title": "CGU", "url": "https://bench.example/cgu"}
    )
    tk.get_action("terms_accept")(
        {"user": "bench-admin"}, {"organization": "bench-partner", "version": "bench-1"}
    )
    for name in DATASETS:
        tk.get_action("package_create")(
            {"user": "bench-editor"},
            {
                "name": name,
                "title": f"Budget primitif ({name})",
                "notes": "Le budget voté.",
                "license_id": "lo-2.0",
                "owner_org": "bench-partner",
                "tags": [{"name": "budget"}],
                "resources": [{"url": f"https://bench.example/{name}.csv", "format": "CSV"}],
                "private": True,
                **PROFILE_FIELDS,
            },
        )
    token = tk.get_action("api_token_create")(
        {"user": "bench-editor"}, {"user": "bench-editor", "name": "bench"}
    )
    return token["token"]


def is_published(name: str) -> bool:
    from ckan import model

    model.Session.remove()
    package = model.Package.get(name)
    return package.state == "active" and not package.private


def race_counts(base: str, token: str, dataset: str, outcomes: list[race.Outcome]) -> dict[str, Any]:
    entries = race.journal(base, token, "bench-partner", dataset)
    published = is_published(dataset)
    as_partner = race.search(base, token, dataset)
    as_public = race.search(base, None, dataset)
    successes = [o for o in outcomes if o.success]
    return {
        "calls": Counter(o.action for o in outcomes),
        "successes": Counter(o.action for o in successes),
        "refusals": Counter(o.reason for o in outcomes if not o.success),
        "journal_rows": len(entries),
        "journal_by_action": Counter(e["action"] for e in entries),
        "expected_rows": Counter(race.ENTRY[o.action] for o in successes),
        "repeated_entries": len(race.repeated(entries)),
        "final_published": published,
        "last_entry": entries[-1]["action"] if entries else None,
        "state_agrees_with_journal": bool(entries) and published == (entries[-1]["action"] == "published"),
        "search_agrees": [(d["private"], d["publication_status"]) for d in as_partner]
        == [(not published, "published" if published else "withdrawn")]
        and len(as_public) == int(published),
        "call_ms": common.timings([o.ms for o in outcomes]),
    }


def contended_pairs(base: str, token: str, dataset: str, threads: int, pairs: int) -> tuple[list[float], int]:
    """``threads`` threads at once, each ``pairs`` pairs on the one dataset:
    the times of the pairs, and how many calls were refused."""
    times: list[float] = []
    refused = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def worker() -> None:
        barrier.wait()
        mine, mine_refused = race.pairs(base, token, dataset, pairs)
        with lock:
            times.extend(mine)
            refused[0] += mine_refused

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return times, refused[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=50, help="publish/withdraw calls in the race")
    parser.add_argument("--updates", type=int, default=24, help="package_update calls in the second race")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--pairs", type=int, default=10, help="publish-then-withdraw pairs per thread")
    parser.add_argument("--seed", type=int, default=13, help="of the race's random order")
    args = parser.parse_args(argv)
    began = time.perf_counter()

    ini, wsgi_app = common.prepare("bench-concurrency", DATABASE, REDIS_DB, "DataSud (benchmark concurrency)")
    import ckan.plugins.toolkit as tk
    from ckan import model

    with wsgi_app.test_request_context(environ_base={"CKAN_LANG": "fr"}):
        token = set_up(tk)
    model.Session.remove()

    result: dict[str, Any] = common.run_record(args)
    rng = random.Random(args.seed)
    actions = [rng.choice(("dataset_publish", "dataset_withdraw")) for _ in range(args.calls)]
    updates = [rng.choice(("make_public", "make_private")) for _ in range(args.updates)]
    log = common.ROOT / "local" / "bench-concurrency-gunicorn.log"
    print(f"  gunicorn, {args.workers} workers (log: {log.relative_to(common.ROOT)})", file=sys.stderr)
    with race.serve(ini, args.workers, log=log) as base:
        print(f"  race: {args.calls} calls from {args.threads} threads", file=sys.stderr)
        outcomes = race.fire(base, token, DATASETS[0], actions, args.threads)
        result["race"] = race_counts(base, token, DATASETS[0], outcomes)
        shown = race.show(base, token, DATASETS[1])
        outcomes = race.fire(base, token, DATASETS[1], updates, args.threads, shown)
        result["package_update_race"] = race_counts(base, token, DATASETS[1], outcomes)

        print(f"  pairs: {args.pairs} alone, {args.threads} x {args.pairs} at once", file=sys.stderr)
        alone, refused = race.pairs(base, token, DATASETS[2], args.pairs)
        result["pair_alone"] = {**common.timings(alone), "refused_calls": refused}
        times, refused = contended_pairs(base, token, DATASETS[2], args.threads, args.pairs)
        result["pair_contended"] = {**common.timings(times), "refused_calls": refused}
    if result["pair_alone"]["calls"] and result["pair_contended"]["calls"]:
        result["pair_ratio_p50"] = round(
            result["pair_contended"]["p50_ms"] / result["pair_alone"]["p50_ms"], 2
        )
    result["seconds"] = round(time.perf_counter() - began, 1)
    print_report(result)
    common.RESULTS.mkdir(exist_ok=True)
    out = common.RESULTS / f"concurrency-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    print(f"\nresults: {out.relative_to(common.ROOT)} (run took {result['seconds']} s)")
    ok = all(
        r["repeated_entries"] == 0 and r["state_agrees_with_journal"] and r["search_agrees"]
        for r in (result["race"], result["package_update_race"])
    ) and result["race"]["journal_rows"] == sum(result["race"]["successes"].values())
    return 0 if ok else 1


def print_report(result: dict[str, Any]) -> None:
    args = result["arguments"]
    print(f"\nConcurrency benchmark (gunicorn, {args['workers']} workers, {args['threads']} client threads)")
    for label, key in (
        ("dataset_publish / dataset_withdraw", "race"),
        ("package_update", "package_update_race"),
    ):
        r = result[key]
        print(f"  {label}: {sum(r['calls'].values())} calls {dict(r['calls'])}")
        print(
            f"    successes {dict(r['successes'])}; journal rows {r['journal_rows']} {dict(r['journal_by_action'])}"
        )
        for reason, count in r["refusals"].most_common():
            print(f"    refused {count} x {reason}")
        print(
            f"    entries repeating the one before: {r['repeated_entries']} (target 0); "
            f"final state {'published' if r['final_published'] else 'private'}, last entry {r['last_entry']}: "
            f"{'agree' if r['state_agrees_with_journal'] else 'DISAGREE'}; search "
            f"{'agrees' if r['search_agrees'] else 'DISAGREES'}"
        )
        print(f"    call p50 {r['call_ms']['p50_ms']} ms, p95 {r['call_ms']['p95_ms']} ms")
    for label, key in (("alone", "pair_alone"), ("under contention", "pair_contended")):
        r = result[key]
        print(
            f"  publish+withdraw pair {label:<17} p50 {r['p50_ms']} ms  p95 {r['p95_ms']} ms "
            f"({r['calls']} pairs, {r['refused_calls']} of their calls refused)"
        )
    if "pair_ratio_p50" in result:
        print(f"  ratio p50 contention / alone: {result['pair_ratio_p50']}")


if __name__ == "__main__":
    sys.exit(main())
