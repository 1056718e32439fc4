"""Opening course pages in the browser the way a student does, and waiting until ready.

The pages' Content-Security-Policy forbids the eval that Playwright's wait_for_function
needs, so conditions are polled from here with page.evaluate (which the CSP allows).

A lesson shows one part at a time (awareness.js): ``next_part`` presses Next as a pupil
does, ``go_to_part`` follows a link to a part (``lesson.ipynb#part``), ``show_part_of``
goes to the part that holds an element, and ``whole_lesson`` puts every part on one page.
"""

from __future__ import annotations

import json
import time

LOAD_TIMEOUT = 90_000
# The page is shown and awareness.js has made its parts (or found none to make).
READY = (
    "(!document.querySelector('#loading') || "
    "getComputedStyle(document.querySelector('#loading')).display === 'none') && "
    "!!(document.body && document.body.dataset.awarenessSteps)"
)
PART = (
    "(() => { const s = document.querySelector('.aw-step:not([hidden])');"
    " return s ? s.dataset.part : null; })()"
)


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


def open_lesson(
    page, app_url: str, lang: str, lesson_id: str, part: str | None = None, whole: bool = False
) -> None:
    """Open a lesson (at a part, as a link to it does) and wait until its cells are there;
    ``whole``: every part on one page."""
    url = lesson_url(app_url, lang, lesson_id) + (f"#{part}" if part else "")
    page.goto(url, timeout=LOAD_TIMEOUT)
    wait_ready(page)
    if whole:
        whole_lesson(page)


def wait_ready(page) -> None:
    page.locator(".awareness-nav").first.wait_for(state="attached", timeout=LOAD_TIMEOUT)
    poll(page, READY)


def widgets_ready(page) -> None:
    poll(page, "window.awarenessLite && window.awarenessLite.ready", LOAD_TIMEOUT)


def part(page) -> str | None:
    """The id of the part on screen (None: the whole lesson is)."""
    return page.evaluate(PART) if not is_whole(page) else None


def is_whole(page) -> bool:
    return page.evaluate("document.documentElement.classList.contains('aw-all')")


def whole_lesson(page) -> None:
    """Every part on one page (the lesson bar's switch)."""
    if not is_whole(page):
        page.locator(".aw-topbar .aw-view").click()
    poll(page, "document.documentElement.classList.contains('aw-all')")


def next_part(page) -> str:
    """Press Next, as a pupil does; returns the id of the part now on screen."""
    before = page.evaluate(PART)
    page.locator(".aw-step:not([hidden]) .aw-steps-nav button.aw-next").click()
    return poll(page, f"(() => {{ const p = {PART}; return p !== {json.dumps(before)} && p; }})()")


def go_to_part(page, part_id: str) -> None:
    """Follow a link to a part of this lesson (#part)."""
    page.evaluate("id => { location.hash = '#' + id; }", part_id)
    poll(page, f"{PART} === {json.dumps(part_id)}")


def show_part_of(page, selector: str) -> str:
    """Go to the part that holds the first element matching ``selector``; returns its id."""
    part_id = poll(
        page,
        f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
        " const s = el && el.closest('.aw-step'); return s && s.dataset.part; })()",
    )
    if not is_whole(page):
        go_to_part(page, part_id)
    return part_id


def walk_to(page, selector: str, limit: int = 12) -> None:
    """Press Next until an element matching ``selector`` is on screen."""
    widgets_ready(page)
    for _ in range(limit):
        if page.locator(selector).first.is_visible():
            return
        next_part(page)
    raise AssertionError(f"{selector} is on no part of {page.url}")
