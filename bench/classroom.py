"""A class of 30 opening lesson 02 in the same second: ``make bench``.

Starts the real app (the committed voila.json: preheated kernel pools), sends a burst of
N simulated students who each fetch the page and connect to its kernel as the browser
does, until the first chat message and its choice buttons' widget state has arrived;
a few of the students are real Chromium pages that also click the first choice and time
click -> feedback on screen. Like the simulated students, who fetch no static files, the
Chromium students already have the course's static files: their browsers show the
course's start page (which fetches them ahead) when the class opens the lesson. Cold
pages (nothing cached) are measured on their own, next to stock Voilà's. The same burst
is sent to stock Voilà (default settings) serving an empty notebook: the baseline. Then
a 31st student, after the burst. The class runs in the live class mode (a class started
through the teacher API; every student opens the lesson with its code), so every click
is also counted while it is timed.

The app's caps are the defaults (README "Security and limits"): as in a class, each
simulated student comes from a loopback address of its own (127.0.x.y); the Chromium
students come from 127.0.0.1, a few at once (within the per-client cap). Pools count as
full when every kernel the server runs that no student was given is ready (students'
kernels are let go 30 s after their page closes, so the total count goes down as well
as up).

Memory: the PSS of the app's whole process tree (server, kernel template, kernels) at
rest and 60 s after the burst, while the simulated students are still in the lesson
(their pages stay open; `--hold`). Before the app, both kernel launchers are measured
side by side in this process: 8 lesson kernels each, forked from the template and
started as programs (request -> kernel_info reply, PSS per kernel after lesson 02).

Writes bench/results/latest.json and bench/results/latest.md and prints the tables.
Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import nbformat
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from awareness.app import pools_for_class  # noqa: E402
from awareness.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from awareness.content.course import load_course  # noqa: E402
from awareness.conversation.model import load_conversation  # noqa: E402
from awareness.server import sizing  # noqa: E402

RESULTS = ROOT / "bench" / "results"
LESSON = "02-the-conversation"
ROUNDS = 2  # each Chromium student plays the chat's safe path this many times


# ----------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parents() -> dict[int, int]:
    """Every process's parent, from one pass over /proc."""
    out = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(proc.name)] = int(fields[1])
    return out


def tree(pid: int) -> list[int]:
    """The process and all its descendants. One pass over /proc: the bench samples this
    during the burst, in the process that also drives the simulated students."""
    kids: dict[int, list[int]] = {}
    for child, parent in parents().items():
        kids.setdefault(parent, []).append(child)
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(kids.get(p, []))
    return seen


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pss_mb(pid: int) -> float:
    """A process's proportional share of memory: its own pages, and each page it shares
    divided by the processes sharing it (forked kernels share the template's)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pupils_cost(server_pid: int, server_rest: tuple[float, float]) -> dict:
    """What a server needs for 30 pupils: 30 times a pupil's kernel (the mean RSS and PSS
    of the students' kernels still running, those whose pages are open; a student's
    kernel is a pool kernel that has run the lesson, then clicked in) plus the server
    process's own growth since it was at rest."""
    ids = kernel_ids(server_pid)
    with _STUDENTS_LOCK:
        given = [pid for kid, pid in ids.items() if kid in STUDENT_KERNELS]
    if not given:  # every student has gone: the pool kernels are the same kernels
        given = list(ids.values())
    rss = statistics.mean(rss_mb(p) for p in given) if given else 0.0
    pss = statistics.mean(pss_mb(p) for p in given) if given else 0.0
    grow_rss = rss_mb(server_pid) - server_rest[0]
    grow_pss = pss_mb(server_pid) - server_rest[1]
    return {
        "kernels_measured": len(given), "kernel_rss_mb": rss, "kernel_pss_mb": pss,
        "server_growth_rss_mb": grow_rss, "server_growth_pss_mb": grow_pss,
        "rss_mb": 30 * rss + grow_rss, "pss_mb": 30 * pss + grow_pss,
    }


def tree_pss(server_pid: int) -> dict:
    """PSS of the app's whole process tree (server, template, kernels), in MB."""
    pids = tree(server_pid)
    kernels = kernel_pids(server_pid)
    return {"total_mb": sum(pss_mb(p) for p in pids), "processes": len(pids),
            "kernels": len(kernels), "server_mb": pss_mb(server_pid),
            "kernel_median_mb": statistics.median([pss_mb(p) for p in kernels] or [0])}


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of these processes and of their children that have ended (a process's
    cutime and cstime): students' kernels are stopped once their page has closed."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15])
        except OSError:
            pass
    return total / tick


def kernel_ids(server_pid: int) -> dict[str, int]:
    """The server's kernels: kernel id -> pid."""
    out = {}
    for pid in tree(server_pid)[1:]:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        match = re.search(rb"kernel-([0-9a-f-]+)\.json", cmd)
        if b"ipykernel" in cmd and match:
            out[match.group(1).decode()] = pid
    return out


def kernel_pids(server_pid: int) -> list[int]:
    return list(kernel_ids(server_pid).values())


# Every kernel a student was given (simulated, Chromium or cold page): the others are
# the pools'. Filled from several threads.
STUDENT_KERNELS: set[str] = set()
_STUDENTS_LOCK = threading.Lock()


def given_to_student(kernel_id: str) -> None:
    with _STUDENTS_LOCK:
        STUDENT_KERNELS.add(kernel_id)


def pool_kernels(server_pid: int) -> int:
    """The server's kernels that no student was given."""
    with _STUDENTS_LOCK:
        students = set(STUDENT_KERNELS)
    return len(set(kernel_ids(server_pid)) - students)


KERNEL_ID_JS = "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
_ADDRESSES = (f"127.0.{a}.{b}" for a in range(1, 255) for b in range(1, 255))


def student_address() -> str:
    """A loopback address of its own for each simulated student (as a class looks to
    the server: one address per pupil)."""
    return next(_ADDRESSES)


class Server:
    def __init__(self, argv: list[str], url: str, env: dict | None = None, cwd: Path = ROOT):
        self.url = url
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env={**os.environ, **(env or {})}, stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, path: str = "", timeout: float = 300) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(Path(self.log.name).read_text()[-3000:])
            try:
                with urllib.request.urlopen(self.url + path, timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wait_pools_full(server: Server, expected: int, timeout: float = 600) -> tuple[float, int]:
    """(seconds, pool kernels) once the pools are full (or stopped growing) and quiet."""
    start = time.monotonic()
    last, stable = -1, 0
    while time.monotonic() - start < timeout:
        n = pool_kernels(server.proc.pid)
        cpu = cpu_seconds(tree(server.proc.pid))
        time.sleep(1.0)
        busy = cpu_seconds(tree(server.proc.pid)) - cpu
        stable = stable + 1 if (n == last and busy < 0.2) else 0
        last = n
        # Full, or stopped growing (pools clipped to the total cap). The pools fill only
        # while the machine has an idle core (refill_idle_cores): on a machine shared
        # with other work that can stall for a while, so give it time.
        if (n >= expected and stable >= 2) or stable >= 60:
            return time.monotonic() - start, n
    raise RuntimeError(f"pools did not settle: {last} of {expected} kernels")


# ----------------------------------------------------------------------------- students


def msg(msg_type: str, content: dict, channel: str = "shell", metadata: dict | None = None) -> dict:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "student",
                   "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": channel,
        "buffers": [],
    }


