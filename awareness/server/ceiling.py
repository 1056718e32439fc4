"""The environment and memory ceiling every lesson kernel runs with.

Whoever launches a kernel process uses this module: ``launch_options`` for a kernel
started as a new program (jupyter_client's Popen: the environment, and the limit set in
the child before it runs), ``confine_this_process`` for a kernel forked from a template
process (it applies the same environment and limit to the process it runs in).

Measured on the course's lessons (Python 3.11, ipykernel 7.4): a lesson kernel holds
about 65 MB (RSS) but reserves about 810-860 MB of address space, because glibc gives
each of the kernel's threads its own 64 MB malloc arena. With ``MALLOC_ARENA_MAX=2`` the
same kernel reserves about 232 MB and holds the same 65 MB. An address-space limit
(RLIMIT_AS) of 400 MB therefore stops a stock kernel at start, and leaves a kernel with
two arenas about 170 MB to grow: about three times what a lesson needs.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import resource
from collections.abc import Mapping

__all__ = [
    "KERNEL_ENV",
    "confine_this_process",
    "launch_ceiling",
    "launch_options",
    "set_memory_ceiling",
]

MB = 1024 * 1024
# glibc's malloc arenas: two instead of one per thread (8 x cores by default).
KERNEL_ENV = {"MALLOC_ARENA_MAX": "2"}
_M_ARENA_MAX = -8  # mallopt parameter number (glibc malloc.h)


def set_memory_ceiling(memory_mb: int) -> None:
    """Limit this process's address space (0: no limit). Runs in the kernel's process."""
    if memory_mb > 0:
        limit = memory_mb * MB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def launch_options(kwargs: Mapping, memory_mb: int) -> dict:
    """Popen keyword arguments for a kernel started as a new program: its environment
    with ``KERNEL_ENV`` and the memory ceiling set in the child before it runs."""
    options = dict(kwargs)
    env = options.get("env")
    options["env"] = {**(os.environ if env is None else env), **KERNEL_ENV}
    if memory_mb > 0:
        options["preexec_fn"] = functools.partial(set_memory_ceiling, memory_mb)
    return options


def launch_ceiling(options: Mapping) -> int:
    """The ceiling (MB) ``launch_options`` put into these Popen options (0: none): what a
    kernel forked instead of launched with them applies to itself."""
    setter = options.get("preexec_fn")
    if isinstance(setter, functools.partial) and setter.func is set_memory_ceiling:
        return int(setter.args[0])
    return 0


def confine_this_process(memory_mb: int) -> None:
    """For a kernel forked from a template: the same environment and ceiling, applied to
    the process it runs in (the arena limit through mallopt, since glibc read the
    environment when the template started)."""
    os.environ.update(KERNEL_ENV)
    with contextlib.suppress(OSError, AttributeError):  # not glibc: no arenas to limit
        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, int(KERNEL_ENV["MALLOC_ARENA_MAX"]))
    set_memory_ceiling(memory_mb)
