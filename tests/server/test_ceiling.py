"""The kernel ceiling: the environment and address-space limit a kernel process runs with,
for a kernel started as a program (jupyter_client) and for one forked from a template."""

from __future__ import annotations

import os
import subprocess
import sys

from awareness.server.ceiling import (
    KERNEL_ENV,
    confine_this_process,
    launch_ceiling,
    launch_options,
)

ALLOCATE = "import os; b = bytearray({mb} * 1024 * 1024); print(os.environ.get('MALLOC_ARENA_MAX'))"


def test_a_process_started_with_the_options_is_held_at_its_ceiling():
    options = launch_options({"env": {"PATH": os.environ["PATH"]}}, 200)
    assert options["env"]["MALLOC_ARENA_MAX"] == KERNEL_ENV["MALLOC_ARENA_MAX"]
    small = subprocess.run([sys.executable, "-c", ALLOCATE.format(mb=20)],
                           capture_output=True, text=True, timeout=60, **options)
    assert small.returncode == 0 and small.stdout.strip() == "2"
    large = subprocess.run([sys.executable, "-c", ALLOCATE.format(mb=400)],
                           capture_output=True, text=True, timeout=60, **options)
    assert large.returncode != 0 and "MemoryError" in large.stderr


def test_no_ceiling_when_it_is_off():
    assert "preexec_fn" not in launch_options({}, 0)


def test_a_forked_kernel_confines_itself_the_same_way():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: what a forked kernel does first
        os.close(read)
        try:
            confine_this_process(200)
            try:
                bytearray(400 * 1024 * 1024)
                result = b"allocated"
            except MemoryError:
                result = b"held " + os.environ["MALLOC_ARENA_MAX"].encode()
            os.write(write, result)
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        result = fh.read()
    os.waitpid(pid, 0)
    assert result == b"held 2"


def test_a_forked_kernel_reads_its_ceiling_from_the_same_launch_options():
    assert launch_ceiling(launch_options({}, 400)) == 400
    assert launch_ceiling(launch_options({}, 0)) == 0
    assert launch_ceiling({"preexec_fn": os.getpid}) == 0  # someone else's: not a ceiling