async def student(base: str, path: str, want: list[str] | None, start_at: float,
                  keep: list | None = None) -> dict:
    """One simulated student: page, websocket, and (want) the widget states on screen.
    With ``keep``, the student stays in the lesson: the websocket is added to it, open."""
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    t0 = time.monotonic()
    client = AsyncHTTPClient()
    address = student_address()
    try:
        resp = await client.fetch(HTTPRequest(base + path, request_timeout=300,
                                              network_interface=address))
        html = resp.body.decode()
        # Behind the replicas' proxy the page's websocket must go where the page came
        # from: the browser sends back the routing cookie the proxy set.
        cookies = [c.split(";", 1)[0] for c in resp.headers.get_list("Set-Cookie")]
        match = re.search(r'"kernelId": "([0-9a-f-]+)"', html)
        if not match:
            return {"ok": False, "error": "no kernel id"}
        given_to_student(match.group(1))
        t_page = time.monotonic() - t0
        ws = await websocket_connect(HTTPRequest(
            base.replace("http", "ws") + f"api/kernels/{match.group(1)}/channels",
            connect_timeout=300, network_interface=address,
            headers={"Cookie": "; ".join(cookies)} if cookies else None,
        ))
        t_ws = time.monotonic() - t0
        if want is None:  # the baseline: a kernel that answers is the first interaction
            ws.write_message(json.dumps(msg("kernel_info_request", {})))
            reply = "kernel_info_reply"
        else:
            comm_id = uuid.uuid4().hex
            # What the page's widget manager does: open the control comm (ipywidgets 8
            # protocol 1.0.0) and ask for every widget's state at once.
            ws.write_message(json.dumps(msg("comm_open", {
                "comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}},
                metadata={"version": "1.0.0"})))
            ws.write_message(json.dumps(msg("comm_msg", {
                "comm_id": comm_id, "data": {"method": "request_states"}})))
            reply = "update_states"
        while True:
            raw = await asyncio.wait_for(ws.read_message(), timeout=120)
            if raw is None:
                return {"ok": False, "error": "websocket closed"}
            m = json.loads(raw)
            kind = m.get("header", {}).get("msg_type")
            if reply == "kernel_info_reply" and kind == reply:
                break
            data = m.get("content", {}).get("data", {})
            if kind == "comm_msg" and data.get("method") == "update_states":
                text = json.dumps(data.get("states", {}), ensure_ascii=False)
                missing = [w for w in want if w not in text]
                if missing:
                    return {"ok": False, "error": f"widget state lacks {missing[:1]}"}
                break
        if keep is None:
            ws.close()
        else:
            keep.append(ws)
        return {"ok": True, "ttfi": time.monotonic() - t0, "page": t_page, "ws": t_ws}
    except Exception as exc:  # noqa: BLE001 - a failure is counted, not raised
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:200]}


# Time to first interaction on screen, timed in the page: from the start of the navigation
# (performance.now() counts from it) to the frame in which the first choice button is
# there; Playwright's round trips add their delay on top (kept as ttfi_outside).
READY_TIMER = """
window.__awReady = new Promise((resolve) => {
  const found = () => [...document.querySelectorAll(__SELECTOR__)]
    .some((b) => b.textContent.trim() === __TEXT__);
  const check = () => {
    if (!found()) return false;
    requestAnimationFrame(() => resolve(performance.now()));
    return true;
  };
  document.addEventListener('DOMContentLoaded', () => {
    if (check()) return;
    const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
    observer.observe(document.body, {childList: true, subtree: true});
  });
});
"""


def ready_timer(selector: str, text: str) -> str:
    """READY_TIMER for the first element matching `selector` whose text is `text`."""
    return READY_TIMER.replace("__SELECTOR__", json.dumps(selector)).replace(
        "__TEXT__", json.dumps(text))


# The lesson part with the chat (course.yaml section id): a link to it opens the lesson there.
CHAT_PART = "#chat"

# Click -> feedback on screen, timed in the page: from the click event to the frame in
# which the feedback text is in the chat (Playwright's click and its reply add 50-100 ms
# of their own; those times are kept as clicks_outside in latest.json).
CLICK_TIMER = """(feedback) => {
  window.__awClick = new Promise((resolve) => {
    const chat = document.querySelector('.awareness-chat') || document.body;
    document.addEventListener('click', () => {
      const t0 = performance.now();
      const done = () => requestAnimationFrame(() => resolve(performance.now() - t0));
      if (chat.textContent.includes(feedback)) return done();
      const seen = new MutationObserver(() => {
        if (chat.textContent.includes(feedback)) { seen.disconnect(); done(); }
      });
      seen.observe(chat, {childList: true, subtree: true, characterData: true});
    }, {capture: true, once: true});
  });
}"""


def chat_button(page, text: str, exact: bool = True):
    """The chat's button with this text (a CSS query, cheaper than a role query)."""
    return page.locator(".awareness-chat button").filter(
        has_text=re.compile("^" + re.escape(text) + "$") if exact else text)


