"""Debian's Chromium, as the slide export's PDF step and the browser tests start it.

Never a downloaded browser: the path is /usr/bin/chromium (``AWARENESS_CHROMIUM``
overrides it). The flags keep a headless Chromium off the network it would otherwise
try to reach for updates, sync and component downloads.
"""

from __future__ import annotations

import os

__all__ = ["CHROMIUM", "CHROMIUM_ARGS"]

CHROMIUM = os.environ.get("AWARENESS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
