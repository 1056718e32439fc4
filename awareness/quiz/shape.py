"""Quiz-shape checks: do the banks test understanding, not test-taking?

The rules are CONTENT_GUIDE.md's "Quiz questions that test understanding". They run in
`make check` (through ``awareness.quiz.model.problems``) and report one line each, in two
severities:

Errors: a rule with no exceptions, where one question on its own teaches a trick.
`make check` fails and the app does not start.

- a select-all question with fewer than 2 wrong options ("all but one correct":
  ticking everything nearly wins);
- a chat excerpt (spot) where every message from the other person is a faresignal
  (ticking everything wins);
- feedback too short to say why (fewer than 3 words).

Warnings: a tendency over a bank that the author judges, since a single question may
rightly break it (a right answer can be the longest). `make check` prints them with
``warning:`` and passes.

- the right option is the longest in more than half of a bank's choice questions
  (single and select-all, at least 3 of them), or over all banks; or it is much longer
  than every other option in one question;
- true/false claims are not about half true: in a bank the true and the false ones
  differ by more than one; over all banks fewer than 40 % or more than 60 % are true;
- fewer than a third of a bank's questions (or of all) apply the lesson to a new case
  (``kind: application``);
- a lesson quiz is estimated at under 1.5 or over 4 minutes (about 3 is the aim); for
  the last lesson, the final quiz drawn from all banks;
- two options of a question share the same feedback (each option needs its own why);
- over all banks, wrong options give a reason ("…, så …" / "…, so …") much more often than
  right ones: a pupil learns that an option that explains itself is the wrong one.

The time estimate (``question_seconds``) is deliberately simple: reading the prompt, the
options and the feedback at READING_WPM words a minute, plus a few seconds per question
and per option for choosing and clicking. ``python -m awareness.quiz.shape`` prints the
numbers per bank.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from awareness.content.problems import Problem
from awareness.paths import display_path
from awareness.quiz.model import QUIZ_DIR, TOPICS, Bank, Question, bank_path

__all__ = [
    "BankShape",
    "bank_shape",
    "problems",
    "question_seconds",
    "quiz_seconds",
]

# The thresholds, in one place.
MIN_WRONG_IN_SELECT_ALL = 2
MIN_FEEDBACK_WORDS = 3
LONGEST_SHARE = 0.5  # warn above this share of choice questions with the right one longest
LONGEST_MIN_QUESTIONS = 3  # a bank's share is judged from this many choice questions on
LONGEST_RATIO = 1.5  # one question: the right option this much longer than every other …
LONGEST_MIN_GAP = 15  # … and at least this many characters longer
TRUE_SHARE = (0.4, 0.6)  # over all banks, the share of true claims
TRUE_FALSE_GAP = 1  # in a bank, true and false claims differ by at most this
APPLICATION_SHARE = 1 / 3
MINUTES = (1.5, 4.0)  # a lesson quiz takes about 3 minutes
# A reason clause in an option's text, per language ("…, så han …" / "…, so he …").
REASON = {"nb": r",\s+så\b", "nn": r",\s+så\b", "en": r",\s+so\b"}
REASON_GAP = 0.2  # warn when wrong options give a reason this much more often than right ones
REASON_MIN_WRONG = 10  # … judged over all banks, from this many wrong options on

# The time estimate.
READING_WPM = 150  # words a minute: a careful 13-year-old reader
SECONDS_PER_QUESTION = 6  # decide, press Check, read the verdict, press Next
SECONDS_PER_OPTION = 2  # look at an option and tick it (or not)
SECONDS_PER_MOVE = 3  # order: moving a step with Up and Down


def _words(text: str) -> int:
    return len(text.split())


def question_seconds(q: Question, lang: str) -> float:
    """About how long a pupil needs for one question in one language.

    Reads the prompt, every option and the feedback of one option (select-all, spot and
    order show the reasons of several: about half of the options).
    """
    words = _words(q.prompt[lang])
    for option in q.options:
        words += _words(option.text[lang]) if option.text is not None else 1
        if q.type == "spot" and q.people is not None and option.sender:
            words += _words(getattr(q.people, option.sender)[lang])
    feedback = mean(_words(o.feedback[lang]) for o in q.options)
    if q.type in ("multiple", "spot", "order"):
        feedback *= max(1.0, len(q.options) / 2)
    words += feedback
    seconds = words / READING_WPM * 60 + SECONDS_PER_QUESTION
    seconds += SECONDS_PER_OPTION * len(q.options)
    if q.type == "order":
        seconds += SECONDS_PER_MOVE * len(q.options)
    return seconds


def quiz_seconds(questions: Iterable[Question], languages: Iterable[str]) -> float:
    """The estimate for a list of questions: the slowest language counts."""
    questions = list(questions)
    return max(sum(question_seconds(q, lang) for q in questions) for lang in languages)


def final_seconds(final_bank: Bank, banks: dict[str, Bank], languages: Iterable[str]) -> float:
    """The expected time of the final quiz: the ``always`` questions, then per topic its
    count times the mean question of the rest."""
    settings = final_bank.final
    if settings is None:
        return 0.0
    draw = list(banks) if settings.draw_from == "all" else settings.draw_from
    pool = [q for lid in draw if lid in banks for q in banks[lid].questions]
    languages = list(languages)
    always = [q for q in final_bank.questions if q.id in settings.always]
    total = quiz_seconds(always, languages) if always else 0.0
    pool = [q for q in pool if q.id not in settings.always]
    for topic in TOPICS:
        count = settings.per_topic.get(topic, 0)
        candidates = [q for q in pool if q.topic == topic]
        if count and candidates:
            each = mean(quiz_seconds([q], languages) for q in candidates)
            total += min(count, len(candidates)) * each
    return total


@dataclass(frozen=True)
class BankShape:
    """The numbers the shape checks judge a bank by."""

    lesson: str
    questions: int
    application: int
    true_claims: int
    false_claims: int
    choice: int  # single and select-all questions
    right_longest: int  # … where the right option is the longest
    minutes: float  # the lesson quiz (the last lesson: the final quiz)
    final: bool
    right_options: int = 0  # options of single and select-all questions …
    right_reasons: int = 0  # … and those that give a reason (REASON)
    wrong_options: int = 0
    wrong_reasons: int = 0

    @property
    def application_share(self) -> float:
        return self.application / self.questions if self.questions else 0.0


def _length(option, languages: list[str]) -> float:
    return mean(len(option.text[lang].strip()) for lang in languages) if option.text else 0.0


def right_is_longest(q: Question, languages: list[str]) -> bool:
    """Single: the right option is longer than every wrong one. Select-all: every right
    option is longer than every wrong one. Lengths are the mean over the languages."""
    if q.type not in ("single", "multiple"):
        return False
    right = [_length(o, languages) for o in q.options if o.correct]
    wrong = [_length(o, languages) for o in q.options if not o.correct]
    return bool(right and wrong) and min(right) > max(wrong)


def gives_reason(option, languages: list[str]) -> bool:
    """The option's text carries a reason clause ("…, so …") in one of the languages."""
    return option.text is not None and any(
        re.search(REASON[lang], option.text[lang], re.IGNORECASE)
        for lang in languages
        if lang in REASON
    )


