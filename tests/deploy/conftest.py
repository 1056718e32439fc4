"""`make replicas REPLICAS=2` for real, once per test session: two app processes behind
Debian's HAProxy, started by the same script (deploy/replicas.py) with small pools and
the grace periods in seconds, and stopped by `make replicas-stop`'s command at the end.

Simulated pupils each come from a loopback address of their own (127.0.x.y), through the
proxy, with the routing cookie the proxy gives them, as a browser keeps it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from tests.app.pupils import Pupil, kernel_id_of, widget_states
from tests.conftest import ROOT, fetch_full, free_port

SCRIPT = ROOT / "deploy" / "replicas.py"
RUN_DIR = ROOT / "build" / "replicas"
COOKIE = "AWARENESS_REPLICA"
REPLICAS = 2
DRAIN = 60.0  # seconds a stopping replica waits for its pupils (bounded)
SERVE_ARGS = (
    "--pool", "1",
    "--Limits.closed_grace=3",
    "--Limits.unconnected_grace=20",
    f"--Health.drain_timeout={DRAIN}",
    "--Health.connect_wait=5",
    # Pools fill whatever else the machine is doing (the default waits for an idle core).
    "--CourseKernelManager.refill_idle_cores=0",
)


def status_of(url: str) -> tuple[int | None, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return None, ""


def three_free_ports() -> int:
    for _ in range(50):
        port = free_port()
        if all(_free(port + i) for i in range(1, REPLICAS + 1)):
            return port
    raise RuntimeError("no free ports")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Loop:
    """An event loop in a thread of its own, where the simulated pupils' websockets live
    from one test to the next (Playwright's sync API holds the main thread's loop)."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 120):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@dataclass
class SimPupil:
    """A simulated pupil through the proxy: its address, routing cookie and page."""

    source: str
    replica: str | None = None
    kernel_id: str | None = None
    pupil: Pupil | None = None
    clicks: int = 0  # choices clicked in all
    step: int = 0  # the chat's next choice on the safe path
    log: list = field(default_factory=list)


class Replicas:
    """The running `deploy/replicas.py start` and what the tests learn from it."""

    def __init__(self, port: int, proc: subprocess.Popen, log):
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        self.ports = [port + i for i in range(1, REPLICAS + 1)]
        self.names = {f"r{i}": p for i, p in enumerate(self.ports, start=1)}
        self.proc = proc
        self.log = log
        self.loop = Loop()
        self.warmup: list[int | None] = []  # r1's /healthz answers from its start
        self.proxy_while_warming: tuple | None = None
        self.state: dict = {}  # what one test leaves for the next

    def pid(self, name: str) -> int:
        return int((RUN_DIR / f"{self.names[name]}.pid").read_text())

    def replica_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.names[name]}/"

    def metrics(self, name: str) -> str:
        status, text = status_of(self.replica_url(name) + "metrics")
        assert status == 200, (name, status)
        return text

    # ------------------------------------------------------------------ simulated pupils
    def open_page(self, pupil: SimPupil, lang: str, lesson: str) -> tuple[int, str]:
        headers = {"Cookie": f"{COOKIE}={pupil.replica}"} if pupil.replica else {}
        status, resp_headers, html = fetch_full(
            f"{self.url}voila/render/{lang}/{lesson}.ipynb", source=pupil.source,
            headers=headers)
        for value in resp_headers.get_all("Set-Cookie") or []:
            match = re.match(rf"{COOKIE}=([^;]+)", value)
            if match:
                pupil.replica = match.group(1)
        pupil.kernel_id = kernel_id_of(html)
        return status, html

    async def connect(self, pupil: SimPupil) -> Pupil:
        url = (self.url.replace("http://", "ws://")
               + f"api/kernels/{pupil.kernel_id}/channels?session_id=s")
        ws = await websocket_connect(HTTPRequest(
            url, network_interface=pupil.source,
            headers={"Cookie": f"{COOKIE}={pupil.replica}"}), max_message_size=64 << 20)
        pupil.pupil = Pupil(ws, await widget_states(ws))
        return pupil.pupil


@pytest.fixture(scope="session")
def replicas(tmp_path_factory):
    port = three_free_ports()
    keep = tmp_path_factory.mktemp("replicas")
    log = open(keep / "replicas.log", "w")  # noqa: SIM115
    argv = [sys.executable, str(SCRIPT), "start", "--replicas", str(REPLICAS),
            "--port", str(port), "--check-interval", "0.5", "--retry-after", "2",
            "--", *SERVE_ARGS]
    env = {**os.environ, "AWARENESS_FAST": "1"}
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    running = Replicas(port, proc, log)
    try:
        # r1's /healthz from the moment it answers, until every replica and the proxy
        # take pupils.
        deadline = time.monotonic() + 180
        first = f"http://127.0.0.1:{running.ports[0]}/healthz"
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"deploy/replicas.py exited: {proc.returncode}")
            status, _ = status_of(first)
            if status is not None:
                running.warmup.append(status)
            if status == 503 and running.proxy_while_warming is None:
                running.proxy_while_warming = fetch_full(running.url, source="127.0.0.1")
            if status == 200 and all(
                    status_of(f"http://127.0.0.1:{p}/healthz")[0] == 200 for p in running.ports):
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("the replicas did not get ready in 180 s")
        time.sleep(1.5)  # HAProxy's checks see them up (every 0.5 s, rise 1)
        yield running
    finally:
        stop = subprocess.run([sys.executable, str(SCRIPT), "stop", "--port", str(port)],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
        running.state["stopped"] = stop.stdout
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        running.loop.close()
        log.close()
        # The replicas' and the proxy's logs and config go with the test's other files.
        for path in RUN_DIR.glob(f"*{port}*"):
            path.rename(keep / path.name)
        for other in running.ports:
            for path in RUN_DIR.glob(f"{other}.*"):
                path.rename(keep / path.name)
        # Kernels a killed replica left behind.
        for pid in running.state.get("orphans", []):
            with contextlib.suppress(OSError):
                os.kill(pid, 9)
