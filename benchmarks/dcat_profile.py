"""The cost of the DCAT-AP profile in a catalogue page, in one process.

Usage (from the repository root, after ``benchmarks/schema.py`` has filled
its database with 10,000 published datasets)::

    .venv/bin/python benchmarks/dcat_profile.py --ini benchmarks/schema.ini
    .venv/bin/python benchmarks/dcat_profile.py --ini benchmarks/schema.ini \\
        --compare-with /path/to/an/older/checkout/ckanext/datasud_partnership/profile/dcat.py

Takes one page of published datasets as ckanext-dcat's catalogue endpoint
takes it (``package_search``, ``ckanext.dcat.datasets_per_page`` rows, page
``--page``), then serialises it to Turtle with ckanext-dcat's
``RDFSerializer``, alternating, ``--rounds`` times each: with
``euro_dcat_ap_3`` alone (ckanext-dcat's profile: the floor), with
``euro_dcat_ap_3`` and this checkout's ``datasud_dcat_ap``, and (with
``--compare-with``) with ``euro_dcat_ap_3`` and the profile class of another
version of ``profile/dcat.py``. Prints the medians of the process's CPU time
(the shared machine's load moves wall time more than the differences
measured), the triples written and the ratios. The page's search is the same for all and is not timed: the
whole page (search included) is what ``benchmarks/schema.py`` times.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import common


def _older_profile(path: Path) -> type:
    name = "ckanext.datasud_partnership.profile._dcat_compared"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.DatasudDCATAPProfile


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ini", type=Path, default=common.HERE / "schema.ini")
    parser.add_argument("--page", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--compare-with", type=Path, help="another version's profile/dcat.py")
    args = parser.parse_args()
    app = common.start_ckan(args.ini.resolve())

    import ckan.plugins.toolkit as tk
    from rdflib import Graph

    from ckanext.datasud_partnership.profile.dcat import DatasudDCATAPProfile
    from ckanext.dcat.processors import RDFSerializer
    from ckanext.dcat.profiles import EuropeanDCATAP3Profile

    variants: dict[str, list[type]] = {
        "euro_dcat_ap_3 alone": [EuropeanDCATAP3Profile],
        "with datasud_dcat_ap (this checkout)": [EuropeanDCATAP3Profile, DatasudDCATAPProfile],
    }
    if args.compare_with:
        variants["with datasud_dcat_ap (compared)"] = [
            EuropeanDCATAP3Profile,
            _older_profile(args.compare_with),
        ]

    with app.test_request_context():
        rows = int(tk.config.get("ckanext.dcat.datasets_per_page") or 100)
        search = {"rows": rows, "start": (args.page - 1) * rows, "sort": "metadata_modified desc"}
        datasets = tk.get_action("package_search")({"user": ""}, search)["results"]

        def serialise(profiles: list[type]) -> str:
            serializer = RDFSerializer(profiles=["euro_dcat_ap_3"])
            serializer._profiles = profiles
            return serializer.serialize_catalog({}, dataset_dicts=datasets, _format="turtle")

        samples: dict[str, list[float]] = {name: [] for name in variants}
        triples = {
            name: len(Graph().parse(data=serialise(p), format="turtle")) for name, p in variants.items()
        }
        for _ in range(args.rounds):
            for name, profiles in variants.items():
                began = time.process_time()  # CPU time: the shared machine's load moves wall time
                serialise(profiles)
                samples[name].append((time.process_time() - began) * 1000)

    floor = statistics.median(samples["euro_dcat_ap_3 alone"])
    print(
        f"{len(datasets)} datasets (page {args.page}), {args.rounds} rounds, median CPU ms; load {common_load()}"
    )
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"  {name:<40} {median:>8.1f} ms  x{median / floor:.2f}   {triples[name]} triples")


def common_load() -> str:
    import os

    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
