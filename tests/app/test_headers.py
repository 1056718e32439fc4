"""What every response carries (the strict CSP, nosniff, no referrer, no cookie), the
Host allow-list, scripts injected into a lesson page that do not run, and a log without
kernel ids."""

from __future__ import annotations

import asyncio
import re
import socket
from html import unescape

import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from awareness.server.handlers import content_security_policy
from tests.app.pages import open_lesson
from tests.app.pupils import kernel_id_of, run
from tests.conftest import csp_violations, fetch, fetch_full, pupil_address

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def assert_headers(headers, where: str) -> None:
    assert headers["Content-Security-Policy"] == content_security_policy(), where
    assert headers["X-Content-Type-Options"] == "nosniff", where
    assert headers["Referrer-Policy"] == "no-referrer", where
    assert "Set-Cookie" not in headers, (where, headers.get_all("Set-Cookie"))


def test_the_policy_is_strict():
    policy = dict(p.strip().split(" ", 1) for p in content_security_policy().split(";"))
    scripts = policy["script-src"].split()
    assert scripts[0] == "'self'" and all(s.startswith("'sha256-") for s in scripts[1:])
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'self'"


def test_every_route_carries_the_headers_and_no_cookie(app_url):
    status, _, lesson = fetch_full(app_url + "voila/render/en/01-what-is-sextortion.ipynb")
    assert status == 200
    kernel_id = kernel_id_of(lesson)
    static = unescape(re.search(r'<script src="(/[^"]+lite\.js[^"]*)"', lesson).group(1))
    routes = {
        "start page": ("", 200),
        "start page in a language": ("voila/render/en/00-start.ipynb", 200),
        "lesson page": ("voila/render/nb/04-prevention.ipynb", 200),
        "static file": (static.lstrip("/"), 200),
        "kernel API": (f"api/kernels/{kernel_id}", 200),
        "unknown kernel": ("api/kernels/00000000-0000-0000-0000-000000000000", 404),
        "template file": ("voila/templates/awareness/index.html.j2", 404),
        "notebook file": ("voila/files/en/01-what-is-sextortion.ipynb", 403),
        "unknown page": ("nothing-here", 404),
    }
    for where, (path, expected) in routes.items():
        status, headers, body = fetch_full(app_url + path)
        assert status == expected, (where, status, body[:300])
        assert_headers(headers, where)
    # The lesson page's own headers, and a page from a Host the server does not answer to.
    _, headers, _ = fetch_full(app_url + "voila/render/en/02-the-conversation.ipynb")
    assert_headers(headers, "lesson page")
    status, headers, _ = fetch_full(app_url, headers={"Host": "evil.example"})
    assert status == 400
    assert_headers(headers, "unknown host")

    async def handshake():
        url = app_url.replace("http://", "ws://") + f"api/kernels/{kernel_id}/channels"
        ws = await websocket_connect(HTTPRequest(url, network_interface=pupil_address()))
        headers = ws.headers
        ws.close()
        return headers

    assert_headers(run(handshake()), "kernel websocket")


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.0.0.42", True),
        (socket.gethostname(), True),
        ("evil.example", False),
        ("127.0.0.1.evil.example", False),
        ("8.8.8.8", False),
    ],
)
def test_only_hosts_the_server_answers_to(app_server, host, allowed):
    status, body = fetch(app_server.url, headers={"Host": f"{host}:{app_server.port}"})
    assert (status == 200) is allowed, (host, status)
    if not allowed:
        assert "Set-Cookie" not in body and "kernelId" not in body


def test_a_script_injected_into_a_lesson_page_does_not_run(app_url, offline_page):
    """What an XSS would put in a page: an inline event handler and an inline script. The
    page's CSP stops both (and the page itself runs with no violation)."""
    page = offline_page.page
    open_lesson(page, app_url, "en", "03-if-it-happens")
    assert csp_violations(page) == []
    page.evaluate("""() => {
        document.body.insertAdjacentHTML('beforeend',
            '<img src="data:," onerror="window.__pwned = 1">' +
            '<a id="aw-link" href="javascript:window.__pwned = 3">x</a>');
        const script = document.createElement('script');
        script.textContent = 'window.__pwned = 2';
        document.body.appendChild(script);
        document.getElementById('aw-link').click();
    }""")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None, "an injected script ran"
    violations = csp_violations(page)
    assert any(v.startswith("script-src") for v in violations), violations


def test_no_kernel_ids_in_the_log(app_server):
    status, body = fetch(app_server.url + "voila/render/nb/05-summary.ipynb")
    kernel_id = kernel_id_of(body)
    assert status == 200 and kernel_id

    async def visit():
        url = app_server.url.replace("http://", "ws://") + f"api/kernels/{kernel_id}/channels"
        ws = await websocket_connect(HTTPRequest(url, network_interface=pupil_address()))
        ws.close()
        await asyncio.sleep(0.5)

    run(visit())
    log = app_server.log_text()
    assert "Kernel started: k-" in log  # the lines are there, with a short name
    assert not UUID.search(log), UUID.search(log).group(0)
