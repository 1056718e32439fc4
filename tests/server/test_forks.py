"""Lesson kernels forked from a warm template, next to the ordinary launcher.

The kernels here are started the way the server starts them (jupyter_client's
multi-kernel manager, the provisioner chosen by name through its entry point, the
kernel ceiling's launch options), without Voilà: tests/app/test_forks.py runs them in
the real app. Every wait is for a state, with a bound.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from jupyter_client.multikernelmanager import AsyncMultiKernelManager
from jupyter_client.provisioning import KernelProvisionerFactory

from awareness.server import forks
from awareness.server.ceiling import launch_options

ROOT = Path(__file__).resolve().parents[2]
LESSON_DIR = ROOT / "lessons" / "nb"
CEILING_MB = 400
LAUNCHERS = ("awareness-fork", "local-provisioner")


@pytest.fixture(scope="module")
def loop():
    """One event loop for the module, in a thread (the template reads its replies there)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def call(loop, coro, timeout: float = 90):
    return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)


@pytest.fixture
def launcher(request, monkeypatch):
    """The provisioner the factory gives kernels, by its entry point's name."""
    monkeypatch.setattr(KernelProvisionerFactory.instance(), "default_provisioner_name",
                        request.param)
    return request.param


class Kernels:
    """A multi-kernel manager as the server has one, and clients for its kernels."""

    def __init__(self, loop, connection_dir: Path):
        self.loop = loop
        self.mkm = AsyncMultiKernelManager(connection_dir=str(connection_dir))
        self.clients = {}

    def start(self, memory_mb: int = CEILING_MB) -> str:
        async def start():
            options = launch_options({"cwd": str(LESSON_DIR)}, memory_mb)
            kernel_id = await self.mkm.start_kernel(kernel_name="python3", **options)
            client = self.mkm.get_kernel(kernel_id).client()
            client.start_channels()
            await client.wait_for_ready(timeout=60)
            self.clients[kernel_id] = client
            return kernel_id

        return call(self.loop, start())

    def provisioner(self, kernel_id: str):
        return self.mkm.get_kernel(kernel_id).provisioner

    def pid(self, kernel_id: str) -> int:
        return self.provisioner(kernel_id).pid

    def run(self, kernel_id: str, code: str, timeout: float = 30) -> dict:
        """Execute code; its reply's content, with any stream output as 'out'."""

        async def run():
            out: list[str] = []

            def keep(msg):
                if msg["msg_type"] == "stream":
                    out.append(msg["content"]["text"])

            reply = await self.clients[kernel_id].execute_interactive(
                code, timeout=timeout, output_hook=keep)
            return {**reply["content"], "out": "".join(out)}

        return call(self.loop, run())

    def stop(self) -> None:
        for client in self.clients.values():
            client.stop_channels()
        call(self.loop, self.mkm.shutdown_all(now=True))


@pytest.fixture
def kernels(loop, tmp_path):
    found = Kernels(loop, tmp_path)
    yield found
    found.stop()


def cmdline(pid: int) -> list[bytes]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")


def stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name (state, ppid, pgrp, ...), None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# ----------------------------------------------------------------------------- both


@pytest.mark.parametrize("launcher", LAUNCHERS, indirect=True)
def test_a_kernel_has_its_title_pid_session_ceiling_and_environment(launcher, kernels):
    kernel_id = kernels.start()
    provisioner = kernels.provisioner(kernel_id)
    assert getattr(provisioner, "forked", False) == (launcher == "awareness-fork")
    pid = kernels.pid(kernel_id)
    # The command line names the connection file, as the culling and the tests read it.
    args = cmdline(pid)
    assert args[1:3] == [b"-m", b"ipykernel_launcher"]
    connection = next(a for a in args if a.endswith(b".json")).decode()
    assert connection == kernels.mkm.get_kernel(kernel_id).connection_file
    assert f"kernel-{kernel_id}.json" in connection
    # The server's child, leading a session (and process group) of its own.
    state, ppid, pgrp, session = stat(pid)[:4]
    assert int(ppid) == os.getpid() and int(pgrp) == pid and int(session) == pid
    # The same ceiling and environment, the same working directory.
    limits = Path(f"/proc/{pid}/limits").read_text()
    address_space = re.search(r"Max address space\s+(\d+)\s+(\d+)", limits)
    assert address_space and int(address_space.group(1)) == CEILING_MB * 1024 * 1024
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert b"MALLOC_ARENA_MAX=2" in environ
    assert f"JPY_PARENT_PID={os.getpid()}".encode() in environ
    assert os.path.samefile(os.readlink(f"/proc/{pid}/cwd"), LESSON_DIR)
    # As ipykernel_launcher leaves it: its argv, '' (not the directory) on the path.
    reply = kernels.run(kernel_id, "import os, sys; print(os.getpid(), os.environ"
                        "['MALLOC_ARENA_MAX'], sys.argv[1:], '' in sys.path[:4], "
                        "os.getcwd() in sys.path)")
    assert reply["status"] == "ok"
    assert reply["out"].strip() == f"{pid} 2 ['-f', '{connection}'] True False"
    # A lesson runs in it, and a page can ask for its widgets (ipywidgets' comm targets:
    # registered at import in a kernel, so for a forked kernel once it runs).
    reply = kernels.run(kernel_id, 'from awareness import show_chat\nshow_chat("nb")\n'
                        "import comm; print(sorted(comm.get_comm_manager().targets))")
    assert reply["status"] == "ok", reply
    assert "['jupyter.widget', 'jupyter.widget.control']" in reply["out"]


