"""One problem in a content file, printed as ``file: id: field: what is wrong``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ContentError", "Problem"]


@dataclass(frozen=True, order=True)
class Problem:
    """A single thing wrong with a content file.

    ``item`` is the id of the nearest thing with an id (a question, a node, a lesson),
    ``-`` when the problem is about the file as a whole. ``field`` is the dotted path
    inside that item, ``-`` when there is none.
    """

    file: str
    item: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.field}: {self.message}"


class ContentError(Exception):
    """Raised when content cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
