"""Opening course pages in the browser the way a student does, and waiting until ready.

The pages' Content-Security-Policy forbids the eval that Playwright's wait_for_function
needs, so conditions are polled from here with page.evaluate (which the CSP allows).
"""

from __future__ import annotations

import time

LOAD_TIMEOUT = 90_000


def poll(page, expression: str, timeout: float = LOAD_TIMEOUT, every: float = 100) -> object:
    """Evaluate ``expression`` in the page until it is truthy; returns its value."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout / 1000:.0f} s waiting for {expression}")
        page.wait_for_timeout(every)


def lesson_url(app_url: str, lang: str, lesson_id: str) -> str:
    return f"{app_url}voila/render/{lang}/{lesson_id}.ipynb"


def open_lesson(page, app_url: str, lang: str, lesson_id: str) -> None:
    """Open a lesson and wait until every cell (the footer is last) has rendered."""
    page.goto(lesson_url(app_url, lang, lesson_id))
    wait_ready(page)


def wait_ready(page) -> None:
    page.locator(".awareness-nav").first.wait_for(state="visible", timeout=LOAD_TIMEOUT)
    poll(
        page,
        "!document.querySelector('#loading') || "
        "getComputedStyle(document.querySelector('#loading')).display === 'none'",
    )