@pytest.mark.parametrize("launcher", LAUNCHERS, indirect=True)
def test_interrupt_restart_and_shutdown_work_and_leave_no_zombie(launcher, kernels, loop):
    kernel_id = kernels.start()
    client = kernels.clients[kernel_id]
    first = kernels.pid(kernel_id)

    async def interrupted():
        msg_id = client.execute("import time; time.sleep(60)")
        while True:  # the kernel runs the cell (an idle kernel ignores SIGINT)
            msg = await client.get_iopub_msg(timeout=30)
            if msg["msg_type"] == "execute_input":
                break
        await asyncio.sleep(0.3)
        await kernels.mkm.interrupt_kernel(kernel_id)
        while True:
            reply = await client.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply["content"]

    t0 = time.monotonic()
    content = call(loop, interrupted())
    assert content["status"] == "error" and content["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - t0 < 20

    call(loop, kernels.mkm.restart_kernel(kernel_id, now=True))
    second = kernels.pid(kernel_id)
    assert second != first and stat(first) is None  # the old process was reaped
    assert f"kernel-{kernel_id}.json".encode() in b" ".join(cmdline(second))

    async def answers():
        await client.wait_for_ready(timeout=60)

    call(loop, answers())
    assert kernels.run(kernel_id, "print(6 * 7)")["out"].strip() == "42"
    call(loop, kernels.mkm.shutdown_kernel(kernel_id))  # the polite way
    kernels.clients.pop(kernel_id).stop_channels()
    assert stat(second) is None  # gone and reaped, not a zombie


# ----------------------------------------------------------------------------- forks


@pytest.mark.parametrize("launcher", ["awareness-fork"], indirect=True)
def test_a_killed_or_full_kernel_leaves_the_others_and_the_template_alone(launcher, kernels):
    ids = [kernels.start() for _ in range(3)]
    template = forks.server_template().pid
    assert template and all(kernels.provisioner(k).forked for k in ids)
    victim, full, other = ids
    pid = kernels.pid(victim)
    os.kill(pid, signal.SIGKILL)
    # Noticed and reaped, as the server's restarter would.
    assert wait_until(lambda: not call(kernels.loop, kernels.mkm.get_kernel(victim).is_alive()),
                      10, "the kernel to be seen dead")
    assert stat(pid) is None
    # One kernel fills its ceiling: only it is refused memory.
    reply = kernels.run(full, "x = bytearray(600 * 1024 * 1024)")
    assert reply["status"] == "error" and reply["ename"] == "MemoryError"
    for kernel_id in (full, other):
        assert kernels.run(kernel_id, "print(sum(range(10)))")["out"].strip() == "45"
    # Forked from one process, yet each draws its own random numbers (quizzes shuffle).
    draws = {kernels.run(k, "import random; print(random.random())")["out"] for k in ids[1:]}
    assert len(draws) == 2
    assert forks.server_template().pid == template and stat(template)[0] != "Z"
    fourth = kernels.start()
    assert kernels.provisioner(fourth).forked and forks.server_template().pid == template


@pytest.mark.parametrize("launcher", ["awareness-fork"], indirect=True)
def test_the_template_holds_no_thread_socket_or_zmq_context(launcher, kernels):
    kernels.start()
    template = forks.server_template().pid
    assert os.listdir(f"/proc/{template}/task") == [str(template)]  # one thread
    fds = Path(f"/proc/{template}/fd")
    targets = [os.readlink(fds / fd) for fd in os.listdir(fds)]
    assert not [t for t in targets if t.startswith(("socket:", "anon_inode:"))], targets
    # It imported what a lesson needs, and its kernels found it there.
    modules = Path(f"/proc/{template}/maps").read_text()
    assert "_zmq" in modules and "pydantic_core" in modules


@pytest.mark.parametrize("launcher", ["awareness-fork"], indirect=True)
def test_a_template_that_dies_is_started_again_and_its_kernels_live_on(
        launcher, kernels, caplog):
    caplog.set_level(logging.WARNING, "awareness.kernels")
    before = kernels.start()
    template = forks.server_template().pid
    os.kill(template, signal.SIGKILL)
    wait_until(lambda: forks.server_template().pid not in (None, template), 60,
               "a new template")
    assert stat(template) is None  # reaped
    assert f"the kernel template (pid {template}) exited" in caplog.text
    assert kernels.run(before, "print('still here')")["out"].strip() == "still here"
    after = kernels.start()
    assert kernels.provisioner(after).forked


@pytest.mark.parametrize("launcher", ["awareness-fork"], indirect=True)
def test_a_template_that_stops_answering_is_replaced_and_the_kernel_starts_anyway(
        launcher, kernels, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, "awareness.kernels")
    monkeypatch.setattr(forks, "_SAID", set())
    kernels.start()
    template = forks.server_template()
    monkeypatch.setattr(template, "fork_timeout", 1.0)
    stuck = template.pid
    os.kill(stuck, signal.SIGSTOP)  # hung: it reads no request and answers none
    t0 = time.monotonic()
    kernel_id = kernels.start()
    assert not kernels.provisioner(kernel_id).forked  # started as a program meanwhile
    assert time.monotonic() - t0 < 30
    assert "did not answer in 1 s: it is stopped" in caplog.text
    wait_until(lambda: template.pid not in (None, stuck), 60, "a new template")
    assert stat(stuck) is None
    assert kernels.provisioner(kernels.start()).forked


@pytest.mark.parametrize("launcher", ["awareness-fork"], indirect=True)
def test_without_fork_kernels_start_as_programs_with_one_log_line(
        launcher, kernels, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, "awareness.kernels")
    monkeypatch.setattr(forks, "_SAID", set())
    monkeypatch.delattr(os, "fork")
    ids = [kernels.start() for _ in range(2)]
    assert not any(kernels.provisioner(k).forked for k in ids)
    lines = [r.getMessage() for r in caplog.records if "started as programs" in r.getMessage()]
    assert lines == ["awareness: lesson kernels are started as programs (this platform "
                     f"({sys.platform}) has no fork)."]
    assert kernels.run(ids[1], "print(1)")["out"].strip() == "1"


# ----------------------------------------------------------------------------- parts


def test_only_this_pythons_ipykernel_launcher_is_forked():
    conn = "/run/kernel-1.json"
    assert forks.forkable([sys.executable, "-m", "ipykernel_launcher", "-f", conn]) is None
    assert forks.forkable([sys.executable, "-m", "other_kernel", "-f", conn])
    assert forks.forkable(["/usr/bin/R", "--slave", "-e", "IRkernel::main()", conn])
    assert forks.forkable(["/no/such/python", "-m", "ipykernel_launcher", "-f", conn])


def test_the_title_replaces_the_command_line_and_must_fit():
    code = (
        "import sys\n"
        "from awareness.server.template import set_title\n"
        "set_title(['python', '-m', 'ipykernel_launcher', '-f', '/r/kernel-abc.json'])\n"
        "print(open('/proc/self/cmdline', 'rb').read().rstrip(b'\\0'))\n"
        "try:\n"
        "    set_title(['x' * 100_000])\n"
        "except ValueError as exc:\n"
        "    print('too long:', exc)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    lines = run.stdout.splitlines()
    assert lines[0] == repr(b"python\0-m\0ipykernel_launcher\0-f\0/r/kernel-abc.json")
    assert lines[1].startswith("too long: a command line of 100001 bytes does not fit")


def test_what_the_template_holds_is_checked_before_a_fork():
    code = (
        "import socket, threading, time\n"
        "from awareness.server.template import holds_only\n"
        "print(holds_only({0, 1, 2}))\n"
        "s = socket.socket()\n"
        "print(holds_only({0, 1, 2}))\n"
        "s.close()\n"
        "threading.Thread(target=time.sleep, args=(2,), daemon=True).start()\n"
        "print(holds_only({0, 1, 2}))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=ROOT, stdin=subprocess.DEVNULL)
    clean, sock, thread = run.stdout.splitlines()
    assert clean == "None"
    assert re.fullmatch(r"fd \d+ \(socket:\[\d+\]\)", sock)
    assert thread == "2 threads"


def test_an_unknown_kernel_launcher_is_one_line():
    assert forks.launcher_problem("awareness-fork") is None
    assert forks.launcher_problem("local-provisioner") is None
    assert forks.launcher_problem(None) is None
    problem = forks.launcher_problem("awareness-frok")
    assert problem.startswith("awareness: no kernel launcher named 'awareness-frok'")
    assert "\n" not in problem and "awareness-fork, local-provisioner" in problem
