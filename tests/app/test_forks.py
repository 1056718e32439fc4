"""Forked lesson kernels in the real app: every kernel comes from the server's one
template and shares its memory; a pupil's kernel killed with SIGKILL leaves the other
pupils and the template alone and is reaped; the ordinary launcher is a setting.
(tests/server/test_forks.py drives both launchers through their whole life.)"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from tests.app.pupils import Pupil, children, connect, open_page, run, widget_states
from tests.app.test_limits import safe_path
from tests.conftest import AppServer, free_port

TEMPLATE = b"awareness.server.template"


def stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name (state, ppid, pgrp, ...), None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def templates(server_pid: int) -> list[int]:
    found = []
    for pid in children(server_pid):
        try:
            if TEMPLATE in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


def shared_dirty_mb(pid: int) -> float:
    """Memory written since the process came to be that it still shares with another
    (for a kernel: with the template it was forked from; a launched kernel has none)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Shared_Dirty:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_every_kernel_is_forked_from_the_one_template(caps):
    server = caps.proc.pid
    [template] = templates(server)
    assert stat(template)[1] == str(server)
    for pid in caps.kernels().values():
        state, ppid, pgrp = stat(pid)[:3]
        assert int(ppid) == server and int(pgrp) == pid  # the server's, in its own group
        assert shared_dirty_mb(pid) > 5, pid  # pages it shares with the template


def test_a_killed_kernel_leaves_the_other_pupils_and_the_template_alone(caps):
    [template] = templates(caps.proc.pid)
    clicks = safe_path()

    async def scenario():
        _, _, _, mine = open_page(caps.url, "nb", "02-the-conversation", "127.0.2.1")
        _, _, _, other = open_page(caps.url, "nb", "02-the-conversation", "127.0.2.2")
        ws_mine = await connect(caps.url, mine, "127.0.2.1")
        await widget_states(ws_mine)
        ws_other = await connect(caps.url, other, "127.0.2.2")
        pupil = Pupil(ws_other, await widget_states(ws_other))
        victim = caps.kernels()[mine]
        os.kill(victim, signal.SIGKILL)
        times = []
        for choice, feedback in clicks:
            await asyncio.sleep(0.2)
            times.append(await pupil.click(choice, feedback[:40], timeout=20))
        ws_mine.close()
        ws_other.close()
        return victim, times

    victim, times = run(scenario())
    assert len(times) == len(clicks) and max(times) < 2.0, times
    assert templates(caps.proc.pid) == [template] and stat(template)[0] != "Z"
    # The server noticed and reaped it: no zombie left among its children.
    deadline = time.monotonic() + 20
    while stat(victim) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stat(victim) is None
    assert not [p for p in children(caps.proc.pid) if (stat(p) or ["?"])[0] == "Z"]


def test_the_ordinary_launcher_is_a_setting(tmp_path):
    server = AppServer(free_port(), tmp_path / "server.log", args=(
        "--pool", "0", "--KernelProvisionerFactory.default_provisioner_name=local-provisioner",
    )).start()
    try:
        status, _, _, kernel_id = open_page(server.url, "en", "04-prevention", "127.0.2.3")
        assert status == 200 and kernel_id

        async def page_connects():
            ws = await connect(server.url, kernel_id, "127.0.2.3")
            states = await widget_states(ws)
            ws.close()
            return states

        assert run(page_connects())
        from tests.app.pupils import kernels

        pid = kernels(server.proc.pid)[kernel_id]
        assert templates(server.proc.pid) == []
        assert shared_dirty_mb(pid) == 0  # started as a program: it shares nothing written
        limits = Path(f"/proc/{pid}/limits").read_text()
        assert "Max address space         419430400" in limits  # the same ceiling
        assert "started as programs" not in server.log_text()  # chosen, not fallen back to
    finally:
        server.stop()
