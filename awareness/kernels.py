"""The app's kernel managers: Voilà's, with kernel pools that refill without starving a class.

With preheating (voila.json), Voilà keeps kernels ready that have already run a lesson.
When a class takes 30 of them at once, Voilà refills the pool at once: 30 kernel starts
and 30 notebook runs on the same cores as the students who are clicking in the chat.
Here a pool kernel is prepared only when it is its turn:

- at most ``refill_parallel`` at a time once students have arrived (``warmup_parallel``
  at start-up, before any student came: nobody is waiting then);
- only when the machine has ``refill_idle_cores`` of idle CPU (measured from
  /proc/stat; where that is missing, only the parallel limit applies);
- a preparing kernel runs at a lower CPU priority (``refill_nice``); when a student
  takes it, it gets normal priority back where the system allows it;
- a student never waits behind this: a page that finds no ready kernel takes the next
  pool kernel and it is prepared at once, and ready kernels are handed out first.

(Voilà itself keeps pooled kernels from being culled: tests/app/test_culling.py checks
both.)

The manager also keeps the caps (awareness/server/ledger.py): every kernel is launched
with the kernel ceiling (awareness/server/ceiling.py); a page's kernel start waits its
turn fairly (one address cannot push another back) and is refused at the total cap; pool
kernels are prepared only while the total cap leaves room; a kernel at its memory
ceiling is stopped (its page shows the lost-connection message).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
import weakref
from collections.abc import Callable
from pathlib import Path

import jinja2
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Float, Int

from awareness.server.ceiling import launch_options
from awareness.server.hooks import require
from awareness.server.ledger import CURRENT, Busy, ClientGone, FairGate, KernelLedger
from awareness.server.limits import Limits
from awareness.server.logs import short_id

__all__ = [
    "CourseKernelManager",
    "CpuMeter",
    "SharedBytecode",
    "SharedMarkdown",
    "paced_pools",
    "set_nice",
]

PREHEAT = "VOILA_PREHEAT"
# What the server's environment holds that no lesson kernel needs (the teacher key is
# already taken out of the server's own environment at start).
KERNEL_ENV_HIDDEN = ("TEACHER_KEY", "AWARENESS_REDIS_URL")
log = logging.getLogger("awareness.caps")


class CpuMeter:
    """Idle CPU of the whole machine over the last ``window`` seconds, in cores."""

    def __init__(self, stat: Path = Path("/proc/stat"), window: float = 0.5):
        self.stat = stat
        self.window = window
        self._samples: list[tuple[float, int, int]] = []

    def _read(self) -> tuple[int, int] | None:
        try:
            with open(self.stat) as fh:
                fields = fh.readline().split()
        except OSError:
            return None
        if not fields or fields[0] != "cpu":
            return None
        values = [int(v) for v in fields[1:]]
        idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
        return sum(values[:8]), idle

    @property
    def available(self) -> bool:
        """Whether this machine says how busy it is (Linux does)."""
        return self._read() is not None

    def idle_cores(self) -> float | None:
        """None until two samples half a window apart (or where the machine does not say)."""
        now = time.monotonic()
        reading = self._read()
        if reading is None:
            return None
        self._samples.append((now, *reading))
        # Keep one sample at least `window` old to compare against, and nothing older.
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.window:
            self._samples.pop(0)
        then, total0, idle0 = self._samples[0]
        if now - then < self.window / 2 or reading[0] == total0:
            return None
        cores = os.cpu_count() or 1
        return cores * (reading[1] - idle0) / (reading[0] - total0)


class SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in memory and shared by every page render.

    Voilà makes a new exporter, with a new Jinja environment, for every kernel it
    prepares, so the page template and the dozen templates it imports were compiled
    again each time: most of the server's own work per pool kernel, done in the event
    loop that also carries the students' clicks. A template whose source changed is
    compiled again (Jinja checks a checksum of the source).
    """

    def __init__(self):
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SharedBytecode()


