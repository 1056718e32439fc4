"""What a replica reports to Prometheus at ``GET /metrics``: never anything about a pupil.

Every series is a count or a duration for the whole server process; there is no label
with an address, a kernel id, a page's query string, a lesson's answers or a time of
day that could be tied to one pupil. The series (one registry of the app's own, so
jupyter_server's metrics, whose labels name handlers and kernel ids, are not mixed in):

- ``awareness_kernels{state="in_use"|"pool"}``: kernels handed to a lesson page, and
  kernels in the pools (ready or being prepared); ``awareness_pool_ready`` the pool
  kernels that are ready; ``awareness_max_kernels`` the total cap; ``awareness_ready``
  1 when /healthz answers 200.
- ``awareness_pages_served_total{page="lesson"|"start"}``: pages answered with 200.
- ``awareness_refused_total{cap="client"|"total"}``: lesson pages refused at a cap (a
  server that is stopping refuses at the total cap: it takes no new pupils).
- ``awareness_click_feedback_seconds``: click → feedback as the server sees it, a
  histogram. A *click* is a page's ``comm_msg`` whose data is a widget's ``custom``
  ``click`` event (what a button sends, in the lite front-end's JSON protocol and in
  Voilà's v1 binary protocol); its *feedback* is the first widget change the kernel
  sends back on that websocket in reply (an ``update`` or a new widget, with the click
  as its parent message), the moment the server writes it to the page. It counts the
  kernel's work and the server's relay, not the network nor the browser's drawing (the
  bench times those in the page). A click that changes nothing on screen is not
  counted; one with no reply within a minute is dropped.
- ``process_*``: the server process's own CPU and memory (prometheus_client's
  process collector; its kernels are processes of their own).

Only a scraper that asks the replica itself gets them: a request that came through a
proxy (``X-Forwarded-For``) gets 404.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict

import tornado.web
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)

from awareness.server.handlers import LessonConnection, log_request

__all__ = [
    "CLICK_FEEDBACK",
    "KERNELS",
    "PAGES",
    "REFUSED",
    "REGISTRY",
    "ClickTimer",
    "MetricsHandler",
    "TimedConnection",
    "log_and_count",
]

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)

KERNELS = Gauge(
    "awareness_kernels",
    "Kernels of this server: handed to a lesson page (in_use) or in the pools (pool).",
    ["state"],
    registry=REGISTRY,
)
POOL_READY = Gauge(
    "awareness_pool_ready", "Pool kernels that are ready to be handed out.", registry=REGISTRY
)
MAX_KERNELS = Gauge(
    "awareness_max_kernels", "The total cap: most kernels at once, pools included.",
    registry=REGISTRY,
)
READY = Gauge(
    "awareness_ready", "1 when /healthz answers 200 (ready to take pupils), else 0.",
    registry=REGISTRY,
)
PAGES = Counter(
    "awareness_pages_served",
    "Pages answered with 200: lesson pages (each with a kernel) and start pages.",
    ["page"],
    registry=REGISTRY,
)
REFUSED = Counter(
    "awareness_refused",
    "Lesson pages refused at a cap (the friendly 503): per client, or at the total cap "
    "(also while the server stops).",
    ["cap"],
    registry=REGISTRY,
)
CLICK_FEEDBACK = Histogram(
    "awareness_click_feedback_seconds",
    "From a button click a page sends to the first widget change its kernel sends back "
    "in reply, as the server relays them.",
    buckets=(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
for _page in ("lesson", "start"):
    PAGES.labels(page=_page)
for _cap in ("client", "total"):
    REFUSED.labels(cap=_cap)


class ClickTimer:
    """Clicks one websocket has sent and not yet seen answered: msg id -> when."""

    def __init__(self, size: int = 32, expire: float = 60.0, clock=time.monotonic):
        self.size = size
        self.expire = expire
        self.clock = clock
        self.pending: OrderedDict[str, float] = OrderedDict()

    def clicked(self, msg_id: str) -> None:
        now = self.clock()
        while self.pending and (
            len(self.pending) >= self.size
            or now - next(iter(self.pending.values())) > self.expire
        ):
            self.pending.popitem(last=False)
        self.pending[msg_id] = now

    def answered(self, parent_id: str) -> float | None:
        """Seconds since the click this message answers (once per click), or None."""
        start = self.pending.pop(parent_id, None)
        if start is None:
            return None
        seconds = self.clock() - start
        return seconds if seconds <= self.expire else None


def is_click(header: dict, content: dict) -> bool:
    data = content.get("data") if isinstance(content, dict) else None
    return (
        header.get("msg_type") == "comm_msg"
        and isinstance(data, dict)
        and data.get("method") == "custom"
        and isinstance(data.get("content"), dict)
        and data["content"].get("event") == "click"
    )


def is_feedback(header: dict, content: dict) -> bool:
    kind = header.get("msg_type")
    if kind == "comm_open":
        return True
    data = content.get("data") if isinstance(content, dict) else None
    return kind == "comm_msg" and isinstance(data, dict) and data.get("method") == "update"


class TimedConnection(LessonConnection):
    """The lesson's kernel connection, timing clicks to their feedback."""

    _timer: ClickTimer | None = None

    def handle_incoming_message(self, incoming_msg) -> None:
        self._note_click(incoming_msg)
        return super().handle_incoming_message(incoming_msg)

    def _note_click(self, message) -> None:
        needle = b"comm_msg" if isinstance(message, bytes) else "comm_msg"
        if needle not in message:
            return
        try:
            if isinstance(message, bytes):
                _, parts = deserialize_msg_from_ws_v1(message)
                header, content = json.loads(parts[0]), json.loads(parts[3])
            else:
                msg = json.loads(message)
                header, content = msg.get("header") or {}, msg.get("content") or {}
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            return
        if isinstance(header, dict) and is_click(header, content) and header.get("msg_id"):
            if self._timer is None:
                self._timer = ClickTimer()
            self._timer.clicked(str(header["msg_id"]))

    def _on_zmq_reply(self, stream, msg_or_list):
        timer = self._timer
        if timer is not None and timer.pending and getattr(stream, "channel", "") == "iopub":
            self._note_feedback(timer, msg_or_list)
        return super()._on_zmq_reply(stream, msg_or_list)

    def _note_feedback(self, timer: ClickTimer, msg_or_list) -> None:
        try:
            if isinstance(msg_or_list, dict):
                header = msg_or_list.get("header") or {}
                parent = msg_or_list.get("parent_header") or {}
                content = msg_or_list.get("content") or {}
            else:
                parts = list(msg_or_list)
                if len(parts) < 4 or b"comm_" not in parts[0]:
                    return
                header = self.session.unpack(parts[0])
                parent = self.session.unpack(parts[1])
                content = self.session.unpack(parts[3])
        except (ValueError, KeyError, IndexError, TypeError):
            return
        if is_feedback(header, content):
            seconds = timer.answered(str(parent.get("msg_id", "")))
            if seconds is not None:
                CLICK_FEEDBACK.observe(seconds)


