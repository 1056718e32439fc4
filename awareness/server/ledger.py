"""Which client holds which kernel, and for how long: the caps' bookkeeping.

A lesson page request is *admitted* (it counts for its client from then on), gets a
kernel (a pool kernel or a new one), and the page's websocket connects to it. What
counts, per client (RULES "Caps and the tests"):

- admitted requests still waiting for their kernel;
- kernels whose page has not connected yet (for up to ``unconnected_grace``; then the
  kernel is shut down);
- kernels with an open websocket.

A kernel whose websocket closed stops counting for its client at once; it is kept
``closed_grace`` seconds (a page that reconnects keeps it) and then shut down. Every
kernel the server runs (pool kernels included) counts toward the total cap. Pool
kernels nobody has been given are not in the ledger, so none of the time-outs here
touches them.

A request whose client hung up is cancelled before its kernel starts, or its kernel is
shut down as soon as it is there.

Kernel starts wait their turn in a ``FairGate``: a client with one start in progress
goes after a client with none, so one address that opens many pages at once cannot push
a pupil from another address back.
"""

from __future__ import annotations

import asyncio
import contextvars
import heapq
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from awareness.server.limits import Limits
from awareness.server.logs import short_id

__all__ = [
    "CURRENT",
    "Admission",
    "Budget",
    "Busy",
    "ClientGone",
    "FairGate",
    "KernelLedger",
]

log = logging.getLogger("awareness.caps")

# The admitted request a kernel start or pool kernel is for (set by the lesson handler
# around Voilà's page render, which starts or takes the kernel in the same task).
CURRENT: contextvars.ContextVar[Admission | None] = contextvars.ContextVar(
    "awareness_admission", default=None
)


class Busy(Exception):
    """A cap is reached: the page gets the friendly 503."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "client" or "total"


class ClientGone(Exception):
    """The client hung up before its kernel started: nothing to start, nothing to send."""


class Budget:
    """A token bucket: what a page may send to its kernel (bytes; refills over time)."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.clock = clock
        self.stamp = clock()

    def spend(self, amount: float) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if amount > self.tokens:
            self.tokens = 0.0
            return False
        self.tokens -= amount
        return True


@dataclass(eq=False)
class Admission:
    """One admitted lesson page request."""

    client: str
    lang: str
    gone: bool = False  # the client hung up
    queued: bool = False  # its kernel start waits for its turn
    starting: bool = False  # its kernel is being started now
    kernel_id: str | None = None
    done: bool = False  # the request has finished
    wait: asyncio.Future | None = None  # its turn, while it waits
    classroom: object = None  # the class it joined (awareness.classroom.server.Join)


@dataclass(eq=False)
class Entry:
    """A kernel given to a page."""

    client: str
    lang: str
    admission: Admission | None
    budget: Budget
    sockets: int = 0
    state: str = "waiting"  # waiting (for the page to connect) | open | closed
    timer: asyncio.TimerHandle | None = None
    control_opens: int = 0
    since: float = field(default_factory=time.monotonic)
    warned: float = float("-inf")  # when the log last said this kernel's page was let go
    shut_out_until: float = float("-inf")  # no new connections before this time


class FairGate:
    """At most ``size`` kernel starts at once; waiting starts go lowest key first."""

    def __init__(self, size: int = 1):
        self.size = max(1, size)
        self.busy = 0
        self._waiters: list[tuple[tuple, int, asyncio.Future]] = []
        self._seq = itertools.count()

    async def acquire(self, key: tuple, admission: Admission | None = None) -> None:
        """Wait for a turn; an admission's wait is cancelled if its client hangs up."""
        if self.busy < self.size and not self._waiters:
            self.busy += 1
            return
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (key, next(self._seq), future))
        if admission is not None:
            admission.wait = future
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # it was handed the slot as it was cancelled
            raise
        finally:
            if admission is not None:
                admission.wait = None

    def release(self) -> None:
        self.busy -= 1
        while self._waiters and self.busy < self.size:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                self.busy += 1
                future.set_result(None)

    def waiting(self) -> int:
        return sum(1 for _, _, f in self._waiters if not f.done())


