"""Benchmark of ``dataset_publication_check``: what asking first costs,
against ``package_show`` of the same dataset (CKAN's read, with this plugin
loaded), in the same run.

Usage (from the repository root)::

    .venv/bin/python benchmarks/publication_check.py              # 300 calls each
    .venv/bin/python benchmarks/publication_check.py --calls 50   # quick check

In its own database ``datasud_bench_check`` (config under ``local/``), one
process: the partner of ``benchmarks/publication.py`` (an agreement in force,
the terms accepted), one private dataset ready for publication and
``--others`` datasets in the organization; then, as the editor, in
alternating blocks, ``package_show`` and ``dataset_publication_check`` (with
a declaration, so that every condition is judged); p50, p95 and the ratio.

Prints a table and writes JSON under ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import common
import publication

DATABASE = "datasud_bench_check"
DECLARATION = {"personal_data": "none", "text_version": "2026-01"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="calls of each, in blocks of 30")
    parser.add_argument("--others", type=int, default=1000, help="other datasets of the organization")
    args = parser.parse_args(argv)
    _ini, wsgi_app = common.prepare("bench-check", DATABASE, 12, "DataSud (benchmark check)")

    import ckan.plugins.toolkit as tk

    result: dict[str, Any] = common.run_record(args)
    with wsgi_app.test_request_context(environ_base={"CKAN_LANG": "fr"}):
        sysadmin = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        partner = publication.set_up_partner(tk, sysadmin)
        publication.bulk_datasets(partner["org"]["id"], "autre", args.others, private=True, journal=False)
        tk.get_action("package_create")(
            {"user": "bench-editor"},
            {
                "name": "a-publier",
                "title": "Budget primitif",
                "notes": "Le budget voté.",
                "license_id": "lo-2.0",
                "owner_org": partner["org"]["id"],
                "tags": [{"name": "budget"}],
                "resources": [{"url": "https://bench.example/budget.csv", "format": "CSV"}],
                "theme": ["economie-finances"],
                "spatial_text": "Région",
                "temporal_start": "2026-01-01",
                "private": True,
            },
        )

        def show() -> Any:
            return tk.get_action("package_show")({"user": "bench-editor"}, {"id": "a-publier"})

        def check() -> Any:
            answer = tk.get_action("dataset_publication_check")(
                {"user": "bench-editor"}, {"id": "a-publier", "publication_declaration": DECLARATION}
            )
            assert answer["may_publish"], answer["unmet"]
            return answer

        shown: list[float] = []
        checked: list[float] = []
        for _ in range(max(1, args.calls // 30)):
            shown += common.time_each(show, 30, warmup=2)
            checked += common.time_each(check, 30, warmup=2)
    result["package_show"] = common.timings(shown)
    result["dataset_publication_check"] = common.timings(checked)
    result["ratio_p95"] = round(
        result["dataset_publication_check"]["p95_ms"] / result["package_show"]["p95_ms"], 2
    )
    print(f"{'':28} {'p50 ms':>8} {'p95 ms':>8}")
    for name in ("package_show", "dataset_publication_check"):
        print(f"{name:28} {result[name]['p50_ms']:>8} {result[name]['p95_ms']:>8}")
    print(f"ratio of the p95s: {result['ratio_p95']}")
    common.RESULTS.mkdir(exist_ok=True)
    out = common.RESULTS / f"publication_check-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"written: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
