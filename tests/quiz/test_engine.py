"""The pure engine: grading every type, partial credit, shuffling, final quiz, summary."""

from __future__ import annotations

import pytest

from awareness.quiz.engine import (
    QuizSession,
    final_quiz,
    grade,
    shuffled_options,
    summarise,
)
from awareness.quiz.model import TOPICS, FinalSettings


@pytest.fixture
def single(make_question):
    return make_question("single", [("a", False), ("b", True), ("c", False)])


@pytest.fixture
def multiple(make_question):
    return make_question("multiple", [("a", True), ("b", True), ("c", True), ("d", False)])


@pytest.fixture
def order(make_question):
    return make_question("order", ["s1", "s2", "s3", "s4"], topic="what-to-do")


def test_single_right_and_wrong(single):
    right = grade(single, "b")
    assert right.correct and right.score == 1 and right.right == 1 and right.total == 1
    wrong = grade(single, ["a"])
    assert not wrong.correct and wrong.score == 0 and wrong.wrong_picks == ("a",)
    assert wrong.missed == ("b",)


def test_single_takes_one_answer(single):
    with pytest.raises(ValueError):
        grade(single, ["a", "b"])


def test_unknown_option_is_an_error(single):
    with pytest.raises(ValueError, match="no option 'zz'"):
        grade(single, ["zz"])


def test_nothing_chosen_is_wrong(single):
    result = grade(single, [])
    assert not result.correct and result.score == 0


def test_true_false(make_question):
    q = make_question("true_false", [("true", False), ("false", True)])
    assert grade(q, "false").correct
    result = grade(q, "true")
    assert not result.correct and result.score == 0


def test_multiple_all_right(multiple):
    result = grade(multiple, ["c", "a", "b"])
    assert result.correct and result.score == 1 and result.right == 3 and result.total == 3


def test_multiple_partial_says_how_many(multiple):
    result = grade(multiple, ["a", "b"])
    assert not result.correct and result.partly
    assert (result.right, result.total) == (2, 3)
    assert result.score == pytest.approx(2 / 3)
    assert result.missed == ("c",)


def test_multiple_wrong_pick_costs(multiple):
    result = grade(multiple, ["a", "b", "d"])
    assert not result.correct
    assert result.wrong_picks == ("d",)
    assert result.score == pytest.approx(1 / 3)


def test_multiple_score_never_negative(multiple):
    assert grade(multiple, ["d"]).score == 0


def test_multiple_everything_ticked_is_not_right(multiple):
    result = grade(multiple, ["a", "b", "c", "d"])
    assert not result.correct and result.right == 3


def test_spot_grades_like_select_all(make_question):
    q = make_question("spot", [("m1", False), ("m2", True), ("m3", True)])
    assert grade(q, ["m2", "m3"]).correct
    half = grade(q, ["m3"])
    assert (half.right, half.total, half.correct) == (1, 2, False)


def test_order_right(order):
    result = grade(order, ["s1", "s2", "s3", "s4"])
    assert result.correct and result.score == 1 and result.right == 4


def test_order_partial_counts_places(order):
    result = grade(order, ["s1", "s3", "s2", "s4"])
    assert not result.correct and result.partly
    assert (result.right, result.total) == (2, 4)
    assert result.score == 0.5
    assert result.misplaced == ("s3", "s2")


def test_order_all_wrong(order):
    result = grade(order, ["s2", "s1", "s4", "s3"])
    assert result.right == 0 and result.score == 0 and not result.partly


def test_order_needs_every_step_once(order):
    with pytest.raises(ValueError):
        grade(order, ["s1", "s1", "s2", "s3"])
    with pytest.raises(ValueError):
        grade(order, ["s1", "s2"])


def test_shuffle_same_seed_same_order(multiple):
    a = [o.id for o in shuffled_options(multiple, 7)]
    b = [o.id for o in shuffled_options(multiple, 7)]
    assert a == b
    assert sorted(a) == ["a", "b", "c", "d"]
    orders = {tuple(o.id for o in shuffled_options(multiple, seed)) for seed in range(30)}
    assert len(orders) > 1


def test_order_never_starts_solved(order):
    for seed in range(50):
        assert [o.id for o in shuffled_options(order, seed)] != ["s1", "s2", "s3", "s4"]


def test_spot_and_true_false_keep_their_order(make_question):
    spot = make_question("spot", [("m1", False), ("m2", True), ("m3", True)])
    assert [o.id for o in shuffled_options(spot, 3)] == ["m1", "m2", "m3"]
    tf = make_question("true_false", [("false", True), ("true", False)])
    assert [o.id for o in shuffled_options(tf, 3)] == ["true", "false"]


