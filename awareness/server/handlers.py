"""The lesson page and kernel websocket with the caps and limits, and what every response
carries.

- ``LessonHandler``: Voilà's page handler, admitted by the caps (a friendly 503 in the
  pupil's language when one is reached); a page whose client hung up gets no kernel.
- ``LessonSocketHandler``: Voilà's kernel websocket, counted as an open page; a message
  may be at most ``ws_max_message_kb``; a page may send ``ws_rate_kb`` per second over
  time; it may only open the widget control comm (the lessons' widgets are all made by
  the kernel); a page that does not read what its kernel sends is let go.
- ``LessonConnection``: error messages from the kernel reach the browser as a short
  generic message, never a traceback (they name install paths); stderr and the code the
  kernel runs (execute_input) are not sent.
- ``SecurityHeaders``: the strict Content-Security-Policy, ``Referrer-Policy`` and
  ``X-Content-Type-Options`` on every response.
- ``PupilIdentity``: pupils get no cookie (jupyter_server would give every page a 30-day
  ``username-…`` cookie to keep an anonymous user name the app never uses).
- ``guard_hosts``: requests for a Host the server does not answer to get 400.
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import logging
import re
import time
from html import escape

import tornado.web
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado.websocket import WebSocketClosedError
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
from voila.voila_identity_provider import VoilaIdentityProvider

from awareness.content.course import load_course
from awareness.server.clients import HostAllowList, client_address
from awareness.server.hooks import require
from awareness.server.ledger import CURRENT, Budget, Busy, ClientGone
from awareness.server.logs import short_id

__all__ = [
    "CONTROL_TARGET",
    "LessonConnection",
    "LessonHandler",
    "LessonSocketHandler",
    "PupilIdentity",
    "SecurityHeaders",
    "busy_page",
    "content_security_policy",
    "guard_hosts",
    "log_request",
]

log = logging.getLogger("awareness.caps")
access_log = logging.getLogger("tornado.access")

CONTROL_TARGET = "jupyter.widget.control"
MAX_CONTROL_OPENS = 16  # per kernel: one per page load or reconnect is what a page needs
MIN_MESSAGE_COST = 2048  # bytes: what a tiny message costs from a page's budget


# ----------------------------------------------------------------------------- headers


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def inline_scripts_voila_writes() -> list[str]:
    """The inline scripts Voilà's page handler writes itself (the keep-alive heartbeat
    of pages rendered without a pool kernel), read from its source."""
    from voila.handler import VoilaHandler

    source = inspect.getsource(require(VoilaHandler, "get_generator", "the page's CSP"))
    return re.findall(r"<script>(.*?)</script>", source)


def content_security_policy() -> str:
    """Scripts only from this server, plus the exact inline scripts Voilà writes (by hash:
    pool pages are rendered before their request, so a nonce cannot be used). The page
    template has no inline script of its own (tests check every page)."""
    hashes = " ".join(_sha256(s) for s in inline_scripts_voila_writes())
    return (
        "default-src 'self'; "
        f"script-src 'self' {hashes}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "font-src 'self' data:; "
        "connect-src 'self'; "
        "object-src 'none'; "
        "base-uri 'self'; "
        "form-action 'self'; "
        "frame-ancestors 'self'"
    )


HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def configure_headers() -> dict[str, str]:
    HEADERS["Content-Security-Policy"] = content_security_policy()
    return HEADERS


class SecurityHeaders(tornado.web.OutputTransform):
    """The same headers on every response."""

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        for name, value in HEADERS.items():
            headers[name] = value
        return status_code, headers, chunk


class PupilIdentity(VoilaIdentityProvider):
    """Voilà's identity provider without its login cookie when there is no login: every
    pupil is anonymous, and nothing identifies a browser from one page to the next."""

    def set_login_cookie(self, handler, user) -> None:
        if self.auth_enabled:
            super().set_login_cookie(handler, user)


class UnknownHostHandler(tornado.web.RequestHandler):
    def prepare(self):
        raise tornado.web.HTTPError(400, reason="Unknown host")


def guard_hosts(app: tornado.web.Application, allow: HostAllowList) -> None:
    """Answer only requests whose Host header names this server."""
    find = require(app, "find_handler", "the Host allow-list")

    def find_handler(request, **kwargs):
        if not allow.allows(request.host):
            return app.get_handler_delegate(request, UnknownHostHandler)
        return find(request, **kwargs)

    find_handler.awareness_hosts = allow
    app.find_handler = find_handler


def log_request(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log without query strings, and without the caps' 503s (the caps
    sum those up once a minute). No client address unless the operator asked for one
    (``CourseVoila.log_ip``: the app's ``awareness_log_ip`` setting holds the trusted
    proxies, so the address is the pupil's, as the caps count it)."""
    status = handler.get_status()
    if status == 503 and getattr(handler, "awareness_busy", False):
        return
    if status < 400:
        level = logging.INFO
    elif status < 500:
        level = logging.WARNING
    else:
        level = logging.ERROR
    if access_log.isEnabledFor(level):
        request = handler.request
        trusted = handler.settings.get("awareness_log_ip")
        access_log.log(
            level,
            "%d %s %s %.2fms" + ("" if trusted is None else " %s"),
            status,
            request.method,
            request.path,
            1000.0 * request.request_time(),
            *(() if trusted is None else (client_address(request, trusted),)),
        )