class KernelLedger:
    """The caps' bookkeeping for one server process (caps are per replica).

    ``shutdown(kernel_id)`` stops a kernel (scheduled, never awaited here);
    ``total()`` says how many kernels the server runs or is starting now.
    """

    def __init__(
        self,
        limits: Limits,
        shutdown: Callable[[str], None],
        total: Callable[[], int],
        max_kernels: int,
    ):
        self.limits = limits
        self._shutdown = shutdown
        self.total = total
        self.max_kernels = max_kernels
        self.entries: dict[str, Entry] = {}
        self.admissions: set[Admission] = set()
        self.refused = {"client": 0, "total": 0}
        self._refusals_logged: float | None = None
        # Stopping (SIGTERM, awareness/server/health.py): no new pupils, as at the total cap.
        self.draining = False

    # ------------------------------------------------------------------ counting
    def client_count(self, client: str) -> int:
        pending = sum(
            1
            for a in self.admissions
            if a.client == client and a.kernel_id is None and (not a.gone or a.starting)
        )
        held = sum(
            1 for e in self.entries.values() if e.client == client and e.state != "closed"
        )
        return pending + held

    def starts_in_progress(self, client: str) -> int:
        """This client's kernel starts that wait for their turn or run now."""
        return sum(
            1 for a in self.admissions if a.client == client and (a.queued or a.starting)
        )

    def refusal(self, client: str, pool_ready: bool) -> str | None:
        """Why a new page for this client is refused now (None: it is not)."""
        if self.draining:
            return "total"
        cap = self.limits.max_per_client
        if cap > 0 and self.client_count(client) >= cap:
            return "client"
        if not pool_ready and self.total() >= self.max_kernels:
            return "total"
        return None

    def note_refusal(self, reason: str) -> None:
        """Count refused pages; say so in the log at most once a minute."""
        self.refused[reason] += 1
        now = time.monotonic()
        if self._refusals_logged is None or now - self._refusals_logged >= 60:
            log.warning(
                "caps: %d page(s) refused since the last report (per-client cap %d: %d, "
                "total cap %d: %d)",
                sum(self.refused.values()),
                self.limits.max_per_client,
                self.refused["client"],
                self.max_kernels,
                self.refused["total"],
            )
            self.refused = {"client": 0, "total": 0}
            self._refusals_logged = now

    # ------------------------------------------------------------------ requests
    def admit(self, client: str, lang: str) -> Admission:
        admission = Admission(client, lang)
        self.admissions.add(admission)
        return admission

    def finished(self, admission: Admission) -> None:
        """The request is over (served, refused or failed). The kernel of a request whose
        client hung up is shut down now (not while Voilà still renders its page)."""
        admission.done = True
        self.admissions.discard(admission)
        entry = self.entries.get(admission.kernel_id or "")
        if admission.gone and entry is not None and entry.state == "waiting":
            self._stop(admission.kernel_id, "its page request was abandoned")

    def hung_up(self, admission: Admission) -> None:
        """The client closed the connection of this page request."""
        admission.gone = True
        if admission.wait is not None and not admission.wait.done():
            admission.wait.cancel()  # its kernel start will not happen

    def assign(self, kernel_id: str, admission: Admission) -> None:
        """A kernel is handed to this request's page."""
        admission.kernel_id = kernel_id
        admission.starting = False
        limits = self.limits
        entry = Entry(
            admission.client,
            admission.lang,
            admission,
            Budget(limits.ws_rate_kb * 1024, limits.ws_burst_kb * 1024),
        )
        self.entries[kernel_id] = entry
        self._later(kernel_id, entry, limits.unconnected_grace, "its page never connected")

    # ------------------------------------------------------------------ websockets
    def opened(self, kernel_id: str) -> Entry | None:
        entry = self.entries.get(kernel_id)
        if entry is None:
            return None  # a pool kernel nobody was given, or a kernel being removed
        entry.sockets += 1
        entry.state = "open"
        self._cancel(entry)
        return entry

    def closed(self, kernel_id: str) -> None:
        entry = self.entries.get(kernel_id)
        if entry is None:
            return
        entry.sockets = max(0, entry.sockets - 1)
        if entry.sockets == 0 and entry.state == "open":
            entry.state = "closed"
            entry.since = time.monotonic()
            self._later(kernel_id, entry, self.limits.closed_grace, "its page was closed")

    def forget(self, kernel_id: str) -> None:
        """The kernel is gone (shut down, culled or dead)."""
        entry = self.entries.pop(kernel_id, None)
        if entry is not None:
            self._cancel(entry)

    # ------------------------------------------------------------------ timers
    def _later(self, kernel_id: str, entry: Entry, seconds: float, why: str) -> None:
        self._cancel(entry)
        loop = asyncio.get_running_loop()
        # In an empty context: the caller's would keep its request handler in memory
        # until the timer's time comes, even once the timer is cancelled.
        entry.timer = loop.call_later(
            max(0.0, seconds), self._stop, kernel_id, why, context=contextvars.Context()
        )

    @staticmethod
    def _cancel(entry: Entry) -> None:
        if entry.timer is not None:
            entry.timer.cancel()
            entry.timer = None

    def _stop(self, kernel_id: str, why: str) -> None:
        entry = self.entries.pop(kernel_id, None)
        if entry is None:
            return
        self._cancel(entry)
        log.info("kernel %s shut down: %s", short_id(kernel_id), why)
        self._shutdown(kernel_id)
