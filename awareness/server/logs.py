"""No kernel ids in the log: a kernel id is the only credential a page has, and a teacher
may project the terminal. Every id-shaped string (a UUID) becomes ``k-`` and the first
eight hex digits of its SHA-256: the same kernel gets the same short name in every line,
and the name cannot be turned back into the id.

No client addresses either, unless the operator asks for them (``CourseVoila.log_ip``,
``AWARENESS_LOG_IP=1``, ``make app LOG_IP=1``): an IP address is personal data, and the
privacy fact sheet (docs/) promises a log without them. The app's access log
(handlers.log_request) writes none; Tornado's own warnings name a request as
``GET /path?query (address)``: the filter cuts that to ``GET /path`` (and keeps the
address only when asked to). With ``log_ip`` every request is logged, with its address.
"""

from __future__ import annotations

import hashlib
import logging
import re

from tornado.httputil import HTTPServerRequest

__all__ = ["KernelIdFilter", "install", "log_client_addresses", "request_summary", "scrub",
           "short_id"]

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Voilà's kernel URLs also take ids written without dashes.
HEX32 = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{32}(?![0-9a-fA-F])")


def short_id(kernel_id: str) -> str:
    return "k-" + hashlib.sha256(kernel_id.lower().encode()).hexdigest()[:8]


def scrub(text: str) -> str:
    text = UUID.sub(lambda m: short_id(m.group(0)), text)
    return HEX32.sub(lambda m: short_id(m.group(0)), text)


# Tornado's RequestHandler._request_summary(): "GET /voila/render/x.ipynb?class=AB12 (10.1.2.3)".
SUMMARY = re.compile(r"\A([A-Z]+) (\S+) \(([^()\s]*)\)\Z")


def request_summary(method: str, uri: str, address: str | None) -> str:
    """A request as the log names it: method and path (no query string), and the client's
    address only when ``address`` is given."""
    line = f"{method} {uri.split('?', 1)[0]}"
    return f"{line} ({address})" if address else line


class KernelIdFilter(logging.Filter):
    """Rewrites each record's message with the ids replaced (the record is then final), and
    a request named in its arguments without its query string and client address (unless
    ``log_client`` is set)."""

    log_client = False

    def _request(self, arg):
        if isinstance(arg, HTTPServerRequest):  # an uncaught exception's "%r" of the request
            return request_summary(arg.method or "?", arg.uri or "", arg.remote_ip
                                   if self.log_client else None)
        if isinstance(arg, str) and (match := SUMMARY.match(arg)):
            method, uri, address = match.groups()
            return request_summary(method, uri, address if self.log_client else None)
        return arg

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(self._request(arg) for arg in record.args)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logging's to report
            return True
        clean = scrub(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


FILTER = KernelIdFilter()
ACCESS = logging.getLogger("tornado.access")


def install(*loggers: logging.Logger) -> logging.Handler:
    """Put the filter on every handler of these loggers, on Python's last-resort handler,
    and give Tornado's loggers a filtered handler of their own (warnings and errors, as
    before: Tornado's access lines at INFO were never shown)."""
    for logger in loggers:
        for handler in logger.handlers:
            if FILTER not in handler.filters:
                handler.addFilter(FILTER)
    if logging.lastResort is not None and FILTER not in logging.lastResort.filters:
        logging.lastResort.addFilter(FILTER)
    tornado_log = logging.getLogger("tornado")
    for handler in tornado_log.handlers:
        if getattr(handler, "awareness", False):
            return handler
    handler = logging.StreamHandler()
    handler.awareness = True
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("[%(name)s] %(levelname)s | %(message)s"))
    handler.addFilter(FILTER)
    tornado_log.addHandler(handler)
    awareness_log = logging.getLogger("awareness")
    if not awareness_log.handlers:
        mine = logging.StreamHandler()
        mine.setFormatter(logging.Formatter("[%(name)s] %(levelname)s | %(message)s"))
        mine.addFilter(FILTER)
        awareness_log.addHandler(mine)
        awareness_log.setLevel(logging.INFO)
    return handler


def log_client_addresses(handler: logging.Handler) -> None:
    """The operator asked for client addresses (``log_ip``): Tornado's warnings keep theirs,
    and every request gets an access-log line with its address (handlers.log_request)."""
    FILTER.log_client = True
    ACCESS.setLevel(logging.INFO)
    handler.setLevel(logging.INFO)
