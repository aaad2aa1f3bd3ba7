"""Benchmark of the metadata profile (issue 5).

Usage (from the repository root)::

    .venv/bin/python benchmarks/schema.py                    # 10,000 datasets in the catalogue
    .venv/bin/python benchmarks/schema.py --datasets 1000 --repeat 50   # quick check
    .venv/bin/python benchmarks/schema.py --ini local/my.ini # another database (it is emptied)

What it measures, in one run:

1. ``package_show`` (anonymous, through ``get_action``) and the dataset page
   (``GET /dataset/<name>``, anonymous, through CKAN's WSGI app) on the same
   published demo dataset, with our scheming schema (the configuration as
   given: ``scheming.dataset_schemas`` = ``profile/dataset.yaml``) and with
   CKAN's default schema (the same configuration without ``scheming_*`` and
   ``dcat``). Each configuration runs in its own process, alternately, twice;
   each figure is the better of the two medians. Target: ratio <= 1.15.
2. The DCAT catalogue of ``--datasets`` published datasets (copies of a demo
   dataset made in SQL, then indexed through CKAN's own indexing), paged as
   ckanext-dcat pages it (``GET /catalog.ttl?page=N``,
   ``ckanext.dcat.datasets_per_page`` datasets a page): time per page, for the
   first, a middle and the last page.

The database of ``--ini`` is emptied and filled with the demo data: by
default ``benchmarks/schema.ini`` (database ``datasud_schema_bench``, created
if missing).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_INI = HERE / "schema.ini"
DATASET = "colleges-publics-bouches-du-rhone"
DEFAULT_PLUGINS = "datasud_pgsearch datasud_partnership activity harvest"
TARGET_RATIO = 1.15


def start_ckan(ini: Path) -> Any:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    for name in ("ckan", "ckanext"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("ckan.lib.datapreview").setLevel(logging.ERROR)
    flask_app = app.apps["flask_app"] if hasattr(app, "apps") else app
    return flask_app._wsgi_app


def ckan_command(ini: Path, *args: str) -> None:
    ckan = Path(sys.executable).with_name("ckan")
    done = subprocess.run([str(ckan), "-c", str(ini), *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"`ckan -c {ini} {' '.join(args)}` failed")


def ensure_database(ini: Path) -> None:
    """Create the database of ``ini`` when it is missing (the default one), as
    PostgreSQL's admin: the portal's role may not create databases."""
    import configparser

    import common
    import sqlalchemy as sa

    parser = configparser.ConfigParser(defaults={"here": str(ini.parent)}, interpolation=None)
    parser.read(ini)
    common.ensure_database(sa.engine.make_url(parser.get("app:main", "sqlalchemy.url")).database)


# -- phases (each in its own process) ------------------------------------------------
def phase_setup(ini: Path, datasets: int) -> dict[str, Any]:
    """Empty the database, load the demo, copy a published dataset ``datasets``
    times in SQL and index the copies through CKAN."""
    ckan_command(ini, "db", "upgrade")
    wsgi = start_ckan(ini)
    wipe()
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib import search

    from ckanext.datasud_partnership import demo

    started = time.perf_counter()
    with wsgi.test_request_context():
        demo.load_demo_data()
        template = model.Package.get(DATASET)
        session = model.Session
        columns = [
            row[0]
            for row in session.execute(
                sa_text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'package' ORDER BY ordinal_position"
                )
            )
        ]
        copied = [c for c in columns if c not in ("id", "name", "title")]
        session.execute(
            sa_text(
                f"INSERT INTO package (id, name, title, {', '.join(copied)}) "
                f"SELECT 'bench-' || lpad(i::text, 6, '0'), 'bench-' || lpad(i::text, 6, '0'), "
                f"title || ' (' || i || ')', {', '.join(copied)} "
                "FROM package, generate_series(1, :n) AS i WHERE package.id = :template"
            ),
            {"n": datasets, "template": template.id},
        )
        resource_columns = [
            row[0]
            for row in session.execute(
                sa_text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'resource' "
                    "ORDER BY ordinal_position"
                )
            )
        ]
        rest = [c for c in resource_columns if c not in ("id", "package_id")]
        session.execute(
            sa_text(
                f"INSERT INTO resource (id, package_id, {', '.join(rest)}) "
                f"SELECT p.id || '-' || r.position, p.id, {', '.join('r.' + c for c in rest)} "
                "FROM resource r, package p WHERE r.package_id = :template AND r.state = 'active' "
                "AND p.id LIKE 'bench-%'"
            ),
            {"template": template.id},
        )
        session.execute(
            sa_text(
                "INSERT INTO package_tag (id, package_id, tag_id, state) "
                "SELECT p.id || '-' || t.tag_id, p.id, t.tag_id, t.state "
                "FROM package_tag t, package p WHERE t.package_id = :template AND p.id LIKE 'bench-%'"
            ),
            {"template": template.id},
        )
        session.commit()
        created = time.perf_counter()
        ids = [row[0] for row in session.query(model.Package.id).filter(model.Package.id.like("bench-%"))]
        for start in range(0, len(ids), 500):
            search.rebuild(package_ids=ids[start : start + 500], defer_commit=True, quiet=True)
            search.commit()
            session.remove()
        indexed = time.perf_counter()
        count = tk.get_action("package_search")({"user": ""}, {"rows": 0})["count"]
    return {
        "datasets_copied": datasets,
        "published_in_index": count,
        "copy_seconds": round(created - started, 1),
        "index_seconds": round(indexed - created, 1),
    }


def wipe() -> None:
    """Empty every table but the migration versions (and the search index,
    which is a table of the PostgreSQL search backend)."""
    from ckan import model

    tables = [
        row[0]
        for row in model.Session.execute(
            sa_text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT LIKE '%alembic_version' AND tablename <> 'migrate_version'"
            )
        )
    ]
    model.Session.execute(sa_text("TRUNCATE " + ", ".join(f'"{table}"' for table in tables) + " CASCADE"))
    model.Session.commit()
    model.Session.remove()


def sa_text(sql: str) -> Any:
    import sqlalchemy as sa

    return sa.text(sql)


def timed(function: Any, repeat: int) -> dict[str, float]:
    for _ in range(max(3, repeat // 10)):  # warm-up
        function()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 2),
        "n": repeat,
    }


def phase_measure(ini: Path, repeat: int) -> dict[str, Any]:
    wsgi = start_ckan(ini)
    import ckan.plugins.toolkit as tk

    client = wsgi.test_client()

    def show() -> None:
        with wsgi.test_request_context():
            tk.get_action("package_show")({"user": ""}, {"id": DATASET})

    def page() -> None:
        response = client.get(f"/dataset/{DATASET}")
        assert response.status_code == 200, response.status_code

    with wsgi.test_request_context():
        shown = tk.get_action("package_show")({"user": ""}, {"id": DATASET})
    return {
        "plugins": tk.config.get("ckan.plugins"),
        "theme_field": shown.get("theme"),
        "package_show": timed(show, repeat),
        "dataset_page": timed(page, repeat),
    }


def phase_catalogue(ini: Path, repeat: int) -> dict[str, Any]:
    wsgi = start_ckan(ini)
    import ckan.plugins.toolkit as tk
    from rdflib import Graph
    from rdflib.namespace import DCAT, RDF

    client = wsgi.test_client()
    per_page = int(tk.config.get("ckanext.dcat.datasets_per_page") or 100)
    with wsgi.test_request_context():
        total = tk.get_action("package_search")({"user": ""}, {"rows": 0})["count"]
    last = max(1, -(-total // per_page))
    pages = sorted({1, 2, max(1, last // 2), last})
    results = {}
    for number in pages:
        body = {}

        def fetch(number: int = number, body: dict = body) -> None:
            response = client.get(f"/catalog.ttl?page={number}")
            assert response.status_code == 200, response.status_code
            body["text"] = response.get_data(as_text=True)

        figures = timed(fetch, max(3, repeat // 10))
        graph = Graph().parse(data=body["text"], format="turtle")
        figures["datasets_on_page"] = len(set(graph.subjects(RDF.type, DCAT.Dataset)))
        results[f"page {number}"] = figures
    return {"published_datasets": total, "datasets_per_page": per_page, "pages": last, "timings": results}


# -- the run ----------------------------------------------------------------------------
def run_phase(phase: str, ini: Path, **options: Any) -> dict[str, Any]:
    args = [sys.executable, str(Path(__file__).resolve()), "--phase", phase, "--ini", str(ini)]
    for key, value in options.items():
        args += [f"--{key}", str(value)]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"phase {phase} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def default_schema_ini(ini: Path, directory: Path) -> Path:
    """The same configuration with CKAN's default dataset schema."""
    path = directory / "default-schema.ini"
    path.write_text(
        f"[app:main]\nuse = config:{ini.resolve()}\nckan.plugins = {DEFAULT_PLUGINS}\n", encoding="utf-8"
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ini", type=Path, default=DEFAULT_INI)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--phase", choices=["setup", "measure", "catalogue"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    ini = args.ini.resolve()

    if args.phase:
        phases = {
            "setup": lambda: phase_setup(ini, args.datasets),
            "measure": lambda: phase_measure(ini, args.repeat),
            "catalogue": lambda: phase_catalogue(ini, args.repeat),
        }
        print(json.dumps(phases[args.phase]()))
        return

    if ini == DEFAULT_INI.resolve():
        ensure_database(ini)
    print(f"[schema] {ini}: setting up the demo and {args.datasets} published copies...", flush=True)
    setup = run_phase("setup", ini, datasets=args.datasets)
    print(f"[schema] {json.dumps(setup)}", flush=True)

    with tempfile.TemporaryDirectory() as directory:
        default_ini = default_schema_ini(ini, Path(directory))
        rounds: dict[str, list[dict[str, Any]]] = {"ours": [], "default": []}
        for _ in range(2):
            rounds["ours"].append(run_phase("measure", ini, repeat=args.repeat))
            rounds["default"].append(run_phase("measure", default_ini, repeat=args.repeat))
    catalogue = run_phase("catalogue", ini, repeat=args.repeat)

    def best(kind: str, what: str) -> float:
        return min(measure[what]["median_ms"] for measure in rounds[kind])

    print()
    print(f"Same dataset ({DATASET}), anonymous, median of {args.repeat} calls (best of 2 rounds)")
    print(f"{'':<16}{'our schema':>14}{'CKAN default':>14}{'ratio':>8}   target <= {TARGET_RATIO}")
    report: dict[str, Any] = {"setup": setup, "rounds": rounds, "catalogue": catalogue, "ratios": {}}
    for what in ("package_show", "dataset_page"):
        ours, default = best("ours", what), best("default", what)
        ratio = ours / default
        report["ratios"][what] = round(ratio, 3)
        verdict = "ok" if ratio <= TARGET_RATIO else "ABOVE TARGET"
        print(f"{what:<16}{ours:>11.2f} ms{default:>11.2f} ms{ratio:>8.2f}   {verdict}")
    print()
    print(
        f"DCAT catalogue (/catalog.ttl): {catalogue['published_datasets']} published datasets, "
        f"{catalogue['datasets_per_page']} a page, {catalogue['pages']} pages"
    )
    for name, figures in catalogue["timings"].items():
        print(
            f"  {name:<10} median {figures['median_ms']:>8.1f} ms   p95 {figures['p95_ms']:>8.1f} ms"
            f"   ({figures['datasets_on_page']} datasets, n={figures['n']})"
        )
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    out = results / f"schema-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({**report, "load_average": os.getloadavg()}, indent=2), encoding="utf-8")
    print(f"\nwritten: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
