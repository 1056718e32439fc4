"""Lesson kernels forked from a warm template: the kernel provisioner ``awareness-fork``.

A kernel started as a program (jupyter_client's ordinary launcher) imports ipykernel,
ipywidgets, pydantic and the course package and parses the content again: about a
second of CPU and 45 MB of memory of its own, per kernel. Here the server keeps one
template process that has done all that once (awareness/server/template.py) and forks
each kernel from it: the kernel starts in tens of milliseconds and shares the
template's memory until it writes to it.

- ``ForkProvisioner`` is a jupyter_client kernel provisioner (entry point
  ``awareness-fork`` in pyproject.toml; voila.json selects it with
  ``KernelProvisionerFactory.default_provisioner_name``). It is the ordinary launcher
  (``LocalProvisioner``: ports, connection file, signals to the process group,
  shutdown, restart, culling) except for how the process comes to be: forked, not
  executed. A command it cannot fork (not this Python's ``-m ipykernel_launcher``), a
  platform without fork, or a template that cannot start: it launches the kernel the
  ordinary way and says so in one log line.
- ``KernelTemplate``: the server's template process. Started with the first kernel,
  started again if it dies (the kernels forked from it are not its children and live
  on). Its settings are the ``KernelTemplate`` section of voila.json.
- ``ForkedKernel``: what ``LocalProvisioner`` keeps as ``process`` (Popen's ``poll``,
  ``wait``, ``send_signal``, ``kill``, ``terminate``). A forked kernel is the server's
  own child (the server is a child subreaper, Linux's PR_SET_CHILD_SUBREAPER), so it is
  waited for and reaped exactly like a launched one, and its pid cannot be reused while
  the server may still signal it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import itertools
import json
import logging
import os
import signal
import struct
import subprocess
import sys
import termios
import time
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Float
from traitlets.config import LoggingConfigurable

from awareness.server.ceiling import KERNEL_ENV, launch_ceiling
from awareness.server.template import ENV_PAD, ENV_SPACE, LAUNCHER, TITLE_SPACE

__all__ = [
    "ForkProvisioner",
    "ForkedKernel",
    "KernelTemplate",
    "TemplateUnavailable",
    "can_fork",
    "forkable",
    "launcher_problem",
    "server_template",
]

log = logging.getLogger("awareness.kernels")
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


class TemplateUnavailable(RuntimeError):
    """No kernel can be forked now; the reason is the message."""


_SAID: set[str] = set()


def _say_once(reason: str) -> None:
    """One log line per reason and server: kernels start the ordinary way."""
    if reason not in _SAID:
        _SAID.add(reason)
        log.warning("awareness: lesson kernels are started as programs (%s).", reason)


_SUBREAPER: bool | None = None


def can_fork() -> str | None:
    """None if this server can fork kernels from a template; else why not. Makes the
    server a child subreaper (once): forked kernels become its own children."""
    global _SUBREAPER
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return f"this platform ({sys.platform}) has no fork"
    if _SUBREAPER is None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            _SUBREAPER = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        except (OSError, AttributeError):
            _SUBREAPER = False
    if not _SUBREAPER:
        return "this system does not let the server adopt forked kernels (prctl)"
    return None


def forkable(cmd: list[str]) -> str | None:
    """None if the template can run this kernel command; else why not."""
    if list(cmd[1:3]) != list(LAUNCHER) or len(cmd) < 4:
        return "the kernel command is not python -m ipykernel_launcher"
    try:
        same = os.path.samefile(cmd[0], sys.executable)
    except OSError:
        same = False
    if not same:
        return "the kernel runs another Python than the server"
    return None


def launcher_problem(name: str | None) -> str | None:
    """None if ``name`` is an installed kernel provisioner (a kernel launcher); else a
    one-line message."""
    from importlib.metadata import entry_points

    from jupyter_client.provisioning import KernelProvisionerFactory

    if not name:
        return None
    names = sorted({ep.name for ep in entry_points(group=KernelProvisionerFactory.GROUP_NAME)})
    if name in names:
        return None
    return (
        f"awareness: no kernel launcher named {name!r} (KernelProvisionerFactory."
        f"default_provisioner_name; installed: {', '.join(names)}). If it is "
        "'awareness-fork', install the course again: make .venv/.installed"
    )


class ForkedKernel:
    """A forked kernel process as ``subprocess.Popen`` presents one (the server is its
    parent: it waits for it and reaps it)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # not (or no longer) this server's child
                if not os.path.exists(f"/proc/{self.pid}"):
                    self.returncode = 1
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        # Never once reaped: the pid may belong to another process by then.
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class KernelTemplate(LoggingConfigurable):
    """The server's template process, and the forks it is asked for."""

    start_timeout = Float(
        60.0,
        config=True,
        help="Seconds the kernel template may take to start (import and load the "
        "content); kernels wait for it, then start the ordinary way.",
    )
    fork_timeout = Float(
        10.0, config=True, help="Seconds a fork may take before the kernel starts the ordinary way."
    )
    listen_timeout = Float(
        10.0,
        config=True,
        help="Seconds a forked kernel may take to listen on its ports before it is "
        "handed on as it is (the client then waits for it).",
    )
    retry_after = Float(
        30.0,
        config=True,
        help="Seconds after a template that could not start before another is tried "
        "(kernels meanwhile start the ordinary way).",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.proc: subprocess.Popen | None = None
        self.space = 0  # bytes of command line a kernel may have
        self.env_space = 0  # bytes of environment
        self.starts = 0  # templates started (the first and any that replaced it)
        self._reply: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._buffer = b""
        self._ready: asyncio.Future | None = None
        self._starting: asyncio.Future | None = None
        self._pending: dict[int, asyncio.Future] = {}
        self._ids = itertools.count(1)
        self._failed_at: float | None = None
        self._closing = False

    # --------------------------------------------------------------- the process

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def _spawn(self) -> None:
        read_end, write_end = os.pipe()
        # The kernels' environment (glibc reads MALLOC_ARENA_MAX when a process starts,
        # so the template has it from its start); pydevd, imported ahead for the
        # kernels' debugger, would warn about frozen modules once per template.
        env = {**os.environ, **KERNEL_ENV, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        env[ENV_PAD] = " " * ENV_SPACE  # room for a kernel's own environment
        cmd = [sys.executable, "-m", "awareness.server.template", "--reply-fd",
               str(write_end), " " * TITLE_SPACE]  # fmt: skip
        try:
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, pass_fds=(write_end,), env=env,
                start_new_session=True,  # the terminal's Ctrl+C is the server's
            )  # fmt: skip
        except OSError:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        self.starts += 1
        stdin = self.proc.stdin.fileno()
        os.set_blocking(stdin, False)
        with contextlib.suppress(OSError):  # room for many requests (1 MB, Linux's limit)
            fcntl.fcntl(stdin, fcntl.F_SETPIPE_SZ, 1 << 20)
        os.set_blocking(read_end, False)
        self._reply = read_end
        self._buffer = b""
        self._loop = asyncio.get_running_loop()
        self._ready = self._loop.create_future()
        self._loop.add_reader(read_end, self._readable)

    def _attach(self) -> None:
        """Read the replies on the loop that runs now (tests run several in turn)."""
        loop = asyncio.get_running_loop()
        if self._reply is not None and self._loop is not loop:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._reply)
            self._loop = loop
            loop.add_reader(self._reply, self._readable)

    def _readable(self) -> None:
        try:
            data = os.read(self._reply, 65536) if self._reply is not None else b""
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._lost()
            return
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            self._answer(line.decode(errors="replace").strip())

    def _answer(self, line: str) -> None:
        head, _, rest = line.partition(" ")
        if head == "ready":
            space, _, env_space = rest.partition(" ")
            self.space, self.env_space = int(space), int(env_space)
            if self._ready is not None and not self._ready.done():
                self._ready.set_result(True)
            return
        try:
            ident = int(head)
        except ValueError:
            return
        future = self._pending.pop(ident, None)
        if future is None or future.done():
            return
        status, _, value = rest.partition(" ")
        if status == "ok":
            future.set_result(int(value))
        else:
            future.set_exception(TemplateUnavailable(f"the kernel template said: {value}"))

    def _lost(self) -> None:
        """The template's reply pipe closed: it exited (or was killed)."""
        was_ready = self._ready is not None and self._ready.done() and not self._ready.exception()
        proc = self.proc
        self._detach()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(TemplateUnavailable("the kernel template exited"))
        self._pending.clear()
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(TemplateUnavailable("the kernel template exited"))
        code = None
        if proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = proc.wait(timeout=1)
        if self._closing:
            return
        log.warning(
            "awareness: the kernel template (pid %s) exited (code %s); %s",
            proc.pid if proc else "?",
            code,
            "starting another" if was_ready else "kernels start the ordinary way for now",
        )
        if was_ready:  # it worked before: a new one at once (no kernel is lost meanwhile)
            self._starting = asyncio.ensure_future(self._start())

    def _detach(self) -> None:
        if self._reply is not None:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._reply)
            with contextlib.suppress(OSError):
                os.close(self._reply)
        self._reply = None
        if self.proc is not None and self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()

    async def _start(self) -> bool:
        try:
            self._spawn()
            await asyncio.wait_for(asyncio.shield(self._ready), self.start_timeout)
        except (TimeoutError, OSError, TemplateUnavailable) as exc:
            self._failed_at = time.monotonic()
            reason = str(exc) or type(exc).__name__
            log.error("awareness: the kernel template did not start (%s)", reason)
            self.close()
            self._closing = False
            return False
        self._failed_at = None
        return True

    async def ready(self) -> bool:
        """Whether a template is ready to fork (started, or restarted, if need be)."""
        if self.proc is not None and self.proc.poll() is None and self._ready is not None \
                and self._ready.done() and not self._ready.exception():
            self._attach()
            return True
        if self.proc is not None and self.proc.poll() is not None and self._reply is not None:
            self._lost()  # it died, and its pipe's end has not been read yet
        if self._starting is not None and not self._starting.done():
            return await asyncio.shield(self._starting)
        if self._failed_at is not None and time.monotonic() - self._failed_at < self.retry_after:
            return False
        self._starting = asyncio.ensure_future(self._start())
        return await asyncio.shield(self._starting)

    async def fork(self, argv: list[str], env: dict, cwd: str | None, memory_mb: int) -> int:
        """A forked kernel's pid; raises TemplateUnavailable (why) if there is none."""
        if not await self.ready():
            raise TemplateUnavailable("the kernel template is not running")
        title = sum(len(os.fsencode(a)) + 1 for a in argv)
        if title > self.space:
            raise TemplateUnavailable(f"the kernel's command line is longer than {self.space}")
        block = sum(len(os.fsencode(k)) + len(os.fsencode(v)) + 2 for k, v in env.items())
        if block > self.env_space:
            raise TemplateUnavailable(f"the kernel's environment is larger than {self.env_space}")
        ident = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        request = {"id": ident, "argv": argv, "env": env, "cwd": cwd, "memory_mb": memory_mb}
        try:
            self._send(json.dumps(request).encode() + b"\n")
        except (OSError, ValueError, TemplateUnavailable) as exc:
            self._pending.pop(ident, None)
            raise TemplateUnavailable(f"the kernel template cannot be reached ({exc})") from None
        try:
            return await asyncio.wait_for(future, self.fork_timeout)
        except TimeoutError:
            self._pending.pop(ident, None)
            # A template that does not answer is stopped; another is started.
            if self.proc is not None and self.proc.poll() is None:
                log.warning("awareness: the kernel template did not answer in %.0f s: "
                            "it is stopped", self.fork_timeout)
                self.proc.kill()
            raise TemplateUnavailable("the kernel template did not answer in time") from None

    def _send(self, data: bytes) -> None:
        """Write a request whole, or not at all, without ever blocking the server: a
        template that stopped reading must not stop the event loop."""
        assert self.proc is not None and self.proc.stdin is not None
        fd = self.proc.stdin.fileno()
        size = fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ)
        unread = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]
        if size - unread < len(data):
            raise TemplateUnavailable("the kernel template is not reading its requests")
        if os.write(fd, data) != len(data):  # cannot happen with the room checked
            raise TemplateUnavailable("a request was cut short")

    def close(self) -> None:
        """Stop the template (kernels forked from it go on)."""
        self._closing = True
        proc = self.proc
        self._detach()
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


