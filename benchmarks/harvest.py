"""Benchmark of harvesting under the publication gate.

Usage (from the repository root)::

    .venv/bin/python benchmarks/harvest.py                 # 200 datasets per run
    .venv/bin/python benchmarks/harvest.py --datasets 50   # quick check
    .venv/bin/python benchmarks/harvest.py --database datasud_harvest --redis-db 7

What it does, in its own database (``datasud_bench_harvest`` by default,
created if missing when the ``postgres`` role may; ``--database`` names an
existing one instead; every table of it is emptied):

1. migrates the database and starts CKAN with the plugins of ``test.ini``
   (``ckan_harvester`` among them);
2. creates two partner organizations with the same set-up: an admin, an
   agreement in force granting publication, the terms of use accepted;
3. serves a remote CKAN with ``responses``: for each organization, ``N``
   complete, openly licensed datasets, answered to ``package_search`` as a
   CKAN portal does (100 per page);
4. after a warm-up (``--warmup`` datasets of a third organization, harvested
   once with and once without the plugin), runs ckanext-harvest's CKAN
   harvester for real, in the same process, alternately: by default through
   the real Redis queues (the gather and fetch consumers' loops in two
   threads, the job created as the web UI does and closed by
   ``harvest_jobs_run`` as ``ckan harvester run`` does: tests/harvest/queues.py);
   with ``--no-queues`` through ckanext-harvest's ``run_harvest_job`` (no
   queue):
   - **plain**: the ``datasud_partnership`` plugin unloaded (CKAN, harvest,
     search backend only), for the first organization;
   - **gate**: the plugin loaded, for the second organization, whose source
     carries the admin's declaration: every dataset goes through the gate and
     is published with its journal entry;
   first the creation of the ``N`` datasets, then a second job after every
   remote dataset changed (``N`` updates);
5. prints the seconds, datasets per second and the ratio gate / plain for
   each step, checks that every dataset ended as expected, and writes JSON
   under ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import io
import json
import os
import platform
import pstats
import sys
import time
from typing import Any

import common

ROOT = common.ROOT
RESULTS = common.RESULTS


@functools.cache
def _harvesting() -> Any:
    """The tests' remote CKAN and job runner (tests/publication/harvesting.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "harvesting", ROOT / "tests" / "publication" / "harvesting.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def database_ready(database: str) -> str:
    """Use the database if it exists (e.g. a helper's own), else create it."""
    try:
        common.psql_connect(database, common.OWNER).close()
        return "exists"
    except Exception:  # noqa: BLE001 - missing: create it
        common.ensure_database(database)
        return "created"


def partner(name: str, sysadmin: dict[str, Any]) -> str:
    """An organization that passes the gate; returns its admin's name."""
    import ckan.plugins.toolkit as tk

    admin = f"{name}-admin"
    tk.get_action("user_create")(
        {**sysadmin, "ignore_auth": True},
        {"name": admin, "email": f"{admin}@bench.example", "password": "Bench-harvest-2026"},
    )
    tk.get_action("organization_create")(
        {**sysadmin, "ignore_auth": True},
        {"name": name, "title": name, "users": [{"name": admin, "capacity": "admin"}]},
    )
    tk.get_action("agreement_create")(
        dict(sysadmin),
        {
            "kind": "datasud_partnership",
            "organization": name,
            "reference": f"CONV-{name}",
            "signed_on": "2024-01-15",
            "notified_on": "2024-01-31",
        },
    )
    tk.get_action("terms_accept")({"user": admin}, {"organization": name, "version": "1"})
    return admin


# off in the plain runs: our plugin, and the profile's scheming schema (it names our validators)
PLAIN_OFF = ("scheming_datasets", "datasud_partnership")
CONSUMERS: list[Any] = []  # the queues' consumers, when the run goes through them


def timed_job(source_id: str) -> tuple[float, dict[str, int]]:
    from ckan import model

    began = time.perf_counter()
    if CONSUMERS:
        from tests.harvest.queues import harvest

        results = harvest(source_id, CONSUMERS[0], timeout=3600)["objects"]
    else:
        results = _harvesting().run_job(source_id)
    seconds = time.perf_counter() - began
    model.Session.remove()
    counts: dict[str, int] = {}
    for result in results.values():
        counts[result["report_status"] or "none"] = counts.get(result["report_status"] or "none", 0) + 1
    return seconds, counts


