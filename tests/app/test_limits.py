"""Ceilings and websocket limits: a flood from one page ends long before it costs the
kernel or the server anything, other pupils keep clicking, a kernel that fills its
memory ceiling is stopped and its page says so, and kernel errors reach the browser as
a short generic message.

The tests that must reach a kernel the way no page can (to fill its memory, or to make
it report an error) use the kernel's own connection file, as only the server can.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from pathlib import Path

from tornado.httpclient import HTTPClientError
from tornado.websocket import WebSocketClosedError

from awareness.content.course import load_course
from awareness.conversation.engine import ChatEngine, all_paths
from awareness.conversation.model import load_conversation
from tests.app.conftest import GRACE
from tests.app.pages import open_lesson
from tests.app.pupils import (
    Pupil,
    connect,
    kernel_client,
    message,
    open_page,
    rss_mb,
    run,
    widget_states,
)
from tests.conftest import ROOT

COURSE = load_course(ROOT)
CONV = load_conversation(ROOT)
CEILING_MB = 400  # the default
FLOOD_BYTES = 1 << 30
BIG = "x" * 60_000


def safe_path() -> list[tuple[str, str]]:
    """(choice text, its feedback) along the shortest way to the safe ending, in nb."""
    path = min((p for p in all_paths(CONV) if ChatEngine(CONV, p).current.id == "end-safe"),
               key=len)
    return [(CONV.choice(c)[1].text["nb"], CONV.choice(c)[1].feedback["nb"]) for c in path]


def flood_messages(model_id: str):
    """What a page could send to fill its kernel: its own widgets with 60 KB of state,
    60 KB updates of an existing widget, control comms with 60 KB of data, and one
    message over the size limit."""
    yield lambda: message("comm_open", {
        "comm_id": uuid.uuid4().hex, "target_name": "jupyter.widget",
        "data": {"state": {"_model_name": "HTMLModel",
                           "_model_module": "@jupyter-widgets/controls",
                           "_model_module_version": "2.0.0", "value": BIG},
                 "buffer_paths": []}}, {"version": "2.1.0"})
    yield lambda: message("comm_msg", {"comm_id": model_id, "data": {
        "method": "update", "state": {"value": BIG}, "buffer_paths": []}})
    yield lambda: message("comm_open", {"comm_id": uuid.uuid4().hex,
                                        "target_name": "jupyter.widget.control",
                                        "data": {"x": BIG}}, {"version": "1.0.0"})
    yield lambda: message("comm_msg", {"comm_id": model_id, "data": {
        "method": "update", "state": {"value": "y" * 100_000}, "buffer_paths": []}})


def test_a_comm_flood_ends_early_and_other_pupils_keep_clicking(caps):
    server_start = rss_mb(caps.proc.pid)
    clicks = safe_path()

    async def scenario():
        # Another pupil, in the chat.
        _, _, _, other = open_page(caps.url, "nb", "02-the-conversation", "127.0.0.6")
        pupil = Pupil(await connect(caps.url, other, "127.0.0.6"), {})
        pupil.models = {k: v["state"] for k, v in (await widget_states(pupil.ws)).items()}
        # The flooder, on its own lesson page.
        _, _, _, mine = open_page(caps.url, "en", "02-the-conversation", "127.0.0.7")
        kernel_pid = caps.kernels()[mine]
        kernel_start = rss_mb(kernel_pid)
        ws = await connect(caps.url, mine, "127.0.0.7")
        target = next(iter(await widget_states(ws)))
        kinds = list(flood_messages(target))
        sent = closes = 0
        ended = "time"
        times: list[float] = []

        async def click_along():
            for choice, feedback in clicks:
                await asyncio.sleep(0.3)
                times.append(await pupil.click(choice, feedback[:40], timeout=20))

        clicking = asyncio.create_task(click_along())
        t0 = time.monotonic()
        while sent < FLOOD_BYTES and time.monotonic() - t0 < 15:
            try:
                await ws.write_message(kinds[sent // 60_000 % len(kinds)]())
                sent += 60_000
            except WebSocketClosedError:
                closes += 1
                try:
                    ws = await connect(caps.url, mine, "127.0.0.7")
                except HTTPClientError as exc:
                    # 429: the kernel takes no new connection from a page it let go;
                    # 404: its kernel was culled (the flood reached it so little that it
                    # was idle).
                    assert exc.code in (404, 429), exc
                    ended = f"HTTP {exc.code}"
                    break
            if sent % (100 * 60_000) == 0:
                await asyncio.sleep(0)
        kernel_after = rss_mb(kernel_pid)
        await clicking
        ws.close()
        pupil.ws.close()
        return kernel_start, kernel_after, sent, closes, ended, times

    kernel_start, kernel_after, sent, closes, ended, times = run(scenario())
    print(f"flood: {sent / 2**20:.0f} MB written in {closes} connections, ended by {ended}; "
          f"kernel {kernel_start:.0f} -> {kernel_after:.0f} MB; clicks {times}")
    # The server let the flooding page go and took no more from it, long before 1 GB;
    # its kernel did not grow.
    assert closes >= 1 and ended != "time", (closes, ended)
    assert sent < FLOOD_BYTES
    assert kernel_after < kernel_start + 30, (kernel_start, kernel_after)
    assert kernel_after < CEILING_MB
    # The other pupil's clicks all came back, quickly.
    assert len(times) == len(clicks) and max(times) < 2.0, times
    # The server's own memory is back where it started.
    caps.settle()
    deadline = time.monotonic() + 20
    while rss_mb(caps.proc.pid) > 1.1 * server_start and time.monotonic() < deadline:
        time.sleep(0.5)
    assert rss_mb(caps.proc.pid) <= 1.1 * server_start, (server_start, rss_mb(caps.proc.pid))


def test_a_page_may_not_send_large_messages_or_make_widgets(caps):
    async def scenario():
        _, _, _, kernel_id = open_page(caps.url, "en", "04-prevention", "127.0.0.8")
        ws = await connect(caps.url, kernel_id, "127.0.0.8")
        before = await widget_states(ws)
        made = uuid.uuid4().hex
        ws.write_message(message("comm_open", {
            "comm_id": made, "target_name": "jupyter.widget",
            "data": {"state": {"_model_name": "ButtonModel",
                               "_model_module": "@jupyter-widgets/controls",
                               "_model_module_version": "2.0.0", "description": "Hei"},
                     "buffer_paths": []}}, {"version": "2.1.0"}))
        after = await widget_states(ws)
        ws.write_message("x" * (64 * 1024 + 1))
        while (closed := await asyncio.wait_for(ws.read_message(), 10)) is not None:
            pass  # what the kernel had sent before
        return before, after, made, closed, ws.close_code

    before, after, made, closed, code = run(scenario())
    assert made not in after and set(after) == set(before)
    assert closed is None and code == 1009  # too big: the connection is closed


def test_kernel_errors_reach_the_page_as_a_generic_message(caps):
    async def scenario():
        _, _, _, kernel_id = open_page(caps.url, "en", "05-summary", "127.0.0.11")
        ws = await connect(caps.url, kernel_id, "127.0.0.11")
        await widget_states(ws)
        client = kernel_client(caps.kernels()[kernel_id])
        try:
            client.execute("import sys; print('stderr ' + sys.prefix, file=sys.stderr)")
            client.execute("raise RuntimeError('secret ' + __import__('sys').prefix)")
            seen = []
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                raw = await asyncio.wait_for(ws.read_message(), 15)
                seen.append(json.loads(raw))
                if seen[-1]["header"]["msg_type"] == "error":
                    break
        finally:
            client.stop_channels()
        ws.close()
        return seen

    seen = run(scenario())
    errors = [m["content"] for m in seen if m["header"]["msg_type"] == "error"]
    assert errors == [{"ename": "Error", "evalue": COURSE.t("content_error", "en"),
                       "traceback": []}]
    text = json.dumps(seen)
    assert "secret" not in text and "stderr " not in text and "Traceback" not in text


def test_lesson_kernels_run_under_the_ceiling_and_a_full_one_is_stopped(caps, browser):
    """The kernel's environment and limit, then a kernel that fills its ceiling: it is
    stopped, and its page shows the lost-connection message."""
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        open_lesson(page, caps.url, "en", "01-what-is-sextortion")
        kernel_id = page.evaluate(
            "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
        pid = caps.kernels()[kernel_id]
        limits = Path(f"/proc/{pid}/limits").read_text()
        address_space = re.search(r"Max address space\s+(\d+)\s+(\d+)", limits)
        assert address_space and int(address_space.group(1)) == CEILING_MB * 1024 * 1024
        assert b"MALLOC_ARENA_MAX=2" in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        client = kernel_client(pid)
        try:
            client.execute("x = []\nwhile True: x.append(bytearray(1 << 20))")
            dialog = page.get_by_role("alertdialog")
            dialog.wait_for(timeout=30_000)
        finally:
            client.stop_channels()
        assert COURSE.t("kernel_lost", "en") in dialog.inner_text()
        assert "Traceback" not in page.content() and "MemoryError" not in page.content()
    finally:
        context.close()
    time.sleep(GRACE)
    caps.settle()
