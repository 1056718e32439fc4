"""The kernel template: one warm process per server from which lesson kernels are forked.

The server starts it (``python -m awareness.server.template``, awareness/server/forks.py)
with the kernels' environment. It imports what a lesson kernel imports (ipykernel,
ipywidgets, the course package and their dependencies), loads and validates the content
the lessons show, calls ``gc.freeze()`` and waits for requests on its standard input,
one JSON line each: ``{"id": 1, "argv": [...], "env": {...}, "cwd": "...",
"memory_mb": 400}``. For each it forks; it answers on the reply pipe (``--reply-fd``)
with ``<id> ok <pid>`` or ``<id> error <reason>``. Before every fork it checks that it
holds no thread, socket or zmq context (only its two pipes and the standard streams):
a kernel forked from a process with threads or sockets could hang or share them.

A kernel is forked twice (template -> short-lived middle process -> kernel) so that it
becomes the server's own child (the server is a child subreaper): the server waits for
it, signals it and reaps it as it does a kernel started as a program, and a template
that dies takes no kernel with it. The kernel then, in this order: starts a session of
its own (its process group is its pid, as a launched kernel's), closes the template's
pipes, takes the environment and working directory it was given, applies the kernel
ceiling (``confine_this_process``, the same function the ordinary launcher uses), writes
its command line over the template's (``/proc/<pid>/cmdline`` reads
``python -m ipykernel_launcher -f …/kernel-<id>.json`` as a launched kernel's does) and
runs ipykernel from the template's ``main`` as ``python -m ipykernel_launcher`` would.

Linux only (fork, /proc, prctl): the server falls back to the ordinary launcher elsewhere.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import importlib
import json
import os
import signal
import sys
import time

__all__ = [
    "ENV_PAD",
    "ENV_SPACE",
    "PRELOAD",
    "TITLE_SPACE",
    "holds_only",
    "main",
    "set_environ_block",
    "set_title",
]

# What a lesson kernel imports on its way to showing a lesson (measured: the modules of a
# kernel that ran lesson 02, less those these bring in), imported once here.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.comm",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "faulthandler",
    "psutil",
    "sqlite3",
    "tornado.platform.asyncio",
    "ipywidgets",
    "awareness.lesson",
    "awareness.conversation.widget",
    "awareness.quiz.widget",
    "awareness.checklist",
    "awareness.shared_models",
)
# What a module imported ahead would have done had it been imported in the kernel:
# ipywidgets registers its comm targets at import when a kernel runs.
ON_KERNEL_IMPORT = (("ipywidgets", "register_comm_target"),)
# Bytes of command line the template reserves for a kernel's (python, -m,
# ipykernel_launcher, -f and the connection file's path), and of environment beyond its
# own (a kernel's is the server's and a few more).
TITLE_SPACE = 4096
ENV_SPACE = 16384
ENV_PAD = "AWARENESS_TEMPLATE_SPACE"
LAUNCHER = ("-m", "ipykernel_launcher")


def _log(text: str) -> None:
    print(f"[awareness.template] {text}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- title


def _areas() -> tuple[tuple[int, int], tuple[int, int]]:
    """Where this process's command line and environment live in its memory
    (/proc/self/stat fields 48-51: arg_start, arg_end, env_start, env_end)."""
    with open("/proc/self/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[45]), int(fields[46])), (int(fields[47]), int(fields[48]))


def _overwrite(area: tuple[int, int], items: list[bytes], what: str) -> None:
    start, end = area
    data = b"".join(item + b"\0" for item in items)
    size = end - start
    if len(data) > size:
        raise ValueError(f"{what} of {len(data)} bytes does not fit in {size}")
    ctypes.memmove(start, data + b"\0" * (size - len(data)), size)


def set_title(argv: list[str]) -> None:
    """Write ``argv`` over this process's command line (what /proc/<pid>/cmdline and ps
    show), NUL-separated as the kernel sees it, the rest of the area zeroed. Raises
    ValueError when it does not fit."""
    _overwrite(_areas()[0], [os.fsencode(a) for a in argv], "a command line")


def set_environ_block(env: dict[str, str]) -> None:
    """Write ``env`` over the environment this process started with (what
    /proc/<pid>/environ shows; the process itself reads ``os.environ``). Raises
    ValueError when it does not fit."""
    items = [os.fsencode(k) + b"=" + os.fsencode(v) for k, v in env.items()]
    _overwrite(_areas()[1], items, "an environment")


# ----------------------------------------------------------------------------- checks


def holds_only(fds: set[int]) -> str | None:
    """None if this process has one thread and no open file descriptor but ``fds``;
    else what it holds (a fork would copy it into a kernel)."""
    threads = os.listdir("/proc/self/task")
    if len(threads) != 1:
        return f"{len(threads)} threads"
    extra = []
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd in fds:
            continue
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # the directory listing's own descriptor, closed since
        extra.append(f"fd {fd} ({target})")
    zmq = sys.modules.get("zmq")
    if zmq is not None and getattr(zmq.Context, "_instance", None) is not None:
        extra.append("a zmq context")
    return ", ".join(extra) or None


# ----------------------------------------------------------------------------- warm-up


def preload() -> None:
    """Import what a lesson kernel imports and load the content it shows (cached by the
    loaders, so each kernel finds it loaded); then freeze what exists so that the
    kernels' garbage collector never touches (and so copies) the shared pages."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            _log(f"could not import {name} ahead ({exc}); each kernel will")
    try:
        from awareness.content.course import load_course
        from awareness.content.problems import ContentError
        from awareness.conversation.model import load_conversation, scenario_ids
        from awareness.quiz.model import load_bank, load_banks, load_ui

        course = load_course()
        for scenario in scenario_ids():
            load_conversation(scenario=scenario)
        load_banks()
        load_ui()
        for lesson in course.lessons:
            with contextlib.suppress(ContentError):  # a lesson without a quiz
                load_bank(lesson.id)
    except Exception as exc:  # noqa: BLE001 - each kernel reports broken content itself
        _log(f"the content was not loaded ahead: {type(exc).__name__}: {exc}"[:300])
    gc.collect()
    gc.freeze()


