"""The quiz engine: grading, scoring, seeded shuffling, the final quiz and the summary.

Pure Python: it knows question models, not widgets or HTML. An *answer* is the set of
chosen option ids (single, true_false, multiple, spot) or the list of step ids in the
order the student put them (order).

Scoring: each question is worth 1 point; the score of the FIRST check counts (trying
again is for learning). Select-all and spot give partial credit: (right picks - wrong
picks) / number of correct options, never below 0. Order gives the share of steps in
the right place.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from awareness.quiz.model import TOPICS, Bank, FinalSettings, Option, Question

__all__ = [
    "Attempt",
    "QuizSession",
    "Result",
    "Summary",
    "TopicSummary",
    "final_quiz",
    "grade",
    "shuffled_options",
    "summarise",
]

Answer = Iterable[str] | Sequence[str] | str | None


@dataclass(frozen=True)
class Result:
    """The grade of one answer to one question."""

    question_id: str
    correct: bool  # fully right
    score: float  # 0.0 .. 1.0
    right: int  # right picks (choice types) or steps in the right place (order)
    total: int  # correct options (choice types) or steps (order)
    wrong_picks: tuple[str, ...] = ()  # chosen options that are not correct
    missed: tuple[str, ...] = ()  # correct options not chosen
    misplaced: tuple[str, ...] = ()  # order: steps not in their place
    chosen: tuple[str, ...] = ()  # the answer as given

    @property
    def partly(self) -> bool:
        """Not fully right, but some picks (or steps) were right."""
        return not self.correct and self.right > 0


def _as_ids(answer: Answer) -> list[str]:
    if answer is None:
        return []
    if isinstance(answer, str):
        return [answer]
    return list(answer)


def grade(question: Question, answer: Answer) -> Result:
    """Grade an answer. Unknown option ids in the answer raise ValueError."""
    ids = _as_ids(answer)
    known = {o.id for o in question.options}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ValueError(f"question {question.id!r} has no option {unknown[0]!r}")
    if question.type == "order":
        want = [o.id for o in question.options]
        if sorted(ids) != sorted(want):
            raise ValueError(f"order question {question.id!r}: give every step exactly once")
        placed = [a == b for a, b in zip(ids, want, strict=True)]
        right = sum(placed)
        return Result(
            question.id,
            correct=right == len(want),
            score=right / len(want),
            right=right,
            total=len(want),
            misplaced=tuple(i for i, ok in zip(ids, placed, strict=True) if not ok),
            chosen=tuple(ids),
        )
    chosen = list(dict.fromkeys(ids))
    if question.type in ("single", "true_false") and len(chosen) > 1:
        raise ValueError(f"question {question.id!r} takes one answer")
    correct_ids = [o.id for o in question.options if o.correct]
    hits = [i for i in chosen if i in correct_ids]
    wrong = [i for i in chosen if i not in correct_ids]
    missed = [i for i in correct_ids if i not in chosen]
    score = max(0, len(hits) - len(wrong)) / len(correct_ids)
    return Result(
        question.id,
        correct=not wrong and not missed,
        score=score,
        right=len(hits),
        total=len(correct_ids),
        wrong_picks=tuple(wrong),
        missed=tuple(missed),
        chosen=tuple(chosen),
    )


def _rng(seed: int | str | None, *salt: str) -> random.Random:
    if seed is None:
        return random.Random()
    return random.Random(":".join([str(seed), *salt]))


def shuffled_options(question: Question, seed: int | str | None) -> list[Option]:
    """The options in the order to show them; the same seed gives the same order.

    Chat excerpts (spot) keep their order, true/false shows true then false, and the
    steps of an order question never start in the right order.
    """
    options = list(question.options)
    if question.type == "spot":
        return options
    if question.type == "true_false":
        return sorted(options, key=lambda o: o.id != "true")
    rng = _rng(seed, question.id)
    shuffled = options[:]
    rng.shuffle(shuffled)
    if question.type == "order" and shuffled == options and len(options) > 1:
        shuffled = options[1:] + options[:1]
    return shuffled


def final_quiz(
    banks: dict[str, Bank] | Iterable[Bank],
    seed: int | str | None,
    settings: FinalSettings | None = None,
) -> list[Question]:
    """Draw the final quiz from the banks, per topic, in a seeded order.

    The settings come from the last bank's ``final`` unless given. The ``always``
    questions are in every quiz; besides them, ``per_topic`` questions are drawn from the
    lessons in ``draw_from``. The same seed gives the same quiz.
    """
    bank_list = list(banks.values()) if isinstance(banks, dict) else list(banks)
    if settings is None:
        settings = next((b.final for b in reversed(bank_list) if b.final is not None), None)
    if settings is None:
        raise ValueError("no bank has final quiz settings")
    lessons = (
        [b.lesson for b in bank_list] if settings.draw_from == "all" else settings.draw_from
    )
    by_id = {q.id: q for b in bank_list for q in b.questions}
    drawn: list[Question] = [by_id[qid] for qid in settings.always if qid in by_id]
    pool = [
        q
        for b in bank_list
        if b.lesson in lessons
        for q in b.questions
        if q.id not in settings.always
    ]
    rng = _rng(seed, "final")
    for topic in TOPICS:
        count = settings.per_topic.get(topic, 0)
        candidates = [q for q in pool if q.topic == topic]
        drawn.extend(rng.sample(candidates, min(count, len(candidates))))
    rng.shuffle(drawn)
    return drawn


@dataclass(frozen=True)
class TopicSummary:
    """How a student did on one topic."""

    topic: str
    right: int  # questions fully right at the first check
    total: int
    score: float  # sum of first-check scores
    revisit: tuple[str, ...]  # lesson sections to read again, in order, no repeats


@dataclass(frozen=True)
class Summary:
    """The end of a quiz: score and per-topic results."""

    right: int
    total: int
    score: float
    topics: tuple[TopicSummary, ...]


def summarise(questions: Sequence[Question], results: dict[str, Result]) -> Summary:
    """Per-topic summary from first-check results; unanswered questions count as wrong."""
    topics = []
    for topic in TOPICS:
        qs = [q for q in questions if q.topic == topic]
        if not qs:
            continue
        got = [results.get(q.id) for q in qs]
        revisit = [q.revisit for q, r in zip(qs, got, strict=True) if r is None or not r.correct]
        topics.append(
            TopicSummary(
                topic,
                right=sum(1 for r in got if r is not None and r.correct),
                total=len(qs),
                score=sum(r.score for r in got if r is not None),
                revisit=tuple(dict.fromkeys(revisit)),
            )
        )
    return Summary(
        right=sum(t.right for t in topics),
        total=len(questions),
        score=sum(t.score for t in topics),
        topics=tuple(topics),
    )


@dataclass
class Attempt:
    """The checks made on one question: the first one counts for the score."""

    results: list[Result] = field(default_factory=list)

    @property
    def first(self) -> Result | None:
        return self.results[0] if self.results else None

    @property
    def last(self) -> Result | None:
        return self.results[-1] if self.results else None


class QuizSession:
    """A quiz in progress: one question at a time, check, try again, next, summary."""

    def __init__(self, questions: Sequence[Question], seed: int | str | None = None):
        self.questions = list(questions)
        self.seed = seed
        self.index = 0
        self.attempts: dict[str, Attempt] = {q.id: Attempt() for q in self.questions}
        self.checked = False  # the current question has been checked (and not retried)

    @property
    def current(self) -> Question:
        return self.questions[self.index]

    @property
    def number(self) -> int:
        """1-based position of the current question."""
        return self.index + 1

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def finished(self) -> bool:
        return self.index >= len(self.questions)

    @property
    def is_last(self) -> bool:
        return self.index == len(self.questions) - 1

    def options(self) -> list[Option]:
        """The current question's options in the order to show them."""
        return shuffled_options(self.current, self.seed)

    def check(self, answer: Answer) -> Result:
        result = grade(self.current, answer)
        self.attempts[self.current.id].results.append(result)
        self.checked = True
        return result

    def try_again(self) -> None:
        self.checked = False

    def next(self) -> None:
        if not self.finished:
            self.index += 1
            self.checked = False

    def restart(self) -> None:
        self.index = 0
        self.checked = False
        self.attempts = {q.id: Attempt() for q in self.questions}

    def first_results(self) -> dict[str, Result]:
        return {qid: a.first for qid, a in self.attempts.items() if a.first is not None}

    def summary(self) -> Summary:
        return summarise(self.questions, self.first_results())
