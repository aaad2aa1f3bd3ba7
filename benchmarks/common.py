"""What the benchmarks share: their own database and CKAN, timings.

Each benchmark runs in a database of its own, with test.ini's plugins, never
on the data of the tests or of the demo.
"""

from __future__ import annotations

import logging
import math
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
OWNER = "datasud"
PG = {"host": "127.0.0.1", "port": 5432}


def write_config(name: str, database: str, redis_db: int, title: str) -> Path:
    """local/<name>.ini: test.ini with the benchmark's database, site id, Redis db and storage."""
    ini = ROOT / "local" / f"{name}.ini"
    ini.parent.mkdir(exist_ok=True)
    ini.write_text(
        f"# Written by benchmarks at each run: test.ini with its own database ({database}).\n"
        "[app:main]\n"
        f"use = config:{ROOT / 'test.ini'}\n"
        f"sqlalchemy.url = postgresql://{OWNER}@{PG['host']}:{PG['port']}/{database}\n"
        f"ckan.site_id = {database}\n"
        f"ckan.redis.url = redis://127.0.0.1:6379/{redis_db}\n"
        f"ckan.storage_path = {ROOT / 'local' / (name + '-storage')}\n"
        f"ckan.site_title = {title}\n"
        "# no e-mail is sent: no server listens on this machine\n"
        "smtp.server =\n"
        "testing = false\n",
        encoding="utf-8",
    )
    return ini


def psql_connect(database: str, user: str) -> Any:
    import psycopg2

    conn = psycopg2.connect(dbname=database, user=user, **PG)
    conn.autocommit = True
    return conn


def ensure_database(database: str) -> bool:
    """Create the database if missing; True if it was created."""
    conn = psql_connect("postgres", "postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
            if cur.fetchone():
                return False
            cur.execute(f'CREATE DATABASE "{database}" OWNER "{OWNER}"')
            return True
    finally:
        conn.close()


def migrate(ini: Path) -> None:
    ckan = Path(sys.executable).with_name("ckan")
    done = subprocess.run(
        [str(ckan), "-c", str(ini), "db", "upgrade"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"`ckan -c {ini} db upgrade` failed")


def sql(database: str, statement: str) -> None:
    conn = psql_connect(database, OWNER)
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def wipe(database: str) -> None:
    """Empty every table but the migration versions."""
    conn = psql_connect(database, OWNER)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT LIKE '%%alembic_version' AND tablename <> 'migrate_version'"
            )
            tables = [row[0] for row in cur.fetchall()]
            if tables:
                cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
    finally:
        conn.close()


def analyze(database: str) -> None:
    """Statistics, and the GIN indexes' pending lists merged: after a bulk load
    a lookup would otherwise scan the pending list (82 ms instead of 2 ms for
    CKAN's search.show at 10,000 rows)."""
    sql(database, "VACUUM ANALYZE")


def prepare(name: str, database: str, redis_db: int, title: str) -> tuple[Path, Any]:
    """A benchmark's own config and emptied, migrated database; CKAN loaded
    on it. Returns the config's path and the Flask app."""
    ini = write_config(name, database, redis_db, title)
    created = ensure_database(database)
    print(f"database {database}: {'created' if created else 'exists'}; migrating, emptying", file=sys.stderr)
    migrate(ini)
    wipe(database)
    return ini, start_ckan(ini)


def run_record(args: Any) -> dict[str, Any]:
    """The head of a benchmark's JSON record: when, with what, on what."""
    import datetime as dt
    import os
    import platform

    return {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "arguments": vars(args),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
    }


def start_ckan(ini: Path) -> Any:
    """CKAN's app for the config, loaded in this process; returns the Flask app."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    flask_app = app.apps["flask_app"] if hasattr(app, "apps") else app
    for name in ("ckan", "ckanext"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return flask_app._wsgi_app


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(p / 100.0 * len(ordered)) - 1)]


def timings(times_ms: list[float]) -> dict[str, Any]:
    return {
        "calls": len(times_ms),
        "p50_ms": round(percentile(times_ms, 50), 2),
        "p95_ms": round(percentile(times_ms, 95), 2),
        "max_ms": round(max(times_ms), 2) if times_ms else None,
    }


def time_each(call: Callable[[], Any], calls: int, warmup: int = 0) -> list[float]:
    """Milliseconds of each call; the session removed after each, as at the
    end of a web request."""
    from ckan import model

    for _ in range(warmup):
        call()
        model.Session.remove()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
        model.Session.remove()
    return times