def bank_shape(bank: Bank, banks: dict[str, Bank], languages: list[str]) -> BankShape:
    qs = bank.questions
    tf = [q for q in qs if q.type == "true_false"]
    true_claims = sum(1 for q in tf if "true" in q.correct_ids)
    choice = [q for q in qs if q.type in ("single", "multiple")]
    if bank.final is not None:
        seconds = final_seconds(bank, banks, languages)
    else:
        seconds = quiz_seconds(qs, languages)
    options = [o for q in choice for o in q.options]
    right = [o for o in options if o.correct]
    wrong = [o for o in options if not o.correct]
    return BankShape(
        lesson=bank.lesson,
        questions=len(qs),
        application=sum(1 for q in qs if q.kind == "application"),
        true_claims=true_claims,
        false_claims=len(tf) - true_claims,
        choice=len(choice),
        right_longest=sum(1 for q in choice if right_is_longest(q, languages)),
        minutes=seconds / 60,
        final=bank.final is not None,
        right_options=len(right),
        right_reasons=sum(gives_reason(o, languages) for o in right),
        wrong_options=len(wrong),
        wrong_reasons=sum(gives_reason(o, languages) for o in wrong),
    )


def _question_problems(q: Question, name: str, languages: list[str]) -> list[Problem]:
    out: list[Problem] = []

    def error(field: str, message: str) -> None:
        out.append(Problem(name, q.id, field, message))

    def warn(field: str, message: str) -> None:
        out.append(Problem(name, q.id, field, message, "warning"))

    wrong = [o for o in q.options if not o.correct]
    if q.type == "multiple" and len(wrong) < MIN_WRONG_IN_SELECT_ALL:
        error(
            "options",
            f"select-all needs at least {MIN_WRONG_IN_SELECT_ALL} wrong options, found "
            f"{len(wrong)}: when all but one are right, ticking everything nearly wins",
        )
    if q.type == "spot":
        theirs = [o for o in q.options if o.sender == "them"]
        if theirs and all(o.correct for o in theirs):
            error(
                "options",
                "every message from them is a faresignal: add an ordinary one, so that "
                "ticking everything does not win",
            )
    for option in q.options:
        for lang in languages:
            if _words(option.feedback[lang]) < MIN_FEEDBACK_WORDS:
                error(
                    f"options.{option.id}.feedback",
                    f"too short to say why ({lang}): give a reason in a few words",
                )
                break
    for lang in languages:
        texts = [o.feedback[lang].strip().casefold() for o in q.options]
        if len(set(texts)) < len(texts):
            warn("options", f"two options share the same feedback ({lang}): say why for each")
            break
    if q.type in ("single", "multiple") and right_is_longest(q, languages):
        right = min(_length(o, languages) for o in q.options if o.correct)
        other = max(_length(o, languages) for o in wrong)
        if right > LONGEST_RATIO * other and right - other >= LONGEST_MIN_GAP:
            warn(
                "options",
                f"the right option is much longer than any other ({right:.0f} against "
                f"{other:.0f} characters): make the wrong ones as full, or the right one shorter",
            )
    return out


