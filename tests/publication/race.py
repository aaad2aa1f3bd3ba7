"""Concurrent publications and withdrawals of one dataset, over HTTP, on the
portal served by gunicorn with several worker processes (``bin/wsgi.py``).

Shared by ``test_concurrency.py`` and ``benchmarks/concurrency.py``: start the
server (:func:`serve`), fire the calls from several threads (:func:`fire`),
then read what a partner sees: the journal (:func:`journal`) and search
(:func:`search`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
WSGI = ROOT / "bin" / "wsgi.py"
DECLARATION = {"personal_data": "none", "text_version": "2026-01"}
TIMEOUT = 30  # seconds, for one HTTP request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(
    ini: str | Path, workers: int = 4, log: Path | None = None, start_within: float = 60
) -> Iterator[str]:
    """gunicorn with ``workers`` sync worker processes on a free port of
    127.0.0.1, serving the portal of ``ini``; yields its base URL and stops it
    (SIGTERM, then SIGKILL) afterwards. ``--preload``: the application is built
    once, then the workers are forked (bin/wsgi.py closes its connections)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "--workers",
        str(workers),
        "--preload",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        str(TIMEOUT * 2),
        "--pythonpath",
        str(WSGI.parent),
        "--no-control-socket",
        "wsgi:application",
    ]
    env = {**os.environ, "CKAN_INI": str(Path(ini).resolve()), "CKAN_SITE_URL": url}
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - open while it serves
    server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + start_within
        while True:
            try:
                requests.get(url + "/api/3/action/status_show", timeout=5).raise_for_status()
                break
            except requests.RequestException:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {' '.join(command)}") from None
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if log:
            out.close()


def call(base: str, action: str, token: str | None = None, **data: Any) -> requests.Response:
    headers = {"Authorization": token} if token else {}
    return requests.post(f"{base}/api/3/action/{action}", json=data, headers=headers, timeout=TIMEOUT)


@dataclass
class Outcome:
    """One call of the race, as its client saw it."""

    action: str  # a key of REQUESTS
    status: int
    success: bool
    error: dict[str, Any] = field(default_factory=dict)
    started: float = 0.0
    ms: float = 0.0

    @property
    def reason(self) -> str:
        """Why it was refused: the error's fields and messages, in one line."""
        if self.success:
            return ""
        parts = [
            f"{key}: {' '.join(map(str, value)) if isinstance(value, list) else value}"
            for key, value in sorted(self.error.items())
            if key != "__type"
        ]
        return f"{self.status} {self.error.get('__type', '')} " + "; ".join(parts)


# What each kind of call asks, and the journal entry it makes when it changes something
REQUESTS: dict[str, tuple[str, dict[str, Any]]] = {
    "dataset_publish": ("dataset_publish", {"publication_declaration": DECLARATION}),
    "dataset_withdraw": ("dataset_withdraw", {"reason": "Vérification en cours"}),
    # the same through CKAN's own package_update, with the whole dataset as an
    # API client read it beforehand (package_show), the private flag changed
    "make_public": ("package_update", {"private": False, "publication_declaration": DECLARATION}),
    "make_private": ("package_update", {"private": True}),
}
ENTRY = {
    "dataset_publish": "published",
    "make_public": "published",
    "dataset_withdraw": "withdrawn",
    "make_private": "withdrawn",
}


def _once(base: str, token: str, dataset: str, action: str, shown: dict[str, Any] | None = None) -> Outcome:
    name, data = REQUESTS[action]
    if name == "package_update":
        data = {**(shown or {}), **data}
    data = {**data, "id": dataset}
    started = time.perf_counter()
    try:
        response = call(base, name, token, **data)
    except requests.RequestException as error:  # no answer: counted as such
        return Outcome(action, 0, False, {"__type": type(error).__name__}, started)
    ms = (time.perf_counter() - started) * 1000
    try:
        body = response.json()
    except ValueError:
        body = {"success": False, "error": {"__type": "not JSON", "body": response.text[:200]}}
    return Outcome(
        action, response.status_code, bool(body.get("success")), body.get("error") or {}, started, ms
    )


def fire(
    base: str,
    token: str,
    dataset: str,
    actions: list[str],
    threads: int = 8,
    shown: dict[str, Any] | None = None,
) -> list[Outcome]:
    """Each action of ``actions`` once, from ``threads`` threads that start
    together and take the next action as soon as they are free (``shown``: the
    dataset as package_show gave it, for package_update). Returns the
    outcomes in the order the calls started."""
    pending = list(reversed(actions))
    lock = threading.Lock()
    barrier = threading.Barrier(threads)
    outcomes: list[Outcome] = []

    def worker() -> None:
        barrier.wait()
        while True:
            with lock:
                if not pending:
                    return
                action = pending.pop()
            outcome = _once(base, token, dataset, action, shown)
            with lock:
                outcomes.append(outcome)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sorted(outcomes, key=lambda outcome: outcome.started)


def pairs(base: str, token: str, dataset: str, count: int) -> tuple[list[float], int]:
    """``count`` publish-then-withdraw pairs from one thread: the milliseconds
    of each pair (both calls answered, done or refused: a refused call waited
    for the dataset's row as well) and how many calls were refused."""
    times = []
    refused = 0
    for _ in range(count):
        started = time.perf_counter()
        publish = _once(base, token, dataset, "dataset_publish")
        withdraw = _once(base, token, dataset, "dataset_withdraw")
        times.append((time.perf_counter() - started) * 1000)
        refused += (not publish.success) + (not withdraw.success)
    return times, refused


def show(base: str, token: str, dataset: str) -> dict[str, Any]:
    response = call(base, "package_show", token, id=dataset)
    response.raise_for_status()
    return response.json()["result"]


def journal(base: str, token: str, organization: str, dataset: str) -> list[dict[str, Any]]:
    """The dataset's journal entries, oldest first, as the partner reads them."""
    response = call(
        base, "publication_journal_list", token, organization=organization, dataset=dataset, limit=1000
    )
    response.raise_for_status()
    return list(reversed(response.json()["result"]["results"]))


def search(base: str, token: str | None, dataset: str) -> list[dict[str, Any]]:
    """``package_search`` for the dataset by name, private ones included
    (for whoever may read them): the results."""
    response = call(base, "package_search", token, fq=f"name:{dataset}", include_private=True)
    response.raise_for_status()
    return response.json()["result"]["results"]


def repeated(entries: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """(position, action) of each entry whose action repeats the one before
    (a publication after a publication)."""
    return [
        (number, entry["action"])
        for number, entry in enumerate(entries)
        if number and entries[number - 1]["action"] == entry["action"]
    ]
