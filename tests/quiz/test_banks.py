"""The real question banks: enough questions, every type and topic, every guide point."""

from __future__ import annotations

import re
from collections import Counter

from awareness.content.course import load_course
from awareness.paths import PACKAGE
from awareness.quiz.model import (
    GUIDE_POINTS,
    QUESTION_TYPES,
    TOPICS,
    all_questions,
    questions_by_point,
)

COURSE_REFS = load_course(PACKAGE.parent).section_refs()


def test_one_bank_per_lesson(banks, course):
    assert list(banks) == [lesson.id for lesson in course.lessons]
    for lesson_id, bank in banks.items():
        assert bank.lesson == lesson_id


def test_each_lesson_quiz_is_a_few_short_questions(banks):
    """A lesson quiz shows its whole bank: 4 to 6 questions (about 3 minutes). The last
    lesson's bank only feeds the final quiz, which draws a few from every bank."""
    for lesson_id, bank in banks.items():
        if bank.final is None:
            assert 4 <= len(bank.questions) <= 6, lesson_id
        else:
            assert 4 <= len(bank.final.always) + sum(bank.final.per_topic.values()) <= 6
    assert len(all_questions(banks)) >= 25


def test_every_type_and_topic_used(banks):
    questions = all_questions(banks)
    assert set(QUESTION_TYPES) <= {q.type for q in questions}
    assert set(TOPICS) <= {q.topic for q in questions}


def test_every_guide_point_checked(banks):
    by_point = questions_by_point(banks)
    uncovered = [point for point in GUIDE_POINTS if not by_point[point]]
    assert uncovered == [], f"guide points without a question: {uncovered}"


def test_question_ids_unique_across_banks(banks):
    ids = Counter(q.id for q in all_questions(banks))
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_text_in_every_language(banks, languages):
    for q in all_questions(banks):
        assert set(q.prompt.root) == set(languages), q.id
        for option in q.options:
            assert set(option.feedback.root) == set(languages), (q.id, option.id)
            if option.text is not None:
                assert set(option.text.root) == set(languages), (q.id, option.id)


def test_revisit_pointers_are_known_sections(banks, ui):
    for q in all_questions(banks):
        assert q.revisit in COURSE_REFS, q.id


def test_feedback_explains(banks, languages):
    """Every option has a reason of more than a word or two."""
    for q in all_questions(banks):
        for option in q.options:
            for lang in languages:
                assert len(option.feedback[lang].split()) >= 3, (q.id, option.id, lang)


def test_myths_from_the_brief_are_there(banks):
    questions = {q.id: q for q in all_questions(banks)}
    paid = questions["paid-once"]
    assert "10" in paid.points and paid.option("stop-now").correct
    assert "27" in paid.option("stop-now").feedback["en"]
    assert not paid.option("crypto-cannot-be-traced").correct
    posted = questions["posted-message"]
    assert posted.type == "true_false" and posted.option("true").correct
    block = questions["block-dont-delete"]
    assert {"11", "13"} <= set(block.points) and block.option("block-and-report").correct
    assert not block.option("delete-everything").correct
    removal = questions["removed-without-paying"]
    assert "14" in removal.points and removal.option("true").correct


def test_documentation_list_for_the_police(banks):
    """Point 12 adapted for pupils: the chat, the accounts and the payment details; the
    picture itself is a wrong option, and its feedback says the police secure it."""
    q = banks["03-if-it-happens"].question("proof-for-police")
    assert q.points == ["12"]
    assert {o.id for o in q.options if o.correct} == {"the-chat", "accounts", "payment"}
    picture = q.option("the-picture")
    assert not picture.correct
    assert "police can secure" in picture.feedback["en"]
    assert "Politiet kan sikre" in picture.feedback["nb"]
    assert "Politiet kan sikre" in picture.feedback["nn"]


def test_no_shaming_words(banks, languages):
    """Wrong answers are met without shame."""
    shaming = re.compile(r"\b(dum|dumt|stupid|idiot|skam|shame|burde visst)\b", re.IGNORECASE)
    for q in all_questions(banks):
        for option in q.options:
            if option.correct or q.type == "order":
                continue
            for lang in languages:
                assert not shaming.search(option.feedback[lang]), (q.id, option.id, lang)


def test_counts_per_bank_type_topic(banks):
    """A record of the mix (printed with -s); the final quiz can be drawn."""
    questions = all_questions(banks)
    final = banks["05-summary"].final
    assert final is not None
    topics = Counter(q.topic for q in questions)
    for topic, count in final.per_topic.items():
        assert topics[topic] >= count
    print({lesson: len(b.questions) for lesson, b in banks.items()})
    print(Counter(q.type for q in questions), topics)
