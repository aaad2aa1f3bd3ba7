"""Benchmark of ``ckan datasud-partnership check-index``: how long the check
takes over N datasets, and that it finds the differences planted.

Usage (from the repository root)::

    .venv/bin/python benchmarks/check_index.py               # 100,000 datasets
    .venv/bin/python benchmarks/check_index.py --datasets 5000

In its own database ``datasud_bench_check_index`` (a config under ``local/``):

1. writes N rows of CKAN's ``package`` table in bulk (a third private), and
   their index documents through the search backend's ``add`` (the fields the
   check reads: id, site, state, capacity);
2. plants three differences: two datasets made private in the database only
   (what a process killed between the commit and the index leaves: the
   public still finds them), one public dataset missing from the index;
3. times ``index.check()`` (3 runs; the median) and, as plain CKAN's
   reference on the same data, what ``ckan search-index check`` does (every
   indexed id through ``get_all_entity_ids``, against the database's ids);
4. times ``index.fix()`` of what was found (CKAN's indexing of each), and
   checks again: 0 left.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

import common  # noqa: I001 - before ckan (ckan.common shadows it otherwise)

DATABASE = "datasud_bench_check_index"
REDIS_DB = 13
BATCH = 5_000


def load(count: int) -> None:
    from ckan import model
    from ckan.lib.search import index as search_index

    from ckanext.datasud_partnership.publication import index

    common.sql(
        DATABASE,
        "INSERT INTO package (id, name, title, state, type, private, metadata_created, metadata_modified)"
        f" SELECT 'bench-' || n, 'jeu-' || n, 'Jeu ' || n, 'active', 'dataset', n % 3 = 0, now(), now()"
        f" FROM generate_series(1, {count}) AS n",
    )
    connection = search_index.make_connection()
    site = model.Session.get_bind().url.database  # the benchmark's site id is its database's name
    for first in range(1, count + 1, BATCH):
        docs = []
        for n in range(first, min(first + BATCH, count + 1)):
            package_id = f"bench-{n}"
            docs.append(
                {
                    "index_id": index.index_id(package_id),
                    "id": package_id,
                    "site_id": site,
                    "name": f"jeu-{n}",
                    "title": f"Jeu {n}",
                    "entity_type": "package",
                    "dataset_type": "dataset",
                    "state": "active",
                    "capacity": "private" if n % 3 == 0 else "public",
                }
            )
        connection.add(docs, commit=False)
    common.analyze(DATABASE)


def median_seconds(call: Any, runs: int = 3) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3), result


def ckan_check() -> int:
    """What `ckan search-index check` does: the ids in the index against the database's."""
    from ckan import model
    from ckan.lib.search import query_for

    ids = {row[0] for row in model.Session.query(model.Package.id)}
    indexed = set(query_for(model.Package).get_all_entity_ids(max_results=len(ids)))
    model.Session.remove()
    return len(ids - indexed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    args = parser.parse_args(argv)
    ini, app = common.prepare("bench-check-index", DATABASE, REDIS_DB, "DataSud (benchmark check-index)")
    from ckan import model

    from ckanext.datasud_partnership.publication import index

    result: dict[str, Any] = common.run_record(args)
    with app.test_request_context():
        start = time.perf_counter()
        load(args.datasets)
        result["load_seconds"] = round(time.perf_counter() - start, 1)
        common.sql(DATABASE, "UPDATE package SET private = true WHERE id IN ('bench-1', 'bench-2')")
        common.sql(DATABASE, "DELETE FROM datasud_pgsearch_document WHERE id = 'bench-4'")
        model.Session.remove()

        result["check_seconds"], found = median_seconds(index.check)
        result["found"] = [(d.dataset_id, d.database, d.index, d.exposed) for d in found]
        result["finds_the_planted"] = sorted(d.dataset_id for d in found) == ["bench-1", "bench-2", "bench-4"]
        result["exposed_first"] = [d.exposed for d in found] == [True, True, False]
        result["ckan_search_index_check_seconds"], missing = median_seconds(ckan_check)
        result["ckan_check_finds"] = missing  # only the missing one: it does not compare visibility
        result["ratio_to_ckan_check"] = round(
            result["check_seconds"] / result["ckan_search_index_check_seconds"], 2
        )
        start = time.perf_counter()
        index.fix(found)  # what `check-index --fix` does
        result["fix_seconds"] = round(time.perf_counter() - start, 3)
        result["left_after_fix"] = len(index.check())
        model.Session.remove()
    model.ensure_engine().dispose()
    common.wipe(DATABASE)
    print(json.dumps(result, indent=1, default=str))
    common.RESULTS.mkdir(exist_ok=True)
    out = common.RESULTS / f"check-index-{args.datasets}.json"
    out.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
