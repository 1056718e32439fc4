"""The parts of Voilà, jupyter_server, jupyter_client and Tornado the app wraps or relies
on, checked at start-up.

The app changes Voilà in a few places (the pool pacing and shared template cache, the
lesson page and kernel websocket handlers, the pruned file browser, the request-info
cache). If a new Voilà renamed one of them, the wrapper would silently do nothing and
the tests would still pass: so each wrapper calls ``require`` for what it wraps, and
the server stops at start-up with a message that names the missing part. The versions
these were written against are pinned in constraints.txt.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["VoilaChanged", "check_all", "require", "require_params"]


class VoilaChanged(RuntimeError):
    """Something the app wraps is not where it was (a newer Voilà or jupyter_server)."""


def _where(owner: Any) -> str:
    return getattr(owner, "__qualname__", None) or getattr(owner, "__name__", None) or repr(owner)


def require(owner: Any, name: str, purpose: str) -> Any:
    """``getattr(owner, name)``, or a clear error saying what depends on it."""
    try:
        return getattr(owner, name)
    except AttributeError:
        raise VoilaChanged(
            f"awareness: {_where(owner)}.{name} is missing, so {purpose} cannot work. "
            "Install the versions in constraints.txt, or update awareness/server for this "
            "version of Voilà / jupyter_server."
        ) from None


def require_params(func: Callable, names: Iterable[str], purpose: str) -> None:
    """The callable takes these parameters (by name)."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        params = {}
    missing = [n for n in names if n not in params]
    if missing:
        raise VoilaChanged(
            f"awareness: {_where(func)} no longer takes {', '.join(missing)}, so {purpose} "
            "cannot work. Install the versions in constraints.txt."
        )


def check_all() -> list[str]:
    """Check every part the app relies on; returns what was checked (for the test)."""
    import jupyter_client.launcher
    import tornado.iostream
    import tornado.web
    import tornado.websocket
    import voila.app
    import voila.handler
    import voila.request_info_handler
    from jupyter_client.multikernelmanager import MultiKernelManager
    from jupyter_server.services.kernels.connection import base as connection_base
    from jupyter_server.services.kernels.connection.channels import (
        ZMQChannelsWebsocketConnection,
    )
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
    from voila.notebook_renderer import NotebookRenderer
    from voila.voila_kernel_manager import voila_kernel_manager_factory

    checked = []

    def need(owner, name, purpose):
        require(owner, name, purpose)
        checked.append(f"{_where(owner)}.{name}")

    need(voila.app, "voila_kernel_manager_factory", "the pool pacing")
    require_params(
        voila_kernel_manager_factory,
        ("base_class", "preheat_kernel", "default_pool_size", "page_config_hook"),
        "the pool pacing",
    )
    pooled = voila_kernel_manager_factory(MultiKernelManager, True, 1)
    for name in ("_initialize", "get_rendered_notebook", "_notebook_renderer_factory",
                 "fill_if_needed", "shutdown_kernel"):
        need(pooled, name, "the pool pacing and the caps")
    need(NotebookRenderer, "initialize", "the shared template cache")
    import jinja2.bccache
    from voila.exporter import VoilaExporter

    need(jinja2.bccache.Bucket, "bytecode_from_string", "the shared template cache")
    if "markdown2html" not in dict(VoilaExporter().default_filters()):
        raise VoilaChanged(
            "awareness: Voilà's exporter has no markdown2html filter, so the shared "
            "markdown cache cannot work. Install the versions in constraints.txt."
        )
    checked.append("VoilaExporter.markdown2html")
    need(voila.app.Voila, "init_settings", "the pool pacing")
    need(voila.app.Voila, "init_handlers", "the lesson handlers")
    need(voila.app.Voila, "kernel_websocket_connection_class", "the kernel error filter")
    need(voila.handler.VoilaHandler, "get_generator", "the caps on lesson pages")
    need(voila.app.Voila, "identity_provider_class", "pages without cookies")
    from jupyter_server.auth.identity import IdentityProvider

    need(IdentityProvider, "set_login_cookie", "pages without cookies")
    need(voila.request_info_handler.RequestInfoSocketHandler, "_cache",
         "forgetting a page's query string")
    need(KernelWebsocketHandler, "open", "counting open pages")
    need(KernelWebsocketHandler, "on_close", "counting open pages")
    need(KernelWebsocketHandler, "on_message", "the websocket limits")
    need(ZMQChannelsWebsocketConnection, "_on_zmq_reply", "the kernel error filter")
    need(connection_base, "deserialize_msg_from_ws_v1", "the websocket limits")
    need(MultiKernelManager, "remove_kernel", "the caps")
    from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner

    for name in ("launch_kernel", "send_signal", "poll", "wait", "kill", "terminate"):
        need(LocalProvisioner, name, "forked kernels (awareness/server/forks.py)")
    require_params(LocalProvisioner.launch_kernel, ("cmd",), "forked kernels")
    need(KernelProvisionerFactory, "default_provisioner_name", "choosing the kernel launcher")
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    need(AsyncMappingKernelManager, "cull_kernel_if_idle", "the caps' grace periods")
    need(tornado.web.Application, "find_handler", "the Host allow-list")
    need(tornado.web.Application, "add_transform", "the security headers")
    need(tornado.web.OutputTransform, "transform_first_chunk", "the security headers")
    need(tornado.websocket.WebSocketHandler, "max_message_size", "the websocket limits")
    need(tornado.web.RequestHandler, "on_connection_close", "cancelling abandoned pages")
    if "_write_buffer_size" not in inspect.getsource(tornado.iostream.BaseIOStream.__init__):
        raise VoilaChanged(
            "awareness: tornado's IOStream no longer keeps _write_buffer_size, so the limit "
            "on data held for a page that does not read cannot work."
        )
    checked.append("tornado.iostream.BaseIOStream._write_buffer_size")
    require_params(jupyter_client.launcher.launch_kernel, ("kw",), "the kernel memory ceiling")
    checked.append("jupyter_client.launcher.launch_kernel(**kw)")
    return checked
