"""The server's side of the live class mode: settings, which kernel counts in which class,
and the endpoint the lesson kernels report to.

How a count reaches a class without trusting the browser:

1. The start page's script carries ``?class=CODE`` (and a random token for the browser
   tab, kept in that tab's sessionStorage) onto the lesson links.
2. When the server hands a kernel to that page request (a pool kernel rendered earlier,
   or one started for it), it binds the kernel's id to the class and to a voter key made
   from the tab token (``Classroom.bind``; memory only, forgotten with the kernel).
3. The kernel reports each event with its own kernel id and the server's secret
   (``reporter``); the server counts it in the bound class, as that voter's answer
   (``ReportHandler``). A page reloaded in the same tab gets a new kernel but the same
   voter key, so its answers replace, never add.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import os
import re
import secrets
import socket
from dataclasses import dataclass

import tornado.web
from traitlets import Float, Int, Unicode, default
from traitlets.config import Configurable

from awareness.classroom import model
from awareness.classroom.reporter import ENV_SECRET, ENV_URL, SECRET_HEADER
from awareness.classroom.store import ClassStore, store_from_url
from awareness.environ import env_number

__all__ = ["Classroom", "ClassroomSettings", "Join", "ReportHandler", "join_address"]

log = logging.getLogger("awareness.classroom")
TAB = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
REPORT_PATH = "/classroom/report"


class ClassroomSettings(Configurable):
    """The live class mode's settings (``--ClassroomSettings.threshold=5`` or the
    environment variables named)."""

    threshold = Int(
        config=True,
        help="Pupils who must have answered an item before its totals are shown "
        "(AWARENESS_CLASS_THRESHOLD; default 3).",
    )

    @default("threshold")
    def _threshold_default(self):
        return max(1, env_number("AWARENESS_CLASS_THRESHOLD", 3))

    lifetime = Float(
        config=True,
        help="Seconds after which a class and its counts are gone even if the teacher "
        "never ended it (AWARENESS_CLASS_HOURS, in hours; default 3 hours).",
    )

    @default("lifetime")
    def _lifetime_default(self):
        return env_number("AWARENESS_CLASS_HOURS", 3, float) * 3600

    join_url = Unicode(
        config=True,
        help="The address pupils open, as the teacher page and its QR code show it "
        "(AWARENESS_JOIN_URL, e.g. http://kurs.skole.no/). Empty: this machine's network "
        "address and the server's port (never a loopback address).",
    )

    @default("join_url")
    def _join_url_default(self):
        return os.environ.get("AWARENESS_JOIN_URL", "").strip()

    events_interval = Float(
        0.25,
        config=True,
        help="Seconds between checks for new totals on the teacher page's live stream.",
    )


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local)


def lan_address() -> str | None:
    """This machine's network address (no packet is sent), or None."""
    for family, probe in ((socket.AF_INET, "10.255.255.255"), (socket.AF_INET6, "fd00::1")):
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            try:
                s.connect((probe, 9))
                address = s.getsockname()[0]
            except OSError:
                continue
        if _usable(address):
            return address
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            if _usable(info[4][0]):
                return info[4][0]
    except OSError:
        pass
    return None


def join_address(setting: str, bound: str, port: int, base_url: str = "/") -> str:
    """Where pupils join: the setting, else the address the server listens on, else this
    machine's network address, else its host name; never a loopback address."""
    if setting:
        return setting if setting.endswith("/") else setting + "/"
    host = bound if _usable(bound) else (lan_address() or socket.gethostname())
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{base_url}"


@dataclass(frozen=True)
class Join:
    """A page request that came with a running class's code."""

    code: str
    voter: str


