"""The one-line calls a lesson notebook makes: ``show_chat("nb")`` and friends.

Each call displays one widget or HTML block. If a part cannot be shown (broken content,
a bug), the student sees a short message in their language, never a traceback; the
details go to the server log for the teacher.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from awareness import html_parts

__all__ = ["show_chat", "show_checklist", "show_footer", "show_quiz", "show_start"]

log = logging.getLogger("awareness")


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def _html(markup: str) -> Any:
    from IPython.display import HTML

    return HTML(markup)


def slide_mode() -> bool:
    """True while the slide export runs the notebook: show static HTML, not widgets."""
    return os.environ.get("AWARENESS_SLIDES") == "1"


def _bundle(slides: list[dict]) -> Any:
    """A slide bundle the export expands into one slide each (HTML for other viewers)."""
    from awareness.slides.preprocessors import SLIDES_MIME

    class _Bundle:
        def _repr_mimebundle_(self, include=None, exclude=None):
            return {
                SLIDES_MIME: {"slides": slides},
                "text/html": "\n".join(s["html"] for s in slides),
            }

    return _Bundle()


def _safely(lang: str, build: Callable[[], Any]) -> None:
    """Display what build() returns; on any error show the friendly message instead."""
    try:
        obj = build()
    except Exception as exc:  # noqa: BLE001 - a student must never see a traceback
        # The kernel's own stderr goes to the server log (the teacher's terminal); the
        # page's stream would carry it to the pupil, whose page shows only kind words.
        print(f"awareness: could not show a part of the lesson: {exc!r}", file=sys.__stderr__)
        obj = _html(html_parts.content_error(lang))
    _display(obj)


def show_start(lang: str) -> None:
    """The start page: course title, language choice and the lesson list."""
    _safely(lang, lambda: _html(html_parts.start_page(lang, heading=False)))


def show_footer(lesson_id: str, lang: str) -> None:
    """Help box and links to the start page and the next lesson (the last cell)."""
    _safely(lang, lambda: _html(html_parts.footer(lesson_id, lang)))
    _release_memory()


def _release_memory() -> None:
    """Give the memory that loading the lesson used and freed back to the system.

    A class keeps one kernel per student (and preheated ones in reserve), so the few
    megabytes the YAML parsing and model building leave behind add up.
    """
    import gc

    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def show_chat(lang: str, scenario: str = "jonas", seed: int | None = None) -> None:
    """A simulated chat: Jonas's (lesson 02) unless ``scenario`` names another file in
    lessons/scenarios/, e.g. ``show_chat("nb", scenario="sara")``."""

    def build():
        if slide_mode():
            from awareness.slides.static_parts import chat_slides

            return _bundle(chat_slides(lang, scenario))
        from awareness.conversation.widget import chat_widget

        return chat_widget(lang, seed=seed, scenario=scenario)

    _safely(lang, build)


def show_quiz(lesson_id: str, lang: str, seed: int | None = None) -> None:
    """The quiz of a lesson; for the summary lesson, the final quiz from all banks."""

    def build():
        if slide_mode():
            from awareness.slides.static_parts import quiz_slides

            return _bundle(quiz_slides(lesson_id, lang))
        from awareness.quiz.widget import quiz_widget

        return quiz_widget(lesson_id, lang, seed=seed)

    _safely(lang, build)


def show_checklist(name: str, lang: str) -> None:
    """A tick-off checklist (documentation for the police, privacy settings)."""

    def build():
        if slide_mode():
            from awareness.slides.static_parts import checklist_slides

            return _bundle(checklist_slides(name, lang))
        from awareness.checklist import checklist_widget

        return checklist_widget(name, lang)

    _safely(lang, build)
