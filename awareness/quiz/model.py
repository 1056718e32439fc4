"""Quiz question banks: ``quizzes/<lesson-id>.yaml`` -> validated models.

One bank per lesson in course.yaml, plus ``quizzes/ui.yaml`` with the quiz's own words.
Pydantic checks the shape (fields, types, every translation); the rules pydantic cannot
express (one correct answer in single choice, unique steps, known lesson sections, ids
unique across all banks) are checked here and reported as one-line ``Problem``s naming
the file, the question id and the field.

Bank schema (brief)::

    lesson: 03-if-it-happens        # must equal the file name and be a lesson id
    final:                          # only in 05-summary: the final quiz
      draw_from: all                # or a list of lesson ids
      always: [how-to-report]       # this bank's questions in every final quiz (optional)
      per_topic: {what-to-do: 3, warning-signs: 2, prevention: 2, basics: 1}  # drawn besides
    questions:
      - id: dont-pay-myth           # unique across ALL banks
        type: true_false            # single | multiple | true_false | order | spot
        topic: what-to-do           # warning-signs | what-to-do | prevention | basics
        kind: application           # recall (default) | application: a new case to apply it to
        sensitive: true             # blame or feelings: an anonymous poll in class, never an
                                    # answer slide; the pupil alone still gets the feedback
        points: ["10"]              # guide points "1".."19" this question checks
        revisit: 03-if-it-happens#dont-pay
        prompt: {nb: ..., en: ...}
        people: {them: {nb: Emma, en: Emma}, me: {nb: Jonas, en: Jonas}}   # spot only
        options:
          - id: "false"             # true_false: ids "true" and "false", no text needed
            correct: true           # not used in `order`: list the steps in the right order
            sender: them            # spot only: who wrote the message (them | me)
            text: {nb: ..., en: ...}
            feedback: {nb: ..., en: ...}
"""

from __future__ import annotations

import contextlib
import string
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator

from awareness.content.course import load_course
from awareness.content.load import read_yaml
from awareness.content.models import Course, LessonId, Strict, Text
from awareness.content.problems import ContentError, Problem
from awareness.paths import content_root, display_path

__all__ = [
    "GUIDE_POINTS",
    "KINDS",
    "QUESTION_TYPES",
    "TOPICS",
    "UI_FILE",
    "UI_KEYS",
    "Bank",
    "FinalSettings",
    "Option",
    "Question",
    "QuizUi",
    "all_questions",
    "bank_path",
    "bank_problems",
    "load_bank",
    "load_banks",
    "load_ui",
    "problems",
    "question_problems",
    "questions_by_point",
]

QUIZ_DIR = "quizzes"
UI_FILE = "ui.yaml"
# Files in quizzes/ that are not question banks.
NOT_BANKS = {UI_FILE, "coverage.yaml"}

GUIDE_POINTS: tuple[str, ...] = tuple(str(n) for n in range(1, 20))
QUESTION_TYPES = ("single", "multiple", "true_false", "order", "spot")
TOPICS = ("warning-signs", "what-to-do", "prevention", "basics")
QuestionType = Literal["single", "multiple", "true_false", "order", "spot"]
KINDS = ("recall", "application")
Kind = Literal["recall", "application"]
Topic = Literal["warning-signs", "what-to-do", "prevention", "basics"]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+([-_][a-z0-9]+)*$")]
SectionRef = Annotated[str, Field(pattern=r"^\d\d-[a-z0-9-]+#[a-z0-9-]+$")]


# Every word the quiz widget and the slide renderer use; ``{name}`` placeholders are filled in.
UI_KEYS: dict[str, tuple[str, ...]] = {
    "check": (),
    "try_again": (),
    "next": (),
    "finish": (),
    "show_answer": (),
    "restart": (),
    "progress": ("n", "total"),
    "correct": (),
    "partly": (),
    "wrong": (),
    "right_of": ("right", "total"),
    "steps_right": ("right", "total"),
    "wrong_picks": ("count",),
    "choose_one": (),
    "choose_all": (),
    "choose_spot": (),
    "choose_order": (),
    "nothing_chosen": (),
    "true": (),
    "false": (),
    "move_up": ("step",),
    "move_down": ("step",),
    "up": (),
    "down": (),
    "position": ("n",),
    "answer": (),
    "correct_order": (),
    "warning_sign": (),
    "no_warning_sign": (),
    "right_answer": (),
    "not_right": (),
    "summary_heading": (),
    "summary_kind": (),
    "score": ("right", "total"),
    "topic_score": ("right", "total"),
    "all_right": (),
    "revisit": (),
    "error": (),
    "topic_warning-signs": (),
    "topic_what-to-do": (),
    "topic_prevention": (),
    "topic_basics": (),
    "empty_quiz": (),
    "key_final_note": (),
    "key_poll": (),
    "poll": (),
    "poll_notes": (),
}
_POINT_WORDS = ", ".join(GUIDE_POINTS[:3]) + " … " + GUIDE_POINTS[-1]