def _minutes_problem(shape: BankShape, name: str) -> Problem | None:
    low, high = MINUTES
    what = "the final quiz" if shape.final else "the quiz"
    if shape.minutes > high:
        advice = "fewer or shorter questions"
    elif shape.minutes < low:
        advice = "it checks little: add a question"
    else:
        return None
    field = "final.per_topic" if shape.final else "questions"
    return Problem(
        name,
        "-",
        field,
        f"{what} takes about {shape.minutes:.1f} minutes; aim for about 3 ({advice})",
        "warning",
    )


def _bank_problems(shape: BankShape, name: str) -> list[Problem]:
    out: list[Problem] = []

    def warn(field: str, message: str) -> None:
        out.append(Problem(name, "-", field, message, "warning"))

    if shape.choice >= LONGEST_MIN_QUESTIONS and shape.right_longest > LONGEST_SHARE * shape.choice:
        warn(
            "options",
            f"the right option is the longest in {shape.right_longest} of {shape.choice} "
            "choice questions: a guess of 'the longest' should not pay",
        )
    if abs(shape.true_claims - shape.false_claims) > TRUE_FALSE_GAP:
        warn(
            "type",
            f"true/false: {shape.true_claims} true and {shape.false_claims} false claims; "
            "about half should be true",
        )
    if shape.questions and shape.application_share < APPLICATION_SHARE:
        warn(
            "kind",
            f"{shape.application} of {shape.questions} questions apply the lesson to a new case "
            "(kind: application); aim for at least a third",
        )
    minutes = _minutes_problem(shape, name)
    if minutes is not None:
        out.append(minutes)
    return out


def _course_problems(shapes: list[BankShape], name: str) -> list[Problem]:
    out: list[Problem] = []

    def warn(field: str, message: str) -> None:
        out.append(Problem(name, "-", field, message, "warning"))

    choice = sum(s.choice for s in shapes)
    longest = sum(s.right_longest for s in shapes)
    if choice and longest > LONGEST_SHARE * choice:
        warn(
            "options",
            f"over all banks the right option is the longest in {longest} of {choice} "
            "choice questions",
        )
    true_claims = sum(s.true_claims for s in shapes)
    claims = true_claims + sum(s.false_claims for s in shapes)
    low, high = TRUE_SHARE
    if claims and not low <= true_claims / claims <= high:
        warn(
            "type",
            f"over all banks {true_claims} of {claims} true/false claims are true; "
            f"aim for {low:.0%} to {high:.0%}",
        )
    wrong = sum(s.wrong_options for s in shapes)
    right = sum(s.right_options for s in shapes)
    wrong_reasons = sum(s.wrong_reasons for s in shapes)
    right_reasons = sum(s.right_reasons for s in shapes)
    if (
        wrong >= REASON_MIN_WRONG
        and right
        and wrong_reasons / wrong - right_reasons / right > REASON_GAP
    ):
        warn(
            "options",
            f"over all banks {wrong_reasons} of {wrong} wrong options give a reason "
            f"('…, so …') against {right_reasons} of {right} right ones: an option that "
            "explains itself should not give away that it is wrong",
        )
    questions = sum(s.questions for s in shapes)
    application = sum(s.application for s in shapes)
    if questions and application / questions < APPLICATION_SHARE:
        warn(
            "kind",
            f"over all banks {application} of {questions} questions are applications; "
            "aim for at least a third",
        )
    return out


def problems(root: Path, banks: dict[str, Bank], languages: list[str]) -> list[Problem]:
    """The shape problems of valid banks (course order), errors and warnings."""
    found: list[Problem] = []
    shapes = []
    for lesson_id, bank in banks.items():
        name = display_path(bank_path(root, lesson_id))
        for q in bank.questions:
            found.extend(_question_problems(q, name, languages))
        shape = bank_shape(bank, banks, languages)
        shapes.append(shape)
        found.extend(_bank_problems(shape, name))
    found.extend(_course_problems(shapes, display_path(root / QUIZ_DIR)))
    return found


def main(argv: list[str] | None = None) -> int:
    """Print each bank's numbers: questions, applications, true/false, minutes."""
    from awareness.content.course import load_course
    from awareness.paths import content_root
    from awareness.quiz.model import load_banks

    root = content_root()
    languages = list(load_course(root).languages)
    banks = load_banks(root)
    print(f"{'bank':<24} {'items':>5} {'applied':>8} {'true/false':>10} {'longest':>8} {'min':>5}")
    for bank in banks.values():
        s = bank_shape(bank, banks, languages)
        label = f"{s.lesson}{' (final)' if s.final else ''}"
        print(
            f"{label:<24} {s.questions:>5} {s.application_share:>8.0%} "
            f"{f'{s.true_claims}/{s.false_claims}':>10} {f'{s.right_longest}/{s.choice}':>8} "
            f"{s.minutes:>5.1f}"
        )
    for problem in problems(root, banks, languages):
        print(problem)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