def log_and_count(handler: tornado.web.RequestHandler) -> None:
    """The app's access log, and the page counters (one place sees every answer)."""
    status = handler.get_status()
    page = getattr(handler, "awareness_page", None)
    if page is not None and status == 200:
        PAGES.labels(page=page).inc()
    busy = getattr(handler, "awareness_busy", None)
    if status == 503 and busy in ("client", "total"):
        REFUSED.labels(cap=busy).inc()
    if getattr(handler, "awareness_quiet", False) and status < 400:
        return  # probes and scrapes every few seconds: not worth a log line
    log_request(handler)


class MetricsHandler(tornado.web.RequestHandler):
    """Prometheus text format. The gauges are read from the server when asked."""

    awareness_quiet = True

    def initialize(self, health) -> None:
        self.health = health

    def get(self) -> None:
        # For a scraper that asks the replica itself: one replica's counts read through a
        # load balancer would pass for the whole app's (and need not be public).
        if "X-Forwarded-For" in self.request.headers or "Forwarded" in self.request.headers:
            raise tornado.web.HTTPError(404)
        self.health.snapshot()
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.set_header("Cache-Control", "no-store")
        self.finish(generate_latest(REGISTRY))


def set_gauges(in_use: int, pool: int, pool_ready: int, max_kernels: int, ready: bool) -> None:
    KERNELS.labels(state="in_use").set(in_use)
    KERNELS.labels(state="pool").set(pool)
    POOL_READY.set(pool_ready)
    MAX_KERNELS.set(max_kernels)
    READY.set(1 if ready else 0)
