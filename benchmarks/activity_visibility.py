"""Benchmark of what hiding the datasets taken off the portal costs the activity streams.

Usage (from the repository root)::

    .venv/bin/python benchmarks/activity_visibility.py
    .venv/bin/python benchmarks/activity_visibility.py --datasets 20 --edits 2 --calls 10 --rounds 2  # quick

In its own database (``datasud_bench_visibility`` unless ``--database``;
config written under ``local/``; emptied first, never the data of the tests
or of the demo), with test.ini's plugins, one process:

1. a partner organization with an agreement in force; ``--datasets``
   datasets published through the gate (``package_create``), each edited
   ``--edits`` times while public; then one in ten withdrawn and one in ten
   deleted (their activities hidden from the public); one more dataset
   published, edited ``--edits`` x 5 times, withdrawn, repaired and
   published again (the public sees its new publication only);
2. as an anonymous caller, in alternating blocks: the portal's action
   (``get_action``: CKAN's action under ``publication/visibility.py``'s
   chain) and CKAN's own action function (``ckanext.activity``'s, called
   directly: plain CKAN, no filtering), on
   - ``organization_activity_list``, the first page (CKAN's default limit),
   - ``organization_activity_list``, an older page as the web page's
     "Older activities" link asks (``before`` the 60th activity),
   - ``package_activity_list`` of a dataset published all along,
   - ``package_activity_list`` of the dataset published again;
   p50 and p95 of each, and the ratio of the p50s (portal / plain CKAN).

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
from publication import DECLARATION, PROFILE_FIELDS, context, set_up_partner

DATABASE = "datasud_bench_visibility"


def dataset(org_id: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "title": f"Jeu de données {name}",
        "notes": "Budget primitif voté par l'assemblée.",
        "license_id": "lo-2.0",
        "owner_org": org_id,
        "tags": [{"name": "budget"}],
        "resources": [{"url": f"https://bench.example/{name}.csv", "format": "CSV"}],
        "private": False,
        "publication_declaration": DECLARATION,
        **PROFILE_FIELDS,
    }


def build(tk: Any, org_id: str, datasets: int, edits: int) -> dict[str, Any]:
    """The organization's stream; returns the names the measures read."""
    names = []
    for number in range(datasets):
        name = f"jeu-{number:04d}"
        tk.get_action("package_create")(context("bench-editor"), dataset(org_id, name))
        for edit in range(edits):
            tk.get_action("package_patch")(context("bench-editor"), {"id": name, "notes": f"Version {edit}"})
        names.append(name)
    for number, name in enumerate(names):
        if number % 10 == 3:
            tk.get_action("dataset_withdraw")(
                context("bench-editor"), {"id": name, "reason": "Retiré (banc d'essai)"}
            )
        elif number % 10 == 7:
            tk.get_action("package_delete")(context("bench-editor"), {"id": name})
    again = "publie-de-nouveau"
    tk.get_action("package_create")(context("bench-editor"), dataset(org_id, again))
    for edit in range(edits * 5):
        tk.get_action("package_patch")(context("bench-editor"), {"id": again, "notes": f"Version {edit}"})
    tk.get_action("dataset_withdraw")(
        context("bench-editor"), {"id": again, "reason": "Données personnelles"}
    )
    tk.get_action("package_patch")(context("bench-editor"), {"id": again, "notes": "Réparé"})
    tk.get_action("dataset_publish")(
        context("bench-editor"), {"id": again, "publication_declaration": DECLARATION}
    )
    return {"all_along": names[0], "again": again}


