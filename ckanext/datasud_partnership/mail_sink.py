"""A local SMTP sink for the demo and the tests: it accepts every e-mail on
127.0.0.1 and writes each one, as received, to a folder (one ``.eml`` file
each, named by arrival time). Nothing is relayed anywhere.

    python -m ckanext.datasud_partnership.mail_sink --port 8025 --folder local/mail

Uses aiosmtpd (a development dependency: ``pip install -e '.[dev]'``)."""

from __future__ import annotations

import argparse
import itertools
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"


class FolderHandler:
    """aiosmtpd handler: every message to a file of ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        with self._lock:
            name = (
                f"{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**9:09d}-{next(self._numbers):05d}.eml"
            )
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        path = self.folder / name
        path.with_suffix(".part").write_bytes(content)
        path.with_suffix(".part").rename(path)  # a reader never sees half a message
        return "250 Message accepted for delivery"


def start(folder: Path | str, port: int = 0) -> Any:
    """Start the sink in a thread; returns aiosmtpd's controller (``.port``, ``.stop()``)."""
    from aiosmtpd.controller import Controller

    controller = Controller(FolderHandler(Path(folder)), hostname=HOST, port=port or free_port())
    controller.start()
    return controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--folder", default="local/mail")
    args = parser.parse_args()
    controller = start(args.folder, args.port)
    print(
        f"SMTP sink on {HOST}:{controller.port}, e-mails written to {Path(args.folder).resolve()}/",
        flush=True,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_args: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
