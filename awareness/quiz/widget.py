"""The quiz widget: one question at a time, check, try again, next, and a summary.

Composed of standard ipywidgets, so every control works with the keyboard. Grading
happens in the kernel: the page only ever holds the option *labels*; which option is
right and the feedback are sent to the page after the student checks an answer.

Tests drive it from Python: ``choices`` (RadioButtons, single and true/false),
``checkboxes`` (multiple and spot), ``order_rows`` (each with ``up`` and ``down``
buttons), and ``check_button``, ``try_again_button``, ``show_answer_button``,
``next_button``, ``restart_button``.
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable, Sequence
from html import escape

import ipywidgets as widgets
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_description import DescriptionStyle

from awareness.classroom import reporter
from awareness.quiz.engine import QuizSession, final_quiz
from awareness.quiz.model import Question, QuizUi, load_bank, load_banks, load_ui
from awareness.quiz.render import (
    ICONS,
    answer_html,
    feedback_html,
    option_label,
    render_css,
    summary_html,
)
from awareness.shared_models import button_widget, html_widget, shared_layout, shared_style

__all__ = ["OrderRow", "QuizWidget", "quiz_widget"]

log = logging.getLogger(__name__)

_HINTS = {
    "single": "choose_one",
    "true_false": "choose_one",
    "multiple": "choose_all",
    "spot": "choose_spot",
    "order": "choose_order",
}


def _hidden(widget: widgets.Widget, hidden: bool) -> None:
    widget.layout.display = "none" if hidden else None


def _own() -> widgets.Layout:
    """A Layout of its own, for a widget that is shown and hidden (``_hidden``); the rest
    share one (awareness.shared_models)."""
    return widgets.Layout()


class OrderRow(widgets.HBox):
    """One position in an order question: the step's text and Up/Down buttons."""

    def __init__(self, position: int, ui: QuizUi, lang: str):
        self.position = position
        self.label = html_widget()
        self.up = button_widget(ui.t("up", lang))
        self.down = button_widget(ui.t("down", lang))
        for button in (self.up, self.down):
            button.add_class("quiz-move")
        self.label.add_class("quiz-step")
        super().__init__([self.label, self.up, self.down], layout=shared_layout())
        self.add_class("quiz-order-row")


