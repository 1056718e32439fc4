"""The one-line calls a lesson notebook makes: ``show_chat("nb")`` and friends.

Each call displays one widget or HTML block. If a part cannot be shown (broken content,
a bug), the student sees a short message in their language, never a traceback; the
details go to the server log for the teacher.
"""

from __future__ import annotations

import logging
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


def _safely(lang: str, build: Callable[[], Any]) -> None:
    """Display what build() returns; on any error show the friendly message instead."""
    try:
        obj = build()
    except Exception as exc:  # noqa: BLE001 - a student must never see a traceback
        print(f"awareness: could not show a part of the lesson: {exc!r}", file=sys.stderr)
        obj = _html(html_parts.content_error(lang))
    _display(obj)


def show_start(lang: str) -> None:
    """The start page: course title, language choice and the lesson list."""
    _safely(lang, lambda: _html(html_parts.start_page(lang)))


def show_footer(lesson_id: str, lang: str) -> None:
    """Help box and links to the start page and the next lesson."""
    _safely(lang, lambda: _html(html_parts.footer(lesson_id, lang)))


def show_chat(lang: str, seed: int | None = None) -> None:
    """The simulated conversation (lesson 02)."""

    def build():
        from awareness.conversation.widget import chat_widget

        return chat_widget(lang, seed=seed)

    _safely(lang, build)


def show_quiz(lesson_id: str, lang: str, seed: int | None = None) -> None:
    """The quiz of a lesson; for the summary lesson, the final quiz from all banks."""

    def build():
        from awareness.quiz.widget import quiz_widget

        return quiz_widget(lesson_id, lang, seed=seed)

    _safely(lang, build)


def show_checklist(name: str, lang: str) -> None:
    """A tick-off checklist (documentation for the police, privacy settings)."""

    def build():
        from awareness.checklist import checklist_widget

        return checklist_widget(name, lang)

    _safely(lang, build)