def chromium_students(url: str, clicks: list[tuple[str, str]], n: int, ready: threading.Event,
                      go: threading.Event, when: dict, out: list) -> None:
    """n real Chromium pages at once: time to the first choice on screen; then, from
    when["click_at"] on (while the pools refill), each (choice, feedback) in clicks:
    click -> feedback on screen. Runs in its own thread with its own event loop. The
    browser and its tabs are opened first (a student's browser is open before the
    lesson starts); `ready` says so, and the pages load from when["start_at"] on, once
    `go` is set."""
    from playwright.async_api import async_playwright

    # Pages side by side in one headless browser count as background tabs; a student's
    # tab is in the foreground, so background throttling is switched off.
    args = [*CHROMIUM_ARGS, "--disable-renderer-backgrounding",
            "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"]

    async def open_tab(browser):
        # Requests are watched, not routed: Playwright's routing switches the cache off.
        context = await browser.new_context()
        page = await context.new_page()
        page.outside = []
        page.on("request", lambda r: page.outside.append(r.url)
                if not r.url.startswith(("data:", "http://127.0.0.1")) else None)
        await page.add_init_script(ready_timer(".awareness-chat button", clicks[0][0]))
        # The student's browser shows the course's start page, which fetches the lesson
        # pages' static files ahead.
        await page.goto(url.split("voila/render/")[0])
        # Polled from here: the start page's CSP forbids the eval that wait_for_function uses.
        deadline = time.monotonic() + 60
        while not await page.evaluate(
                "[...document.querySelectorAll('link[rel=prefetch]')].every((link) =>"
                " performance.getEntriesByName(link.href).some((e) => e.responseEnd > 0))"):
            if time.monotonic() > deadline:
                raise RuntimeError("the start page's prefetches did not arrive")
            await asyncio.sleep(0.1)
        return context, page

    async def one(context, page) -> dict:
        click_at = when["click_at"]
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"[:200])
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"[:200]))
        await asyncio.sleep(max(0.0, when["start_at"] - time.monotonic()))
        t0 = time.monotonic()
        try:
            # The lesson shows one part at a time: the page opens at the chat's part, as a
            # pupil has it on screen after pressing Next to it (the same page and kernel).
            await page.goto(url + CHAT_PART, wait_until="commit")
            # From the start of the navigation to the frame that shows the first choice.
            # Awaited, not polled: Playwright's role and text queries, polled in three
            # pages on the machine that also runs the server, would take CPU a student's
            # browser does not.
            ttfi = await asyncio.wait_for(page.evaluate("window.__awReady"), 120) / 1000
            given_to_student(await page.evaluate(KERNEL_ID_JS))
            ttfi_outside = time.monotonic() - t0
            if page.outside:
                raise RuntimeError(f"requests left the machine: {page.outside[:3]}")
            await asyncio.sleep(max(0.0, click_at - time.monotonic()))
            times, outside, at = [], [], []
            window = [time.monotonic()]
            for n, path in enumerate([clicks] * ROUNDS):
                if n:  # the chat again from the start: more clicks while the pools refill
                    await chat_button(page, when["restart"], exact=False).click()
                for choice, feedback in path:
                    button = chat_button(page, choice)
                    await button.wait_for(timeout=60_000)
                    # A student reads before clicking, each at their own pace (pages that
                    # clicked in lockstep would only measure three browsers sharing 2 cores).
                    await page.wait_for_timeout(random.uniform(500, 2000))
                    await page.evaluate(CLICK_TIMER, feedback)
                    t1 = time.monotonic()
                    await button.click()
                    times.append(
                        await asyncio.wait_for(page.evaluate("window.__awClick"), 60) / 1000)
                    outside.append(time.monotonic() - t1)
                    at.append(t1)
            window.append(time.monotonic())
            return {"ok": True, "ttfi": ttfi, "ttfi_outside": ttfi_outside,
                    "clicks": times, "clicks_outside": outside,
                    "clicks_at": at, "window": window}
        except Exception as exc:  # noqa: BLE001 - a failure is counted, not raised
            try:
                text = (await page.inner_text("body", timeout=5_000))[:300]
            except Exception:  # noqa: BLE001
                text = "?"
            return {"ok": False, "error": str(exc)[:200], "console": console[-10:],
                    "page_text": text}
        finally:
            await context.close()

    async def run() -> list[dict]:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=args)
            try:
                tabs = [await open_tab(browser) for _ in range(n)]
                ready.set()
                await asyncio.to_thread(go.wait)
                return await asyncio.gather(*(one(*tab) for tab in tabs))
            finally:
                ready.set()
                await browser.close()

    out.extend(asyncio.run(run()))


def cold_pages(url: str, button: str, at_once: int, reps: int,
               server: Server | None = None, pool: int = 0,
               stock: bool = False) -> list[float]:
    """Seconds from navigation to the button `button` on screen (timed in the page), for
    `at_once` cold Chromium pages (each a fresh browser context: nothing cached) opened
    together on an otherwise idle server, `reps` times; one figure per rep, the slowest
    page of the rep. Between reps the server's pools settle (`pool` kernels) so that every
    rep finds a ready kernel.
    Names other than 127.0.0.1 do not resolve: stock Voilà's page asks a CDN for Font
    Awesome (`stock`: allowed to ask, and fails at once); ours must ask nothing."""
    from playwright.async_api import async_playwright

    async def run() -> list[float]:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=CHROMIUM,
                args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
            out, outside = [], []
            try:
                for _ in range(reps):
                    if server is not None:
                        await asyncio.to_thread(wait_pools_full, server, pool)
                    tabs = []
                    for _ in range(at_once):
                        # A new context has an empty cache. Requests are watched, not
                        # routed (routing would add a round trip to Playwright per file).
                        context = await browser.new_context()
                        page = await context.new_page()
                        page.on("request", lambda r: outside.append(r.url)
                                if not r.url.startswith(("data:", "http://127.0.0.1"))
                                else None)
                        await page.add_init_script(ready_timer("button", button))
                        tabs.append((context, page))

                    async def one(page) -> float:
                        # Timed in the page, awaited (not polled), as in the burst.
                        await page.goto(url, wait_until="commit")
                        ready = await asyncio.wait_for(
                            page.evaluate("window.__awReady"), 120) / 1000
                        given_to_student(await page.evaluate(KERNEL_ID_JS))
                        return ready

                    out.append(max(await asyncio.gather(*(one(p) for _, p in tabs))))
                    for context, _ in tabs:
                        await context.close()
            finally:
                await browser.close()
            if outside and not stock:
                raise RuntimeError(f"requests left the machine: {outside[:3]}")
            return out

    return asyncio.run(run())


