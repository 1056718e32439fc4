"""Kernel culling and pools: a page's kernel is let go, pooled kernels never are; pool
kernels wait at a low CPU priority and a student's kernel does not.

On the caps server (tests/app/conftest.py): Voilà's culler runs every second with a
5-second idle time-out, pages that never connect are let go after 3 s, and the pools
fill whatever else the machine does (refill_idle_cores=0), so nothing here waits on
how busy the machine is: every wait is for a state, with a bound, never a fixed sleep
that load could outlast.
"""

from __future__ import annotations

import os
import time

from awareness.kernels import CourseKernelManager
from tests.app.conftest import GRACE, POOLS
from tests.app.pupils import connect, open_page, run, widget_states


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_closed_tab_is_let_go_and_the_pools_are_kept(caps):
    status, _, _, kernel_id = open_page(caps.url, "nb", "04-prevention", "127.0.1.250")
    assert status == 200 and kernel_id
    pool = set(caps.kernels()) - {kernel_id}
    # The student "closed the tab": no websocket ever connects.
    wait_until(lambda: kernel_id not in caps.kernels(), GRACE + 30, "the kernel to be let go")
    # Several cull rounds later (idle time-out 5 s), every pool kernel is still there.
    wait_until(lambda: len(caps.kernels()) >= POOLS, 60, "the pool to refill")
    time.sleep(6)
    assert pool <= set(caps.kernels()), "a pool kernel was culled"
    status, _, _, kernel_id = open_page(caps.url, "en", "01-what-is-sextortion", "127.0.1.251")
    assert status == 200 and kernel_id


def test_pool_kernels_wait_at_low_priority_and_a_students_kernel_does_not(caps):
    low = CourseKernelManager.refill_nice.default_value
    assert low > 0
    priorities = {os.getpriority(os.PRIO_PROCESS, pid) for pid in caps.kernels().values()}
    assert low in priorities
    status, _, _, kernel_id = open_page(caps.url, "en", "03-if-it-happens", "127.0.1.252")
    assert status == 200
    student = caps.kernels()[kernel_id]
    # Giving a process its priority back needs root (CI runs as root); elsewhere it stays.
    assert os.getpriority(os.PRIO_PROCESS, student) == (0 if os.geteuid() == 0 else low)


def test_a_pool_kernel_given_to_a_page_is_not_culled_before_the_page_connects(caps):
    """A pool kernel has been idle for as long as it waited in its pool: the culler must
    not take it in the moment between the page and its websocket."""
    time.sleep(6)  # the pool kernels are idle for longer than the culler's 5 s
    status, _, _, kernel_id = open_page(caps.url, "en", "02-the-conversation", "127.0.1.253")
    assert status == 200 and kernel_id
    time.sleep(GRACE / 2)  # a page that is slow to connect; the culler runs every second
    assert kernel_id in caps.kernels(), "the page's kernel was culled before it connected"

    async def page_connects():
        ws = await connect(caps.url, kernel_id, "127.0.1.253")
        states = await widget_states(ws)
        ws.close()
        return states

    assert run(page_connects())
