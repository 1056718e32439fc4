"""No kernel ids in the log: a kernel id is the only credential a page has, and a teacher
may project the terminal. Every id-shaped string (a UUID) becomes ``k-`` and the first
eight hex digits of its SHA-256: the same kernel gets the same short name in every line,
and the name cannot be turned back into the id."""

from __future__ import annotations

import hashlib
import logging
import re

__all__ = ["KernelIdFilter", "install", "scrub", "short_id"]

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Voilà's kernel URLs also take ids written without dashes.
HEX32 = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{32}(?![0-9a-fA-F])")


def short_id(kernel_id: str) -> str:
    return "k-" + hashlib.sha256(kernel_id.lower().encode()).hexdigest()[:8]


def scrub(text: str) -> str:
    text = UUID.sub(lambda m: short_id(m.group(0)), text)
    return HEX32.sub(lambda m: short_id(m.group(0)), text)


class KernelIdFilter(logging.Filter):
    """Rewrites each record's message with the ids replaced (the record is then final)."""

    def filter(self, record: logging.LogRecord) -> bool:
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
