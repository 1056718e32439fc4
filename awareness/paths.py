"""Where the course's files are."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PACKAGE", "content_root", "display_path"]

PACKAGE = Path(__file__).resolve().parent


def content_root() -> Path:
    """The folder that holds course.yaml, lessons/, quizzes/ and facilitator_notes/.

    ``AWARENESS_ROOT`` wins; then the nearest folder above the working directory that
    has a course.yaml (a lesson's kernel runs in lessons/<lang>/); then the checkout
    the package lives in.
    """
    env = os.environ.get("AWARENESS_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "course.yaml").is_file():
            return folder
    return PACKAGE.parent


def display_path(path: Path) -> str:
    """A path as a teacher would type it: relative to the content root when inside it."""
    path = Path(path)
    try:
        return path.resolve().relative_to(content_root()).as_posix()
    except ValueError:
        return str(path)