def test_final_quiz_draws_per_topic_from_all_banks(banks):
    quiz = final_quiz(banks, seed=11)
    settings = banks["05-summary"].final
    assert len(quiz) == len(settings.always) + sum(settings.per_topic.values())
    drawn = [q for q in quiz if q.id not in settings.always]
    for topic, count in settings.per_topic.items():
        assert sum(q.topic == topic for q in drawn) == count
    assert len({q.id for q in quiz}) == len(quiz)
    assert [q.id for q in final_quiz(banks, seed=11)] == [q.id for q in quiz]
    lessons = {q.lesson for seed in range(20) for q in final_quiz(banks, seed=seed)}
    assert len(lessons) >= 4  # draws from many lessons


def test_final_quiz_always_has_the_last_lessons_own_items(banks):
    """What only lesson 05 teaches (how to report: point 19's only item; 116 123) is in
    every final quiz, once, in a seeded place; the draw never repeats it."""
    settings = banks["05-summary"].final
    assert {"how-to-report", "too-heavy"} <= set(settings.always)
    places = set()
    for seed in range(30):
        ids = [q.id for q in final_quiz(banks, seed=seed)]
        assert len(ids) == len(set(ids))
        assert set(settings.always) <= set(ids)
        places.add(ids.index("how-to-report"))
    assert len(places) > 1  # shuffled in, not always first
    only_drawn = FinalSettings.model_validate(
        {"draw_from": ["05-summary"], "always": ["too-heavy"], "per_topic": {"what-to-do": 5}}
    )
    quiz = final_quiz(banks, seed=3, settings=only_drawn)
    assert [q.id for q in quiz].count("too-heavy") == 1 and len(quiz) == 6


def test_final_quiz_with_own_settings(banks):
    settings = FinalSettings.model_validate(
        {"draw_from": ["04-prevention"], "per_topic": {"prevention": 2}}
    )
    quiz = final_quiz(banks, seed=1, settings=settings)
    assert len(quiz) == 2
    assert all(q.topic == "prevention" for q in quiz)
    assert {q.id for q in quiz} <= {q.id for q in banks["04-prevention"].questions}


def test_summary_per_topic_with_revisit(make_question):
    q1 = make_question("single", [("a", True), ("b", False)], qid="q1", topic="basics")
    q2 = make_question(
        "single", [("a", True), ("b", False)], qid="q2", topic="prevention",
        revisit="04-prevention#friend-lists",
    )
    q3 = make_question(
        "single", [("a", True), ("b", False)], qid="q3", topic="prevention",
        revisit="04-prevention#friend-lists",
    )
    order_q = make_question("order", ["s1", "s2", "s3"], qid="q4", topic="what-to-do",
                            revisit="03-if-it-happens#report-police")
    questions = [q1, q2, q3, order_q]
    results = {
        "q1": grade(q1, "a"),
        "q2": grade(q2, "b"),
        "q3": grade(q3, "b"),
        "q4": grade(order_q, ["s1", "s3", "s2"]),
    }
    summary = summarise(questions, results)
    assert (summary.right, summary.total) == (1, 4)
    assert summary.score == pytest.approx(1 + 1 / 3)
    by_topic = {t.topic: t for t in summary.topics}
    assert list(by_topic) == [t for t in TOPICS if t in by_topic]  # fixed topic order
    assert by_topic["basics"].revisit == ()
    assert by_topic["prevention"].revisit == ("04-prevention#friend-lists",)  # no repeats
    assert (by_topic["prevention"].right, by_topic["prevention"].total) == (0, 2)
    assert by_topic["what-to-do"].revisit == ("03-if-it-happens#report-police",)


def test_unanswered_counts_as_wrong(make_question):
    q = make_question("single", [("a", True), ("b", False)])
    summary = summarise([q], {})
    assert summary.right == 0 and summary.topics[0].revisit == (q.revisit,)


def test_session_first_check_counts(make_question):
    q1 = make_question("single", [("a", True), ("b", False)], qid="q1")
    q2 = make_question("true_false", [("true", True), ("false", False)], qid="q2")
    s = QuizSession([q1, q2], seed=5)
    assert (s.number, s.total, s.finished) == (1, 2, False)
    assert not s.check("b").correct
    s.try_again()
    assert s.check("a").correct
    s.next()
    assert s.is_last
    s.check("true")
    s.next()
    assert s.finished
    summary = s.summary()
    assert (summary.right, summary.total) == (1, 2)  # q1 was wrong on the first try
    s.restart()
    assert s.number == 1 and s.first_results() == {}