def compare(label: str, portal: Any, plain: Any, calls: int, rounds: int) -> dict[str, Any]:
    """The portal's action and plain CKAN's, in alternating blocks."""
    times: dict[str, list[float]] = {"portal": [], "plain": []}
    for round_number in range(rounds):
        order = ("portal", "plain") if round_number % 2 == 0 else ("plain", "portal")
        for variant in order:
            times[variant] += common.time_each(portal if variant == "portal" else plain, calls, warmup=2)
    ours, theirs = common.timings(times["portal"]), common.timings(times["plain"])
    ratio = ours["p50_ms"] / theirs["p50_ms"] if theirs["p50_ms"] else float("nan")
    return {"portal": ours, "plain": theirs, "ratio_p50": round(ratio, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=60, help="datasets published in the organization")
    parser.add_argument("--edits", type=int, default=4, help="edits of each while public")
    parser.add_argument("--calls", type=int, default=30, help="calls per block")
    parser.add_argument("--rounds", type=int, default=6, help="alternating blocks (portal, plain CKAN)")
    parser.add_argument("--database", default=DATABASE, help="the benchmark's database (emptied)")
    parser.add_argument("--redis", type=int, default=5, help="the benchmark's Redis database")
    parser.add_argument("--keep", action="store_true", help="leave the data in the benchmark database")
    args = parser.parse_args(argv)
    began = time.perf_counter()

    _ini, wsgi_app = common.prepare("bench-visibility", args.database, args.redis, "DataSud (benchmark)")

    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa
    from ckan import model

    from ckanext.activity.logic import action as plain_ckan

    result: dict[str, Any] = common.run_record(args)
    try:
        with wsgi_app.test_request_context(environ_base={"CKAN_LANG": "fr"}):
            sysadmin = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
            org_id = set_up_partner(tk, sysadmin)["org"]["id"]
            print(f"  {args.datasets} datasets, {args.edits} edits each", file=sys.stderr)
            start = time.perf_counter()
            names = build(tk, org_id, args.datasets, args.edits)
            result["build_s"] = round(time.perf_counter() - start, 1)
            common.analyze(args.database)
            model.Session.remove()

            whole = tk.get_action("organization_activity_list")(
                {"user": sysadmin}, {"id": org_id, "limit": 100, "offset": 0}
            )
            result["activities"] = model.Session.execute(sa.text("SELECT count(*) FROM activity")).scalar()
            anonymous = tk.get_action("organization_activity_list")(context(""), {"id": org_id, "limit": 100})
            result["organization_stream_first_100"] = {"sysadmin": len(whole), "anonymous": len(anonymous)}
            before = dt.datetime.fromisoformat(whole[min(59, len(whole) - 1)]["timestamp"]).timestamp()
            model.Session.remove()

            def anonymous_context() -> dict[str, Any]:
                return {"user": "", "auth_user_obj": None, "model": model, "session": model.Session}

            measures = {
                "organization_activity_list first page": ("organization_activity_list", {"id": org_id}),
                "organization_activity_list older page": (
                    "organization_activity_list",
                    {"id": org_id, "before": before},
                ),
                "package_activity_list published all along": (
                    "package_activity_list",
                    {"id": names["all_along"]},
                ),
                "package_activity_list published again": ("package_activity_list", {"id": names["again"]}),
            }
            result["measures"] = {}
            for label, (action, data) in measures.items():
                portal = tk.get_action(action)
                plain = getattr(plain_ckan, action)
                shown = (
                    len(portal(anonymous_context(), dict(data))),
                    len(plain(anonymous_context(), dict(data))),
                )
                model.Session.remove()
                measured = compare(
                    label,
                    lambda portal=portal, data=data: portal(anonymous_context(), dict(data)),
                    lambda plain=plain, data=data: plain(anonymous_context(), dict(data)),
                    args.calls,
                    args.rounds,
                )
                measured["activities_shown"] = {"portal": shown[0], "plain": shown[1]}
                result["measures"][label] = measured
                print(
                    f"  {label}: portal p50 {measured['portal']['p50_ms']} ms "
                    f"(p95 {measured['portal']['p95_ms']}), plain CKAN p50 {measured['plain']['p50_ms']} ms "
                    f"(p95 {measured['plain']['p95_ms']}), ratio {measured['ratio_p50']}; "
                    f"shown {shown[0]} / {shown[1]}",
                    file=sys.stderr,
                )
    finally:
        model.Session.remove()
        model.ensure_engine().dispose()
        if not args.keep:
            common.wipe(args.database)

    result["seconds"] = round(time.perf_counter() - began, 1)
    print()
    print(f"Activity streams as anonymous ({result['activities']} activities; build {result['build_s']} s)")
    print(
        f"{'measure':46} {'portal p50':>11} {'p95':>8} {'CKAN p50':>9} {'p95':>8} {'ratio':>6} {'shown':>9}"
    )
    for label, measured in result["measures"].items():
        ours, theirs = measured["portal"], measured["plain"]
        shown = f"{measured['activities_shown']['portal']}/{measured['activities_shown']['plain']}"
        print(
            f"{label:46} {ours['p50_ms']:>9.1f}ms {ours['p95_ms']:>6.1f}ms {theirs['p50_ms']:>7.1f}ms "
            f"{theirs['p95_ms']:>6.1f}ms {measured['ratio_p50']:>6.2f} {shown:>9}"
        )
    common.RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = common.RESULTS / f"activity_visibility-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten {path.relative_to(common.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