class SharedMarkdown:
    """Markdown cells rendered once and shared by every page render.

    Voilà renders every markdown cell to HTML again for every kernel it prepares (each
    with a new Markdown parser): the biggest single step of the server's own work per pool
    kernel after the templates. The HTML depends on the cell's text only, unless the cell
    has attachments or images (those are inlined from files that may change): those are
    rendered every time.
    """

    def __init__(self, size: int = 1024):
        self.size = size
        self._html: dict[str, str] = {}

    def wrap(self, render):
        """A Jinja filter like Voilà's ``markdown2html`` that keeps what it rendered."""

        @jinja2.pass_context
        def markdown2html(context, source):
            cell = context.get("cell") or {}
            if cell.get("attachments") or "![" in source or "<img" in source:
                return render(context, source)
            html = self._html.get(source)
            if html is None:
                if len(self._html) >= self.size:
                    self._html.clear()
                html = self._html[source] = render(context, source)
            return html

        markdown2html.awareness_shared = True
        return markdown2html


MARKDOWN = SharedMarkdown()


def _threads(pid: int) -> list[int]:
    try:
        return [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        return [pid]


def set_nice(pid: int | None, value: int) -> bool:
    """Set a process's (every thread's) nice value; False where the system refuses."""
    if pid is None:
        return False
    done = False
    for tid in _threads(pid):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, tid, value)
            done = True
    return done