class QuizWidget(widgets.VBox):
    """A quiz over a list of questions in one language."""

    def __init__(
        self,
        questions: Sequence[Question],
        lang: str,
        ui: QuizUi,
        *,
        seed: int | str | None = None,
        titles: dict[str, str] | None = None,
        error_text: str | None = None,
    ):
        self.lang = lang
        self.ui = ui
        self.seed = seed if seed is not None else random.randrange(1_000_000)
        self.session = QuizSession(questions, self.seed)
        self.titles = titles or {}
        self.error_text = error_text or ui.t("error", lang)
        self.last_error: BaseException | None = None

        self.style = html_widget(f"<style>{render_css()}</style>")
        self.progress = html_widget(layout=_own())
        self.prompt = html_widget(layout=_own())
        self.hint = html_widget(layout=_own())
        self.inputs = widgets.VBox()
        self.feedback = html_widget()
        self.choices: widgets.RadioButtons | None = None
        self.checkboxes: list[widgets.Checkbox] = []
        self.order_rows: list[OrderRow] = []
        self._shown_ids: list[str] = []  # option ids in the order shown (kernel only)
        self._order: list[str] = []  # order questions: step ids as the student placed them

        self.check_button = button_widget(ui.t("check", lang), _own())
        self.try_again_button = button_widget(ui.t("try_again", lang), _own())
        self.show_answer_button = button_widget(ui.t("show_answer", lang), _own())
        self.next_button = button_widget(ui.t("next", lang), _own())
        self.restart_button = button_widget(ui.t("restart", lang), _own())
        self.check_button.add_class("quiz-primary")
        self.next_button.add_class("quiz-primary")
        self.buttons = widgets.HBox(
            [
                self.check_button,
                self.try_again_button,
                self.show_answer_button,
                self.next_button,
                self.restart_button,
            ],
            layout=shared_layout(),
        )
        self.buttons.add_class("quiz-buttons")
        self.summary = html_widget(layout=_own())

        self.check_button.on_click(self._safe(self._on_check))
        self.try_again_button.on_click(self._safe(self._on_try_again))
        self.show_answer_button.on_click(self._safe(self._on_show_answer))
        self.next_button.on_click(self._safe(self._on_next))
        self.restart_button.on_click(self._safe(self._on_restart))

        super().__init__(
            [
                self.style,
                self.progress,
                self.prompt,
                self.hint,
                self.inputs,
                self.feedback,
                self.summary,
                self.buttons,
            ],
            layout=shared_layout(),
        )
        self.add_class("quiz")
        self._safe(lambda: self._show_question())()

    # ------------------------------------------------------------------ helpers

    def _t(self, key: str, **values) -> str:
        return self.ui.t(key, self.lang, **values)

    def _safe(self, func: Callable) -> Callable:
        """Wrap a callback: an unexpected error becomes a short message, never a traceback."""

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - the student must never see a traceback
                log.exception("quiz widget error")
                self.last_error = exc
                self.feedback.value = (
                    f'<div class="quiz-feedback quiz-error" role="alert">'
                    f'<span class="quiz-icon" aria-hidden="true">{ICONS["info"]}</span> '
                    f"{escape(self.error_text)}</div>"
                )

        return wrapper

    def _set_buttons(self, *, check=False, try_again=False, show=False, next_=False, restart=False):
        _hidden(self.check_button, not check)
        _hidden(self.try_again_button, not try_again)
        _hidden(self.show_answer_button, not show)
        _hidden(self.next_button, not next_)
        _hidden(self.restart_button, not restart)

    @property
    def question(self) -> Question:
        return self.session.current

    # ------------------------------------------------------------------ showing

    def _show_question(self) -> None:
        s = self.session
        self.feedback.value = ""
        self.summary.value = ""
        if not s.questions:
            self.prompt.value = f'<p class="quiz-empty">{escape(self._t("empty_quiz"))}</p>'
            self.inputs.children = ()
            self._set_buttons()
            return
        q = s.current
        for part in (self.progress, self.prompt, self.hint, self.inputs):
            _hidden(part, False)
        _hidden(self.summary, True)
        options = s.options()
        self._shown_ids = [o.id for o in options]
        labels = [option_label(q, o, self.ui, self.lang) for o in options]
        self.choices, self.checkboxes, self.order_rows = None, [], []
        if q.type in ("single", "true_false"):
            self.choices = widgets.RadioButtons(
                options=list(zip(labels, self._shown_ids, strict=True)),
                value=None,
                layout=shared_layout(width="auto"),
                style=shared_style(DescriptionStyle),
            )
            self.choices.add_class("quiz-choices")
            self.inputs.children = (self.choices,)
        elif q.type in ("multiple", "spot"):
            for option, label in zip(options, labels, strict=True):
                box = widgets.Checkbox(
                    value=False,
                    description=label,
                    indent=False,
                    layout=shared_layout(width="auto"),
                    style=shared_style(CheckboxStyle),
                )
                box.add_class("quiz-check")
                if q.type == "spot":
                    box.add_class(f"quiz-msg-{option.sender}")
                self.checkboxes.append(box)
            self.inputs.children = tuple(self.checkboxes)
        else:
            self._order = list(self._shown_ids)
            self.order_rows = [OrderRow(i, self.ui, self.lang) for i in range(len(options))]
            for row in self.order_rows:
                row.up.on_click(self._safe(functools.partial(self._move, row.position, -1)))
                row.down.on_click(self._safe(functools.partial(self._move, row.position, 1)))
            self.inputs.children = tuple(self.order_rows)
            self._refresh_order()
        if q.type == "spot":
            self.inputs.add_class("quiz-chat")
        else:
            self.inputs.remove_class("quiz-chat")
        self._set_inputs_disabled(False)
        self._set_buttons(check=True)
        # The words last: when the progress line changes, the page is complete.
        self.hint.value = f'<p class="quiz-hint">{escape(self._t(_HINTS[q.type]))}</p>'
        self.prompt.value = f'<h3 class="quiz-prompt">{escape(q.prompt[self.lang])}</h3>'
        self.progress.value = (
            f'<p class="quiz-progress">{escape(self._t("progress", n=s.number, total=s.total))}</p>'
        )

    def _step_label(self, step_id: str) -> str:
        return option_label(self.question, self.question.option(step_id), self.ui, self.lang)

    def _refresh_order(self) -> None:
        last = len(self._order) - 1
        for row, step_id in zip(self.order_rows, self._order, strict=True):
            label = self._step_label(step_id)
            n = escape(self._t("position", n=row.position + 1))
            row.label.value = (
                f'<span class="quiz-step-n">{n}:</span> <span class="quiz-step-text">'
                f"{escape(label)}</span>"
            )
            row.up.tooltip = self._t("move_up", step=label)
            row.down.tooltip = self._t("move_down", step=label)
            row.up.disabled = row.position == 0 or self.session.checked
            row.down.disabled = row.position == last or self.session.checked

    def _move(self, position: int, delta: int, _button=None) -> None:
        other = position + delta
        if self.session.checked or not 0 <= other < len(self._order):
            return
        self._order[position], self._order[other] = self._order[other], self._order[position]
        self._refresh_order()
        # Keyboard users keep hold of the step they move: focus follows it.
        row = self.order_rows[other]
        button = row.up if delta < 0 else row.down
        (row.down if button.disabled else button).focus()

    def _focus_first_input(self) -> None:
        """Put the keyboard focus on the question's first control."""
        if self.choices is not None:
            self.choices.focus()
        elif self.checkboxes:
            self.checkboxes[0].focus()
        elif self.order_rows:
            self.order_rows[0].down.focus()

    def _set_inputs_disabled(self, disabled: bool) -> None:
        if self.choices is not None:
            self.choices.disabled = disabled
        for box in self.checkboxes:
            box.disabled = disabled
        if self.order_rows:
            self._refresh_order()

    def answer(self) -> list[str]:
        """The student's current answer, as option ids."""
        q = self.question
        if q.type in ("single", "true_false"):
            value = None if self.choices is None else self.choices.value
            return [] if value is None else [value]
        if q.type in ("multiple", "spot"):
            return [i for i, box in zip(self._shown_ids, self.checkboxes, strict=True) if box.value]
        return list(self._order)

    # ------------------------------------------------------------------ callbacks

    def _on_check(self, _button=None) -> None:
        if self.session.finished or self.session.checked:
            return
        answer = self.answer()
        if not answer:
            self.feedback.value = (
                f'<p class="quiz-feedback quiz-nudge" role="status">'
                f'<span class="quiz-icon" aria-hidden="true">{ICONS["info"]}</span> '
                f"{escape(self._t('nothing_chosen'))}</p>"
            )
            return
        question = self.question
        result = self.session.check(answer)
        # Live class mode: a sensitive question is an anonymous poll (the options chosen,
        # never right or wrong); others count as answered, and right or not.
        if question.sensitive:
            reporter.report("poll", question.id, list(answer))
        else:
            reporter.report("quiz", question.id, bool(result.correct))
        self.feedback.value = feedback_html(self.question, result, self.ui, self.lang)
        self._set_inputs_disabled(True)
        self._show_next_buttons(retry=not result.correct)
        (self.next_button if result.correct else self.try_again_button).focus()

    def _show_next_buttons(self, retry: bool) -> None:
        self.next_button.description = self._t("finish" if self.session.is_last else "next")
        self._set_buttons(try_again=retry, show=retry, next_=True)

    def _on_try_again(self, _button=None) -> None:
        self.session.try_again()
        self.feedback.value = ""
        self._set_inputs_disabled(False)
        self._set_buttons(check=True)
        self._focus_first_input()

    def _on_show_answer(self, _button=None) -> None:
        self.feedback.value += answer_html(self.question, self.ui, self.lang)
        self._set_buttons(next_=True)
        self.next_button.focus()

    def _on_next(self, _button=None) -> None:
        self.session.next()
        if self.session.finished:
            self._show_summary()
            self.restart_button.focus()
        else:
            self._show_question()
            self._focus_first_input()

    def _on_restart(self, _button=None) -> None:
        self.session.restart()
        self._show_question()
        self._focus_first_input()

    def _show_summary(self) -> None:
        self.progress.value = ""
        self.prompt.value = ""
        self.hint.value = ""
        self.feedback.value = ""
        self.inputs.children = ()
        self.choices, self.checkboxes, self.order_rows = None, [], []
        for part in (self.progress, self.prompt, self.hint, self.inputs):
            _hidden(part, True)
        _hidden(self.summary, False)
        self.summary.value = summary_html(self.session.summary(), self.ui, self.lang, self.titles)
        self._set_buttons(restart=True)


