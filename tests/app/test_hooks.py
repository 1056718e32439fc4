"""The Voilà and jupyter_server parts the app wraps: CourseVoila started in this process
has every hook in place (pool pacing, the shared template and markdown caches, the
lesson handlers, headers, Host allow-list, no cookies, the error filter, the
request-info cache), and a Voilà without one of them stops the server with a message
that names it, instead of running with the hook silently off."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time

import pytest
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from voila.notebook_renderer import NotebookRenderer
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from awareness.app import SHARE, CourseVoila
from awareness.kernels import MARKDOWN, TEMPLATES, CourseKernelManager
from awareness.server import hooks, logs
from awareness.server.handlers import (
    LessonConnection,
    LessonHandler,
    LessonSocketHandler,
    PupilIdentity,
    SecurityHeaders,
)
from awareness.server.hooks import VoilaChanged
from awareness.server.metrics import TimedConnection, log_and_count
from tests.conftest import ROOT, free_port

POOLED = "en/01-what-is-sextortion.ipynb"


def handler_classes(app) -> set[type]:
    found = set()
    for host_rule in app.default_router.rules:
        for rule in host_rule.target.rules:
            if isinstance(rule.target, type):
                found.add(rule.target)
    return found


@pytest.fixture
def in_process(monkeypatch):
    monkeypatch.setenv("AWARENESS_ROOT", str(ROOT))
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join([str(SHARE), os.environ.get(
        "JUPYTER_PATH", "")]))
    monkeypatch.chdir(ROOT)
    sigterm = signal.getsignal(signal.SIGTERM)  # Voilà sets its own
    yield
    signal.signal(signal.SIGTERM, sigterm)


def test_course_voila_starts_with_every_hook_in_place(in_process):
    app = CourseVoila()
    app.initialize([
        str(ROOT / "lessons"),
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={free_port()}",
        # One page keeps a pool (two kernels asked, one allowed: the pools fit the cap).
        "--CourseVoila.pool_size=2",
        *(f"--VoilaKernelManager.preheat_denylist={p}"
          for p in ("00-start", "nb/", "en/02", "en/03", "en/04", "en/05")),
        "--Limits.max_kernels=1",
        "--CourseKernelManager.refill_idle_cores=0",
    ])
    pools = app.config.VoilaKernelManager.kernel_pools_config
    assert pools[POOLED]["pool_size"] == 1, pools
    thread = threading.Thread(target=app.start, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            pool = getattr(getattr(app, "kernel_manager", None), "_pools", {}).get(POOLED, [])
            if pool and pool[0].done():
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the pool kernel was not prepared")
        manager = app.kernel_manager
        # The pool pacing and the shared caches.
        assert isinstance(manager, CourseKernelManager)
        assert type(manager).__name__ == "PacedPools"
        content = pool[0].result()
        environment = content["renderer"].exporter.environment
        assert environment.bytecode_cache is TEMPLATES
        assert getattr(environment.filters["markdown2html"], "awareness_shared", False)
        deadline = time.monotonic() + 60
        while not content["task"].done() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert MARKDOWN._html, "no markdown cell was rendered through the shared cache"
        # The handlers, headers, hosts, cookies, websocket limits and error filter.
        classes = handler_classes(app.app)
        assert {LessonHandler, LessonSocketHandler} <= classes
        assert TornadoVoilaTreeHandler not in classes
        assert SecurityHeaders in app.app.transforms
        assert getattr(app.app.find_handler, "awareness_hosts", None) is not None
        assert isinstance(app.identity_provider, PupilIdentity)
        # The lesson's connection (limits), timed for /metrics.
        assert app.kernel_websocket_connection_class is TimedConnection
        assert issubclass(TimedConnection, LessonConnection)
        assert app.app.settings["websocket_max_message_size"] == 64 * 1024
        # The access log (log_request) with the page counters for /metrics.
        assert app.app.settings["log_function"] is log_and_count
        assert any(logs.FILTER in h.filters for h in app.log.handlers)
        # The caps: the pool kernel counts toward the total cap of 1.
        assert manager.ledger.max_kernels == 1 and manager.total_kernels() == 1
        # Voilà's request-info cache forgets a kernel when it goes.
        kernel_id = content["kernel_id"]
        RequestInfoSocketHandler._cache[kernel_id] = {"QUERY_STRING": "class=7b"}
        loop = app.ioloop.asyncio_loop
        asyncio.run_coroutine_threadsafe(manager.shutdown_kernel(kernel_id), loop).result(60)
        assert kernel_id not in RequestInfoSocketHandler._cache
    finally:
        if getattr(app, "ioloop", None) is not None:
            app.ioloop.add_callback(app.ioloop.stop)
        thread.join(60)
    assert not thread.is_alive()


@pytest.mark.parametrize(
    ("owner", "name"),
    [
        ("voila.app", "voila_kernel_manager_factory"),
        (NotebookRenderer, "initialize"),
        (RequestInfoSocketHandler, "_cache"),
        (ZMQChannelsWebsocketConnection, "_on_zmq_reply"),
    ],
)
def test_a_voila_without_a_wrapped_part_stops_the_server_with_its_name(
    in_process, monkeypatch, owner, name
):
    if isinstance(owner, str):
        import importlib

        owner = importlib.import_module(owner)
    monkeypatch.delattr(owner, name)
    with pytest.raises(VoilaChanged, match=name):
        CourseVoila().initialize([str(ROOT / "lessons"), f"--Voila.port={free_port()}"])


def test_every_wrapped_part_is_checked():
    checked = hooks.check_all()
    for name in ("voila_kernel_manager_factory", "_initialize", "get_rendered_notebook",
                 "_notebook_renderer_factory", "NotebookRenderer.initialize", "_cache",
                 "_on_zmq_reply", "find_handler", "add_transform", "set_login_cookie",
                 "_write_buffer_size", "launch_kernel", "LocalProvisioner.launch_kernel",
                 "LocalProvisioner.send_signal", "default_provisioner_name"):
        assert any(name in c for c in checked), name