class CourseKernelManager(AsyncMappingKernelManager):
    """Starts at most ``concurrent_starts`` kernels at once, fairly between clients, within
    the caps and with the kernel ceiling; holds the refill settings."""

    concurrent_starts = Int(
        1, config=True, help="How many kernels may be starting at the same time (at least 1)."
    )
    refill_parallel = Int(
        1,
        config=True,
        help="Pool kernels prepared at the same time once students have arrived (at least 1).",
    )
    warmup_parallel = Int(
        0,
        config=True,
        help="Pool kernels prepared at the same time at start-up (0: one per CPU core).",
    )
    refill_idle_cores = Float(
        1.0,
        config=True,
        help="Idle CPU (in cores, over the last half second) the machine needs before the "
        "next pool kernel is prepared (0: do not wait for idle CPU; more than the machine "
        "has: pools are only filled for students who are waiting).",
    )
    refill_nice = Int(
        10, config=True, help="Nice value of a pool kernel while it is prepared (0: none)."
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        limits = getattr(self.parent, "limits", None)
        self.limits = limits if isinstance(limits, Limits) else Limits(parent=self)
        if self.limits.max_kernels <= 0:
            self.limits.max_kernels = self.limits.max_kernels_now()
        self._gate = FairGate(self.concurrent_starts)
        self._starting = 0  # kernels being started now
        self.ledger = KernelLedger(
            self.limits, self._shutdown_soon, self.total_kernels, self.limits.max_kernels
        )
        self._watch: asyncio.Task | None = None
        # The live class mode (awareness/classroom): None when the app has none.
        self.classroom = getattr(self.parent, "classroom", None)

    def hand_out(self, kernel_id: str, admission) -> None:
        """A kernel is handed to a page request: the caps count it, and a page opened
        with a class code counts in that class (bound here, not at render time: pool
        kernels are rendered before their request)."""
        self.ledger.assign(kernel_id, admission)
        if self.classroom is not None:
            self.classroom.bind(kernel_id, getattr(admission, "classroom", None))

    def total_kernels(self) -> int:
        """Kernels running or being started now (pool kernels included)."""
        return len(self._kernels) + self._starting

    def pool_ready(self, notebook: str) -> bool:
        """Whether a page of this notebook can have a kernel that is ready (no new one)."""
        return False

    async def start_kernel(self, *args, **kwargs):
        preheat = (kwargs.get("env") or {}).get(PREHEAT) == "True"
        admission = None if preheat else CURRENT.get()
        kwargs = launch_options(kwargs, self.limits.kernel_memory_mb)
        if self.classroom is not None:  # where the kernel reports a class's events
            env = {k: v for k, v in kwargs["env"].items() if k not in KERNEL_ENV_HIDDEN}
            kwargs["env"] = {**env, **self.classroom.kernel_env()}
        if admission is not None:
            if admission.gone:
                raise ClientGone()
            # A client with starts under way goes after clients with none.
            key = (0, self.ledger.starts_in_progress(admission.client))
            admission.queued = True
        else:
            key = (1, 0)  # pool kernels after every page that waits
        try:
            while True:
                if admission is None:
                    # A pool kernel counts toward the total cap: it waits for room.
                    while self.total_kernels() >= self.ledger.max_kernels:
                        await asyncio.sleep(0.25)
                await self._gate.acquire(key, admission)
                if admission is not None or self.total_kernels() < self.ledger.max_kernels:
                    break
                self._gate.release()
        except asyncio.CancelledError:
            if admission is not None and admission.gone:
                raise ClientGone() from None
            raise
        finally:
            if admission is not None:
                admission.queued = False
        try:
            if admission is not None:
                if admission.gone:
                    raise ClientGone()
                if self.total_kernels() >= self.ledger.max_kernels:
                    raise Busy("total")
                admission.starting = True
            self._starting += 1
            try:
                kernel_id = await super().start_kernel(*args, **kwargs)
            finally:
                self._starting -= 1
        finally:
            self._gate.release()
            if admission is not None:
                admission.starting = False
        self._watch_memory()
        if admission is not None:
            self.hand_out(kernel_id, admission)
        if self.refill_nice and preheat:
            set_nice(self.kernel_pid(kernel_id), self.refill_nice)
        return kernel_id

    async def cull_kernel_if_idle(self, kernel_id):
        """Voilà's culler leaves alone the kernels the caps time themselves: a kernel
        handed to a page that has not connected yet (a pool kernel is idle for as long as
        it waited in its pool, and was culled between the page and its websocket) and a
        closed page's kernel within its reconnect grace."""
        entry = self.ledger.entries.get(kernel_id)
        if kernel_id not in self or (entry is not None and entry.state != "open"):
            return None
        return await super().cull_kernel_if_idle(kernel_id)

    def remove_kernel(self, kernel_id):
        """A kernel is gone (shut down, culled or dead): the caps and Voilà's request-info
        cache forget it (that cache would otherwise keep every pool page's query string)."""
        self.ledger.forget(kernel_id)
        if self.classroom is not None:
            self.classroom.unbind(kernel_id)
        from voila.request_info_handler import RequestInfoSocketHandler

        require(RequestInfoSocketHandler, "_cache", "forgetting a page's query string").pop(
            kernel_id, None
        )
        return super().remove_kernel(kernel_id)

    def _shutdown_soon(self, kernel_id: str) -> None:
        async def shutdown():
            with contextlib.suppress(KeyError, RuntimeError, asyncio.CancelledError):
                if kernel_id in self:
                    await self.shutdown_kernel(kernel_id, now=True)

        asyncio.ensure_future(shutdown())

    def _watch_memory(self) -> None:
        """Start the memory watch (once, from the event loop)."""
        if self._watch is None and self.limits.kernel_memory_mb > 0:
            self._watch = asyncio.ensure_future(self._memory_watch())

    def at_ceiling(self, pid: int) -> bool:
        """Whether a kernel's address space is within 10 % of its ceiling: it can no
        longer allocate, so every click may fail."""
        try:
            with open(f"/proc/{pid}/statm") as fh:
                pages = int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            return False
        size = pages * os.sysconf("SC_PAGE_SIZE")
        return size >= 0.9 * self.limits.kernel_memory_mb * 1024 * 1024

    async def _memory_watch(self) -> None:
        while True:
            await asyncio.sleep(max(0.1, self.limits.memory_check_interval))
            for kernel_id in list(self._kernels):
                pid = self.kernel_pid(kernel_id)
                if pid is not None and self.at_ceiling(pid):
                    log.warning(
                        "kernel %s reached its memory ceiling (%d MB) and was stopped",
                        short_id(kernel_id),
                        self.limits.kernel_memory_mb,
                    )
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)

    def kernel_pid(self, kernel_id: str) -> int | None:
        try:
            provisioner = self.get_kernel(kernel_id).provisioner
        except KeyError:
            return None
        pid = getattr(provisioner, "pid", None)
        if pid is None and getattr(provisioner, "process", None) is not None:
            pid = provisioner.process.pid
        return pid


