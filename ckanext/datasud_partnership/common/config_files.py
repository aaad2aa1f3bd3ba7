"""The files every web, worker and cron host reads from ``config_dir``: the
agreement kinds, the themes and the licences. Each host computes their
fingerprint at start-up and records it, with its name, in CKAN's
``system_info`` table; a host whose files differ from those another host
recorded says so in its log (an error naming both), so that a web server and
a worker that would judge agreements by different kind files are noticed at
start-up, not by the partners."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import socket
from pathlib import Path

log = logging.getLogger(__name__)

PATTERNS = ("agreement_kinds/*.yaml", "themes.yaml", "licenses.json")
KEY = "ckanext.datasud_partnership.config_fingerprint"


def fingerprint(directory: Path) -> str:
    """One hash of the files' names and contents."""
    digest = hashlib.sha256()
    for pattern in PATTERNS:
        for path in sorted(directory.glob(pattern)):
            digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def check_same_files(directory: Path, host: str | None = None) -> str | None:
    """Record this host's fingerprint; the error logged (and returned) when
    the last host that recorded one had other files."""
    from ckan import model

    host = host or socket.gethostname()
    mine = fingerprint(directory)
    try:
        recorded = json.loads(model.get_system_info(KEY) or "{}")
        problem = None
        if recorded.get("fingerprint") not in (None, mine) and recorded.get("host") != host:
            problem = (
                f"The agreement kinds, themes or licences of {directory} (fingerprint {mine}) differ from those "
                f"host {recorded['host']} started with (fingerprint {recorded['fingerprint']}, "
                f"{recorded.get('at')}): every web, worker and cron host needs the same files"
            )
            log.error(problem)
        if (recorded.get("fingerprint"), recorded.get("host")) != (mine, host):
            at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            model.set_system_info(KEY, json.dumps({"fingerprint": mine, "host": host, "at": at}))
        return problem
    except Exception:  # a database not migrated yet (``ckan db init`` starts CKAN too)
        model.Session.rollback()
        log.debug("Could not compare the config files with the other hosts'", exc_info=True)
        return None
