"""The chat widget: the conversation engine in a messenger look, built from ipywidgets.

``chat_widget(lang, scenario=…)`` is what a lesson shows. ``ChatWidget`` exposes its buttons
(``choice_buttons``, ``flag_buttons``, ``back_button``, ``restart_button``) so tests can
drive it with ``button.click()``. Bubbles are HTML from ``render``; every text is escaped
there.

A choice is answered at once: the pupil's reply and its feedback, then the other side's
messages, all in one update. Each of those messages carries how long "… is typing" shows
before it (``typing_seconds``: longer for a longer message, after the message's own
``pause``), and the page plays them one by one while the choices wait (awareness.js; off
with prefers-reduced-motion). The kernel never waits. ``AWARENESS_FAST=1`` makes every
time 0 (tests); ``AWARENESS_TYPING_SCALE`` multiplies them.
"""

from __future__ import annotations

import functools
import logging
import os
import random
import time
from collections.abc import Callable

import ipywidgets as w

from awareness.classroom import reporter
from awareness.classroom.model import chat_item
from awareness.content.models import HelpService
from awareness.content.problems import ContentError
from awareness.conversation import render
from awareness.conversation.engine import ChatEngine
from awareness.conversation.model import (
    DEFAULT_SCENARIO,
    Choice,
    Conversation,
    Node,
    load_conversation,
)
from awareness.shared_models import button_widget, html_widget, shared_layout

__all__ = ["MAX_TYPING", "ChatWidget", "chat_widget", "typing_scale", "typing_seconds"]

log = logging.getLogger(__name__)

# "… is typing": a start, then a little longer for every letter (and for a picture),
# at most MAX_TYPING seconds.
TYPING_START = 0.4
TYPING_PER_CHAR = 0.015
TYPING_PICTURE = 0.5
MAX_TYPING = 2.0
# A second press this soon after a choice (a double tap) is not taken as the next choice.
CHOICE_QUIET = 0.3


def typing_scale() -> float:
    """How fast the chat plays: 1 as written, 0 with AWARENESS_FAST=1 (tests), or
    AWARENESS_TYPING_SCALE (a number: 0.2 plays five times faster)."""
    if os.environ.get("AWARENESS_FAST") == "1":
        return 0.0
    try:
        return max(0.0, float(os.environ.get("AWARENESS_TYPING_SCALE", "1")))
    except ValueError:
        return 1.0


def typing_seconds(node: Node, lang: str) -> tuple[float, float]:
    """(typing, pause) for a message from the other side: "… is typing" grows with the
    message's length (its ``typing`` when the scenario sets one), after its ``pause``."""
    scale = typing_scale()
    if node.typing is not None:
        typing = node.typing
    else:
        typing = TYPING_START + TYPING_PER_CHAR * len(node.text[lang])
        typing += TYPING_PICTURE if node.image else 0.0
    return round(min(typing, MAX_TYPING) * scale, 2), round(node.pause * scale, 2)


def _button(description: str, *classes: str, layout: w.Layout | None = None) -> w.Button:
    # Classes given at creation travel with the widget; add_class() would send one more
    # message per class. Layout and style are shared unless the button gets its own.
    return button_widget(description, layout, tooltip=description, _dom_classes=classes)


def _vbox(children=(), *classes: str, layout: w.Layout | None = None) -> w.VBox:
    return w.VBox(children, _dom_classes=classes, layout=layout or shared_layout())


