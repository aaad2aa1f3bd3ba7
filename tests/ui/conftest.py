"""Browser tests: one real CKAN server per session (``ckan run`` on a free
port, with the ini the tests were given) and Debian's Chromium driven by
Playwright. Screenshots go to tests/screenshots/ (not committed)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.publication.conftest import partner  # noqa: F401 - the partner of the journeys

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = os.environ.get("DATASUD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}  # a phone-width screen
PASSWORD = "DataSud-tests-2026"  # set on the user before it logs in


@pytest.fixture
def challenge(partner: dict[str, Any], agreement_factory: Any) -> dict[str, Any]:  # noqa: F811 - the fixture
    """A signed challenge agreement of the commune "nice" (the partner's other
    organization), made by the region's team."""
    return agreement_factory(
        kind="challenge_open_data",
        organization="nice",
        reference="CHAL-NICE",
        signed_on="2026-03-01",
        end_on="2027-12-31",
    )


# -- the page tests: one CKAN app per module, a fresh client per test ---------------------
@pytest.fixture(scope="module")
def _module_app() -> Any:
    """CKAN's whole WSGI stack, built once for the module's tests (building
    it costs some 0.9 s). It holds no test's data: the database is cleaned
    and the plugins reloaded for every test as before, the config restored
    by CKAN's test plugin, and each test gets its own client (cookies)."""
    from ckan import plugins as p
    from ckan.tests import helpers

    p.load_all()  # as the tests' with_plugins does before CKAN's own app fixture
    try:
        return helpers._get_test_app().app
    finally:
        p.unload_all()


@pytest.fixture
def app(_module_app: Any, with_plugins: Any) -> Any:
    """CKAN's ``app`` fixture, on the module's app (see ``_module_app``)."""
    from ckan.lib.app_globals import _CONFIG_CACHE
    from ckan.tests.helpers import CKANTestApp

    _CONFIG_CACHE.clear()  # as CKAN's make_app fixture does before each app
    return CKANTestApp(_module_app)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def portal(pytestconfig: Any) -> Iterator[str]:
    """The base URL of a CKAN server on the tests' database, for the session."""
    ini = Path(pytestconfig.getoption("ckan_ini")).resolve()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    ckan = Path(sys.executable).with_name("ckan")
    env = {**os.environ, "CKAN_SITE_URL": url}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # each worker has its server
    log_name = f"server-{worker}.log" if worker else "server.log"
    log = open(SCREENSHOTS / log_name, "w")  # noqa: SIM115 - open for the whole session
    command = [str(ckan), "-c", str(ini), "run", "-H", "127.0.0.1", "-p", str(port), "-r", "-t"]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url + "/api/3/action/status_show", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the CKAN server did not start: {' '.join(command)}") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (make services does it)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


# How long a step may wait for the page (a click, a navigation, an expected
# text). Playwright's expect() waits 5 s by default: on a loaded 2-core machine
# a form post that publishes or withdraws took longer (a journey failed waiting
# for the navigation), so expect() waits as long as the actions do.
TIMEOUT_MS = 15_000


class Visitor:
    """A person at a browser: a fresh context (cookies) of its own."""

    def __init__(self, browser: Any, base: str, test_name: str, who: str, phone: bool = False) -> None:
        self.base = base
        viewport = PHONE if phone else {"width": 1200, "height": 900}
        self.context = browser.new_context(base_url=base, locale="fr-FR", viewport=viewport)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.prefix = f"{test_name}-{who}"
        self.shots = 0

    def go(self, path: str) -> Any:
        self.page.goto(path)
        return self.page

    def login(self, name: str) -> Visitor:
        from ckan import model

        user = model.User.get(name)
        user.password = PASSWORD
        model.Session.commit()
        self.go("/user/login")
        self.page.fill("#field-login", name)
        self.page.fill("#field-password", PASSWORD)
        with self.page.expect_navigation():
            self.page.press("#field-password", "Enter")
        return self

    def shot(self, step: str) -> Path:
        self.shots += 1
        path = SCREENSHOTS / f"{self.prefix}-{self.shots:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitor(browser: Any, portal: str, request: Any) -> Iterator[Any]:
    """``visitor(who)``: a new browser context; closed after the test."""
    opened: list[Visitor] = []

    def open_one(who: str = "visitor", phone: bool = False) -> Visitor:
        one = Visitor(browser, portal, request.node.name, who, phone)
        opened.append(one)
        return one

    yield open_one
    for one in opened:
        one.close()
