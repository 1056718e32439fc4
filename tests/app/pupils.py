"""Simulated pupils: a lesson page and its kernel websocket, as lite.js uses them, each
pupil from a loopback address of its own (127.0.x.y), as a class looks to the server."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from jupyter_client import BlockingKernelClient
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from tests.conftest import fetch_full


def run(coro):
    """A coroutine in a thread of its own (Playwright's sync API may hold this thread's loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=120)


def kernel_id_of(html: str) -> str | None:
    match = re.search(r'"kernelId": "([0-9a-f-]+)"', html)
    return match.group(1) if match else None


def open_page(base: str, lang: str, lesson: str, source: str, headers: dict | None = None):
    """GET a lesson page from ``source``: (status, headers, html, kernel id or None)."""
    status, resp_headers, html = fetch_full(
        f"{base}voila/render/{lang}/{lesson}.ipynb", source=source, headers=headers
    )
    return status, resp_headers, html, kernel_id_of(html)


def hang_up(host: str, port: int, path: str, source: str) -> None:
    """Send a request and close the connection at once (what `nc -q0` does)."""
    with socket.socket() as s:
        s.bind((source, 0))
        s.connect((host, port))
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())


def message(msg_type: str, content: dict, metadata: dict | None = None) -> str:
    return json.dumps({
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "student",
                   "session": "s", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": metadata or {}, "content": content,
        "channel": "shell", "buffers": [],
    })


async def connect(base: str, kernel_id: str, source: str):
    url = base.replace("http://", "ws://") + f"api/kernels/{kernel_id}/channels?session_id=s"
    return await websocket_connect(HTTPRequest(url, network_interface=source),
                                   max_message_size=64 * 1024 * 1024)


async def widget_states(ws, timeout: float = 30) -> dict:
    """What lite.js does on connect: open the control comm, ask for every widget's state."""
    control = uuid.uuid4().hex
    ws.write_message(message("comm_open", {"comm_id": control,
                                           "target_name": "jupyter.widget.control",
                                           "data": {}}, {"version": "1.0.0"}))
    ws.write_message(message("comm_msg", {"comm_id": control,
                                          "data": {"method": "request_states"}}))
    while True:
        raw = await asyncio.wait_for(ws.read_message(), timeout)
        if raw is None:
            raise ConnectionError("the websocket closed")
        msg = json.loads(raw)
        data = msg.get("content", {}).get("data", {})
        if msg.get("header", {}).get("msg_type") == "comm_msg" and \
                data.get("method") == "update_states":
            return data["states"]


class Pupil:
    """A page's widget models as lite.js keeps them, and clicks on its buttons."""

    def __init__(self, ws, states: dict):
        self.ws = ws
        self.models = {k: dict(v.get("state", {})) for k, v in states.items()}

    def _take(self, raw: str) -> str:
        msg = json.loads(raw)
        kind = msg.get("header", {}).get("msg_type")
        content = msg.get("content", {})
        data = content.get("data", {})
        if kind == "comm_open":
            self.models[content["comm_id"]] = dict(data.get("state", {}))
        elif kind == "comm_msg" and data.get("method") in ("update", "echo_update"):
            self.models.setdefault(content["comm_id"], {}).update(data.get("state", {}))
        return json.dumps(msg, ensure_ascii=False)

    def button(self, text: str) -> str:
        """The model id of the (last made) button with this text."""
        found = [k for k, s in self.models.items()
                 if s.get("_view_name") == "ButtonView" and s.get("description") == text]
        if not found:
            raise KeyError(text)
        return found[-1]

    async def read(self, timeout: float) -> str:
        raw = await asyncio.wait_for(self.ws.read_message(), timeout)
        if raw is None:
            raise ConnectionError("the websocket closed")
        return self._take(raw)

    async def click(self, text: str, until: str, timeout: float = 30) -> float:
        """Click the button with this text (once it is there); seconds until an update
        shows ``until``."""
        while True:
            try:
                model_id = self.button(text)
                break
            except KeyError:
                await self.read(timeout)
        start = asyncio.get_running_loop().time()
        self.ws.write_message(message("comm_msg", {
            "comm_id": model_id,
            "data": {"method": "custom", "content": {"event": "click"}}}))
        while True:
            if until in await self.read(timeout):
                return asyncio.get_running_loop().time() - start


def children(pid: int) -> list[int]:
    """A process's descendants, from one pass over /proc."""
    kids: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(proc.name))
    out, todo = [], list(kids.get(pid, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def kernels(server_pid: int) -> dict[str, int]:
    """The server's kernel processes: kernel id -> pid."""
    found = {}
    for pid in children(server_pid):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        match = re.search(r"kernel-([0-9a-f-]+)\.json", cmd)
        if match and "ipykernel" in cmd:
            found[match.group(1)] = pid
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def kernel_client(pid: int) -> BlockingKernelClient:
    """A client on a kernel's own channels, from its connection file (what the server
    uses; no page can): for tests that must make a kernel do what no page may."""
    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    connection_file = next(a.decode() for a in cmd if a.endswith(b".json"))
    client = BlockingKernelClient(connection_file=connection_file)
    client.load_connection_file()
    client.start_channels()
    return client


def kernel_pid(kernel_id: str) -> int:
    """The process of a kernel, found by its connection file's name."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if f"kernel-{kernel_id}.json".encode() in (proc / "cmdline").read_bytes():
                return int(proc.name)
        except OSError:
            continue
    raise AssertionError(f"no process for kernel {kernel_id}")