class Option(Strict):
    """One answer option, chat message (spot) or step (order), with its feedback."""

    id: Slug
    text: Text | None = None
    correct: bool | None = None
    sender: Literal["them", "me"] | None = None
    feedback: Text


class People(Strict):
    """The two people in a spot-the-warning-sign chat excerpt (fictional names)."""

    them: Text
    me: Text


class Question(Strict):
    """One quiz question. Which rules apply depends on ``type``."""

    id: Slug
    type: QuestionType
    topic: Topic
    # recall: the lesson's own words and cases; application: a new case ("Sara gets …
    # what should she do first?"). The shape checks want at least a third applications.
    kind: Kind = "recall"
    # A question about blame or feelings: in class an anonymous poll, never an answer slide.
    sensitive: bool = False
    points: list[str]  # may be empty: help-seeking questions check no numbered point
    revisit: SectionRef
    prompt: Text
    people: People | None = None
    options: list[Option]

    @field_validator("points", mode="before")
    @classmethod
    def _point_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value

    @field_validator("points")
    @classmethod
    def _known_points(cls, value: list[str]) -> list[str]:
        unknown = [p for p in value if p not in GUIDE_POINTS]
        if unknown:
            raise ValueError(
                f"unknown guide point {', '.join(map(repr, unknown))} "
                f"(the guide has points {_POINT_WORDS})"
            )
        if len(set(value)) != len(value):
            raise ValueError("a guide point is listed twice")
        return value

    @property
    def lesson(self) -> str:
        """The lesson id part of ``revisit``."""
        return self.revisit.split("#", 1)[0]

    @property
    def section(self) -> str:
        """The section id part of ``revisit``."""
        return self.revisit.split("#", 1)[1]

    def option(self, option_id: str) -> Option:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(f"question {self.id!r} has no option {option_id!r}")

    @property
    def correct_ids(self) -> list[str]:
        """The correct option ids; for ``order`` the steps in the right order."""
        if self.type == "order":
            return [o.id for o in self.options]
        return [o.id for o in self.options if o.correct]


class FinalSettings(Strict):
    """How the final quiz (lesson 05) draws questions from the banks.

    ``always``: ids of the last bank's own questions that are in every final quiz (what
    only lesson 05 teaches would otherwise be seen by chance); ``per_topic``: how many
    more to draw per topic from the other questions of the ``draw_from`` banks.
    """

    draw_from: Literal["all"] | list[LessonId] = "all"
    always: list[str] = []
    per_topic: dict[Topic, int]

    @field_validator("per_topic")
    @classmethod
    def _positive(cls, value: dict[str, int]) -> dict[str, int]:
        bad = [topic for topic, n in value.items() if n < 1]
        if bad:
            raise ValueError(f"count must be at least 1 for {', '.join(bad)}")
        return value


class Bank(Strict):
    """One lesson's question bank."""

    lesson: LessonId
    final: FinalSettings | None = None
    questions: list[Question]

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(f"bank {self.lesson!r} has no question {question_id!r}")


class QuizUi(Strict):
    """quizzes/ui.yaml: the quiz's words (section titles are in course.yaml)."""

    words: dict[str, Text]

    def t(self, key: str, lang: str, **values: Any) -> str:
        """A word in a language, with ``{name}`` placeholders filled in."""
        text = self.words[key][lang]
        return text.format(**values) if values else text


# --------------------------------------------------------------------------- problems


def bank_path(root: Path, lesson_id: str) -> Path:
    return root / QUIZ_DIR / f"{lesson_id}.yaml"


