"""Kernel culling and pools: a closed tab's kernel is stopped, pooled kernels are not; pool
kernels wait at a low CPU priority and a student's kernel does not."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from awareness.kernels import CourseKernelManager
from tests.conftest import AppServer, fetch, free_port


def kernel_processes(server_pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (proc / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == server_pid and b"ipykernel" in cmd:
            found.append(int(proc.name))
    return found


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def culling_server(tmp_path_factory):
    log = tmp_path_factory.mktemp("cull") / "server.log"
    server = AppServer(
        free_port(),
        log,
        args=(
            "--pool", "1",
            "--MappingKernelManager.cull_idle_timeout=3",
            "--MappingKernelManager.cull_interval=1",
        ),
    ).start()
    yield server
    server.stop()


def test_a_closed_tab_is_culled_and_the_pools_are_kept(culling_server):
    pid = culling_server.proc.pid
    pages = 10  # 5 lessons x 2 languages, one preheated kernel each
    wait_until(lambda: len(kernel_processes(pid)) >= pages, 120, "the pools to fill")
    status, html = fetch(culling_server.url + "voila/render/nb/04-prevention.ipynb")
    assert status == 200
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', html).group(1)
    # The student "closed the tab": no websocket ever connects, so the kernel idles.
    wait_until(
        lambda: fetch(culling_server.url + f"api/kernels/{kernel_id}")[0] == 404,
        60,
        "the idle kernel to be culled",
    )
    time.sleep(5)  # several more cull rounds: the pooled kernels must still be there
    assert len(kernel_processes(pid)) >= pages
    status, html = fetch(culling_server.url + "voila/render/en/01-what-is-sextortion.ipynb")
    assert status == 200 and "kernelId" in html


def kernel_process(server_pid: int, kernel_id: str) -> int:
    for pid in kernel_processes(server_pid):
        if f"kernel-{kernel_id}.json".encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
    raise AssertionError(f"no process for kernel {kernel_id}")


def test_pool_kernels_wait_at_low_priority_and_a_students_kernel_does_not(culling_server):
    pid = culling_server.proc.pid
    low = CourseKernelManager.refill_nice.default_value
    assert low > 0
    wait_until(lambda: len(kernel_processes(pid)) >= 10, 120, "the pools to fill")
    priorities = {os.getpriority(os.PRIO_PROCESS, k) for k in kernel_processes(pid)}
    assert low in priorities
    status, html = fetch(culling_server.url + "voila/render/en/03-if-it-happens.ipynb")
    assert status == 200
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]+)"', html).group(1)
    student = kernel_process(pid, kernel_id)
    # Giving a process its priority back needs root (CI runs as root); elsewhere it stays.
    assert os.getpriority(os.PRIO_PROCESS, student) == (0 if os.geteuid() == 0 else low)
