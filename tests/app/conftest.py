"""The caps server: the app with small caps and every grace period in seconds, shared by
the tests of caps, limits and culling (one server for this configuration per session)."""

from __future__ import annotations

import subprocess
import time

import pytest

from awareness.content.course import load_course
from tests.app.pupils import kernels
from tests.conftest import ROOT, AppServer, free_port

_COURSE = load_course()
# --pool 1: one ready kernel for each lesson page (every lesson in every language).
POOLS = len(_COURSE.languages) * len(_COURSE.lessons)
# Room for ten more beside the full pools: forked kernels refill the pools within a
# second, so a pupil moving from page to page meets them full while the pages closed in
# the last GRACE seconds still count toward the total cap.
MAX_KERNELS = POOLS + 10
MAX_PER_CLIENT = 2
GRACE = 3.0  # seconds, for both unconnected and closed pages
PROXY = "127.0.0.9"

CAPS_ARGS = (
    "--pool", "1",
    f"--Limits.max_kernels={MAX_KERNELS}",
    f"--Limits.unconnected_grace={GRACE}",
    f"--Limits.closed_grace={GRACE}",
    "--Limits.retry_after=2",
    "--Limits.memory_check_interval=0.5",
    # Pools fill whatever else the machine is doing (the default waits for an idle core).
    "--CourseKernelManager.refill_idle_cores=0",
    "--MappingKernelManager.cull_idle_timeout=5",
    "--MappingKernelManager.cull_interval=1",
)


class CapsServer(AppServer):
    def kernels(self) -> dict[str, int]:
        return kernels(self.proc.pid)

    def settle(self, timeout: float = 90) -> None:
        """Wait until the server holds its pool kernels and nothing else (the pages of
        earlier tests are gone, the pools refilled) for a second."""
        deadline = time.monotonic() + timeout
        stable = 0
        while time.monotonic() < deadline:
            stable = stable + 1 if len(self.kernels()) == POOLS else 0
            if stable >= 4:
                return
            time.sleep(0.25)
        raise AssertionError(f"the server did not settle: {len(self.kernels())} kernels")


@pytest.fixture(scope="session")
def caps_server(tmp_path_factory):
    log = tmp_path_factory.mktemp("caps") / "server.log"
    server = CapsServer(
        free_port(),
        log,
        # The per-client cap and the proxy come as a container passes them.
        extra_env={"AWARENESS_MAX_PER_CLIENT": str(MAX_PER_CLIENT),
                   "AWARENESS_TRUSTED_PROXY": PROXY},
        args=CAPS_ARGS,
    ).start()
    yield server
    server.stop()


@pytest.fixture
def caps(caps_server):
    """The caps server, holding only its pool kernels when the test starts."""
    caps_server.settle()
    return caps_server


# The live class mode's server (tests/app/test_classroom*.py): the teacher key as
# TEACHER_KEY gives it, the threshold of three.
CLASS_KEY = "test-teacher-key-123"


@pytest.fixture(scope="session")
def class_server(tmp_path_factory):
    log = tmp_path_factory.mktemp("classroom") / "server.log"
    server = AppServer(
        free_port(), log, extra_env={"TEACHER_KEY": CLASS_KEY, "AWARENESS_CLASS_THRESHOLD": "3"},
        args=("--pool", "1", "--CourseKernelManager.refill_idle_cores=0"),
    ).start()
    yield server
    server.stop()


def git_status() -> str:
    """The working tree's changes and new files (the class mode writes nothing)."""
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                          cwd=ROOT, capture_output=True, text=True, check=True).stdout


