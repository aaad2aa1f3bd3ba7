"""Bad inputs to every action, counted: what ``tests/test_bad_inputs.py``
checks on a few examples, on thousands.

Usage (from the repository root, with the test database exported as for the
tests: CKAN_SQLALCHEMY_URL, CKAN_REDIS_URL, CKAN_SITE_ID)::

    .venv/bin/python benchmarks/fuzz.py                  # >= 10,000 inputs
    .venv/bin/python benchmarks/fuzz.py --total 1000     # a quick look
    .venv/bin/python benchmarks/fuzz.py --random         # not derandomized

It runs the test's generator (hypothesis) through pytest, with
``DATASUD_FUZZ_EXAMPLES`` examples per action (``--total`` divided among the
actions), going on after a bad answer instead of stopping at the first; each
input is sent over HTTP as an anonymous visitor, an outsider or a sysadmin.
It prints the answers' statuses per action, the bad answers (a 5xx, a 2xx to
an input that must be refused, a validation error naming no field, a write)
and writes them to ``benchmarks/results/fuzz.json``. Target: no 500.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--total", type=int, default=10_000, help="inputs in all (default 10,000)")
    parser.add_argument("--random", action="store_true", help="a new random sample (else derandomized)")
    parser.add_argument("--ini", default="test.ini")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from tests.test_bad_inputs import ACTIONS

    per_action = -(-args.total // len(ACTIONS))
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = RESULTS / "fuzz.json"
    report.unlink(missing_ok=True)
    env = {
        **os.environ,
        "DATASUD_FUZZ_EXAMPLES": str(per_action),
        "DATASUD_FUZZ_REPORT": str(report),
        **({"DATASUD_FUZZ_RANDOM": "1"} if args.random else {}),
    }
    command = [
        str(ROOT / ".venv" / "bin" / "pytest"),
        f"--ckan-ini={args.ini}",
        "-q",
        "-p",
        "no:cacheprovider",
        "-n",
        "0",
        "tests/test_bad_inputs.py::test_no_bad_input_answers_500_or_writes",
    ]
    print(f"{per_action} examples per action, {len(ACTIONS)} actions: {per_action * len(ACTIONS)} inputs")
    started = time.monotonic()
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if not report.exists():
        print(run.stdout[-3000:], run.stderr[-3000:])
        return 2
    data = json.loads(report.read_text(encoding="utf-8"))
    by_action: dict[str, Counter] = defaultdict(Counter)
    for row in data["counts"]:
        by_action[row["action"]][row["status"]] += row["count"]
    statuses = sorted({status for counter in by_action.values() for status in counter})
    width = max(len(action) for action in by_action)
    print(f"{'action':<{width}} " + " ".join(f"{status:>6}" for status in statuses) + "   total")
    totals: Counter = Counter()
    for action in sorted(by_action):
        counter = by_action[action]
        totals.update(counter)
        print(
            f"{action:<{width}} "
            + " ".join(f"{counter.get(status, 0):>6}" for status in statuses)
            + f"   {sum(counter.values()):>5}"
        )
    print(
        f"{'all':<{width}} "
        + " ".join(f"{totals.get(s, 0):>6}" for s in statuses)
        + f"   {sum(totals.values()):>5}"
    )
    five_hundreds = sum(n for status, n in totals.items() if status >= 500)
    print(
        f"\n{sum(totals.values())} inputs in {elapsed:.0f} s; answers 5xx: {five_hundreds}; bad answers: {len(data['problems'])}"
    )
    for problem in data["problems"][:40]:
        print("  " + problem[:300].replace("\n", " "))
    data.update(elapsed_seconds=round(elapsed), examples_per_action=per_action)
    report.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return 0 if not data["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