def published_count(org: str) -> tuple[int, int]:
    """(public and active datasets of the organization, journal entries 'published')."""
    from ckan import model

    from ckanext.datasud_partnership.publication.model import JournalEntry

    org_id = model.Group.get(org).id
    public = (
        model.Session.query(model.Package)
        .filter_by(owner_org=org_id, state="active", private=False, type="dataset")
        .count()
    )
    entries = model.Session.query(JournalEntry).filter_by(organization_id=org_id, action="published").count()
    return public, entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=200, help="remote datasets per run (default 200)")
    parser.add_argument("--profile", action="store_true", help="run the gate's jobs under cProfile (slower)")
    parser.add_argument("--warmup", type=int, default=10, help="datasets of the warm-up jobs (default 10)")
    parser.add_argument("--database", default="datasud_bench_harvest", help="database to use (emptied)")
    parser.add_argument("--redis-db", type=int, default=4, help="Redis database number (default 4)")
    parser.add_argument(
        "--no-queues", action="store_true", help="run_harvest_job in this thread instead of the Redis queues"
    )
    args = parser.parse_args(argv)

    ini = common.write_config("bench-harvest", args.database, args.redis_db, "DataSud (benchmark harvest)")
    state = database_ready(args.database)
    print(f"database {args.database}: {state}; migrating, emptying", file=sys.stderr)
    common.migrate(ini)
    common.wipe(args.database)
    wsgi_app = common.start_ckan(ini)

    import ckan.plugins as plugins
    import ckan.plugins.toolkit as tk
    import responses

    from ckanext.datasud_partnership.common import settings

    RemoteCkan = _harvesting().RemoteCkan  # noqa: N806

    result: dict[str, Any] = {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "datasets": args.datasets,
        "through": "run_harvest_job" if args.no_queues else "redis queues (gather/fetch consumers)",
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "steps": {},
    }
    with wsgi_app.test_request_context(), responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        if not args.no_queues:
            sys.path.insert(0, str(ROOT))
            from tests.harvest.queues import Consumers

            CONSUMERS.append(Consumers(wsgi_app))
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        sysadmin = {"user": site_user["name"]}
        tk.get_action("terms_version_create")(
            dict(sysadmin), {"version": "1", "title": "CGU", "url": "https://bench.example/cgu"}
        )
        remotes = {}
        sources = {}
        for mode in ("warmup", "plain", "gate"):
            org = f"bench-{mode}"
            admin = partner(org, sysadmin)
            remote = RemoteCkan(f"https://{mode}.remote.example")
            for number in range(args.warmup if mode == "warmup" else args.datasets):
                remote.add(f"{mode}-jeu-{number:05d}")
            remote.serve(mock)
            remotes[mode] = remote
            declaration = {"personal_data": "none", "text_version": settings.declaration_version()}
            sources[mode] = tk.get_action("harvest_source_create")(
                {"user": admin},
                {
                    "name": f"{org}-source",
                    "title": f"{org} source",
                    "url": remote.url + "/",
                    "source_type": "ckan",
                    "owner_org": org,
                    "frequency": "MANUAL",
                    "publication_declaration": declaration if mode != "plain" else None,
                },
            )["id"]

        # warm-up: both code paths once, on other datasets
        timed_job(sources["warmup"])
        for dataset_id in list(remotes["warmup"].datasets):
            remotes["warmup"].change(dataset_id, notes="Échauffement.")
        plugins.unload(*PLAIN_OFF)
        try:
            timed_job(sources["warmup"])
        finally:
            plugins.load(*reversed(PLAIN_OFF))

        for step in ("create", "update"):
            if step == "update":
                for remote in (remotes["plain"], remotes["gate"]):
                    for dataset_id in list(remote.datasets):
                        remote.change(dataset_id, notes="Mise à jour du partenaire.")
            for mode in ("plain", "gate"):
                if mode == "plain":
                    plugins.unload(*PLAIN_OFF)
                try:
                    if args.profile and mode == "gate":
                        profiler = cProfile.Profile()
                        profiler.enable()
                    seconds, counts = timed_job(sources[mode])
                    if args.profile and mode == "gate":
                        profiler.disable()
                        report = io.StringIO()
                        stats = pstats.Stats(profiler, stream=report).sort_stats("cumulative")
                        stats.print_stats("datasud_partnership|ckan/logic/action", 25)
                        print(f"--- {step}/gate under cProfile ---\n{report.getvalue()}", file=sys.stderr)
                finally:
                    if mode == "plain":
                        plugins.load(*reversed(PLAIN_OFF))
                public, entries = published_count(f"bench-{mode}")
                result["steps"][f"{step}/{mode}"] = {
                    "seconds": round(seconds, 2),
                    "datasets_per_s": round(args.datasets / seconds, 1),
                    "report": counts,
                    "public": public,
                    "journal_published": entries,
                }
                print(f"  {step:7} {mode:6} {seconds:7.2f} s  {counts}", file=sys.stderr)

    for consumers in CONSUMERS:
        consumers.stop()
    steps = result["steps"]
    for step in ("create", "update"):
        steps[f"{step}/ratio"] = round(
            steps[f"{step}/gate"]["seconds"] / steps[f"{step}/plain"]["seconds"], 3
        )
    expected = args.datasets
    checks = {
        "plain: every dataset public": steps["update/plain"]["public"] == expected,
        "gate: every dataset published once, journaled once": steps["update/gate"]["public"] == expected
        and steps["update/gate"]["journal_published"] == expected,
        "creations reported added": steps["create/plain"]["report"] == {"added": expected}
        and steps["create/gate"]["report"] == {"added": expected},
        "updates reported updated": steps["update/plain"]["report"] == {"updated": expected}
        and steps["update/gate"]["report"] == {"updated": expected},
    }
    result["checks"] = checks

    print(
        f"\nHarvest of {expected} datasets (ckanext-harvest CKAN harvester, remote answered by responses, "
        f"through {result['through']})"
    )
    print(f"{'step':8} {'plain s':>9} {'gate s':>9} {'plain /s':>9} {'gate /s':>9} {'ratio':>7}")
    for step in ("create", "update"):
        plain, gate = steps[f"{step}/plain"], steps[f"{step}/gate"]
        print(
            f"{step:8} {plain['seconds']:9.2f} {gate['seconds']:9.2f} {plain['datasets_per_s']:9.1f} "
            f"{gate['datasets_per_s']:9.1f} {steps[f'{step}/ratio']:7.3f}"
        )
    for name, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAILED'}] {name}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"harvest-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"written: {out.relative_to(ROOT)}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
