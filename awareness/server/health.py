"""Is this replica ready for pupils, is it alive, and stopping without cutting pupils off.

- ``GET /healthz`` (readiness; read only by readiness probes, HAProxy and the image's
  HEALTHCHECK): 200 and a small JSON of the pools when the server takes pupils; 503
  while it warms up (until its pools have been full once, at most ``warmup_timeout``
  seconds) and at the total cap (every kernel it may run is running and no pool
  kernel is ready). A server that is stopping takes no new pupils: its total cap is
  then what it holds, so it answers 503 as at the cap, with ``"status": "stopping"``.
- ``GET /livez`` (liveness): 200 while the process answers at all. A server that is
  full or warming up is alive: restarting it would cut its pupils off.
- ``GET /metrics``: awareness/server/metrics.py.
- SIGTERM (Kubernetes, ``docker stop``, ``make replicas-stop``): the server stops taking
  new pupils (lesson pages get the friendly 503, /healthz 503), lets the pupils whose
  pages are open go on, and stops when none is left or after ``drain_timeout`` seconds.
  A second SIGTERM, or Ctrl+C, stops it at once.

Nothing here says anything about a pupil: counts of kernels only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import threading
import time

import tornado.ioloop
import tornado.web
from jupyter_server.utils import url_path_join
from traitlets import Float, default
from traitlets.config import Configurable

from awareness.environ import env_number
from awareness.server import metrics
from awareness.server.hooks import require

__all__ = [
    "Health",
    "HealthHandler",
    "LiveHandler",
    "handlers",
    "install",
    "pool_counts",
    "readiness",
]

log = logging.getLogger("awareness.health")


def pool_counts(manager) -> tuple[int, int]:
    """(ready pool kernels, configured pool kernels): a pool kernel is ready once its
    notebook has run. A server without pools has none of either."""
    pools = getattr(manager, "_pools", None)
    if not pools:
        return 0, 0
    config = dict(getattr(manager, "kernel_pools_config", {}) or {})
    default = dict(config.get("default", {}))
    ready = size = 0
    for notebook, tasks in pools.items():
        size += int(dict(config.get(notebook, default)).get("pool_size",
                                                           default.get("pool_size", 1)))
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is None:
                render = (task.result() or {}).get("task")
                if render is None or render.done():
                    ready += 1
    return ready, size


def readiness(counts: dict, warm: bool, stopping: bool) -> str:
    """ready | warming | full | stopping: only "ready" takes new pupils. Full: every
    kernel the cap allows is running and no pool kernel is ready to hand out (a server
    whose pools were made to fit its cap holds exactly the cap at rest, and is ready)."""
    if stopping:
        return "stopping"
    if not warm:
        return "warming"
    if counts["in_use"] + counts["pool"] >= counts["max"] and counts["pool_ready"] == 0:
        return "full"
    return "ready"


class Health(Configurable):
    """Readiness, liveness and the graceful stop of one server process."""

    warmup_timeout = Float(
        config=True,
        help="Most seconds /healthz answers 503 while the pools fill at start-up "
        "(AWARENESS_WARMUP_TIMEOUT); then it answers 200 even if a pool is not full.",
    )

    @default("warmup_timeout")
    def _warmup_timeout_default(self):
        return env_number("AWARENESS_WARMUP_TIMEOUT", 300.0, float)

    drain_timeout = Float(
        config=True,
        help="On SIGTERM, most seconds the server waits for the pupils whose lesson pages "
        "are open before it stops (AWARENESS_DRAIN_TIMEOUT; 0: stop at once). It takes no "
        "new pupils meanwhile. Kubernetes' terminationGracePeriodSeconds must be longer.",
    )

    @default("drain_timeout")
    def _drain_timeout_default(self):
        return env_number("AWARENESS_DRAIN_TIMEOUT", 900.0, float)

    connect_wait = Float(
        10.0,
        config=True,
        help="While stopping, a page served this many seconds ago or less whose websocket "
        "has not connected yet still counts as a pupil (it is about to connect).",
    )

    def __init__(self, manager=None, **kwargs):
        super().__init__(**kwargs)
        self.manager = manager
        self.started = time.monotonic()
        self.warm = False
        self.stopping = False
        self._stop_task: asyncio.Task | None = None

    # ------------------------------------------------------------------ readiness
    def counts(self) -> dict:
        manager = self.manager
        ledger = manager.ledger
        total = manager.total_kernels()
        in_use = len(ledger.entries)
        ready, size = pool_counts(manager)
        return {"in_use": in_use, "pool": max(0, total - in_use), "pool_ready": ready,
                "pool_size": size, "max": ledger.max_kernels}

    def status(self, counts: dict | None = None) -> str:
        """ready | warming | full | stopping"""
        counts = counts or self.counts()
        if not self.warm and not self.stopping:
            waited = time.monotonic() - self.started
            if counts["pool_ready"] >= counts["pool_size"]:
                self.warm = True
                log.info("ready: the pools are full (%d kernels, %.0f s after start)",
                         counts["pool_size"], waited)
            elif waited >= self.warmup_timeout:
                self.warm = True
                log.warning("ready after %.0f s although the pools hold %d of %d ready "
                            "kernels (Health.warmup_timeout)", waited, counts["pool_ready"],
                            counts["pool_size"])
        return readiness(counts, self.warm, self.stopping)

    def snapshot(self) -> tuple[str, dict]:
        """(status, counts), and the gauges of /metrics set from them."""
        counts = self.counts()
        status = self.status(counts)
        metrics.set_gauges(counts["in_use"], counts["pool"], counts["pool_ready"],
                           counts["max"], status == "ready")
        return status, counts

    # ------------------------------------------------------------------ stopping
    def pupils_connected(self) -> int:
        """Lesson pages still in use: open websockets, pages being served, and pages
        served moments ago that are about to connect."""
        ledger = self.manager.ledger
        now = time.monotonic()
        open_pages = sum(
            1 for e in ledger.entries.values()
            if e.state == "open" or (e.state == "waiting" and now - e.since < self.connect_wait)
        )
        return open_pages + len(ledger.admissions)

    def on_sigterm(self, signum, frame) -> None:
        loop = tornado.ioloop.IOLoop.current()
        if self.stopping or self.drain_timeout <= 0:
            loop.add_callback_from_signal(loop.stop)
            return
        loop.add_callback_from_signal(self.begin_stop)

    def begin_stop(self) -> None:
        """Take no new pupils; stop once the open pages are closed (or the time is up)."""
        if self.stopping:
            return
        self.stopping = True
        self.manager.ledger.draining = True
        log.warning("stopping: no new pupils; waiting up to %.0f s for %d open lesson "
                    "page(s) (a second SIGTERM or Ctrl+C stops at once)",
                    self.drain_timeout, self.pupils_connected())
        self._stop_task = asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        deadline = time.monotonic() + self.drain_timeout
        while self.pupils_connected() > 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        left = self.pupils_connected()
        if left:
            log.warning("stopping now: %d lesson page(s) still open after %.0f s", left,
                        self.drain_timeout)
        else:
            log.info("stopping now: no lesson page is open")
        tornado.ioloop.IOLoop.current().stop()


class HealthHandler(tornado.web.RequestHandler):
    """Readiness: 200 when this server takes pupils, else 503 with the reason."""

    awareness_quiet = True

    def initialize(self, health: Health) -> None:
        self.health = health

    def get(self) -> None:
        status, counts = self.health.snapshot()
        self.set_status(200 if status == "ready" else 503)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"status": status, "kernels": counts}))


class LiveHandler(tornado.web.RequestHandler):
    """Liveness: the process answers."""

    awareness_quiet = True

    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish("ok\n")


def handlers(server_url: str, health: Health) -> list[tuple]:
    """The routes, for CourseVoila.init_handlers."""
    return [
        (url_path_join(server_url, "/healthz"), HealthHandler, {"health": health}),
        (url_path_join(server_url, "/livez"), LiveHandler),
        (url_path_join(server_url, "/metrics"), metrics.MetricsHandler, {"health": health}),
    ]


def install(app) -> Health:
    """Readiness and the graceful stop for a CourseVoila whose kernel manager is made
    (call from init_settings): replaces Voilà's SIGTERM handler, which stops at once."""
    manager = app.kernel_manager
    require(manager, "ledger", "the readiness check")
    require(manager, "total_kernels", "the readiness check")
    if app.voila_configuration.preheat_kernel:
        require(manager, "_pools", "the readiness check (the pools being full)")
        require(manager, "kernel_pools_config", "the readiness check (the pools' sizes)")
    require(app, "_handle_signal_stop", "the graceful stop (Voilà's SIGTERM handler)")
    health = Health(manager=manager, parent=app)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, health.on_sigterm)
    else:
        # Python lets only the main thread set a signal handler: a server started in a
        # thread (the in-process tests) keeps Voilà's handler, and its owner stops it.
        app.log.warning("Not in the main thread: SIGTERM stops the server at once.")
    return health