# ----------------------------------------------------------------------------- forks


class Kernel(Exception):
    """Raised in a forked kernel to leave the template's loop with its request."""

    def __init__(self, request: dict):
        super().__init__("kernel")
        self.request = request


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 64):
        chunks.append(chunk)
    return b"".join(chunks)


def fork_kernel(request: dict) -> int:
    """Fork a kernel for ``request``; returns its pid (in the template). In the kernel,
    raises ``Kernel`` once it has left the template behind (its own session, no
    template descriptors)."""
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()  # the request's objects too
    read_end, write_end = os.pipe()
    middle = os.fork()
    if middle == 0:  # the middle process: fork the kernel, say its pid, leave
        code = 1
        try:
            os.close(read_end)
            me = os.getpid()
            kernel = os.fork()
            if kernel == 0:
                os.close(write_end)
                _leave_template(me)
                raise Kernel(request)
            os.write(write_end, str(kernel).encode())
            code = 0
        except Kernel:
            raise
        except BaseException:  # noqa: BLE001 - never back into the template's loop
            pass
        os._exit(code)
    os.close(write_end)
    try:
        answer = _read_all(read_end)
    finally:
        os.close(read_end)
        os.waitpid(middle, 0)  # once it is reaped, the kernel is the server's child
    if not answer:
        raise OSError("the kernel could not be forked")
    return int(answer)


def _leave_template(middle: int) -> None:
    """In the kernel: a session of its own, the server as parent, no template pipes."""
    os.setsid()
    deadline = time.monotonic() + 2.0
    while os.getppid() == middle and time.monotonic() < deadline:
        time.sleep(0.0005)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.close(null)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    # What was read ahead from the template's input stays behind.
    sys.stdin = sys.__stdin__ = open(0, closefd=False)  # noqa: SIM115
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)


def serve(reply_fd: int) -> dict | None:
    """Answer fork requests until the server closes our standard input. Returns None in
    the template (time to exit) and the request in a forked kernel."""
    keep = {0, 1, 2, reply_fd}

    def reply(text: str) -> None:
        os.write(reply_fd, (text.replace("\n", " ") + "\n").encode())

    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            ident = int(request["id"])
        except (ValueError, KeyError, TypeError):
            _log("ignored a request that is not a fork request")
            continue
        problem = holds_only(keep)
        try:
            if problem:
                reply(f"{ident} error the template holds {problem}")
                continue
            try:
                pid = fork_kernel(request)
            except OSError as exc:
                reply(f"{ident} error {exc}")
                continue
            reply(f"{ident} ok {pid}")
        except Kernel as kernel:
            return kernel.request
        except BrokenPipeError:
            return None  # the server is gone
    return None


def run_kernel(request: dict) -> int:
    """In the forked kernel: its environment, directory, ceiling and command line, then
    ipykernel as ``python -m ipykernel_launcher`` runs it."""
    from awareness.server.ceiling import confine_this_process

    argv = [str(a) for a in request["argv"]]
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in request.get("env", {}).items()})
    if request.get("cwd"):
        os.chdir(request["cwd"])
    confine_this_process(int(request.get("memory_mb") or 0))
    set_title(argv)
    set_environ_block(dict(os.environ))
    import ipykernel_launcher

    sys.argv = [ipykernel_launcher.__file__, *argv[len(LAUNCHER) + 1 :]]
    from ipykernel import kernelapp

    # What IPKernelApp.launch_instance does, and in between what the modules imported
    # ahead do when they are first imported in a kernel. ipykernel read JPY_PARENT_PID
    # when the template imported it: the kernel's own.
    app = kernelapp.IPKernelApp.instance(
        parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0)
    )
    app.initialize()
    for module, hook in ON_KERNEL_IMPORT:
        if module in sys.modules:
            getattr(sys.modules[module], hook)()
    app.start()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m awareness.server.template")
    parser.add_argument("--reply-fd", type=int, required=True)
    parser.add_argument("space", nargs="?", default="", help="room for a kernel's command line")
    args = parser.parse_args(argv)
    # As ipykernel_launcher does: the working directory is not an import path.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    # The server's Ctrl+C is for the server; it closes our input when it goes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    preload()
    (start, end), (env_start, env_end) = _areas()
    os.write(args.reply_fd, f"ready {end - start} {env_end - env_start}\n".encode())
    request = serve(args.reply_fd)
    if request is None:
        return 0
    # A forked kernel, from here on.
    try:
        return run_kernel(request)
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - a kernel that cannot start says why
        _log(f"a forked kernel could not start: {type(exc).__name__}: {exc}"[:300])
        return 1


if __name__ == "__main__":
    sys.exit(main())
