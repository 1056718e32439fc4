"""Opening course pages in the browser the way a student does, and waiting until ready."""

from __future__ import annotations

LOAD_TIMEOUT = 90_000


def lesson_url(app_url: str, lang: str, lesson_id: str) -> str:
    return f"{app_url}voila/render/{lang}/{lesson_id}.ipynb"


def open_lesson(page, app_url: str, lang: str, lesson_id: str) -> None:
    """Open a lesson and wait until every cell (the footer is last) has rendered."""
    page.goto(lesson_url(app_url, lang, lesson_id))
    wait_ready(page)


def wait_ready(page) -> None:
    page.locator(".awareness-nav").first.wait_for(state="visible", timeout=LOAD_TIMEOUT)
    page.wait_for_function(
        "!document.querySelector('#loading') || "
        "getComputedStyle(document.querySelector('#loading')).display === 'none'",
        timeout=LOAD_TIMEOUT,
    )
