"""The quiz widget, driven by clicking: wrong -> feedback + try again, right, summary."""

from __future__ import annotations

import json
from html import escape

import ipywidgets as widgets
import pytest

from awareness.quiz.engine import shuffled_options
from awareness.quiz.widget import QuizWidget, quiz_widget

LESSONS = [
    "01-what-is-sextortion",
    "02-the-conversation",
    "03-if-it-happens",
    "04-prevention",
    "05-summary",
]


def all_widgets(widget):
    """The widget and everything inside it."""
    found = [widget]
    for child in getattr(widget, "children", ()):
        found.extend(all_widgets(child))
    return found


def page_state(widget) -> str:
    """Everything the page receives: the synced state of every widget, as JSON."""
    return json.dumps([w.get_state() for w in all_widgets(widget)], default=str, ensure_ascii=False)


def visible(widget) -> bool:
    return widget.layout.display != "none"


def choose(w: QuizWidget, option_ids) -> None:
    """Click the controls of the current question for these option ids."""
    q = w.question
    if q.type in ("single", "true_false"):
        w.choices.value = option_ids[0]
    elif q.type in ("multiple", "spot"):
        shown = [o.id for o in shuffled_options(q, w.seed)]
        for box in w.checkboxes:
            box.value = False
        for oid in option_ids:
            w.checkboxes[shown.index(oid)].value = True
    else:
        # bubble sort with the Up buttons, like a student would
        target = list(option_ids)
        for _ in range(len(target) ** 2):
            current = w.answer()
            for pos in range(1, len(current)):
                if target.index(current[pos]) < target.index(current[pos - 1]):
                    w.order_rows[pos].up.click()
                    break


def right_answer(q):
    return q.correct_ids


def wrong_answer(q):
    if q.type == "order":
        ids = q.correct_ids
        return ids[1:] + ids[:1]
    wrong = [o.id for o in q.options if not o.correct]
    return wrong[:1]


@pytest.fixture
def widget(banks, ui, languages):
    return QuizWidget(banks["03-if-it-happens"].questions, languages[0], ui, seed=42)


@pytest.mark.parametrize("lesson", LESSONS)
def test_quiz_widget_for_every_lesson_and_language(lesson, languages):
    for lang in languages:
        w = quiz_widget(lesson, lang, seed=1)
        assert isinstance(w, QuizWidget), lesson
        assert w.session.total > 0
        assert w.last_error is None


def test_final_quiz_draws_from_all_banks(banks, languages):
    w = quiz_widget("05-summary", languages[0], seed=3)
    final = banks["05-summary"].final
    assert w.session.total == len(final.always) + sum(final.per_topic.values())
    assert set(final.always) <= {q.id for q in w.session.questions}
    again = quiz_widget("05-summary", languages[0], seed=3)
    assert [q.id for q in again.session.questions] == [q.id for q in w.session.questions]


def test_progress_and_buttons(widget, ui, languages):
    lang = languages[0]
    total = widget.session.total
    assert ui.t("progress", lang, n=1, total=total) in widget.progress.value
    assert visible(widget.check_button)
    for button in (widget.try_again_button, widget.next_button, widget.restart_button):
        assert not visible(button)
    for button in all_widgets(widget):
        if isinstance(button, widgets.Button):
            assert button.description.strip(), "every button needs a visible label"


def test_state_before_checking_has_no_answer(banks, ui, languages):
    """The page must not know which option is right, nor any feedback, before a check."""
    lang = languages[0]
    for bank in banks.values():
        for q in bank.questions:
            w = QuizWidget([q], lang, ui, seed=9)
            state = page_state(w)
            for option in q.options:
                assert option.feedback[lang] not in state, (q.id, option.id)
            for word in ("correct", "right_answer", "warning_sign", "not_right", "partly"):
                assert ui.t(word, lang) not in state, (q.id, word)
            assert '"correct"' not in state
            if q.type == "order":
                assert w.answer() != q.correct_ids  # the steps do not start solved


