"""Benchmark of the e-mail outbox (ckanext/datasud_partnership/common/outbox.py).

Usage (from the repository root)::

    .venv/bin/python benchmarks/mail.py                      # 60 actions each way, 1,000 e-mails
    .venv/bin/python benchmarks/mail.py --calls 20 --mails 200
    .venv/bin/python benchmarks/mail.py --database datasud_test_mail --redis 2

In its own database (``datasud_bench_mail`` unless ``--database``; emptied,
never the demo's), with the local SMTP sink (aiosmtpd, ``mail_sink.py``) on a
free port of 127.0.0.1 writing to a temporary folder:

1. **an action that sends e-mails**: ``agreement_notice_serve`` then
   ``agreement_notice_lift`` on an agreement in force (3 e-mails each: the
   referent, the partner's admin, the portal's admin), timed with the
   outbox handing the e-mails to the worker (``mail_delivery = worker``:
   the action writes the rows and one Redis job) and sending them inline
   after the commit (``mail_delivery = inline``: the action waits for the
   SMTP server), in alternating rounds; and inline with the SMTP server
   refusing connections (for information);
2. **throughput**: ``--mails`` e-mails queued in batches of 50 (one job
   each), then one ``ckan jobs worker --burst`` process sends them to the
   sink: e-mails per second from the first to the last sent (and the whole
   process, start-up included).

Prints the figures and the ratio worker / inline; writes JSON under
``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common

DATABASE = "datasud_bench_mail"
BATCH = 50


def write_ini(database: str, redis_db: int, port: int) -> Path:
    ini = common.write_config("bench-mail", database, redis_db, "DataSud (benchmark e-mail)")
    text = ini.read_text(encoding="utf-8")
    text = text.replace("# no e-mail is sent: no server listens on this machine\nsmtp.server =\n", "")
    text += f"smtp.server = 127.0.0.1:{port}\nckanext.datasud_partnership.mail_delivery = worker\n"
    ini.write_text(text, encoding="utf-8")
    return ini


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=60, help="actions each way (half serve, half lift)")
    parser.add_argument("--rounds", type=int, default=6, help="alternating rounds")
    parser.add_argument("--mails", type=int, default=1000, help="e-mails for the throughput")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--redis", type=int, default=13, help="Redis database number")
    args = parser.parse_args(argv)
    record = common.run_record(args)

    from ckanext.datasud_partnership import mail_sink

    folder = Path(tempfile.mkdtemp(prefix="datasud-bench-mail-"))
    sink = mail_sink.start(folder)
    ini = write_ini(args.database, args.redis, sink.port)
    created = common.ensure_database(args.database)
    print(
        f"database {args.database}: {'created' if created else 'exists'}; migrating, emptying",
        file=sys.stderr,
    )
    common.migrate(ini)
    common.wipe(args.database)
    app = common.start_ckan(ini)
    try:
        with app.test_request_context():
            record["action"] = _actions(args)
            record["throughput"] = _throughput(args, ini, folder)
    finally:
        sink.stop()
    action = record["action"]
    ratio = action["worker"]["p50_ms"] / action["inline"]["p50_ms"]
    record["ratio_worker_to_inline_p50"] = round(ratio, 3)
    print()
    print("An action that sends 3 e-mails (agreement_notice_serve / _lift), per call:")
    for name in ("worker", "inline", "inline_smtp_refused"):
        t = action[name]
        print(f"  {name:<22} p50 {t['p50_ms']:8.2f} ms   p95 {t['p95_ms']:8.2f} ms   ({t['calls']} calls)")
    print(f"  ratio worker / inline (p50): {ratio:.2f}")
    t = record["throughput"]
    print(f"Throughput: {t['mails']} e-mails through `ckan jobs worker --burst` to the local sink:")
    print(f"  {t['per_second']:.1f} e-mails/s from the first to the last sent ({t['sending_s']:.2f} s)")
    print(f"  {t['per_second_whole']:.1f} e-mails/s for the whole worker process ({t['process_s']:.2f} s)")
    common.RESULTS.mkdir(exist_ok=True)
    out = common.RESULTS / f"mail-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(f"written: {out}")
    return 0


def _actions(args: Any) -> dict[str, Any]:
    import smtplib

    import ckan.plugins.toolkit as tk
    from ckan import model

    from ckanext.datasud_partnership.common import outbox

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    system = {"user": site_user, "ignore_auth": True}
    tk.get_action("user_create")(
        dict(system), {"name": "bench-team", "email": "team@bench.example", "password": "Bench-password-2026"}
    )
    model.User.get("bench-team").sysadmin = True
    tk.get_action("user_create")(
        dict(system),
        {"name": "bench-admin", "email": "admin@bench.example", "password": "Bench-password-2026"},
    )
    model.Session.commit()
    tk.get_action("organization_create")(
        dict(system), {"name": "bench-partner", "users": [{"name": "bench-admin", "capacity": "admin"}]}
    )
    agreement = tk.get_action("agreement_create")(
        {"user": "bench-team"},
        {
            "organization": "bench-partner",
            "kind": "datasud_partnership",
            "reference": "CONV-BENCH",
            "signed_on": "2024-01-15",
            "notified_on": "2024-01-31",
            "referent_email": "referent@bench.example",
        },
    )
    served = [False]

    def act() -> None:
        if served[0]:
            tk.get_action("agreement_notice_lift")(
                {"user": "bench-team"}, {"id": agreement["id"], "reason": "ok"}
            )
        else:
            tk.get_action("agreement_notice_serve")(
                {"user": "bench-team"},
                {"id": agreement["id"], "breaches": ["Jeux non mis à jour"], "deadline": "2099-12-31"},
            )
        served[0] = not served[0]

    def refused(*a: Any, **k: Any) -> Any:
        raise ConnectionRefusedError(111, "Connection refused")

    times: dict[str, list[float]] = {"worker": [], "inline": [], "inline_smtp_refused": []}
    per_round = max(1, args.calls // args.rounds)
    real_smtp = smtplib.SMTP
    for mode in ("worker", "inline"):  # warm-up
        tk.config["ckanext.datasud_partnership.mail_delivery"] = mode
        common.time_each(act, 0, warmup=2)
    for _round in range(args.rounds):
        for mode in ("worker", "inline"):
            tk.config["ckanext.datasud_partnership.mail_delivery"] = mode
            times[mode] += common.time_each(act, per_round)
        smtplib.SMTP = refused
        try:
            times["inline_smtp_refused"] += common.time_each(act, max(1, per_round // 3))
        finally:
            smtplib.SMTP = real_smtp
    tk.config["ckanext.datasud_partnership.mail_delivery"] = "worker"
    model.Session.query(outbox.OutboxMail).delete()
    model.Session.commit()
    from ckan.lib import jobs

    jobs.get_queue().empty()
    return {mode: common.timings(values) for mode, values in times.items()}


def _throughput(args: Any, ini: Path, folder: Path) -> dict[str, Any]:
    import sqlalchemy as sa
    from ckan import model

    from ckanext.datasud_partnership.common import outbox
    from ckanext.datasud_partnership.common.mail import Mail, Recipient

    for path in folder.glob("*.eml"):
        path.unlink()
    body = "Bonjour,\n\nUn message de test du débit de la file d'envoi.\n\n  - un\n  - deux\n\n--\nPied de page.\n"
    for start in range(0, args.mails, BATCH):
        for n in range(start, min(start + BATCH, args.mails)):
            recipient = Recipient(f"Lecteur {n}", f"reader{n}@bench.example", "portal_admin", "fr")
            outbox.enqueue(Mail(recipient=recipient, subject=f"Message {n}", body=body, topic="bench"))
        model.Session.commit()  # one job per batch
    ckan = Path(sys.executable).with_name("ckan")
    began = time.perf_counter()
    done = subprocess.run(
        [str(ckan), "-c", str(ini), "jobs", "worker", "--burst"], capture_output=True, text=True, check=False
    )
    process_s = time.perf_counter() - began
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit("the worker failed")
    model.Session.remove()
    sent, first, last = (
        model.Session.query(
            sa.func.count(),
            sa.func.min(outbox.OutboxMail.last_attempt_at),
            sa.func.max(outbox.OutboxMail.sent_at),
        )
        .filter(outbox.OutboxMail.status == outbox.SENT)
        .one()
    )
    files = len(list(folder.glob("*.eml")))
    if sent != args.mails or files != args.mails:
        raise SystemExit(f"{sent} sent, {files} in the sink, of {args.mails}")
    sending_s = (last - first).total_seconds()
    return {
        "mails": args.mails,
        "batch": BATCH,
        "sending_s": round(sending_s, 3),
        "per_second": round(args.mails / sending_s, 1),
        "process_s": round(process_s, 3),
        "per_second_whole": round(args.mails / process_s, 1),
    }


if __name__ == "__main__":
    sys.exit(main())
