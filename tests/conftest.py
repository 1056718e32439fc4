"""Shared fixtures: the real Voilà app on a free loopback port, and real Chromium.

The server is started once per test session by the fixture that needs it and stopped
by it. Chromium is Debian's (/usr/bin/chromium), driven by Playwright; every request
that leaves 127.0.0.1 is blocked and recorded, so tests can assert that none was made.

The app caps the lesson pages each client (address) may have open, as in a class.
Chromium always comes from 127.0.0.1, so browser tests keep few pages open at once;
pages fetched without a browser (``fetch``) are simulated pupils, each from a loopback
address of its own (127.0.1.1, 127.0.1.2, …), as a class looks to the server.
"""

from __future__ import annotations

import http.client
import itertools
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from awareness.browser import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer at {url} within {timeout} s")


class AppServer:
    """A running `python -m awareness serve` on 127.0.0.1."""

    def __init__(
        self,
        port: int,
        log: Path,
        extra_env: dict[str, str] | None = None,
        args: tuple[str, ...] = ("--pool", "1"),
    ):
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        self.log = log
        env = {**os.environ, "AWARENESS_FAST": "1", **(extra_env or {})}
        self._log_file = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "awareness", "serve", "--port", str(port), *args],
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def start(self) -> AppServer:
        try:
            wait_for(self.url, self.proc)
        except RuntimeError:
            self.stop()
            raise RuntimeError(f"{self.log.read_text()[-3000:]}") from None
        return self

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_file.close()

    def log_text(self) -> str:
        self._log_file.flush()
        return self.log.read_text()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The real student app, started once for the session and stopped at its end."""
    log = tmp_path_factory.mktemp("voila") / "server.log"
    server = AppServer(free_port(), log).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app_url(app_server) -> str:
    return app_server.url


_PUPILS = (f"127.0.{a}.{b}" for a in itertools.count(1) for b in range(1, 255))


def pupil_address() -> str:
    """A loopback address no other simulated pupil of this test session uses."""
    return next(_PUPILS)


def fetch(
    url: str, source: str | None = None, headers: dict | None = None, timeout: float = 120
) -> tuple[int, str]:
    """GET a URL as a simulated pupil (from ``source``, by default an address of its own);
    returns (status, body) also for error statuses."""
    status, _, body = fetch_full(url, source, headers, timeout)
    return status, body


def fetch_full(
    url: str, source: str | None = None, headers: dict | None = None, timeout: float = 120
) -> tuple[int, http.client.HTTPMessage, str]:
    """Like fetch, with the response headers."""
    parts = urlparse(url)
    conn = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=timeout, source_address=(source or pupil_address(), 0)
    )
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", path or "/", headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium) "
            "or `sudo apt-get install chromium`"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


class OfflinePage:
    """A fresh page whose requests outside 127.0.0.1 are blocked and recorded."""

    def __init__(self, browser, **options):
        self.context = browser.new_context(**{"locale": "nb-NO", **options})
        self.external: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        # Every Content-Security-Policy violation the page reports (an init script is not
        # subject to the page's CSP).
        self.context.add_init_script(CSP_WATCH)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def allowed(self, url: str) -> bool:
        host = urlparse(url).hostname or ""
        return url.startswith(("data:", "blob:", "about:")) or host in ("127.0.0.1", "localhost")

    def _route(self, route):
        url = route.request.url
        if self.allowed(url):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def close(self):
        self.context.close()


@pytest.fixture
def offline_page(browser):
    page = OfflinePage(browser)
    yield page
    page.close()


def pytest_terminal_summary(terminalreporter):
    """The axe-core counts of every page and deck checked (all impacts, not only serious)."""
    from tests.app.axe import REPORT

    if not REPORT:
        return
    terminalreporter.section("axe-core WCAG 2.1 AA: offending elements per impact")
    totals: dict[str, int] = {}
    for page, found in sorted(REPORT.items()):
        line = ", ".join(f"{k} {v}" for k, v in sorted(found.items())) or "none"
        terminalreporter.write_line(f"{page}: {line}")
        for k, v in found.items():
            totals[k] = totals.get(k, 0) + v
    total = ", ".join(f"{k} {v}" for k, v in sorted(totals.items())) or "none"
    terminalreporter.write_line(f"all {len(REPORT)} pages and decks: {total}")
