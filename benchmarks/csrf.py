"""Benchmark of the extension's CSRF check (ckanext/datasud_partnership/ui/csrf.py):
a page POST through CKAN's whole WSGI stack with the check and without it,
in the same run.

Usage (from the repository root)::

    .venv/bin/python benchmarks/csrf.py                 # 200 POSTs each way
    .venv/bin/python benchmarks/csrf.py --calls 40      # quick check
    .venv/bin/python benchmarks/csrf.py --database datasud_test_csrf --redis 11

In its own database (``datasud_bench_csrf`` unless ``--database``; emptied,
never the demo's), one process, a sysadmin logged in through Flask-Login's
test client posts the portal team's terms-of-use form with its CSRF token and
an empty version: the action refuses it (400, the form shown again, nothing
written), so every call does the same work. The calls alternate, in rounds,
between:

- ``with the check``: the app as the plugin builds it;
- ``without``: the same app with our hook taken out of Flask's
  ``before_request`` functions (Flask-WTF's own check still runs);
- ``forged (refused)``: the same POST without the token, answered 400 by our
  check before the view runs (for information).

Prints p50/p95 and the ratio of "with" to "without"; writes JSON under
``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from typing import Any

import common

DATABASE = "datasud_bench_csrf"
URL = "/ckan-admin/terms-of-use/"
FORM = {"version": "", "title": "CGU", "url": "https://datasud.example/cgu"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="POSTs each way")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--redis", type=int, default=12, help="Redis database number")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    _ini, app = common.prepare("bench-csrf", args.database, args.redis, "DataSud (benchmark CSRF)")

    import ckan.plugins.toolkit as tk
    from ckan import model
    from flask_login import FlaskLoginClient

    from ckanext.datasud_partnership.ui import csrf

    with app.test_request_context():
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        tk.get_action("user_create")(
            {"user": site_user, "ignore_auth": True},
            {"name": "bench-team", "email": "team@bench.example", "password": "Bench-password-2026"},
        )
        model.User.get("bench-team").sysadmin = True
        model.Session.commit()
    app.test_client_class = FlaskLoginClient
    client = app.test_client(user=model.User.get("bench-team"))
    model.Session.remove()
    page = client.get(URL, base_url="http://localhost")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    hooks = app.before_request_funcs[None]
    assert csrf.refuse_forged_requests in hooks

    def post(data: dict[str, Any]) -> None:
        response = client.post(URL, data=data, base_url="http://localhost")
        if response.status_code != 400:
            raise SystemExit(f"{URL}: {response.status_code}, expected 400")

    def with_check() -> None:
        post({"_csrf_token": token, **FORM})

    position = hooks.index(csrf.refuse_forged_requests)  # after CKAN's own (who is logged in)

    def without_check() -> None:
        del hooks[position]
        try:
            post({"_csrf_token": token, **FORM})
        finally:
            hooks.insert(position, csrf.refuse_forged_requests)

    def forged() -> None:
        post(FORM)

    cases = {"with the check": with_check, "without": without_check, "forged (refused)": forged}
    times: dict[str, list[float]] = {name: [] for name in cases}
    per_round = max(1, args.calls // args.rounds)
    for call in cases.values():  # warm-up
        common.time_each(call, 3)
    for round_number in range(args.rounds):
        order = list(cases.items()) if round_number % 2 == 0 else list(reversed(cases.items()))
        for name, call in order:
            times[name].extend(common.time_each(call, per_round))
    stats = {name: common.timings(values) for name, values in times.items()}
    ratio = round(stats["with the check"]["p50_ms"] / stats["without"]["p50_ms"], 3)
    result = {**common.run_record(args), "cases": stats, "ratio_p50": ratio}
    result["seconds"] = round(time.perf_counter() - began, 1)

    print(f"\nPOST {URL} (refused by the action: the same work each call)")
    print(f"{'case':20} {'p50 ms':>8} {'p95 ms':>8}")
    for name, row in stats.items():
        print(f"{name:20} {row['p50_ms']:8.2f} {row['p95_ms']:8.2f}")
    print(f"ratio with/without (p50): {ratio:.3f}; {args.calls} calls each, {result['seconds']} s")
    common.RESULTS.mkdir(exist_ok=True)
    out = common.RESULTS / f"csrf-{result['started'].replace(':', '')}.json"
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"written {out.relative_to(common.ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