class ChatWidget(w.VBox):
    """The simulated chat for one language."""

    def __init__(
        self,
        conversation: Conversation,
        lang: str,
        services: list[HelpService] | tuple[HelpService, ...] = (),
        seed: int | None = None,
        source: str | None = None,
    ):
        self.conversation = conversation
        self.source = source
        self.lang = lang
        self.services = list(services)
        self.engine = ChatEngine(conversation)
        self._rng = random.Random(seed) if seed is not None else None
        self._quiet_until = 0.0
        self._messages: dict[str, w.Widget] = {}
        self._bubbles: dict[str, w.HTML] = {}
        self._feedback: dict[str, w.HTML] = {}
        self.flag_buttons: dict[str, w.Button] = {}
        self.choice_buttons: list[w.Button] = []
        ui = conversation.ui

        header = html_widget(
            f'<div class="aw-header"><h3>{render._e(conversation.title[lang])}</h3>'
            f'<p class="aw-intro">{render._e(conversation.intro[lang])}</p>'
            f'<p class="aw-fiction">{render._e(conversation.fiction[lang])}</p>'
            f'<p class="aw-hint"><span class="aw-hint-icon" aria-hidden="true">⚑</span> '
            f"{render._e(ui.flag_hint[lang])}</p></div>"
        )
        self.progress_label = html_widget()
        self.message_list = _vbox((), "aw-messages", "awareness-live")
        # "… is typing" for each speaker on the other side, shown by the page while it
        # plays new messages (awareness.js).
        self.typing_slot = html_widget(
            '<div class="aw-typing-slot">'
            + "".join(
                render.render_typing(conversation, s.id, lang, hidden=True)
                for s in conversation.speakers
                if s.side == "left"
            )
            + "</div>"
        )
        self.prompt = html_widget()
        # A fixed set of choice buttons, relabelled at each decision point: the button a
        # keyboard user pressed stays on the page and keeps the focus.
        self._pool = [self._pool_button() for _ in range(4)]
        self.choice_box = _vbox(self._pool, "aw-choices")
        self.ending_panel = html_widget(layout=w.Layout(display="none"))
        self.error_label = html_widget()
        self.back_button = _button("↩ " + ui.back[lang], "aw-control-btn", "aw-back")
        self.restart_button = _button("↺ " + ui.restart[lang], "aw-control-btn", "aw-restart")
        self.back_button.on_click(self._safe(self._on_back))
        self.restart_button.on_click(self._safe(self._on_restart))
        controls = w.HBox(
            [self.back_button, self.restart_button],
            _dom_classes=("aw-controls",),
            layout=shared_layout(),
        )
        # The phone: the bar with who it is and the step, the messages, the choices.
        screen = _vbox(
            (self.progress_label, self.message_list, self.typing_slot, self.prompt,
             self.choice_box),
            "aw-screen",
        )
        style = html_widget(f"<style>{render.render_css()}</style>")
        super().__init__(
            [style, header, screen, self.ending_panel, self.error_label, controls],
            _dom_classes=("awareness-chat", "aw-messenger"),
            layout=shared_layout(),
        )
        self._render(animate_from=None)

    # --- callbacks -------------------------------------------------------------------------
    def _safe(self, func: Callable) -> Callable:
        """Wrap a callback: a student never sees a traceback, only a short message."""

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                self.error_label.value = ""
                return func(*args, **kwargs)
            except Exception:
                log.exception("chat widget callback failed")
                self.error_label.value = (
                    f'<p class="aw-error" role="alert"><span aria-hidden="true">⚠</span> '
                    f"{render._e(self.conversation.ui.error[self.lang])}</p>"
                )

        return wrapper

    def choose(self, choice_id: str) -> None:
        """Make a choice (what a choice button does)."""
        if choice_id not in {c.id for c in self.engine.choices}:
            return  # a late click on a button that has moved on
        if time.monotonic() < self._quiet_until:
            return  # a double tap: the second press was meant for the old choices
        self._quiet_until = time.monotonic() + CHOICE_QUIET * typing_scale()
        shown = len(self.engine.entries)
        # One message greys all choice buttons; not disabled: that would take the focus away.
        self.choice_box.add_class("aw-busy")
        decision = self.engine.current.id
        self.engine.choose(choice_id)
        self._render(animate_from=shown)
        # Live class mode: counted in the class this page joined (nothing outside one).
        reporter.report("chat", chat_item(self.conversation.id, decision), choice_id)

    def _on_back(self, _button: w.Button) -> None:
        self.engine.back()
        self._render(animate_from=None)
        if self.back_button.disabled and self.choice_buttons:
            # Back was pressed at the start and is disabled now: a disabled button drops
            # the keyboard focus, so it goes to the first choice instead.
            self.choice_buttons[0].focus()

    def _on_restart(self, _button: w.Button) -> None:
        self.engine.restart()
        self._render(animate_from=None)

    def _on_flag(self, node_id: str) -> None:
        flagged = self.engine.toggle_flag(node_id)
        self._sync_flag(node_id)
        if self.conversation.node(node_id).tags:  # a warning sign found (or taken back)
            reporter.report("sign", chat_item(self.conversation.id, node_id), flagged)
        if self.engine.finished:  # the debrief's counts follow a flag set after the end
            self._show_ending()

    # --- pieces ----------------------------------------------------------------------------
    def _bubble(self, node: Node, flagged: bool = False) -> str:
        """A message's HTML: with its avatar, and, from the other side, its typing time."""
        typing, pause = None, 0.0
        if self.conversation.side(node) == "left":
            typing, pause = typing_seconds(node, self.lang)
        return render.render_message(
            self.conversation, node, self.lang, flagged, badge=False, avatar=True,
            typing=typing, pause=pause,
        )

    def _message(self, node: Node) -> w.Widget:
        """The widget for one message (cached): a bubble, plus a flag button on the left."""
        if node.id in self._messages:
            return self._messages[node.id]
        bubble = html_widget(self._bubble(node))
        self._bubbles[node.id] = bubble
        if self.conversation.side(node) == "left":
            button = _button(self.conversation.ui.flag[self.lang], "aw-flag-btn")
            button.on_click(self._safe(lambda _b, nid=node.id: self._on_flag(nid)))
            self.flag_buttons[node.id] = button
            item = _vbox(
                [bubble, button], "aw-row-left", layout=shared_layout(align_items="flex-start")
            )
        else:
            item = _vbox([bubble], f"aw-row-{self.conversation.side(node)}")
        self._messages[node.id] = item
        return item

    def _feedback_card(self, choice: Choice) -> w.HTML:
        if choice.id not in self._feedback:
            self._feedback[choice.id] = html_widget(
                render.render_choice_feedback(self.conversation, choice, self.lang)
            )
        return self._feedback[choice.id]

    def _sync_flag(self, node_id: str) -> None:
        flagged = self.engine.is_flagged(node_id)
        node = self.conversation.node(node_id)
        self._bubbles[node_id].value = self._bubble(node, flagged)
        button = self.flag_buttons[node_id]
        ui = self.conversation.ui
        with button.hold_sync():
            button.description = ("⚑ " + ui.flagged[self.lang]) if flagged else ui.flag[self.lang]
            button.tooltip = button.description
        if flagged:
            button.add_class("aw-flag-on")
        else:
            button.remove_class("aw-flag-on")

    def _pool_button(self) -> w.Button:
        # Its own layout: shown and hidden as the choices change.
        button = _button(
            "", "aw-choice-btn", layout=w.Layout(width="100%", height="auto", display="none")
        )
        button.choice_id = None
        button.on_click(self._safe(lambda b: b.choice_id and self.choose(b.choice_id)))
        return button

    # --- drawing ---------------------------------------------------------------------------
    def _render(self, animate_from: int | None) -> None:
        """Draw the state. Messages from index ``animate_from`` on are new: the page plays
        them one by one (their typing times are in their HTML)."""
        entries = self.engine.entries
        self.choice_buttons = []
        self.ending_panel.layout.display = "none"
        self.ending_panel.value = ""
        items: list[w.Widget] = []
        for entry in entries:
            item = self._message(entry.node)
            if entry.node.id in self.flag_buttons:
                self._sync_flag(entry.node.id)
            items.append(item)
            if entry.choice is not None:  # the student's answer and its feedback together
                items.append(self._feedback_card(entry.choice))
        self.message_list.children = tuple(items)
        self._show_progress()
        self.back_button.disabled = not self.engine.path
        if self.engine.finished:
            self.prompt.value = ""
            self._show_ending()
        else:
            self._show_choices()
        # Only now hide the buttons not needed, so a pressed button keeps the focus.
        for button in self._pool[len(self.choice_buttons) :]:
            button.layout.display = "none"
            button.choice_id = None
        self.choice_box.remove_class("aw-busy")

    def _show_progress(self) -> None:
        p = self.engine.progress()
        conv = self.conversation
        peer = next(s for s in conv.speakers if s.side == "left")
        if self.engine.finished:
            ended = render._e(conv.ui.ending[self.lang])
            step = f'<p class="aw-progress aw-progress-end">{ended}</p>'
        else:
            step = render.render_progress(conv, p.step, p.total, self.lang)
        self.progress_label.value = (
            f'<div class="aw-topline"><span class="aw-avatar aw-av-{conv.speakers.index(peer)}" '
            f'aria-hidden="true">{render._e(render.initials(peer.name[self.lang]))}</span>'
            f'<span class="aw-peer">{render._e(peer.name[self.lang])}</span>{step}</div>'
        )

    def _show_choices(self) -> None:
        node = self.engine.current
        text = node.prompt[self.lang] if node.prompt else self.conversation.ui.choose[self.lang]
        self.prompt.value = f'<p class="aw-prompt">{render._e(text)}</p>'
        choices = self.engine.choices
        if self._rng is not None:
            self._rng.shuffle(choices)
        self.choice_buttons = self._pool[: len(choices)]
        for button, choice in zip(self.choice_buttons, choices, strict=True):
            button.choice_id = choice.id
            with button.hold_sync():
                button.description = button.tooltip = choice.text[self.lang]
            button.layout.display = None

    def _show_ending(self) -> None:
        self.ending_panel.value = render.render_ending(
            self.conversation, self.engine.summary(), self.lang, self.services, self.source
        )
        self.ending_panel.layout.display = None

    # --- for tests and the lead ------------------------------------------------------------
    def choice_button(self, choice_id: str) -> w.Button:
        """The button for a choice now on screen."""
        for button in self.choice_buttons:
            if button.choice_id == choice_id:
                return button
        raise KeyError(f"no button for choice {choice_id!r} on screen")

    @property
    def shown_node_ids(self) -> list[str]:
        """The ids of the messages on screen, oldest first."""
        return [node.id for node in self.engine.transcript]


def chat_widget(
    lang: str, seed: int | None = None, scenario: str = DEFAULT_SCENARIO
) -> w.Widget:
    """A scenario's chat for a lesson, in one language (``seed`` shuffles the choice
    buttons; ``scenario`` is the id of a file in lessons/scenarios/).

    If the content cannot be loaded, a short message in the student's language is shown
    instead of a traceback.
    """
    from awareness.content.course import load_course

    try:
        course = load_course()
    except ContentError:
        log.exception("course.yaml could not be loaded")
        return w.HTML('<p class="aw-error" role="alert">The chat could not be shown.</p>')
    if lang not in course.languages:
        lang = course.default_language
    try:
        conversation = load_conversation(scenario=scenario)
        return ChatWidget(conversation, lang, course.help, seed=seed, source=course.source[lang])
    except Exception:
        log.exception("the chat could not be built")
        return w.HTML(
            f'<p class="aw-error" role="alert">{render._e(course.t("content_error", lang))}</p>'
        )