def stock_voila(code: str, *settings: str) -> Server:
    """Stock Voilà (its defaults, plus `settings`) serving a notebook of one code cell."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, tmp / "page.ipynb")
    port = free_port()
    return Server([sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
                   "--Voila.ip=127.0.0.1", *settings, "page.ipynb"],
                  f"http://127.0.0.1:{port}/", cwd=tmp)


def front_end_floor(students_pool: int = 3) -> dict:
    """What Voilà's own front-end costs in Chromium on this machine: stock Voilà with a
    preheated pool serving a notebook of one button, on an idle server; cold pages, one
    alone and three at once (as many as the burst has)."""
    server = stock_voila("import ipywidgets\nipywidgets.Button(description='OK')",
                         "--preheat_kernel=True", f"--pool_size={students_pool}")
    try:
        server.wait()
        alone = cold_pages(server.url, "OK", 1, 3, server, students_pool, stock=True)
        together = cold_pages(server.url, "OK", 3, 2, server, students_pool, stock=True)
    finally:
        server.stop()
    return {"one_page_median": statistics.median(alone), "one_page": alone,
            "three_pages_median": statistics.median(together), "three_pages": together}


def burst(base: str, path: str, want: list[str] | None, n: int, chromium: int = 0,
          clicks: list[tuple[str, str]] | None = None, click_after: float = 0.0,
          restart: str = "", hold: float = 0.0, at_hold=None) -> list[dict]:
    """n students within one second; `chromium` of them are real browser pages. With
    `hold`, the simulated students stay in the lesson (websocket open) until `hold`
    seconds after the burst began; then `at_hold()` is called (and its result kept in
    the results' first entry as "at_hold") before they leave."""
    offsets = sorted(random.uniform(0, 1) for _ in range(n))
    browser_results: list[dict] = []
    thread = None
    ready, go, when = threading.Event(), threading.Event(), {}
    if chromium:
        thread = threading.Thread(target=chromium_students, args=(
            base + path, clicks or [], chromium, ready, go, when, browser_results))
        thread.start()
        ready.wait(120)
        time.sleep(2)  # the browser settles before the bell rings
    start = time.monotonic() + 0.5
    when.update(start_at=start + offsets[0], click_at=start + click_after, restart=restart)
    go.set()

    held: list = []

    async def run():
        AsyncHTTPClient.configure(None, max_clients=n + 5)
        found = await asyncio.gather(*(
            student(base, path, want, start + off, held if hold else None)
            for off in offsets[chromium:]))
        if hold:
            await asyncio.sleep(max(0.0, start + hold - time.monotonic()))
            if found and at_hold is not None:
                found[0]["at_hold"] = await asyncio.to_thread(at_hold)
            for ws in held:
                ws.close()
        return found

    results = list(asyncio.run(run()))
    if thread:
        thread.join()
        for r in browser_results:
            r["chromium"] = True
        results.extend(browser_results)
    return results


# ----------------------------------------------------------------------------- measures


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[k]


def bare_kernel_rss() -> float:
    from jupyter_client import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    time.sleep(1)
    value = rss_mb(km.provisioner.process.pid)
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return value


LAUNCHERS = {"awareness-fork": "forked from the template",
             "local-provisioner": "started as programs"}


def launchers(lang: str, n: int = 8) -> dict:
    """Both kernel launchers side by side, in this process: n lesson kernels each, started
    one after another as the server starts them (jupyter_client's multi-kernel manager,
    the launcher chosen by name, the kernel ceiling's launch options), each timed from
    the request to its kernel_info reply; then lesson 02 runs in every one of them, and
    with all n alive each one's PSS is read (and the template's, for forks)."""
    from jupyter_client.multikernelmanager import AsyncMultiKernelManager
    from jupyter_client.provisioning import KernelProvisionerFactory

    from awareness.server import forks
    from awareness.server.ceiling import launch_options

    os.environ.setdefault("AWARENESS_ROOT", str(ROOT))
    notebook = nbformat.read(ROOT / "lessons" / lang / f"{LESSON}.ipynb", as_version=4)
    cells = [c.source for c in notebook.cells if c.cell_type == "code"]
    folder = Path(tempfile.mkdtemp(prefix="bench-kernels-"))

    async def measure(name: str) -> dict:
        KernelProvisionerFactory.instance().default_provisioner_name = name
        out: dict = {}
        if name == "awareness-fork":
            t0 = time.monotonic()
            await forks.server_template().ready()
            out["template_start_s"] = time.monotonic() - t0
        mkm = AsyncMultiKernelManager(connection_dir=str(folder))
        starts, clients = [], {}
        try:
            for _ in range(n):
                t0 = time.monotonic()
                kernel_id = await mkm.start_kernel(kernel_name="python3", **launch_options(
                    {"cwd": str(ROOT / "lessons" / lang)}, 400))
                client = mkm.get_kernel(kernel_id).client()
                client.start_channels()
                msg_id = client.kernel_info()
                while (await client.get_shell_msg(timeout=60))["parent_header"].get(
                        "msg_id") != msg_id:
                    pass
                starts.append(time.monotonic() - t0)
                clients[kernel_id] = client
            for client in clients.values():
                for cell in cells:
                    await client.execute_interactive(cell, timeout=60, output_hook=lambda m: None)
            await asyncio.sleep(2)
            pids = [mkm.get_kernel(k).provisioner.pid for k in clients]
            pss = [pss_mb(p) for p in pids]
            out.update(kernels=n, start_ms=[round(t * 1000) for t in starts],
                       start_p50_ms=pct(starts, 0.5) * 1000, start_p95_ms=pct(starts, 0.95) * 1000,
                       pss_mb=[round(v, 1) for v in pss], pss_median_mb=statistics.median(pss),
                       rss_median_mb=statistics.median([rss_mb(p) for p in pids]))
            template = forks.server_template().pid if name == "awareness-fork" else None
            out["template_pss_mb"] = pss_mb(template) if template else 0.0
            out["total_pss_mb"] = sum(pss) + out["template_pss_mb"]
            return out
        finally:
            for client in clients.values():
                client.stop_channels()
            await mkm.shutdown_all(now=True)

    found = {}
    for name in LAUNCHERS:
        found[name] = asyncio.run(measure(name))
        print(f"launcher {name}:", found[name], flush=True)
    forks.server_template().close()
    return found


def config_launcher() -> str:
    config = json.loads((ROOT / "voila.json").read_text())
    return config.get("KernelProvisionerFactory", {}).get(
        "default_provisioner_name", "local-provisioner")


def summary(results: list[dict]) -> dict:
    ok = [r for r in results if r.get("ok")]
    ttfi = [r["ttfi"] for r in ok]
    return {
        "students": len(results),
        "failures": len(results) - len(ok),
        "errors": sorted({r.get("error", "") for r in results if not r.get("ok")})[:5],
        "failed": [{k: r[k] for k in ("console", "page_text") if k in r}
                   for r in results if not r.get("ok") and "console" in r][:3],
        "ttfi_p50": pct(ttfi, 0.5), "ttfi_p95": pct(ttfi, 0.95), "ttfi_max": max(ttfi or [0]),
        "page_p50": pct([r["page"] for r in ok if "page" in r], 0.5),
        "ws_p50": pct([r["ws"] for r in ok if "ws" in r], 0.5),
    }


# ----------------------------------------------------------------------------- static copy

STATIC_TARGET_S = 0.3  # a lesson page usable from disk (issue 18)


def static_copy(lang: str, reps: int = 9) -> dict:
    """The serverless copy (``make static``, built here into a temporary folder): its size,
    and each lesson page of ``lang`` opened cold from file:// in Chromium (a fresh context
    each time: nothing cached; every request outside the folder blocked), ``reps`` times.
    Usable = the load event has ended: the page's scripts (static.js, awareness.js) run at
    the end of its body, so its parts, chat and quiz take input from then on. Timed in the
    page (navigation timing), on this machine's cores and load."""
    import gzip

    from playwright.sync_api import sync_playwright

    from awareness.static.build import build, folder_size

    course = load_course(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "static"
        started = time.monotonic()
        build(folder)
        built = time.monotonic() - started
        prefix = folder.as_uri() + "/"
        pages: dict[str, list[float]] = {}
        outside: list[str] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                # The start page too: the floor this machine sets for any page now. Round
                # by round over the pages, so a busy moment hits them all alike.
                ids = ["00-start", *(lesson.id for lesson in course.lessons)]
                pages = {page_id: [] for page_id in ids}

                def route(r):
                    if r.request.url.startswith((prefix, "data:")):
                        r.continue_()
                    else:
                        outside.append(r.request.url)
                        r.abort()

                for _ in range(reps):
                    for page_id in ids:
                        context = browser.new_context()
                        context.route("**/*", route)
                        page = context.new_page()
                        page.goto(f"{prefix}{lang}/{page_id}.html", wait_until="load")
                        nav = page.evaluate(
                            "performance.getEntriesByType('navigation')[0].loadEventEnd")
                        if page_id != "00-start":
                            assert page.evaluate("document.body.dataset.awarenessStatic") == "ready"
                        pages[page_id].append(nav / 1000)
                        context.close()
            finally:
                browser.close()
        start_page = pages.pop("00-start")
        every = [t for times in pages.values() for t in times]
        assets = b"".join(p.read_bytes() for p in sorted((folder / "assets").iterdir())
                          if p.name != "start.js")
        page02 = (folder / lang / f"{LESSON}.html").read_bytes()
        return {
            "front_end_gzip_kb": len(gzip.compress(assets, 9)) / 1e3,
            "lesson_02_page_gzip_kb": len(gzip.compress(page02, 9)) / 1e3,
            "lang": lang,
            "folder_mb": folder_size(folder) / 1e6,
            "largest_page_kb": max(p.stat().st_size for p in folder.rglob("*.html")) / 1e3,
            "build_seconds": built,
            "usable_s": {k: statistics.median(v) for k, v in pages.items()},
            "usable_p50_s": statistics.median(every),
            "usable_p95_s": pct(every, 0.95),
            "usable_max_s": max(every),
            "lesson_02_median_s": statistics.median(pages[LESSON]),
            "start_page_median_s": statistics.median(start_page),
            "requests_outside": len(outside),
            "reps": reps,
            "cores": os.cpu_count(),
            "load": os.getloadavg()[0],
        }


def static_markdown(s: dict) -> str:
    rows = [
        (f"Lesson page usable from disk, cold (s; {s['reps']} each; target ≤ "
         f"{STATIC_TARGET_S}): lesson 02 median / every lesson p50 / p95 / max",
         f"{s['lesson_02_median_s']:.3f} / {s['usable_p50_s']:.3f} / "
         f"{s['usable_p95_s']:.3f} / {s['usable_max_s']:.3f}"),
        ("… the start page (no widgets, 8 KB: this machine's floor under its load) median",
         f"{s['start_page_median_s']:.3f}"),
        ("The whole folder, every language (MB; target ≤ 3)", f"{s['folder_mb']:.2f}"),
        ("Largest page (KB)", f"{s['largest_page_kb']:.0f}"),
        ("Lesson page front-end, gzipped: static.js, awareness.js, CSS / lesson 02's page "
         "with its data (KB; target ≤ 60 together)",
         f"{s['front_end_gzip_kb']:.1f} / {s['lesson_02_page_gzip_kb']:.1f}"),
        ("Requests outside the folder", str(s["requests_outside"])),
        ("Build (s)", f"{s['build_seconds']:.1f}"),
    ]
    lines = [f"Serverless copy (make static), {s['lang']} pages from file:// in Chromium "
             f"({s['cores']} cores, load average {s['load']:.1f}):", "",
             "| measure | static copy |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--chromium", type=int, default=3)
    parser.add_argument("--hold", type=float, default=60.0,
                        help="seconds the class stays in the lesson before the memory of the "
                        "app's process tree is read")
    parser.add_argument("--launcher", choices=sorted(LAUNCHERS),
                        help="how the app starts its kernels (default: voila.json's)")
    parser.add_argument(
        "--lang",
        help="the language of the lesson the class opens (a course.yaml language; default: "
        "the first); the app runs with --class-lang LANG, as a school would. "
        "`make bench BENCH_LANG=nn`. Other than the first, the results are written to "
        "latest-<lang>.json/.md.",
    )
    parser.add_argument("--static-only", action="store_true",
                        help="only the serverless copy's row (make static): its size and "
                        "each lesson page opened cold from disk; written to "
                        "bench/results/static.json/.md")
    args = parser.parse_args(argv)

    course = load_course(ROOT)
    lang = args.lang or course.default_language
    if lang not in course.languages:
        print(f"bench: unknown language {lang!r} (the course has: "
              f"{', '.join(course.languages)})", file=sys.stderr)
        return 2
    if args.static_only:
        row = static_copy(lang)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "static.json").write_text(json.dumps(row, indent=2))
        (RESULTS / "static.md").write_text(static_markdown(row) + "\n")
        print(static_markdown(row))
        return 0
    conv = load_conversation(ROOT)
    start_node = conv.node(conv.start)
    first_decision = next(n for n in conv.nodes if n.choices)
    first_choice = first_decision.choices[0]
    want = [start_node.text[lang], first_choice.text[lang]]
    # The chat's decisions along the safe ending, as a student clicks them.
    from awareness.conversation.engine import ChatEngine, all_paths

    safe = min((p for p in all_paths(conv) if ChatEngine(conv, p).current.id == "end-safe"),
               key=len)
    clicks = [(conv.choice(c)[1].text[lang], conv.choice(c)[1].feedback[lang])
              for c in safe]
    path = f"voila/render/{lang}/{LESSON}.ipynb"
    report: dict = {"lesson": f"{lang}/{LESSON}", "students": args.students,
                    "machine": {"cores": os.cpu_count(), "load_at_start": os.getloadavg()}}

    # Baseline: stock Voilà, default settings, an empty notebook.
    base = stock_voila("")
    try:
        base.wait()
        time.sleep(2)
        cpu0 = cpu_seconds(tree(base.proc.pid))
        baseline = burst(base.url, "", None, args.students)
        report["baseline"] = summary(baseline)
        report["baseline"]["cpu_seconds"] = cpu_seconds(tree(base.proc.pid)) - cpu0
    finally:
        base.stop()
    print("baseline:", report["baseline"], flush=True)
    report["front_end_floor"] = front_end_floor()
    print("front-end floor:", report["front_end_floor"], flush=True)

    report["bare_kernel_rss_mb"] = bare_kernel_rss()
    report["launchers"] = launchers(lang)

    # Ours: the real app with the committed settings.
    port = free_port()
    # The app as a school runs it for a class in this language (make app CLASS_LANG=...).
    launcher = ([f"--KernelProvisionerFactory.default_provisioner_name={args.launcher}"]
                if args.launcher else [])
    report["app_launcher"] = args.launcher or config_launcher()
    # The class is in the live class mode: every student opens the lesson with the class
    # code, so each choice is also counted (kernel -> server report) while it is timed.
    teacher_key = uuid.uuid4().hex
    app = Server([sys.executable, "-m", "awareness", "serve", "--port", str(port),
                  "--class-lang", lang, *launcher], f"http://127.0.0.1:{port}/",
                 env={"TEACHER_KEY": teacher_key})
    try:
        t0 = time.monotonic()
        app.wait()
        class_code = teacher_api(app.url, teacher_key, "POST", "classes")["code"]
        class_path = f"{path}?class={class_code}"
        config = json.loads((ROOT / "voila.json").read_text())
        pools = pools_for_class(config.get("VoilaKernelManager", {}).get("kernel_pools_config", {}),
                                course.default_language, lang)
        default = pools.get("default", {}).get("pool_size",
                                                config["VoilaConfiguration"].get(
                                                    "default_pool_size", 0))
        deny = config.get("VoilaKernelManager", {}).get("preheat_denylist", [])
        notebooks = [p.relative_to(ROOT / "lessons").as_posix()
                     for p in (ROOT / "lessons").glob("*/*.ipynb")]
        expected = sum(pools.get(nb_, {}).get("pool_size", default) for nb_ in notebooks
                       if not any(d in nb_ for d in deny))
        report["pools_kernels_configured"] = expected
        _, ready = wait_pools_full(app, expected)
        report["pools_kernels"] = ready
        report["warm_up_seconds"] = time.monotonic() - t0  # server start to full pools
        pids = tree(app.proc.pid)
        report["rest_rss_mb"] = sum(rss_mb(p) for p in pids)
        report["rest_pss_mb"] = sum(pss_mb(p) for p in pids)
        server_rest = (rss_mb(app.proc.pid), pss_mb(app.proc.pid))
        report["rest_pss"] = tree_pss(app.proc.pid)
        kernels = kernel_pids(app.proc.pid)
        per_kernel = [rss_mb(p) for p in kernels]
        report["kernel_rss_mb_median"] = statistics.median(per_kernel) if per_kernel else 0
        cpu0 = cpu_seconds(pids)
        # Clicks start once the pools refill (fill_delay after the burst) and go on
        # through the first decisions of the chat.
        fill_delay = config.get("VoilaKernelManager", {}).get("fill_delay", 1)
        samples: list[tuple[float, int]] = []
        sampling = threading.Event()

        def sample_kernels() -> None:
            while not sampling.is_set():
                samples.append((time.monotonic(), pool_kernels(app.proc.pid)))
                time.sleep(0.5)

        sampler = threading.Thread(target=sample_kernels)
        sampler.start()
        t_burst = time.monotonic()
        # The class stays in the lesson (the simulated students keep their pages open)
        # for a minute: then the whole tree's memory is read.
        ours = burst(app.url, class_path, want, args.students, args.chromium, clicks,
                     click_after=fill_delay + 2, restart=conv.ui.restart[lang],
                     hold=args.hold, at_hold=lambda: tree_pss(app.proc.pid))
        report["class_pss"] = next((r.pop("at_hold") for r in ours if "at_hold" in r), {})
        report["class_pss"]["seconds_after_burst"] = args.hold
        sampling.set()
        sampler.join()
        report["ours"] = summary(ours)
        report["ours_simulated"] = summary([r for r in ours if not r.get("chromium")])
        report["ours_chromium"] = summary([r for r in ours if r.get("chromium")])
        report["ours_chromium_outside"] = sorted(
            r["ttfi_outside"] for r in ours if r.get("chromium") and r.get("ok"))
        report["ours"]["cpu_seconds"] = cpu_seconds(tree(app.proc.pid)) - cpu0
        # The class's kernels, before their pages close and they are let go.
        report["class_rss_mb"] = sum(rss_mb(p) for p in tree(app.proc.pid))
        report["class_pss_mb"] = sum(pss_mb(p) for p in tree(app.proc.pid))
        report["pupils_cost"] = pupils_cost(app.proc.pid, server_rest)
        times = [t for r in ours if r.get("chromium") and r.get("ok") for t in r["clicks"]]
        report["click_samples"] = len(times)
        report["click_feedback_p50"] = pct(times, 0.5)
        report["click_feedback_p95"] = pct(times, 0.95)
        outside = [t for r in ours if r.get("chromium") and r.get("ok")
                   for t in r["clicks_outside"]]
        report["click_outside_p50"] = pct(outside, 0.5)
        report["click_outside_p95"] = pct(outside, 0.95)
        windows = [r["window"] for r in ours if r.get("chromium") and r.get("ok")]
        if windows and samples:
            w0, w1 = min(w[0] for w in windows), max(w[1] for w in windows)

            def kernels_at(t: float) -> int:
                return min(samples, key=lambda s_: abs(s_[0] - t))[1]

            report["clicks_from_to_s"] = [w0 - t_burst, w1 - t_burst]
            # Every click: seconds after the burst, ms to feedback, pool kernels then.
            report["click_log"] = sorted(
                (round(a - t_burst, 2), round(t * 1000), kernels_at(a))
                for r in ours if r.get("chromium") and r.get("ok")
                for a, t in zip(r["clicks_at"], r["clicks"], strict=True))
            report["pool_kernels_prepared_during_clicks"] = kernels_at(w1) - kernels_at(w0)
        late = burst(app.url, class_path, want, 1)
        counted = teacher_api(app.url, teacher_key, "GET", f"classes/{class_code}/results")
        report["class_mode"] = {"students": counted["students"],
                                "chat_items_shown": len(counted["chat"])}
        report["student_31"] = late[0]
        report["burst_rss_mb"] = sum(rss_mb(p) for p in tree(app.proc.pid))
        wait_pools_full(app, expected)
        report["refill_done_s"] = time.monotonic() - t_burst
        # The same cold Chromium page on our idle server, next to the floor above.
        alone = cold_pages(app.url + path, clicks[0][0], 1, 3, app,
                           expected)
        report["ours_one_page_median"] = statistics.median(alone)
        report["ours_one_page"] = alone
        together = cold_pages(app.url + path, clicks[0][0], 3, 2, app,
                              expected)
        report["ours_three_pages_median"] = statistics.median(together)
        report["ours_three_pages"] = together
    finally:
        app.stop()

    report["static"] = static_copy(lang)
    print("static copy:", report["static"], flush=True)
    report["replicas"] = replicas_row(args, lang, path, want, clicks, conv.ui.restart[lang])
    print("replicas:", {k: v for k, v in report["replicas"].items() if k != "summary"},
          flush=True)

    report["machine"]["load_at_end"] = os.getloadavg()
    b95, o95 = report["baseline"]["ttfi_p95"], report["ours"]["ttfi_p95"]
    report["ratio_p95"] = o95 / b95 if b95 else float("nan")
    report["kernel_rss_ratio"] = report["kernel_rss_mb_median"] / report["bare_kernel_rss_mb"]
    report["course"] = course.title["en"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "latest" if lang == course.default_language else f"latest-{lang}"
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=2))
    table = markdown(report)
    (RESULTS / f"{name}.md").write_text(table)
    print(table)
    return 0


