"""In a pupil's lesson kernel: the hook the widgets call when something is answered.

``report(kind, item, value)`` puts the event on a queue and returns at once (the pupil's
click is never slowed by it); a background thread posts it to the server over loopback
with the server's secret (``AWARENESS_CLASSROOM_URL`` and ``AWARENESS_CLASSROOM_SECRET``,
in the kernel's environment) and the kernel's own id (from its connection file). The
server counts it only if this kernel was handed to a page opened with a class code; if
not, it says so and the kernel stops reporting. Without those variables (tests of the
widgets, the static copy, a kernel started by hand) nothing happens at all.

The events: ``chat`` (a decision point, the choice made), ``quiz`` (a question, whether
the answer was right), ``poll`` (a sensitive question: the option ids chosen, never
right or wrong) and ``sign`` (a message, flagged or not).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import threading
import urllib.request

__all__ = ["ENV_SECRET", "ENV_URL", "kernel_id", "report"]

ENV_URL = "AWARENESS_CLASSROOM_URL"
ENV_SECRET = "AWARENESS_CLASSROOM_SECRET"
SECRET_HEADER = "X-Awareness-Classroom"
log = logging.getLogger("awareness.classroom")

_queue: queue.SimpleQueue | None = None
_lock = threading.Lock()
_stopped = False


def kernel_id() -> str | None:
    """This kernel's id, from its connection file's name (``kernel-<id>.json``)."""
    try:
        from ipykernel.kernelapp import IPKernelApp
    except ImportError:
        return None
    if not IPKernelApp.initialized():
        return None
    match = re.search(r"kernel-([0-9a-f-]+)\.json$", IPKernelApp.instance().connection_file or "")
    return match.group(1) if match else None


def _post(url: str, secret: str, event: dict) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(event).encode(),
        headers={"Content-Type": "application/json", SECRET_HEADER: secret},
        method="POST",
    )
    # Loopback only: no proxy from the environment.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=5) as response:
        return json.loads(response.read() or b"{}")


def _send(events: queue.SimpleQueue, url: str, secret: str, kernel: str) -> None:
    global _stopped
    while True:
        kind, item, value = events.get()
        try:
            answer = _post(url, secret, {"kernel": kernel, "kind": kind, "item": item,
                                         "value": value})
        except Exception as exc:  # noqa: BLE001 - a lost count never reaches the pupil
            log.debug("classroom report failed: %s", exc)
            continue
        if answer.get("bound") is False:
            _stopped = True  # this page is not in a class: nothing more is sent
            return


def report(kind: str, item: str, value) -> None:
    """Report an event (returns at once; does nothing outside a class)."""
    global _queue
    if _stopped:
        return
    if _queue is None:
        url, secret = os.environ.get(ENV_URL), os.environ.get(ENV_SECRET)
        kernel = kernel_id() if url and secret else None
        with _lock:
            if _queue is None:
                if not kernel:
                    _stop()
                    return
                _queue = queue.SimpleQueue()
                threading.Thread(
                    target=_send, args=(_queue, url, secret, kernel),
                    name="classroom-reporter", daemon=True,
                ).start()
    _queue.put((kind, item, value))


def _stop() -> None:
    global _stopped
    _stopped = True
