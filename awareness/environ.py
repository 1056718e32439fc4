"""Numbers from environment variables (``AWARENESS_*``, ``make app NAME=value``): one
reading for the command line, the caps, health, pool sizing and the class mode. A value
that is not a number stops the app with one line naming the variable."""

from __future__ import annotations

import os

__all__ = ["env_number"]


def env_number(name: str, fallback, kind: type = int):
    """``name`` as ``kind`` (int or float); ``fallback`` when it is unset or empty."""
    value = os.environ.get(name, "").strip()
    if not value:
        return fallback
    try:
        return kind(value)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise SystemExit(f"{name}={value!r}: expected {what}") from None