# ----------------------------------------------------------------------------- busy page


def page_language(path: str | None) -> str:
    course = load_course()
    lang = (path or "").split("/", 1)[0]
    return lang if lang in course.languages else course.default_language


def busy_page(lang: str, retry_after: int, again: str, css: str) -> str:
    """A short page in the pupil's language: wait, it tries again by itself."""
    course = load_course()
    title = escape(course.t("busy_title", lang))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="refresh" content="{int(retry_after)}">'
        f"<title>{title}</title>"
        f'<link rel="stylesheet" href="{escape(css)}">'
        '<link rel="icon" href="data:,">'
        '</head><body class="awareness-page"><main>'
        f"<h1>{title}</h1>"
        f'<p role="status">{escape(course.t("busy_text", lang))}</p>'
        f'<p><a href="{escape(again)}">{escape(course.t("try_again", lang))}</a></p>'
        "</main></body></html>"
    )


# ----------------------------------------------------------------------------- lesson page


class LessonHandler(TornadoVoilaHandler):
    """Voilà's lesson page handler behind the caps."""

    _admission = None
    awareness_page = "lesson"  # counted in /metrics when served

    async def get(self, path=None):
        manager = self.kernel_manager
        ledger = manager.ledger
        lang = page_language(path)
        client = client_address(self.request, ledger.limits.trusted_proxy)
        notebook = self.notebook_path or path
        reason = ledger.refusal(client, pool_ready=manager.pool_ready(notebook))
        if reason is not None:
            self._busy(lang, reason)
            return
        admission = self._admission = ledger.admit(client, lang)
        classroom = getattr(manager, "classroom", None)
        if classroom is not None:  # ?class=CODE: this page's kernel counts in that class
            admission.classroom = classroom.joining(
                self.get_query_argument("class", None), self.get_query_argument("tab", None)
            )
        token = CURRENT.set(admission)
        try:
            await super().get(path)
        except Busy as exc:
            self._busy(lang, exc.reason)
        except ClientGone:
            pass  # nothing was started, and nobody is there to answer
        finally:
            CURRENT.reset(token)
            ledger.finished(admission)

    def _busy(self, lang: str, reason: str) -> None:
        ledger = self.kernel_manager.ledger
        ledger.note_refusal(reason)
        if self._headers_written or self._finished:
            return
        self.awareness_busy = reason  # "client" or "total": counted in /metrics
        self.clear()
        self.set_status(503)
        retry = ledger.limits.retry_after
        self.set_header("Retry-After", str(retry))
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        from awareness.app import asset_url

        base_url = self.settings.get("base_url", "/")
        css = asset_url(base_url, "static/theme.css")
        self.finish(busy_page(lang, retry, self.request.uri, css))

    def on_connection_close(self):
        if self._admission is not None:
            self.kernel_manager.ledger.hung_up(self._admission)
        super().on_connection_close()


# ----------------------------------------------------------------------------- websocket


def message_kind(message: str | bytes, v1: bool) -> tuple[str | None, dict | None]:
    """(msg_type, content) of a message a page sent; content only for comm_open."""
    if isinstance(message, bytes):
        if not v1:
            return None, None  # jupyter_server's legacy binary form: refused below
        _, parts = deserialize_msg_from_ws_v1(message)
        header = json.loads(parts[0])
        content = json.loads(parts[3]) if header.get("msg_type") == "comm_open" else None
    else:
        msg = json.loads(message)
        header, content = msg.get("header") or {}, msg.get("content")
    return header.get("msg_type"), content if isinstance(content, dict) else None