def _error_problem(name: str, data: Any, err: dict[str, Any]) -> Problem:
    """A pydantic error as a Problem: item = question id, field = path with option ids."""
    loc = tuple(err["loc"])
    item = "-"
    node: Any = data
    rest = loc
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        try:
            node = data["questions"][loc[1]]
        except (KeyError, IndexError, TypeError):
            node = None
        qid = node.get("id") if isinstance(node, dict) else None
        item = qid if isinstance(qid, str) and qid else f"question {loc[1] + 1}"
        rest = loc[2:]
    parts: list[str] = []
    for i, part in enumerate(rest):
        try:
            child = node[part]
        except (KeyError, IndexError, TypeError):
            parts.extend(str(p) for p in rest[i:])
            break
        if isinstance(part, int) and isinstance(child, dict) and child.get("id") is not None:
            parts.append(str(child["id"]))
        else:
            parts.append(str(part))
        node = child
    message = err["msg"]
    last = parts[-1] if parts else ""
    if err["type"] == "extra_forbidden":
        message = "unknown field (check the spelling)"
    elif err["type"] == "missing":
        message = "missing field"
    elif err["type"] == "literal_error" and last == "type":
        message = f"unknown question type (use one of: {', '.join(QUESTION_TYPES)})"
    elif err["type"] == "literal_error" and last == "topic":
        message = f"unknown topic (use one of: {', '.join(TOPICS)})"
    elif err["type"] == "literal_error" and last == "kind":
        message = f"unknown kind (use one of: {', '.join(KINDS)})"
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return Problem(name, item, ".".join(parts) or "-", message)


def _validate(model: type, data: Any, name: str, languages: list[str]):
    try:
        return model.model_validate(data, context={"languages": languages}), []
    except ValidationError as exc:
        return None, [_error_problem(name, data, e) for e in exc.errors(include_url=False)]


def _texts(option: Option) -> dict[str, str]:
    return option.text.root if option.text is not None else {}


def question_problems(
    q: Question, name: str, languages: list[str], section_refs: list[str] | None = None
) -> list[Problem]:
    """The rules of each question type, as one-line problems.

    ``section_refs`` are the course's lesson sections (course.yaml); ``revisit`` must be one.
    """
    out: list[Problem] = []

    def bad(field: str, message: str) -> None:
        out.append(Problem(name, q.id, field, message))

    if section_refs is not None and q.revisit not in section_refs:
        known = ", ".join(r.split("#")[1] for r in section_refs if r.startswith(f"{q.lesson}#"))
        known = known or "see course.yaml"
        bad("revisit", f"unknown lesson section {q.revisit!r} (known: {known})")
    opts = q.options
    if not opts:
        bad("options", "the question has no options")
        return out
    ids = [o.id for o in opts]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        bad(f"options.{dup}", "option id used twice in this question")
    correct = [o.id for o in opts if o.correct]

    for o in opts:
        if q.type != "true_false" and o.text is None:
            bad(f"options.{o.id}.text", "missing field")
        if q.type == "order" and o.correct is not None:
            bad(f"options.{o.id}.correct", "order questions take no `correct`: list the steps "
                "in the right order")
        if q.type != "order" and o.correct is None:
            bad(f"options.{o.id}.correct", "missing field (true or false)")
        if q.type == "spot" and o.sender is None:
            bad(f"options.{o.id}.sender", "missing field (them or me)")
        if q.type != "spot" and o.sender is not None:
            bad(f"options.{o.id}.sender", "only spot questions have a sender")
    if q.type == "spot" and q.people is None:
        bad("people", "missing field (the names of them and me in the chat)")
    if q.type != "spot" and q.people is not None:
        bad("people", "only spot questions have people")

    if q.type == "single":
        if len(opts) < 2:
            bad("options", "single choice needs at least 2 options")
        if len(correct) != 1:
            found = f"{len(correct)} ({', '.join(correct)})" if correct else "none"
            bad("options", f"single choice needs exactly one correct option, found {found}")
    elif q.type == "multiple":
        if len(opts) < 2:
            bad("options", "select-all needs at least 2 options")
        if not correct:
            bad("options", "select-all needs at least one correct option, found none")
    elif q.type == "true_false":
        if sorted(ids) != ["false", "true"]:
            bad("options", 'true/false needs exactly two options with ids "true" and "false"')
        elif len(correct) != 1:
            bad("options", "true/false needs exactly one correct option")
    elif q.type == "order":
        if len(opts) < 3:
            bad("options", "an order question needs at least 3 steps")
        for lang in languages:
            texts = [_texts(o).get(lang, "").strip().casefold() for o in opts]
            dupes = sorted({t for t in texts if t and texts.count(t) > 1})
            if dupes:
                bad("options", f"the same step appears twice ({lang}): {dupes[0]!r}")
    elif q.type == "spot":
        if not 3 <= len(opts) <= 6:
            bad("options", f"a chat excerpt has 3 to 6 messages, found {len(opts)}")
        if not correct:
            bad("options", "mark at least one message as a warning sign (correct: true)")
    return out