def test_wrong_then_try_again_then_right(widget, ui, languages):
    lang = languages[0]
    q = widget.question
    choose(widget, wrong_answer(q))
    widget.check_button.click()
    fb = widget.feedback.value
    assert "✘" in fb and ui.t("wrong", lang) in fb  # icon AND words
    wrong_option = q.option(wrong_answer(q)[0])
    assert wrong_option.feedback[lang] in fb
    assert visible(widget.try_again_button) and visible(widget.next_button)
    assert not visible(widget.check_button)
    assert widget.choices.disabled

    widget.try_again_button.click()
    assert widget.feedback.value == ""
    assert visible(widget.check_button) and not widget.choices.disabled
    choose(widget, right_answer(q))
    widget.check_button.click()
    fb = widget.feedback.value
    assert "✔" in fb and ui.t("correct", lang) in fb
    assert q.option(right_answer(q)[0]).feedback[lang] in fb
    assert not visible(widget.try_again_button)
    # the first check counts for the score
    assert widget.session.first_results()[q.id].correct is False


def test_check_without_answer_nudges(widget, ui, languages):
    widget.check_button.click()
    assert ui.t("nothing_chosen", languages[0]) in widget.feedback.value
    assert widget.session.attempts[widget.question.id].results == []
    assert visible(widget.check_button)


def test_show_answer(widget, ui, languages):
    q = widget.question
    choose(widget, wrong_answer(q))
    widget.check_button.click()
    widget.show_answer_button.click()
    fb = widget.feedback.value
    for option in q.options:
        assert option.feedback[languages[0]] in fb
    assert not visible(widget.try_again_button) and visible(widget.next_button)


def _find(banks, qtype):
    return next(q for b in banks.values() for q in b.questions if q.type == qtype)


def test_multiple_partial_says_how_many(banks, ui, languages):
    lang = languages[0]
    q = _find(banks, "multiple")
    w = QuizWidget([q], lang, ui, seed=1)
    right = q.correct_ids
    choose(w, right[:-1])
    w.check_button.click()
    fb = w.feedback.value
    assert "◐" in fb and ui.t("partly", lang) in fb
    assert ui.t("right_of", lang, right=len(right) - 1, total=len(right)) in fb


def test_spot_question_by_ticking(banks, ui, languages):
    lang = languages[0]
    q = _find(banks, "spot")
    w = QuizWidget([q], lang, ui, seed=1)
    assert len(w.checkboxes) == len(q.options)
    names = [getattr(q.people, o.sender)[lang] for o in q.options]
    for box, name in zip(w.checkboxes, names, strict=True):
        assert box.description.startswith(name)
    choose(w, q.correct_ids)
    w.check_button.click()
    assert "✔" in w.feedback.value


def test_order_with_up_and_down_buttons(banks, ui, languages):
    lang = languages[0]
    q = _find(banks, "order")
    w = QuizWidget([q], lang, ui, seed=4)
    first_label = w.order_rows[0].label.value
    assert w.order_rows[0].up.disabled and w.order_rows[-1].down.disabled
    step = w.answer()[1]
    tip = w.order_rows[1].up.tooltip
    assert tip == ui.t("move_up", lang, step=q.option(step).text[lang])
    w.order_rows[1].up.click()
    assert w.answer()[0] == step
    assert w.order_rows[0].label.value != first_label
    w.order_rows[0].down.click()
    assert w.answer()[1] == step

    choose(w, q.correct_ids)
    assert w.answer() == q.correct_ids
    w.check_button.click()
    assert "✔" in w.feedback.value
    assert all(row.up.disabled and row.down.disabled for row in w.order_rows)


