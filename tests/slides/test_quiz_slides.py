"""Quiz slides without running the export: a sensitive question (blame or feelings) is an
anonymous poll, never an answer slide; every other question keeps its answer fragment."""

from __future__ import annotations

import pytest

from awareness.content.course import load_course
from awareness.quiz.engine import final_quiz
from awareness.quiz.model import load_bank, load_banks, load_ui
from awareness.slides.static_parts import quiz_slides
from tests.conftest import ROOT

COURSE = load_course(ROOT)
DECKS = [(lang, lesson.id) for lang in COURSE.languages for lesson in COURSE.lessons]


@pytest.mark.parametrize(("lang", "lesson_id"), DECKS)
def test_sensitive_questions_are_polls_on_the_slides(lang, lesson_id):
    bank = load_bank(lesson_id)
    ui = load_ui()
    questions = final_quiz(load_banks(), seed=0) if bank.final is not None else bank.questions
    slides = quiz_slides(lesson_id, lang)
    assert len(slides) == len(questions)
    for q, slide in zip(questions, slides, strict=True):
        assert f'data-question="{q.id}"' in slide["html"]
        if q.sensitive:
            assert "quiz-answer" not in slide["html"] and "fragment" not in slide["html"], q.id
            assert "quiz-poll" in slide["html"]
            assert slide["notes"] == ui.t("poll_notes", lang)
            for option in q.options:
                assert option.feedback[lang] not in slide["html"], (q.id, option.id)
        else:
            assert '<div class="fragment"><div class="quiz-answer">' in slide["html"], q.id


def test_a_lesson_deck_has_a_poll():
    slides = quiz_slides("01-what-is-sextortion", COURSE.languages[0])
    assert any("quiz-poll" in s["html"] for s in slides)