_TEMPLATE: KernelTemplate | None = None


def server_template(parent: Any = None) -> KernelTemplate:
    """This server's template (one per process), configured like the app."""
    global _TEMPLATE
    if _TEMPLATE is None:
        root = parent
        while getattr(root, "parent", None) is not None:
            root = root.parent
        config = getattr(root, "config", None)
        _TEMPLATE = KernelTemplate(config=config) if config is not None else KernelTemplate()
    return _TEMPLATE


class ForkProvisioner(LocalProvisioner):
    """The ordinary launcher, except that a lesson kernel is forked from the server's
    warm template instead of started as a new program."""

    forked = False  # whether the current process was forked

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> dict:
        reason = can_fork() or forkable(cmd)
        if reason is None:
            env = dict(kwargs.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
            cwd = kwargs.get("cwd")
            try:
                pid = await server_template(self).fork(
                    [str(c) for c in cmd], env, str(cwd) if cwd else None, launch_ceiling(kwargs)
                )
            except TemplateUnavailable as exc:
                reason = str(exc)
            else:
                self.process = ForkedKernel(pid)
                self.pid = self.pgid = pid  # the kernel leads a session of its own
                self.cwd = cwd or os.getcwd()
                self.forked = True
                await self._listening(server_template(self).listen_timeout)
                return self.connection_info
        _say_once(reason)
        self.forked = False
        return await super().launch_kernel(cmd, **kwargs)

    async def _listening(self, timeout: float) -> None:
        """Return once the kernel listens on its ports (tens of milliseconds after the
        fork): a client that connects earlier waits for ZeroMQ's next reconnect,
        100 ms later."""
        info = self.connection_info
        if info.get("transport", "tcp") != "tcp":
            return
        ip = str(info.get("ip") or "127.0.0.1")
        deadline = time.monotonic() + timeout
        for name in ("shell_port", "iopub_port", "control_port", "stdin_port", "hb_port"):
            port = info.get(name)
            while port and time.monotonic() < deadline and self.process.poll() is None:
                try:
                    _, writer = await asyncio.open_connection(ip, int(port))
                except OSError:
                    await asyncio.sleep(0.005)
                    continue
                writer.close()
                break