def bank_problems(
    path: Path, course: Course, lesson_id: str
) -> tuple[Bank | None, list[Problem]]:
    """Read and check one bank. Returns the bank only when it has no problems."""
    name = display_path(path)
    languages = list(course.languages)
    data, found = read_yaml(path)
    if found:
        return None, found
    bank, found = _validate(Bank, data, name, languages)
    questions: list[Question] = []
    if bank is not None:
        questions = list(bank.questions)
    else:
        # Check the rules of every question that has the right shape, so that all
        # problems are reported at once.
        raw = data.get("questions")
        for item in raw if isinstance(raw, list) else []:
            with contextlib.suppress(ValidationError):
                questions.append(
                    Question.model_validate(item, context={"languages": languages})
                )
    if data.get("lesson") != lesson_id:
        found.append(
            Problem(name, "-", "lesson", f"must be {lesson_id!r}, the same as the file name")
        )
    for q in questions:
        found.extend(question_problems(q, name, languages, course.section_refs()))
        if q.lesson not in {lesson.id for lesson in course.lessons}:
            found.append(Problem(name, q.id, "revisit", f"no lesson {q.lesson!r} in course.yaml"))
    ids = [q.id for q in questions]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        found.append(Problem(name, dup, "id", "question id used twice in this bank"))
    if bank is not None and not bank.questions and bank.final is None:
        found.append(Problem(name, "-", "questions", "the bank has no questions"))
    if bank is not None and bank.final is not None and lesson_id != course.lessons[-1].id:
        found.append(Problem(name, "-", "final", "only the last lesson's bank has a final quiz"))
    return (bank if not found else None), found


def _ui_problems(root: Path, course: Course) -> tuple[QuizUi | None, list[Problem]]:
    path = root / QUIZ_DIR / UI_FILE
    name = display_path(path)
    data, found = read_yaml(path)
    if found:
        return None, found
    ui, found = _validate(QuizUi, data, name, list(course.languages))
    if ui is None:
        return None, found
    for key, names in UI_KEYS.items():
        if key not in ui.words:
            found.append(Problem(name, key, "words", "missing word"))
            continue
        for lang, text in ui.words[key].root.items():
            used = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            if used != set(names):
                want = ", ".join("{" + n + "}" for n in names) or "no placeholders"
                found.append(Problem(name, key, f"words.{lang}", f"must use {want}"))
    for key in ui.words:
        if key not in UI_KEYS:
            found.append(Problem(name, key, "words", "unknown word (not used by the quiz)"))
    return (ui if not found else None), found


def _cross_problems(root: Path, course: Course, banks: dict[str, Bank | None]) -> list[Problem]:
    """Rules across banks: ids unique everywhere, the final quiz can be drawn."""
    found: list[Problem] = []
    seen: dict[str, str] = {}
    for lesson_id, bank in banks.items():
        if bank is None:
            continue
        name = display_path(bank_path(root, lesson_id))
        for q in bank.questions:
            if q.id in seen and seen[q.id] != lesson_id:
                found.append(
                    Problem(name, q.id, "id", f"question id already used in {seen[q.id]}.yaml")
                )
            seen.setdefault(q.id, lesson_id)
        if bank.final is not None:
            own = {q.id for q in bank.questions}
            for qid in bank.final.always:
                if qid not in own:
                    found.append(
                        Problem(name, "-", "final.always", f"no question {qid!r} in this bank")
                    )
            lessons = [x.id for x in course.lessons]
            draw = lessons if bank.final.draw_from == "all" else bank.final.draw_from
            for lid in draw:
                if lid not in lessons:
                    found.append(Problem(name, "-", "final.draw_from", f"unknown lesson {lid!r}"))
            pool = [q for lid in draw for q in (banks.get(lid).questions if banks.get(lid) else [])]
            pool = [q for q in pool if q.id not in bank.final.always]
            for topic, count in bank.final.per_topic.items():
                have = sum(1 for q in pool if q.topic == topic)
                if have < count and all(banks.get(lid) for lid in draw if lid in lessons):
                    found.append(
                        Problem(
                            name,
                            "-",
                            f"final.per_topic.{topic}",
                            f"asks for {count} questions but the banks have {have}",
                        )
                    )
    return found


