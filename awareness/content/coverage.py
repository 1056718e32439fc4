"""quizzes/coverage.yaml: each of the guide's 19 points -> the lesson sections that teach it.

The questions that check a point come from the quiz banks' ``points`` (the quiz check
reports a point no question checks); this check reports a point no lesson section
teaches, a section that does not exist in a language's notebook, and points that are
missing, unknown or listed twice.

``beyond`` lists what the course teaches beyond the source's 19 points (CONTENT_GUIDE.md,
"How it happens today", "Safe for minors", "How it speaks" and the help lines): each
entry names the sections that teach it and the quiz questions that check it; a question
or a section that does not exist is reported.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator

from awareness.content.load import load_model
from awareness.content.models import Course, Slug, Strict, Text
from awareness.content.problems import Problem
from awareness.paths import display_path

__all__ = ["GUIDE_POINTS", "Coverage", "Point", "BeyondTopic", "notebook_sections", "problems"]

GUIDE_POINTS = [str(n) for n in range(1, 20)]
COVERAGE_FILE = Path("quizzes") / "coverage.yaml"


def _section_refs(value: list[str]) -> list[str]:
    bad = [v for v in value if v.count("#") != 1]
    if bad:
        raise ValueError(f"not a lesson section '<lesson-id>#<section-id>': {', '.join(bad)}")
    return value


class Point(Strict):
    id: str
    summary: Text
    lessons: list[str] = Field(min_length=1)

    _sections = field_validator("lessons")(_section_refs)


class BeyondTopic(Strict):
    """A topic beyond the source: where it is taught and which questions check it."""

    id: Slug
    summary: Text
    lessons: list[str] = Field(min_length=1)
    questions: list[Slug] = Field(min_length=1)

    _sections = field_validator("lessons")(_section_refs)


class Coverage(Strict):
    points: list[Point]
    beyond: list[BeyondTopic] = []


@lru_cache(maxsize=64)
def _sections_cached(path: str, mtime_ns: int) -> tuple[str, ...]:
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(
        cell.get("metadata", {}).get("awareness", {}).get("section")
        for cell in nb.get("cells", [])
        if cell.get("metadata", {}).get("awareness", {}).get("section")
    )


def notebook_sections(path: Path) -> tuple[str, ...] | None:
    """The section ids of a lesson notebook, in order; None when it cannot be read."""
    try:
        return _sections_cached(str(path), path.stat().st_mtime_ns)
    except (OSError, ValueError):
        return None


def problems(root: Path, course: Course) -> list[Problem]:
    path = root / COVERAGE_FILE
    coverage, found = load_model(Coverage, path, course.languages)
    if coverage is None:
        return found
    name = display_path(path)
    ids = [p.id for p in coverage.points]
    for point in GUIDE_POINTS:
        if point not in ids:
            found.append(Problem(name, point, "-", "guide point is missing from the map"))
    for point in coverage.points:
        if point.id not in GUIDE_POINTS:
            found.append(Problem(name, point.id, "id", "unknown guide point (use 1 to 19)"))
        if ids.count(point.id) > 1:
            found.append(Problem(name, point.id, "id", "guide point listed twice"))
        found.extend(_section_problems(root, course, name, point.id, point.lessons))
    beyond_ids = [topic.id for topic in coverage.beyond]
    questions = _question_ids(root)
    for topic in coverage.beyond:
        if beyond_ids.count(topic.id) > 1:
            found.append(Problem(name, topic.id, "id", "topic listed twice in beyond"))
        found.extend(_section_problems(root, course, name, topic.id, topic.lessons))
        for qid in topic.questions if questions is not None else []:
            if qid not in questions:
                found.append(
                    Problem(name, topic.id, "questions", f"no quiz question {qid!r} in the banks")
                )
    return found


def _section_problems(
    root: Path, course: Course, name: str, item: str, refs: list[str]
) -> list[Problem]:
    found = []
    lesson_ids = {lesson.id for lesson in course.lessons}
    for ref in refs:
        lesson_id, section = ref.split("#")
        if lesson_id not in lesson_ids:
            found.append(Problem(name, item, "lessons", f"unknown lesson id {lesson_id!r}"))
            continue
        for lang in course.languages:
            sections = notebook_sections(root / "lessons" / lang / f"{lesson_id}.ipynb")
            if sections is not None and section not in sections:
                found.append(
                    Problem(
                        name,
                        item,
                        "lessons",
                        f"no section {section!r} in lessons/{lang}/{lesson_id}.ipynb",
                    )
                )
    return found


def _question_ids(root: Path) -> set[str] | None:
    """Every quiz question id; None when a bank has problems (the quiz check reports them)."""
    from awareness.content.problems import ContentError
    from awareness.quiz.model import all_questions, load_banks

    try:
        return {q.id for q in all_questions(load_banks(root))}
    except ContentError:
        return None
