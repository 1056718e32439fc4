"""One problem in a content file, printed as ``file: id: field: what is wrong``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ContentError", "Problem"]


@dataclass(frozen=True, order=True)
class Problem:
    """A single thing wrong with a content file.

    ``item`` is the id of the nearest thing with an id (a question, a node, a lesson),
    ``-`` when the problem is about the file as a whole. ``field`` is the dotted path
    inside that item, ``-`` when there is none.

    ``severity`` is ``error`` (the content cannot be used: `make check` fails, the app
    does not start) or ``warning`` (a tendency for the author to judge, such as a quiz
    whose right answers are mostly the longest: printed with ``warning:`` before the
    message, and `make check` still passes).
    """

    file: str
    item: str
    field: str
    message: str
    severity: Literal["error", "warning"] = "error"

    @property
    def is_error(self) -> bool:
        return self.severity != "warning"

    def __str__(self) -> str:
        tag = "warning: " if self.severity == "warning" else ""
        return f"{self.file}: {self.item}: {self.field}: {tag}{self.message}"


class ContentError(Exception):
    """Raised when content cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
