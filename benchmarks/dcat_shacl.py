"""The demo's DCAT catalogue validated against the official DCAT-AP shapes.

Usage (from the repository root)::

    .venv/bin/python benchmarks/dcat_shacl.py
    .venv/bin/python benchmarks/dcat_shacl.py --base-ini other/test.ini   # another checkout's config

In its own database (``datasud_dcat_shacl``, created if missing, emptied): loads
the demo data (what ``ckan datasud-partnership demo-data`` loads), then
serialises the published datasets with ckanext-dcat's own serialiser
(``RDFSerializer``: the catalogue as ``/catalog.ttl`` gives it, in one
document, and each dataset alone as ``/dataset/<id>.ttl`` does) with the
DCAT-AP 3 profiles (``euro_dcat_ap_3 datasud_dcat_ap``) and the DCAT-AP 2
ones (``euro_dcat_ap_2 datasud_dcat_ap``), and validates them with pyshacl and
RDFS inference (``tests/profile/shacl_check.py``) against DCAT-AP 2.1.1
(mandatory and range shapes) and 3.0. Prints the violations, counted by
property and message, and writes them as JSON under ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from typing import Any

import common

DATABASE = "datasud_dcat_shacl"
REDIS_DB = 14
PROFILES = {
    "DCAT-AP 3": ["euro_dcat_ap_3", "datasud_dcat_ap"],
    "DCAT-AP 2": ["euro_dcat_ap_2", "datasud_dcat_ap"],
}


def _shacl_check() -> Any:
    spec = importlib.util.spec_from_file_location(
        "shacl_check", common.ROOT / "tests" / "profile" / "shacl_check.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["shacl_check"] = module
    spec.loader.exec_module(module)
    return module


def write_config(base: Path, redis_db: int) -> Path:
    ini = common.ROOT / "local" / "dcat-shacl.ini"
    ini.parent.mkdir(exist_ok=True)
    ini.write_text(
        f"# Written by benchmarks/dcat_shacl.py at each run: {base} with its own database.\n"
        "[app:main]\n"
        f"use = config:{base.resolve()}\n"
        f"sqlalchemy.url = postgresql://{common.OWNER}@{common.PG['host']}:{common.PG['port']}/{DATABASE}\n"
        f"ckan.site_id = {DATABASE}\n"
        f"ckan.redis.url = redis://127.0.0.1:6379/{redis_db}\n"
        f"ckan.storage_path = {common.ROOT / 'local' / 'dcat-shacl-storage'}\n"
        "ckan.site_url = http://127.0.0.1:5000\n"
        "smtp.server =\n"
        "testing = false\n",
        encoding="utf-8",
    )
    return ini


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-ini", type=Path, default=common.ROOT / "test.ini")
    parser.add_argument("--redis-db", type=int, default=REDIS_DB)
    parser.add_argument("--label", default="", help="a name for this run in the JSON record")
    args = parser.parse_args()
    shacl_check = _shacl_check()

    ini = write_config(args.base_ini, args.redis_db)
    common.ensure_database(DATABASE)
    common.migrate(ini)
    common.wipe(DATABASE)
    app = common.start_ckan(ini)

    import ckan.plugins.toolkit as tk
    from rdflib import Graph

    from ckanext.datasud_partnership import demo
    from ckanext.dcat.processors import RDFSerializer

    record: dict[str, Any] = {**common.run_record(args), "results": {}}
    with app.test_request_context():
        demo.load_demo_data()
        found = tk.get_action("package_search")({"user": ""}, {"rows": 1000, "include_private": False})
        datasets = found["results"]
        distributions = sum(len(dataset["resources"]) for dataset in datasets)
        print(
            f"[dcat_shacl] {len(datasets)} published datasets, {distributions} distributions", file=sys.stderr
        )
        record["datasets"], record["distributions"] = len(datasets), distributions
        for output, profiles in PROFILES.items():
            catalogue = RDFSerializer(profiles=profiles).serialize_catalog(
                {}, dataset_dicts=datasets, _format="turtle"
            )
            singles = []
            for dataset in datasets:
                serializer = RDFSerializer(profiles=profiles)
                singles.append(serializer.serialize_dataset(dataset, _format="turtle"))
            for version in sorted(shacl_check.SHAPE_FILES):
                began = time.perf_counter()
                in_catalogue = shacl_check.violations(Graph().parse(data=catalogue, format="turtle"), version)
                endpoints = [
                    v
                    for text in singles
                    for v in shacl_check.violations(Graph().parse(data=text, format="turtle"), version)
                ]
                key = f"{output} output, {version} shapes"
                record["results"][key] = {
                    "catalogue": len(in_catalogue),
                    "dataset_endpoints": len(endpoints),
                    "groups": dict(shacl_check.groups(in_catalogue).most_common()),
                    "seconds": round(time.perf_counter() - began, 1),
                }
                print(f"{key}: catalogue {len(in_catalogue)} violations, dataset endpoints {len(endpoints)}")
                for group, count in shacl_check.groups(in_catalogue).most_common():
                    print(f"    {count:>4}  {group}")
    common.RESULTS.mkdir(exist_ok=True)
    out = common.RESULTS / f"dcat-shacl-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    print(f"written: {out.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
