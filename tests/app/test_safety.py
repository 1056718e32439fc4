"""Students cannot run code, cannot download the content, and a lost kernel is explained."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tornado.websocket import websocket_connect

from awareness.content.course import load_course
from tests.app.pages import open_lesson
from tests.conftest import ROOT, fetch

COURSE = load_course(ROOT)


def kernel_id_of(html: str) -> str:
    match = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      html, re.S)
    assert match, "no page config in the lesson page"
    return json.loads(match.group(1))["kernelId"]


def message(msg_type: str, content: dict, msg_id: str) -> str:
    return json.dumps({
        "header": {"msg_id": msg_id, "msg_type": msg_type, "username": "student",
                   "session": "s1", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "content": content, "channel": "shell",
        "buffers": [],
    })


async def talk_to_kernel(ws_url: str, marker: Path) -> list[dict]:
    ws = await websocket_connect(ws_url)
    code = f"open({str(marker)!r}, 'w').write('ran')"
    ws.write_message(message("execute_request", {"code": code, "silent": False,
                                                 "store_history": False, "user_expressions": {},
                                                 "allow_stdin": False, "stop_on_error": True},
                             "exec-1"))
    ws.write_message(message("kernel_info_request", {}, "info-1"))
    replies = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            raw = await asyncio.wait_for(ws.read_message(), timeout=1)
        except TimeoutError:
            continue
        if raw is None:
            break
        msg = json.loads(raw)
        replies.append(msg)
        if msg.get("header", {}).get("msg_type") == "kernel_info_reply":
            # The execute_request went first: had it run, its reply would be here by now.
            deadline = min(deadline, time.monotonic() + 3)
    ws.close()
    return replies


def test_execute_request_on_the_kernel_websocket_is_refused(app_url, tmp_path):
    status, html = fetch(f"{app_url}voila/render/en/01-what-is-sextortion.ipynb")
    assert status == 200
    kernel_id = kernel_id_of(html)
    marker = tmp_path / "student-code-ran.txt"
    ws_url = app_url.replace("http://", "ws://") + f"api/kernels/{kernel_id}/channels"
    # In its own thread: Playwright's sync API may hold this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        replies = pool.submit(asyncio.run, talk_to_kernel(ws_url, marker)).result()
    types = [m.get("header", {}).get("msg_type") or m.get("msg_type") for m in replies]
    # The control: an allowed request on the same socket is answered, so the socket works.
    assert "kernel_info_reply" in types, types
    assert "execute_reply" not in types and "execute_result" not in types, types
    assert not marker.exists(), "code sent by a student ran in the kernel"


def kernel_pid(kernel_id: str) -> int:
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if f"kernel-{kernel_id}.json" in cmdline:
            return int(proc.name)
    raise AssertionError(f"no process for kernel {kernel_id}")


# The way back is the same in every language: it is played in the first and the last;
# every page's own words for it are checked in test_pages (the page's awareness-ui words).
@pytest.mark.parametrize("lang", [COURSE.languages[0], COURSE.languages[-1]])
def test_a_killed_kernel_shows_a_clear_message_and_a_way_back(app_url, offline_page, lang):
    expected = COURSE.t("kernel_lost", lang)
    page = offline_page.page
    open_lesson(page, app_url, lang, "01-what-is-sextortion")
    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    os.kill(kernel_pid(kernel_id), signal.SIGKILL)
    dialog = page.get_by_role("alertdialog")
    dialog.wait_for(timeout=30_000)
    assert expected in dialog.inner_text()
    assert "Traceback" not in page.content()
    button = dialog.get_by_role("button")
    assert button.evaluate("b => b === document.activeElement"), "focus is not on the button"
    button.press("Enter")
    page.wait_for_load_state()
    open_lesson(page, app_url, lang, "01-what-is-sextortion")  # the lesson works again
    assert page.get_by_role("alertdialog").count() == 0