def quiz_widget(lesson_id: str, lang: str, seed: int | None = None) -> widgets.Widget:
    """The quiz for a lesson (the last lesson: the final quiz drawn from all banks).

    Content problems never reach the student as a traceback: they get a short message
    in their language, and the problems go to the log.
    """
    from awareness.content.course import load_course
    from awareness.content.problems import ContentError

    try:
        course = load_course()
        if lang not in course.languages:
            raise ValueError(f"unknown language {lang!r}")
        ui = load_ui()
        bank = load_bank(lesson_id)
        if seed is None:
            seed = random.randrange(1_000_000)
        if bank.final is not None:
            questions = final_quiz(load_banks(), seed)
        else:
            questions = list(bank.questions)
        titles = {lesson.id: lesson.title[lang] for lesson in course.lessons}
        titles.update({ref: course.section_title(ref, lang) for ref in course.section_refs()})
        return QuizWidget(
            questions,
            lang,
            ui,
            seed=seed,
            titles=titles,
            error_text=course.t("content_error", lang),
        )
    except (ContentError, ValueError, KeyError, OSError) as exc:
        log.error("quiz %s (%s) could not be shown: %s", lesson_id, lang, exc)
        try:
            text = load_course().t("content_error", lang)
        except Exception:  # noqa: BLE001
            text = "Quiz unavailable."
        return widgets.HTML(
            f'<p class="quiz-error" role="alert"><span aria-hidden="true">{ICONS["info"]}</span> '
            f"{escape(text)}</p>"
        )