class Classroom:
    """The classes of this server: the store, which kernel counts where, the teacher key
    and the kernels' secret."""

    def __init__(self, settings: ClassroomSettings, store: ClassStore | None = None,
                 teacher_key: str = ""):
        self.settings = settings
        self.store = store or store_from_url("", settings.lifetime)
        self.teacher_key = teacher_key or secrets.token_urlsafe(18)
        self.secret = secrets.token_urlsafe(32)  # the kernels' reports carry it
        # Voter keys cannot be traced to a tab token without the store's secret salt.
        self._salt = self.store.salt()
        self.bindings: dict[str, Join] = {}  # kernel id -> class (memory only)
        self.report_url = ""
        self.report_host = "127.0.0.1"
        self.bound_ip, self.port = "", 8866

    # ----------------------------------------------------------------- kernels
    def kernel_env(self) -> dict[str, str]:
        """What every lesson kernel's environment gets so that it can report."""
        if not self.report_url:
            return {}
        return {ENV_URL: self.report_url, ENV_SECRET: self.secret}

    def listen(self, ip: str, port: int, base_url: str = "/") -> None:
        """The kernels report to the address the server listens on (loopback when it
        listens on every address, or on a name)."""
        self.bound_ip, self.port = ip, port
        host = ip if _is_ip(ip) and not ipaddress.ip_address(ip).is_unspecified else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        self.report_host = host.strip("[]")
        self.report_url = f"http://{host}:{port}{base_url.rstrip('/')}{REPORT_PATH}"

    def joining(self, code: str | None, tab: str | None, kernel_hint: str = "") -> Join | None:
        """The class a page request joins (None: no code, or no such class)."""
        code = model.normal_code(code)
        if code is None or self.store.state(code) is None:
            return None
        token = tab if tab and TAB.match(tab) else (kernel_hint or secrets.token_hex(16))
        voter = hmac.new(self._salt, f"{code}\0{token}".encode(), hashlib.sha256).hexdigest()[:20]
        return Join(code, voter)

    def bind(self, kernel_id: str, join: Join | None) -> None:
        """A kernel is handed to a page that joined a class."""
        if join is None:
            return
        if self.store.join(join.code, join.voter):
            self.bindings[kernel_id] = join

    def unbind(self, kernel_id: str) -> None:
        self.bindings.pop(kernel_id, None)

    def report(self, kernel_id: str, kind, item, value) -> dict:
        join = self.bindings.get(kernel_id)
        if join is None:
            return {"bound": False, "counted": False}
        checked = model.check_event(kind, item, value)
        if checked is None:
            return {"bound": True, "counted": False}
        counted = self.store.vote(join.code, join.voter, model.ballot_key(kind, item), checked)
        if not counted and self.store.state(join.code) is None:
            self.unbind(kernel_id)  # the class ended
            return {"bound": False, "counted": False}
        return {"bound": True, "counted": counted}

    # ----------------------------------------------------------------- teacher
    def key_ok(self, key: str | None) -> bool:
        return bool(key) and hmac.compare_digest(str(key).encode(), self.teacher_key.encode())

    def results(self, code: str) -> dict | None:
        """The class's totals as the API gives them (counts only)."""
        state = self.store.state(code)
        ballots = self.store.ballots(code)
        if state is None or ballots is None:
            return None
        return {
            "code": state.code,
            "students": state.students,
            **model.tally(ballots, self.settings.threshold),
            "threshold": self.settings.threshold,
            "shown": state.shown,
            "round": state.round,
            "open_polls": state.polls,
            "version": state.version,
        }


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class ReportHandler(tornado.web.RequestHandler):
    """POST /classroom/report: an event from a lesson kernel on this machine."""

    def initialize(self, classroom: Classroom):
        self.classroom = classroom

    def check_xsrf_cookie(self):
        pass  # no cookie: the secret is the check

    def post(self):
        remote = self.request.remote_ip or ""
        try:
            loopback = (ipaddress.ip_address(remote).is_loopback
                        or remote == self.classroom.report_host)
        except ValueError:
            loopback = False
        secret = self.request.headers.get(SECRET_HEADER, "")
        if not loopback or not hmac.compare_digest(secret.encode(),
                                                   self.classroom.secret.encode()):
            raise tornado.web.HTTPError(403)
        try:
            event = json.loads(self.request.body or b"{}")
            kernel = str(event["kernel"])
        except (ValueError, KeyError, TypeError):
            raise tornado.web.HTTPError(400) from None
        answer = self.classroom.report(kernel, event.get("kind"), event.get("item"),
                                       event.get("value"))
        self.set_header("Cache-Control", "no-store")
        self.finish(answer)
