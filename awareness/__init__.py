"""Seksuell utpressing på nett: an e-learning module for Norwegian schools.

Notebooks call the one-line helpers below. They are imported lazily so that a
lesson's kernel starts fast and only pays for what the lesson shows.
"""

from __future__ import annotations

__all__ = [
    "show_chat",
    "show_checklist",
    "show_footer",
    "show_quiz",
    "show_start",
]

_LAZY = {
    "show_chat": "awareness.lesson",
    "show_checklist": "awareness.lesson",
    "show_footer": "awareness.lesson",
    "show_quiz": "awareness.lesson",
    "show_start": "awareness.lesson",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'awareness' has no attribute {name!r}")
