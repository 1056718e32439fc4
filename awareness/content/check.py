"""`python -m awareness check`: every problem in every content file, one line each.

The checks run in a fixed order; each is a function ``(root, course) -> list[Problem]``
named in CHECKS. A check whose module cannot be imported is itself reported.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from awareness.content.course import course_problems
from awareness.content.models import Course
from awareness.content.notebooks import notebook_problems, read_notebook
from awareness.content.problems import Problem
from awareness.paths import display_path

__all__ = ["CHECKS", "check_all", "lesson_files"]

START_ID = "00-start"
# Folders in lessons/ that hold content, not a language's notebooks.
CONTENT_FOLDERS = {"scenarios"}

# module:function, run in this order after course.yaml itself.
CHECKS = [
    "awareness.content.check:lesson_files",
    "awareness.checklist:problems",
    "awareness.conversation.model:problems",
    "awareness.quiz.model:problems",
    "awareness.content.coverage:problems",
    "awareness.content.notes:problems",
    "awareness.slides.words:problems",
]


def lesson_files(root: Path, course: Course) -> list[Problem]:
    """Every lesson (and the start page) has a notebook in every language, with the
    sections course.yaml lists, in order; every notebook belongs to a lesson, can be
    read, and holds nothing that would run in a student's kernel or browser beyond the
    course's one-line calls (awareness/content/notebooks.py)."""
    problems = []
    known = {START_ID, *(lesson.id for lesson in course.lessons)}
    folders = (root / "lessons").glob("*")
    for folder in sorted(p for p in folders if p.is_dir() and p.name not in CONTENT_FOLDERS):
        if folder.name not in course.languages:
            problems.append(
                Problem(
                    display_path(folder),
                    "-",
                    "-",
                    f"unknown language folder {folder.name!r} (the course has: "
                    f"{', '.join(course.languages)})",
                )
            )
            continue
        for nb in sorted(folder.glob("*.ipynb")):
            problems.extend(notebook_problems(nb))
            if nb.stem not in known:
                problems.append(
                    Problem(
                        display_path(nb),
                        nb.stem,
                        "-",
                        "unknown lesson id (not in course.yaml's lessons)",
                    )
                )
    for lang in course.languages:
        for lesson_id in [START_ID, *(lesson.id for lesson in course.lessons)]:
            path = root / "lessons" / lang / f"{lesson_id}.ipynb"
            notebook = read_notebook(path)[0] if path.is_file() else None
            if notebook is not None and lesson_id != START_ID:
                sections = [
                    cell["metadata"]["awareness"]["section"]
                    for cell in notebook["cells"]
                    if isinstance((cell.get("metadata") or {}).get("awareness"), dict)
                    and isinstance(cell["metadata"]["awareness"].get("section"), str)
                ]
                wanted = course.lesson(lesson_id).section_ids
                if sections != wanted:
                    problems.append(
                        Problem(
                            display_path(path),
                            lesson_id,
                            "sections",
                            f"the notebook's sections are {', '.join(sections) or 'none'}; "
                            f"course.yaml lists {', '.join(wanted)}",
                        )
                    )
            if not path.is_file():
                problems.append(
                    Problem(
                        display_path(path), lesson_id, "-", f"no notebook in {lang!r}"
                    )
                )
    return problems


def check_all(root: Path) -> tuple[Course | None, list[Problem]]:
    """Run every check; returns the course (when it loads) and all problems found."""
    course, problems = course_problems(root)
    if course is None:
        return None, problems
    for spec in CHECKS:
        module_name, func_name = spec.split(":")
        try:
            func = getattr(importlib.import_module(module_name), func_name)
        except (ImportError, AttributeError) as exc:
            problems.append(Problem(module_name, "-", "-", f"check not available: {exc}"))
            continue
        try:
            problems.extend(func(root, course))
        except RecursionError:
            problems.append(Problem(module_name, "-", "-", "content nested too deeply to check"))
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            first = (str(exc).splitlines() or [""])[0][:200]
            problems.append(
                Problem(module_name, "-", "-", f"the check failed: {type(exc).__name__}: {first}")
            )
    return course, problems