def teacher_api(base: str, key: str, method: str, path: str) -> dict:
    """The live class mode's teacher API (bench: start a class, read how many counted)."""
    import urllib.request

    request = urllib.request.Request(f"{base}teacher/api/{path}?key={key}", method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


REPLICAS = 2
CLASS_POOL = 16  # per replica: the two hold about the single server's class pool


def healthz(port: int) -> int | None:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def replicas_row(args, lang: str, path: str, want: list[str],
                 clicks: list[tuple[str, str]], restart: str) -> dict:
    """The same class on 2 replicas behind HAProxy (`make replicas REPLICAS=2`'s script),
    each with half the class pool (AWARENESS_CLASS_POOL=16): time to first interaction,
    click -> feedback, and what each replica holds at rest and with its share of the
    class (RSS, PSS) and the CPU seconds it spent on the burst."""
    port = free_port()
    while any(healthz(port + i) is not None or not _port_free(port + i)
              for i in range(REPLICAS + 1)):
        port = free_port()
    run_dir = Path(tempfile.mkdtemp(prefix="bench-replicas-"))
    script = [sys.executable, str(ROOT / "deploy" / "replicas.py")]
    proxy = subprocess.Popen(
        [*script, "start", "--replicas", str(REPLICAS), "--port", str(port),
         "--run-dir", str(run_dir), "--", "--class-lang", lang],
        cwd=ROOT, env={**os.environ, "AWARENESS_CLASS_POOL": str(CLASS_POOL)},
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    ports = [port + i for i in range(1, REPLICAS + 1)]
    row: dict = {"replicas": REPLICAS, "class_pool_per_replica": CLASS_POOL}
    try:
        t0 = time.monotonic()
        deadline = t0 + 600
        while not all(healthz(p) == 200 for p in ports):
            if proxy.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the replicas did not get ready")
            time.sleep(1)
        row["warm_up_seconds"] = time.monotonic() - t0
        pids = [int((run_dir / f"{p}.pid").read_text()) for p in ports]
        # Quiet: the last pool kernels' notebooks have run.
        while True:
            cpu = cpu_seconds([q for pid in pids for q in tree(pid)])
            time.sleep(2)
            if cpu_seconds([q for pid in pids for q in tree(pid)]) - cpu < 0.4:
                break
        row["rest_rss_mb"] = [sum(rss_mb(q) for q in tree(pid)) for pid in pids]
        row["rest_pss_mb"] = [sum(pss_mb(q) for q in tree(pid)) for pid in pids]
        server_rest = [(rss_mb(pid), pss_mb(pid)) for pid in pids]
        cpu0 = [cpu_seconds(tree(pid)) for pid in pids]
        results = burst(f"http://127.0.0.1:{port}/", path, want, args.students,
                        args.chromium, clicks, click_after=3, restart=restart)
        row["cpu_seconds"] = [cpu_seconds(tree(pid)) - c for pid, c in zip(pids, cpu0,
                                                                           strict=True)]
        row["class_rss_mb"] = [sum(rss_mb(q) for q in tree(pid)) for pid in pids]
        row["class_pss_mb"] = [sum(pss_mb(q) for q in tree(pid)) for pid in pids]
        row["pupils_cost"] = [pupils_cost(pid, rest) for pid, rest in zip(pids, server_rest,
                                                                          strict=True)]
        row["summary"] = summary(results)
        times = [t for r in results if r.get("chromium") and r.get("ok") for t in r["clicks"]]
        row["click_feedback_p50"] = pct(times, 0.5)
        row["click_feedback_p95"] = pct(times, 0.95)
        row["click_samples"] = len(times)
        # Each replica's share of the class, from its own /metrics.
        import urllib.request

        from prometheus_client.parser import text_string_to_metric_families

        row["pupils"] = []
        for p in ports:
            with urllib.request.urlopen(f"http://127.0.0.1:{p}/metrics", timeout=5) as r:
                text = r.read().decode()
            served = next(s.value for f in text_string_to_metric_families(text)
                          for s in f.samples if s.name == "awareness_pages_served_total"
                          and s.labels.get("page") == "lesson")
            row["pupils"].append(int(served))
    finally:
        subprocess.run([*script, "stop", "--port", str(port), "--run-dir", str(run_dir)],
                       cwd=ROOT, capture_output=True, timeout=120)
        try:
            proxy.wait(60)
        except subprocess.TimeoutExpired:
            proxy.kill()
    pupils = sum(row["pupils"]) or 1
    per30 = 30 / pupils
    # A replica's 30 pupils: 30 kernels, its server's growth for its share scaled to 30.
    costs = row["pupils_cost"]
    row["per_30_pupils"] = {
        "rss_mb": statistics.mean(c["rss_mb"] - c["server_growth_rss_mb"] for c in costs)
        + sum(c["server_growth_rss_mb"] for c in costs) * per30 / len(costs),
        "pss_mb": statistics.mean(c["pss_mb"] - c["server_growth_pss_mb"] for c in costs)
        + sum(c["server_growth_pss_mb"] for c in costs) * per30 / len(costs),
        "cpu_seconds": sum(row["cpu_seconds"]) * per30,
    }
    return row


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def markdown(r: dict) -> str:
    b, o = r["baseline"], r["ours"]
    late = r["student_31"]
    rest, held = r["rest_pss"], r["class_pss"]
    rows = [
        ("Time to first interaction p50 (s)", f"{o['ttfi_p50']:.2f}", f"{b['ttfi_p50']:.2f}"),
        ("Time to first interaction p95 (s)", f"{o['ttfi_p95']:.2f}", f"{b['ttfi_p95']:.2f}"),
        ("Time to first interaction max (s)", f"{o['ttfi_max']:.2f}", f"{b['ttfi_max']:.2f}"),
        ("p95 ratio ours / baseline (target ≤ 0.078)", f"{r['ratio_p95']:.3f}", ""),
        ("… simulated students only: p50 / p95 (s)",
         f"{r['ours_simulated']['ttfi_p50']:.2f} / {r['ours_simulated']['ttfi_p95']:.2f}", ""),
        ("… Chromium pages only (opened from the start page; page, kernel, widgets on "
         "screen, timed in the page): p50 / max (s)",
         f"{r['ours_chromium']['ttfi_p50']:.2f} / {r['ours_chromium']['ttfi_max']:.2f}", ""),
        ("… the same pages timed from Playwright (goto and reply): p50 / max (s)",
         "{:.2f} / {:.2f}".format(pct(r["ours_chromium_outside"], 0.5),
                                  max(r["ours_chromium_outside"] or [float("nan")])), ""),
        (f"Click → feedback p50 / p95 (ms, Chromium, {r['click_samples']} clicks, timed in "
         "the page, the class counted in the live class mode "
         f"({r.get('class_mode', {}).get('students', '?')} pupils in it); target p95 ≤ 100)",
         f"{r['click_feedback_p50'] * 1000:.0f} / {r['click_feedback_p95'] * 1000:.0f}", ""),
        ("… the same clicks timed from Playwright (click and reply): p50 / p95 (ms)",
         f"{r['click_outside_p50'] * 1000:.0f} / {r['click_outside_p95'] * 1000:.0f}", ""),
        ("… clicks from / to (s after the burst); pool kernels prepared meanwhile",
         "{:.0f} / {:.0f}; {}".format(*r.get("clicks_from_to_s", [float("nan")] * 2),
                                      r.get("pool_kernels_prepared_during_clicks", "?")), ""),
        ("One cold Chromium page alone (nothing cached), idle server (s, median of 3)",
         f"{r['ours_one_page_median']:.2f}",
         f"{r['front_end_floor']['one_page_median']:.2f} (stock Voilà, pool, one button)"),
        ("Three cold Chromium pages at once, idle server (s, slowest)",
         f"{r['ours_three_pages_median']:.2f}",
         f"{r['front_end_floor']['three_pages_median']:.2f} (stock Voilà, pool, one button)"),
        ("Pools full again (s after the burst)", f"{r['refill_done_s']:.0f}", ""),
        ("Kernel RSS per student, median (MB)", f"{r['kernel_rss_mb_median']:.1f}",
         f"bare ipykernel {r['bare_kernel_rss_mb']:.1f}"),
        ("Kernel RSS ratio (target ≤ 1.3)", f"{r['kernel_rss_ratio']:.2f}", ""),
        ("App's process tree PSS at rest: server, template, pools (MB; target ≤ 800)",
         "{:.0f} ({} kernels)".format(rest["total_mb"], rest["kernels"]), ""),
        (f"… {held['seconds_after_burst']:.0f} s after a class of {r['students']}, the class "
         "still in the lesson (MB; target ≤ 1500)",
         "{:.0f} ({} kernels)".format(held.get("total_mb", float("nan")),
                                      held.get("kernels", "?")), ""),
        ("Kernel PSS at rest, median (MB); server PSS (MB)",
         "{:.1f}; {:.0f}".format(rest["kernel_median_mb"], rest["server_mb"]), ""),
        ("Server + pools at rest, RSS (MB; counts shared pages once per process)",
         f"{r['rest_rss_mb']:.0f}", ""),
        ("Server after the burst, RSS (MB)", f"{r['burst_rss_mb']:.0f}", ""),
        ("Pool kernels ready of configured / warm-up (s)",
         f"{r['pools_kernels']} of {r['pools_kernels_configured']} / "
         f"{r['warm_up_seconds']:.0f}", ""),
        ("CPU seconds in the burst", f"{o['cpu_seconds']:.1f}", f"{b['cpu_seconds']:.1f}"),
        ("Failures", str(o["failures"]), str(b["failures"])),
        ("31st student after the burst (s)",
         f"{late.get('ttfi', float('nan')):.2f}" if late.get("ok") else late.get("error", "?"),
         ""),
    ]
    load = r["machine"]
    lines = [f"Classroom benchmark: {r['students']} students open {r['lesson']} within one "
             f"second ({load['cores']} cores; load average {load['load_at_start'][0]:.1f} "
             f"at the start, {load['load_at_end'][0]:.1f} at the end). The app's kernels: "
             f"{LAUNCHERS.get(r['app_launcher'], r['app_launcher'])}.", "",
             "| measure | ours | stock Voilà, empty notebook |", "|---|---|---|"]
    lines += [f"| {a} | {b_} | {c} |" for a, b_, c in rows]
    if "replicas" in r:
        lines += ["", replicas_markdown(r)]
    if "static" in r:
        lines += ["", static_markdown(r["static"])]
    lines += ["", launcher_table(r["launchers"])]
    return "\n".join(lines) + "\n"


def replicas_markdown(r: dict) -> str:
    """The same class on one process and on two replicas behind HAProxy, side by side,
    and what one replica needs per 30 pupils."""
    o, x = r["ours"], r["replicas"]
    s = x["summary"]
    per = 30 / max(1, r["students"])
    single30 = {
        "rss_mb": r["pupils_cost"]["rss_mb"],
        "pss_mb": r["pupils_cost"]["pss_mb"],
        "cpu_seconds": o["cpu_seconds"] * per,
    }
    per30 = x["per_30_pupils"]

    def pair(values, fmt="{:.0f}"):
        return " + ".join(fmt.format(v) for v in values)

    rows = [
        ("Time to first interaction p50 / p95 / max (s)",
         f"{o['ttfi_p50']:.2f} / {o['ttfi_p95']:.2f} / {o['ttfi_max']:.2f}",
         f"{s['ttfi_p50']:.2f} / {s['ttfi_p95']:.2f} / {s['ttfi_max']:.2f}"),
        ("Click → feedback p50 / p95 (ms, Chromium, timed in the page)",
         f"{r['click_feedback_p50'] * 1000:.0f} / {r['click_feedback_p95'] * 1000:.0f}",
         f"{x['click_feedback_p50'] * 1000:.0f} / {x['click_feedback_p95'] * 1000:.0f}"),
        ("Failures", str(o["failures"]), str(s["failures"])),
        ("Pupils per process (lesson pages served)", str(r["students"]),
         pair(x["pupils"], "{}")),
        ("Class pool per process / warm-up (s)",
         f"{sizing.largest_pool(ROOT)} / {r['warm_up_seconds']:.0f}",
         f"{x['class_pool_per_replica']} each / {x['warm_up_seconds']:.0f}"),
        ("At rest: RSS / PSS (MB)", f"{r['rest_rss_mb']:.0f} / {r['rest_pss_mb']:.0f}",
         f"{pair(x['rest_rss_mb'])} / {pair(x['rest_pss_mb'])}"),
        ("With the class: RSS / PSS (MB)",
         f"{r['class_rss_mb']:.0f} / {r['class_pss_mb']:.0f}",
         f"{pair(x['class_rss_mb'])} / {pair(x['class_pss_mb'])}"),
        ("CPU seconds in the burst", f"{o['cpu_seconds']:.1f}",
         pair(x["cpu_seconds"], "{:.1f}")),
        ("**Per 30 pupils**: 30 pupils' kernels and the server's growth, RSS / PSS (MB); "
         "CPU seconds of the burst (pages, kernels, pool refills)",
         f"{single30['rss_mb']:.0f} / {single30['pss_mb']:.0f}, "
         f"{single30['cpu_seconds']:.1f}",
         f"{per30['rss_mb']:.0f} / {per30['pss_mb']:.0f}, {per30['cpu_seconds']:.1f}"),
    ]
    lines = [f"The same class on {x['replicas']} replicas behind HAProxy (`make replicas "
             f"REPLICAS={x['replicas']}`, AWARENESS_CLASS_POOL={x['class_pool_per_replica']}"
             " each), next to the single process above.", "",
             "| measure | one process | replicas (each) |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def launcher_table(found: dict) -> str:
    """The two kernel launchers side by side (the same run, the same machine)."""
    fork, prog = found["awareness-fork"], found["local-provisioner"]
    n = fork["kernels"]
    rows = [
        ("Start, request → kernel_info reply, p50 / p95 (ms)",
         *("{:.0f} / {:.0f}".format(x["start_p50_ms"], x["start_p95_ms"]) for x in (fork, prog))),
        (f"PSS per kernel after lesson 02, {n} alive, median (MB)",
         *(f"{x['pss_median_mb']:.1f}" for x in (fork, prog))),
        ("RSS per kernel, median (MB)", *(f"{x['rss_median_mb']:.1f}" for x in (fork, prog))),
        ("Template: start (s) / PSS (MB)",
         "{:.1f} / {:.1f}".format(fork["template_start_s"], fork["template_pss_mb"]), "–"),
        (f"{n} kernels (and the template) in all, PSS (MB)",
         *(f"{x['total_pss_mb']:.0f}" for x in (fork, prog))),
    ]
    lines = [f"Kernel launchers, side by side: {n} lesson kernels each, started one after "
             "another as the server starts them, then lesson 02 run in each.", "",
             f"| measure | {LAUNCHERS['awareness-fork']} (awareness-fork) | "
             f"{LAUNCHERS['local-provisioner']} (local-provisioner) |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