class LessonSocketHandler(VoilaKernelWebsocketHandler):
    """Voilà's kernel websocket, counted as an open page and kept within its limits."""

    _counted = False
    _budget = None
    _entry = None
    _control_opens = 0
    _gone = False  # let go: nothing more from this page is read

    @property
    def _limits(self):
        return self.kernel_manager.ledger.limits

    @property
    def max_message_size(self) -> int:
        return self._limits.ws_max_message_kb * 1024

    async def get(self, kernel_id):
        # A kernel whose page was let go takes no new connection for a while: each one
        # costs the server a connection to the kernel that jupyter_server keeps for a
        # minute, and a flooding page reconnects as fast as it can.
        entry = self.kernel_manager.ledger.entries.get(kernel_id)
        if entry is not None and time.monotonic() < entry.shut_out_until:
            self.set_header("Retry-After", str(int(self._limits.ws_cooldown)))
            raise tornado.web.HTTPError(429)
        return await super().get(kernel_id)

    async def open(self, kernel_id):
        ledger = self.kernel_manager.ledger
        self._entry = ledger.opened(kernel_id)
        self._counted = True
        limits = self._limits
        self._budget = (
            self._entry.budget
            if self._entry is not None
            else Budget(limits.ws_rate_kb * 1024, limits.ws_burst_kb * 1024)
        )
        await super().open(kernel_id)

    def write_error(self, status_code, **kwargs):
        """A short plain answer (jupyter_server's error page needs settings Voilà does not
        have: the request would hang instead)."""
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")

    def on_close(self):
        if self._counted:
            self._counted = False
            self.kernel_manager.ledger.closed(self.kernel_id)
        super().on_close()
        # jupyter_server stops its keep-alive pings only at the next ping (30 s later),
        # and until then they keep the closed handler and its kernel channels in memory:
        # a page that reconnects again and again would pile them up.
        ping = getattr(self, "ping_callback", None)
        if ping is not None:
            ping.stop()
            self.ping_callback = None

    def _let_go(self, why: str) -> None:
        """Close the connection at once (the page shows its lost-connection message): the
        close frame, then the socket, so nothing more from it is read."""
        if self._gone:
            return
        self._gone = True
        # Once a minute per kernel: a flooding page reconnects again and again.
        now = time.monotonic()
        if self._entry is not None:
            self._entry.shut_out_until = now + self._limits.ws_cooldown
        if self._entry is None or now - self._entry.warned >= 60:
            if self._entry is not None:
                self._entry.warned = now
            log.warning("kernel %s: %s; its page's connection was closed",
                        short_id(self.kernel_id or ""), why)
        stream = getattr(self.ws_connection, "stream", None)
        self.close(1008, "limit")
        if stream is not None:
            stream.close()

    def on_message(self, message):
        if self._gone:
            return
        if not self._budget.spend(max(len(message), MIN_MESSAGE_COST)):
            self._let_go("its page sent more than its share")
            return
        needle = b"comm_open" if isinstance(message, bytes) else "comm_open"
        if needle in message or isinstance(message, bytes):
            try:
                kind, content = message_kind(
                    message, self.selected_subprotocol == "v1.kernel.websocket.jupyter.org"
                )
            except (ValueError, KeyError, IndexError, TypeError, AttributeError):
                return  # not a kernel message
            if kind is None:
                return
            if kind == "comm_open":
                if (content or {}).get("target_name") != CONTROL_TARGET:
                    return  # the lessons' widgets are made by the kernel, never by a page
                if self._entry is not None:
                    self._entry.control_opens += 1
                    opens = self._entry.control_opens
                else:
                    self._control_opens += 1
                    opens = self._control_opens
                if opens > MAX_CONTROL_OPENS:
                    return
        super().on_message(message)

    def write_message(self, message, binary=False):
        connection = self.ws_connection
        stream = getattr(connection, "stream", None)
        pending = getattr(stream, "_write_buffer_size", 0)
        if pending > self._limits.ws_max_pending_kb * 1024 or self._gone:
            self._let_go("its page does not read what the kernel sends")
            raise WebSocketClosedError()
        return super().write_message(message, binary=binary)


class LessonConnection(ZMQChannelsWebsocketConnection):
    """Kernel messages to the page, with errors made generic and stderr left out."""

    def _generic_error(self) -> str:
        ledger = getattr(self.multi_kernel_manager, "ledger", None)
        entry = ledger.entries.get(self.kernel_id) if ledger is not None else None
        course = load_course()
        lang = entry.lang if entry is not None else course.default_language
        return course.t("content_error", lang)

    def _clean(self, msg_type: str, content: dict) -> dict | None:
        """The content to send instead (None: send nothing; the same dict: unchanged)."""
        if msg_type == "execute_input":
            return None  # the code a kernel runs (Voilà drops it only in its binary form)
        if msg_type == "error":
            return {"ename": "Error", "evalue": self._generic_error(), "traceback": []}
        if msg_type == "stream" and content.get("name") == "stderr":
            return None
        if msg_type.endswith("_reply") and content.get("status") == "error":
            return {**{k: v for k, v in content.items() if k not in ("traceback", "evalue",
                                                                       "ename")},
                    "ename": "Error", "evalue": "", "traceback": []}
        return content

    def _on_zmq_reply(self, stream, msg_or_list):
        if isinstance(msg_or_list, dict):  # the JSON protocol (the course's pages)
            header = msg_or_list.get("header") or {}
            content = msg_or_list.get("content") or {}
            msg_type = header.get("msg_type", "")
            if msg_type in ("error", "stream", "execute_input") or msg_type.endswith("_reply"):
                clean = self._clean(msg_type, content)
                if clean is None:
                    return
                msg_or_list["content"] = clean
        else:  # the v1 binary protocol (Voilà's own front-end): header and content parts
            parts = list(msg_or_list)
            if len(parts) >= 4 and (b"error" in parts[3] or b"stderr" in parts[3]
                                    or b'"error"' in parts[0]):
                header = self.session.unpack(parts[0])
                clean = self._clean(header.get("msg_type", ""), self.session.unpack(parts[3]))
                if clean is None:
                    return
                parts[3] = self.session.pack(clean)
                msg_or_list = parts
        return super()._on_zmq_reply(stream, msg_or_list)