def paced_pools(voila_factory: Callable) -> Callable:
    """Wrap Voilà's ``voila_kernel_manager_factory`` so its pools refill in turns.

    The turns need CourseKernelManager's settings: with another kernel manager class (or
    without preheating) Voilà's own class is used as it is.
    """

    def factory(base_class, preheat_kernel, default_pool_size, page_config_hook=None):
        voila_class = voila_factory(
            base_class, preheat_kernel, default_pool_size, page_config_hook=page_config_hook
        )
        if not (preheat_kernel and issubclass(base_class, CourseKernelManager)):
            return voila_class

        class PacedPools(voila_class):
            """Voilà's pooled kernel manager, preparing pool kernels in turns."""

            def __init__(self, **kwargs):
                # Set before Voilà's __init__, which queues the first pool kernels.
                self._preparing = 0  # pool kernels being prepared now
                self._students = False  # has a student taken a kernel yet?
                # Pool kernels a student waits for (weak: one marked while it was already
                # being prepared is not kept alive by this).
                self._urgent: weakref.WeakSet[asyncio.Task] = weakref.WeakSet()
                self._wake = asyncio.Event()
                meter = CpuMeter()
                self._meter = meter if meter.available else None
                super().__init__(**kwargs)

            def _limit(self) -> int:
                if self._students:
                    return max(1, self.refill_parallel)
                return max(1, self.warmup_parallel or os.cpu_count() or 1)

            def _quiet(self) -> bool:
                if self.refill_idle_cores <= 0 or self._meter is None:
                    return True  # not asked for, or no way to tell: the parallel limit only
                idle = self._meter.idle_cores()
                return idle is not None and idle >= self.refill_idle_cores

            def _room(self) -> bool:
                """Pool kernels count toward the total cap: prepare one only if it fits."""
                return self.total_kernels() < self.ledger.max_kernels

            async def _turn(self, task: asyncio.Task | None) -> None:
                while task not in self._urgent:
                    if self._preparing < self._limit() and self._quiet() and self._room():
                        break
                    self._wake.clear()
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=0.25)
                self._urgent.discard(task)
                self._preparing += 1

            def _done(self, *_args) -> None:
                self._preparing = max(0, self._preparing - 1)
                self._wake.set()

            async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
                if kernel_id is not None:  # a restart: the student is waiting
                    return await super()._initialize(notebook_path, kernel_id, **kwargs)
                await self._turn(asyncio.current_task())
                try:
                    content = await super()._initialize(notebook_path, None, **kwargs)
                except BaseException:
                    self._done()
                    raise
                # The turn ends when the notebook has run and rendered (or a student
                # took the kernel half-way).
                content["task"].add_done_callback(self._done)
                return content

            def _notebook_renderer_factory(self, notebook_path=None):
                renderer = super()._notebook_renderer_factory(notebook_path)
                initialize = renderer.initialize

                async def initialize_with_shared_templates(*args, **kwargs):
                    await initialize(*args, **kwargs)
                    environment = renderer.exporter.environment
                    environment.bytecode_cache = TEMPLATES
                    render = environment.filters.get("markdown2html")
                    if render is not None and not getattr(render, "awareness_shared", False):
                        environment.filters["markdown2html"] = MARKDOWN.wrap(render)

                renderer.initialize = initialize_with_shared_templates
                return renderer

            def pool_ready(self, notebook: str) -> bool:
                return any(
                    t.done() and not t.cancelled() and t.exception() is None
                    for t in self._pools.get(notebook, ())
                )

            async def get_rendered_notebook(self, notebook_name, *args, **kwargs):
                self._students = True
                pool = self._pools.get(notebook_name, [])
                ready = [t for t in pool if t.done() and not t.cancelled()]
                if ready:
                    pool.remove(ready[0])
                    pool.insert(0, ready[0])
                elif pool:
                    self._urgent.add(pool[0])  # a student waits for this one
                    self._wake.set()
                render_task, cache, kernel_id = await super().get_rendered_notebook(
                    notebook_name, *args, **kwargs
                )
                admission = CURRENT.get()
                if admission is not None:
                    self.hand_out(kernel_id, admission)
                if self.refill_nice:
                    set_nice(self.kernel_pid(kernel_id), 0)
                return render_task, cache, kernel_id

        return PacedPools

    return factory
