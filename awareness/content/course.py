"""Loading course.yaml, once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from awareness.content.load import read_yaml, validate
from awareness.content.models import Course
from awareness.content.problems import ContentError, Problem
from awareness.paths import content_root

__all__ = ["COURSE_FILE", "course_problems", "load_course"]

COURSE_FILE = "course.yaml"


def course_problems(root: Path) -> tuple[Course | None, list[Problem]]:
    """Read and validate course.yaml under root; the languages it lists are the context."""
    path = root / COURSE_FILE
    data, problems = read_yaml(path)
    if problems:
        return None, problems
    languages = data.get("languages")
    if not (isinstance(languages, list) and all(isinstance(x, str) for x in languages)):
        languages = None
    return validate(Course, data, path, languages)


@lru_cache(maxsize=4)
def _load(root: Path) -> Course:
    course, problems = course_problems(root)
    if problems:
        raise ContentError(problems)
    return course


def load_course(root: Path | None = None) -> Course:
    """The course, validated; raises ContentError listing every problem."""
    return _load((root or content_root()).resolve())