def _coverage_problems(root: Path, banks: dict[str, Bank | None]) -> list[Problem]:
    if not banks or any(b is None for b in banks.values()):
        return []
    covered = questions_by_point(b for b in banks.values() if b is not None)
    name = display_path(root / QUIZ_DIR)
    return [
        Problem(name, point, "points", f"guide point {point} is checked by no question")
        for point in GUIDE_POINTS
        if not covered[point]
    ]


def _scan(root: Path, course: Course) -> tuple[dict[str, Bank | None], list[Problem]]:
    found: list[Problem] = []
    banks: dict[str, Bank | None] = {}
    lessons = [lesson.id for lesson in course.lessons]
    for lesson_id in lessons:
        bank, bank_found = bank_problems(bank_path(root, lesson_id), course, lesson_id)
        banks[lesson_id] = bank
        found.extend(bank_found)
    folder = root / QUIZ_DIR
    if folder.is_dir():
        for path in sorted(folder.glob("*.y*ml")):
            if path.name not in NOT_BANKS and path.stem not in lessons:
                found.append(
                    Problem(
                        display_path(path),
                        "-",
                        "-",
                        "no lesson with this id in course.yaml (a bank is named <lesson-id>.yaml)",
                    )
                )
    found.extend(_cross_problems(root, course, banks))
    return banks, found


def problems(root: Path, course: Course) -> list[Problem]:
    """Every problem in quizzes/ (banks, ui.yaml, cross-bank rules, guide point coverage,
    and the quiz-shape errors and warnings of ``awareness.quiz.shape``)."""
    from awareness.quiz import shape

    banks, found = _scan(root, course)
    found.extend(_ui_problems(root, course)[1])
    found.extend(_coverage_problems(root, banks))
    valid = {lesson_id: bank for lesson_id, bank in banks.items() if bank is not None}
    found.extend(shape.problems(root, valid, list(course.languages)))
    return found


# --------------------------------------------------------------------------- loading


@lru_cache(maxsize=8)
def _load_banks(root: Path) -> dict[str, Bank]:
    course = load_course(root)
    banks, found = _scan(root, course)
    if found:
        raise ContentError(found)
    return {k: v for k, v in banks.items() if v is not None}


@lru_cache(maxsize=32)
def _load_bank(root: Path, lesson_id: str) -> Bank:
    course = load_course(root)
    if lesson_id not in {lesson.id for lesson in course.lessons}:
        raise ContentError([Problem("course.yaml", lesson_id, "lessons", "no such lesson")])
    bank, found = bank_problems(bank_path(root, lesson_id), course, lesson_id)
    if found:
        raise ContentError(found)
    return bank


@lru_cache(maxsize=8)
def _load_ui(root: Path) -> QuizUi:
    ui, found = _ui_problems(root, load_course(root))
    if found:
        raise ContentError(found)
    return ui


def load_bank(lesson_id: str, root: Path | None = None) -> Bank:
    """One lesson's bank, validated (cached); raises ContentError with every problem."""
    return _load_bank((root or content_root()).resolve(), lesson_id)


def load_banks(root: Path | None = None) -> dict[str, Bank]:
    """Every lesson's bank in course order (cached); raises ContentError with every problem."""
    return _load_banks((root or content_root()).resolve())


def load_ui(root: Path | None = None) -> QuizUi:
    """quizzes/ui.yaml (cached); raises ContentError with every problem."""
    return _load_ui((root or content_root()).resolve())


def all_questions(banks: Iterable[Bank] | dict[str, Bank]) -> list[Question]:
    """Every question of the banks, in bank order."""
    if isinstance(banks, dict):
        banks = banks.values()
    return [q for bank in banks for q in bank.questions]


def questions_by_point(banks: Iterable[Bank] | dict[str, Bank]) -> dict[str, list[str]]:
    """Guide point ("1".."19") -> ids of the questions that check it (every point a key)."""
    result: dict[str, list[str]] = {point: [] for point in GUIDE_POINTS}
    for q in all_questions(banks):
        for point in q.points:
            result[point].append(q.id)
    return result

