"""Benchmark of sovereign publication: what the gate costs, against plain CKAN.

Usage (from the repository root)::

    .venv/bin/python benchmarks/publication.py                       # the issue's sizes
    .venv/bin/python benchmarks/publication.py --withdraw 500 --publish 100   # quick check

In its own database ``datasud_bench_publication`` (config written under
``local/``; never the data of the tests or of the demo), with test.ini's
plugins, one process:

1. a partner organization with a DataSud agreement in force and the terms of
   use accepted, an editor; one dataset published through ``package_create``
   (the sample); ``--publish`` x 2 private datasets ready for publication and
   ``--withdraw`` published datasets (with their journal entries), written as
   bulk rows then indexed through CKAN's ``search.rebuild``;
2. ``package_show`` of the sample and ``package_patch`` of its description,
   with our plugin loaded and unloaded (``ckan.plugins.load/unload``),
   alternating blocks so that both see the same machine: p50 of each and the
   ratios (targets 1.03 and 1.10);
3. ``dataset_publish`` as the editor on ``--publish`` datasets (p50, p95),
   and, as plain CKAN's reference, ``package_patch(private=False)`` with our
   plugin unloaded on as many others;
4. CKAN's ``bulk_update_private`` (plugin unloaded, as a sysadmin) on the
   ``--withdraw`` datasets (or on ``--plain-sample`` of them, scaled to all:
   CKAN 2.12 patches them one after the other); they are made public again (SQL + reindex, not
   timed); then a termination for fault that withdraws all of them
   (``agreement_terminate``, effective at once, plugin loaded): seconds for
   each (target for the termination: 60 s for 10,000), and a check that each
   dataset is private with its journal entry.

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

DATABASE = "datasud_bench_publication"
PLUGIN = "datasud_partnership"
OUR_PLUGINS = (PLUGIN, "scheming_datasets", "scheming_organizations")
TARGETS = {"show_ratio": 1.03, "patch_ratio": 1.10, "termination_s_per_10k": 60.0}
DECLARATION = {"personal_data": "none", "text_version": "2026-01"}
# what the metadata profile requires for publication besides the core fields
PROFILE_FIELDS = {
    "theme": ["economie-finances"],
    "spatial_text": "Bouches-du-Rhône",
    "temporal_start": "2026-01-01",
}
# the same, as scheming stores them in the dataset's extras
PROFILE_EXTRAS = {**PROFILE_FIELDS, "theme": json.dumps(PROFILE_FIELDS["theme"])}


def context(user: str) -> dict[str, Any]:
    return {"user": user}


def set_up_partner(tk: Any, sysadmin: str) -> dict[str, Any]:
    """The organization, its editor, an agreement in force, the terms accepted."""

    today = dt.date.today()
    for name in ("bench-admin", "bench-editor"):
        tk.get_action("user_create")(
            {"user": sysadmin, "ignore_auth": True},
            {"name": name, "email": f"{name}@bench.example", "password": "Bench-password-2026"},
        )
    org = tk.get_action("organization_create")(
        context(sysadmin),
        {
            "name": "bench-partner",
            "title": "Partenaire du banc d'essai",
            "users": [
                {"name": "bench-admin", "capacity": "admin"},
                {"name": "bench-editor", "capacity": "editor"},
            ],
        },
    )
    agreement = tk.get_action("agreement_create")(
        context(sysadmin),
        {
            "kind": "datasud_partnership",
            "organization": org["name"],
            "reference": "CONV-BENCH",
            "signed_on": (today - dt.timedelta(days=800)).isoformat(),
            "notified_on": (today - dt.timedelta(days=790)).isoformat(),
        },
    )
    tk.get_action("terms_version_create")(
        context(sysadmin), {"version": "bench-1", "title": "CGU", "url": "https://bench.example/cgu"}
    )
    tk.get_action("terms_accept")(context("bench-admin"), {"organization": org["name"], "version": "bench-1"})
    return {"org": org, "agreement": agreement}


def bulk_datasets(org_id: str, prefix: str, count: int, private: bool, journal: bool) -> list[str]:
    """``count`` complete datasets (a tag, a CSV resource, an open licence) as
    bulk rows; published ones get their journal entry. Returns the ids."""
    import sqlalchemy as sa
    from ckan import model

    from ckanext.datasud_partnership.publication.model import JournalEntry

    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    tag_id = model.Session.execute(sa.select(model.Tag.id).where(model.Tag.name == "budget")).scalar()
    if tag_id is None:
        tag_id = str(uuid.uuid4())
        model.Session.execute(sa.insert(model.Tag), [{"id": tag_id, "name": "budget"}])
    ids = [str(uuid.uuid4()) for _ in range(count)]
    for start in range(0, count, 2000):
        chunk = list(enumerate(ids[start : start + 2000], start))
        model.Session.execute(
            sa.insert(model.Package),
            [
                {
                    "id": pid,
                    "name": f"{prefix}-{n:05d}",
                    "title": f"Jeu de données {prefix} n° {n}",
                    "notes": "Budget primitif voté par l'assemblée, par chapitre et par article.",
                    "license_id": "lo-2.0",
                    "owner_org": org_id,
                    "private": private,
                    "state": "active",
                    "type": "dataset",
                    "metadata_created": now,
                    "metadata_modified": now,
                    "extras": dict(PROFILE_EXTRAS),
                    "plugin_data": {},
                }
                for n, pid in chunk
            ],
        )
        model.Session.execute(
            sa.insert(model.Resource),
            [
                {
                    "id": str(uuid.uuid4()),
                    "package_id": pid,
                    "url": f"https://bench.example/{prefix}-{n}.csv",
                    "format": "CSV",
                    "name": "Données",
                    "position": 0,
                    "state": "active",
                    "created": now,
                    "metadata_modified": now,
                    "extras": {},
                }
                for n, pid in chunk
            ],
        )
        model.Session.execute(
            sa.insert(model.PackageTag),
            [
                {"id": str(uuid.uuid4()), "package_id": pid, "tag_id": tag_id, "state": "active"}
                for _n, pid in chunk
            ],
        )
        if journal:
            model.Session.execute(
                sa.insert(JournalEntry),
                [
                    {
                        "dataset_id": pid,
                        "organization_id": org_id,
                        "action": "published",
                        "licence_id": "lo-2.0",
                        "declaration": DECLARATION,
                        "timestamp": now,
                        "path": "benchmark",
                    }
                    for _n, pid in chunk
                ],
            )
    model.Session.commit()
    return ids


def reindex(ids: list[str]) -> float:
    from ckan.lib import search

    start = time.perf_counter()
    search.rebuild(package_ids=ids, defer_commit=True, quiet=True)
    search.commit()
    return time.perf_counter() - start


def run_jobs() -> float:
    """Run the queued background jobs in this process (as ``ckan jobs worker
    --burst`` would, without forking); seconds taken."""
    import rq
    from ckan.lib import jobs

    rq.Worker.main_work_horse = rq.SimpleWorker.main_work_horse  # type: ignore[method-assign]
    rq.Worker.execute_job = rq.SimpleWorker.execute_job  # type: ignore[method-assign]
    start = time.perf_counter()
    jobs.Worker().work(burst=True)
    return time.perf_counter() - start


def plugin_loaded(loaded: bool) -> None:
    """Our plugins in or out: the partnership plugin and the scheming schemas
    of its metadata profile (whose validators it registers)."""
    import ckan.plugins as p

    for name in OUR_PLUGINS if loaded else reversed(OUR_PLUGINS):
        if loaded and not p.plugin_loaded(name):
            p.load(name)
        elif not loaded and p.plugin_loaded(name):
            p.unload(name)


def compare(label: str, call: Any, calls: int, rounds: int) -> dict[str, Any]:
    """``call`` with our plugin and without, in alternating blocks."""
    times: dict[str, list[float]] = {"with": [], "without": []}
    for round_number in range(rounds):
        order = ("with", "without") if round_number % 2 == 0 else ("without", "with")
        for variant in order:
            plugin_loaded(variant == "with")
            times[variant] += common.time_each(call, calls, warmup=2)
    plugin_loaded(True)
    with_, without = common.timings(times["with"]), common.timings(times["without"])
    ratio = with_["p50_ms"] / without["p50_ms"] if without["p50_ms"] else float("nan")
    print(
        f"  {label}: with {with_['p50_ms']} ms, without {without['p50_ms']} ms, ratio {ratio:.3f}",
        file=sys.stderr,
    )
    return {"with": with_, "without": without, "ratio_p50": round(ratio, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--withdraw", type=int, default=10000, help="datasets a termination withdraws")
    parser.add_argument("--publish", type=int, default=1000, help="datasets published one by one")
    parser.add_argument("--calls", type=int, default=30, help="calls per block for show and patch")
    parser.add_argument("--rounds", type=int, default=10, help="alternating blocks (with, without)")
    parser.add_argument(
        "--plain-sample",
        type=int,
        default=0,
        help="time bulk_update_private on this many of the datasets and scale to all (0: all of them)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the data in the benchmark database")
    args = parser.parse_args(argv)
    began = time.perf_counter()

    _ini, wsgi_app = common.prepare("bench-publication", DATABASE, 4, "DataSud (benchmark publication)")

    import ckan.plugins.toolkit as tk
    from ckan import model

    from ckanext.datasud_partnership.publication.model import JournalEntry

    result: dict[str, Any] = common.run_record(args)
    try:
        with wsgi_app.test_request_context(environ_base={"CKAN_LANG": "fr"}):
            sysadmin = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
            partner = set_up_partner(tk, sysadmin)
            org_id = partner["org"]["id"]
            sample = tk.get_action("package_create")(
                context("bench-editor"),
                {
                    "name": "echantillon",
                    "title": "Budget primitif (échantillon)",
                    "notes": "Le budget voté.",
                    "license_id": "lo-2.0",
                    "owner_org": org_id,
                    "tags": [{"name": "budget"}],
                    "resources": [{"url": "https://bench.example/budget.csv", "format": "CSV"}],
                    "private": False,
                    "publication_declaration": DECLARATION,
                    **PROFILE_FIELDS,
                },
            )
            print("  bulk rows and indexing", file=sys.stderr)
            to_publish = bulk_datasets(org_id, "a-publier", args.publish, private=True, journal=False)
            reference = bulk_datasets(org_id, "reference", args.publish, private=True, journal=False)
            published = bulk_datasets(org_id, "publie", args.withdraw, private=False, journal=True)
            result["index_seconds"] = round(reindex(to_publish + reference + published), 1)
            common.analyze(DATABASE)
            model.Session.remove()

            print("  package_show and package_patch, with and without the plugin", file=sys.stderr)
            show = tk.get_action  # resolved at each call: the plugin set changes

            result["package_show"] = compare(
                "package_show",
                lambda: show("package_show")(context(""), {"id": sample["id"]}),
                args.calls,
                args.rounds,
            )
            counter = iter(range(10**9))
            result["package_patch"] = compare(
                "package_patch notes",
                lambda: show("package_patch")(
                    context("bench-editor"),
                    {"id": sample["id"], "notes": f"Le budget voté (v{next(counter)})."},
                ),
                max(10, args.calls // 4),
                args.rounds,
            )

            print(f"  dataset_publish x {args.publish}", file=sys.stderr)
            plugin_loaded(True)
            pending = iter(to_publish)
            times = common.time_each(
                lambda: tk.get_action("dataset_publish")(
                    context("bench-editor"), {"id": next(pending), "publication_declaration": DECLARATION}
                ),
                args.publish,
            )
            result["dataset_publish"] = common.timings(times)
            plugin_loaded(False)
            pending_reference = iter(reference)
            times = common.time_each(
                lambda: tk.get_action("package_patch")(
                    context("bench-editor"), {"id": next(pending_reference), "private": False}
                ),
                args.publish,
            )
            result["package_patch_public_plain"] = common.timings(times)

            sample = published[: args.plain_sample] if args.plain_sample else published
            print(f"  bulk_update_private x {len(sample)} (plain CKAN)", file=sys.stderr)
            start = time.perf_counter()
            tk.get_action("bulk_update_private")(context(sysadmin), {"datasets": sample, "org_id": org_id})
            seconds = time.perf_counter() - start
            result["bulk_update_private_datasets"] = len(sample)
            result["bulk_update_private_s"] = round(seconds, 1)
            # CKAN 2.12 patches one dataset after the other: linear in their number
            result["bulk_update_private_s_all"] = round(seconds * len(published) / len(sample), 1)
            model.Session.remove()
            private_count = model.Session.query(model.Package).filter(
                model.Package.id.in_(sample), model.Package.private.is_(True)
            )
            result["bulk_update_private_done"] = private_count.count()
            model.Session.remove()
            plugin_loaded(True)

            common.sql(DATABASE, "UPDATE package SET private = false WHERE name LIKE 'publie-%'")
            reindex(published)
            model.Session.remove()

            print(f"  termination withdrawing {args.withdraw}", file=sys.stderr)
            today = dt.date.today()
            agreement_id = partner["agreement"]["id"]
            tk.get_action("agreement_notice_serve")(
                context(sysadmin),
                {
                    "id": agreement_id,
                    "breaches": ["Jeux de données non mis à jour"],
                    "served_on": (today - dt.timedelta(days=40)).isoformat(),
                    "deadline": (today - dt.timedelta(days=10)).isoformat(),
                },
            )
            journal_before = model.Session.query(JournalEntry).filter_by(action="withdrawn").count()
            model.Session.remove()
            start = time.perf_counter()
            tk.get_action("agreement_terminate")(
                context(sysadmin),
                {
                    "id": agreement_id,
                    "mode": "fault",
                    "initiator": "operator",
                    "withdraw": "all",
                    "motives": "Manquements",
                },
            )
            result["termination_s"] = round(time.perf_counter() - start, 1)
            model.Session.remove()
            result["termination_withdrawn"] = (
                model.Session.query(model.Package)
                .filter(model.Package.id.in_(published), model.Package.private.is_(True))
                .count()
            )
            result["termination_journal_entries"] = (
                model.Session.query(JournalEntry)
                .filter(JournalEntry.action == "withdrawn", JournalEntry.dataset_id.in_(published))
                .count()
            )
            result["termination_journal_entries_all"] = (
                model.Session.query(JournalEntry).filter_by(action="withdrawn").count() - journal_before
            )
            public_left = tk.get_action("package_search")(context(""), {"q": "name:publie-*", "rows": 0})[
                "count"
            ]
            result["termination_still_public_in_search"] = public_left
            members = {"q": "name:publie-*", "rows": 0, "include_private": True}
            result["termination_found_by_members_at_once"] = tk.get_action("package_search")(
                context("bench-editor"), members
            )["count"]
            model.Session.remove()

            # what the background jobs (``ckan jobs worker``) then do: index the
            # withdrawn datasets again, as private ones, for the members
            print("  background reindex jobs", file=sys.stderr)
            result["reindex_jobs_s"] = round(run_jobs(), 1)
            result["termination_found_by_members_after_jobs"] = tk.get_action("package_search")(
                context("bench-editor"), members
            )["count"]
            model.Session.remove()
    finally:
        model.Session.remove()
        model.ensure_engine().dispose()
        if not args.keep:
            common.wipe(DATABASE)

    per_10k = result["termination_s"] * 10000 / max(1, args.withdraw)
    result["targets"] = [
        {
            "check": "package_show ratio",
            "value": result["package_show"]["ratio_p50"],
            "target": TARGETS["show_ratio"],
        },
        {
            "check": "package_patch ratio",
            "value": result["package_patch"]["ratio_p50"],
            "target": TARGETS["patch_ratio"],
        },
        {
            "check": "termination s per 10,000",
            "value": round(per_10k, 1),
            "target": TARGETS["termination_s_per_10k"],
        },
    ]
    for check in result["targets"]:
        check["ok"] = check["value"] <= check["target"]
    result["seconds"] = round(time.perf_counter() - began, 1)
    print_report(result)
    common.RESULTS.mkdir(exist_ok=True)
    out = common.RESULTS / f"publication-{dt.datetime.now():%Y%m%d-%H%M%S}-{args.withdraw}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    print(f"\nresults: {out.relative_to(common.ROOT)} (run took {result['seconds']} s)")
    return 0


def print_report(result: dict[str, Any]) -> None:
    args = result["arguments"]
    print(f"\nPublication benchmark ({args['withdraw']:,} withdrawn, {args['publish']:,} published)")
    for name in ("package_show", "package_patch"):
        r = result[name]
        print(
            f"  {name:<34} with {r['with']['p50_ms']:>7} ms  without {r['without']['p50_ms']:>7} ms"
            f"  ratio {r['ratio_p50']}"
        )
    r = result["dataset_publish"]
    print(f"  {'dataset_publish':<34} p50 {r['p50_ms']} ms  p95 {r['p95_ms']} ms")
    r = result["package_patch_public_plain"]
    print(f"  {'package_patch private=False (plain)':<34} p50 {r['p50_ms']} ms  p95 {r['p95_ms']} ms")
    print(
        f"  {'bulk_update_private (plain CKAN)':<34} {result['bulk_update_private_s']} s "
        f"for {result['bulk_update_private_datasets']:,}, {result['bulk_update_private_s_all']} s for all"
    )
    print(
        f"  {'termination withdrawing all':<34} {result['termination_s']} s "
        f"({result['termination_withdrawn']:,} private, {result['termination_journal_entries']:,} journal entries, "
        f"{result['termination_still_public_in_search']} still public in search)"
    )
    print(
        f"  {'then background reindex jobs':<34} {result['reindex_jobs_s']} s "
        f"(members found {result['termination_found_by_members_at_once']:,} before, "
        f"{result['termination_found_by_members_after_jobs']:,} after)"
    )
    for check in result["targets"]:
        mark = "ok" if check["ok"] else "MISSED"
        print(f"  target {check['check']}: {check['value']} <= {check['target']}: {mark}")


if __name__ == "__main__":
    sys.exit(main())