def test_order_partial_says_how_many_in_place(banks, ui, languages):
    lang = languages[0]
    q = _find(banks, "order")
    w = QuizWidget([q], lang, ui, seed=4)
    ids = q.correct_ids
    target = [ids[1], ids[0], *ids[2:]]
    choose(w, target)
    w.check_button.click()
    n = len(ids)
    assert ui.t("steps_right", lang, right=n - 2, total=n) in w.feedback.value


def test_finish_shows_summary_with_pointers(banks, ui, languages, course):
    lang = languages[0]
    questions = banks["04-prevention"].questions
    titles = {lesson.id: lesson.title[lang] for lesson in course.lessons}
    titles.update({ref: course.section_title(ref, lang) for ref in course.section_refs()})
    w = QuizWidget(questions, lang, ui, seed=2, titles=titles)
    missed = questions[0]
    for i in range(len(questions)):
        q = w.question
        choose(w, wrong_answer(q) if i == 0 else right_answer(q))
        w.check_button.click()
        if w.session.is_last:
            assert w.next_button.description == ui.t("finish", lang)
        w.next_button.click()
    assert w.session.finished
    summary = w.summary.value
    assert ui.t("score", lang, right=len(questions) - 1, total=len(questions)) in summary
    assert ui.t("topic_prevention", lang) in summary
    lesson_id, _, section_id = missed.revisit.partition("#")
    assert f'href="{lesson_id}.ipynb#{section_id}"' in summary  # straight to that part
    assert course.section_title(missed.revisit, lang) in summary
    assert visible(w.restart_button) and not visible(w.check_button)
    assert w.inputs.children == ()

    w.restart_button.click()
    assert w.session.number == 1 and w.summary.value == ""
    assert visible(w.check_button)


def test_injection_is_escaped(make_question, ui, languages):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    q = make_question("multiple", [("a", True), ("b", False)], prompt=evil)
    w = QuizWidget([q], languages[0], ui, seed=1)
    choose(w, ["b"])
    w.check_button.click()
    w.show_answer_button.click()
    for child in all_widgets(w):
        if isinstance(child, widgets.HTML) and child is not w.style:
            assert "<script" not in child.value
            assert "<img" not in child.value
    assert "&lt;script&gt;" in w.prompt.value


def test_callback_error_becomes_a_message(widget, ui, languages, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(widget.session, "check", boom)
    choose(widget, right_answer(widget.question))
    widget.check_button.click()  # must not raise
    assert isinstance(widget.last_error, RuntimeError)
    assert ui.t("error", languages[0]) in widget.feedback.value
    assert "Traceback" not in widget.feedback.value


def test_unknown_lesson_gives_a_short_message(course, languages):
    w = quiz_widget("99-nothing", languages[0])
    assert isinstance(w, widgets.HTML)
    assert course.t("content_error", languages[0]) in w.value


def test_css_shipped_in_one_style_widget(widget):
    html = [c for c in all_widgets(widget) if isinstance(c, widgets.HTML)]
    styles = [c for c in html if "<style>" in c.value]
    assert len(styles) == 1
    assert ".quiz-feedback" in styles[0].value
    assert "http" not in styles[0].value  # nothing from the internet


def test_a_sensitive_question_gives_the_pupil_kind_feedback(banks, ui, languages):
    """In class a blame or feelings question is an anonymous poll; a pupil alone in the app
    still answers it and gets the feedback for their own answer, kindly worded."""
    q = banks["01-what-is-sextortion"].question("partly-his-fault")
    assert q.sensitive
    for lang in languages:
        w = QuizWidget([q], lang, ui, seed=1)
        choose(w, ["true"])  # the myth: "partly his own fault"
        w.check_button.click()
        assert escape(q.option("true").feedback[lang]) in w.feedback.value
        assert escape(ui.t("wrong", lang)) in w.feedback.value
        assert visible(w.try_again_button)
        w.try_again_button.click()
        choose(w, ["false"])
        w.check_button.click()
        assert escape(q.option("false").feedback[lang]) in w.feedback.value
