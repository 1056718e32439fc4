"""Lesson notebooks as the app runs them: readable, and unable to run anything of their own.

Every student's kernel runs a lesson's code cells and every student's browser shows its
markdown, so a notebook may only hold:

- code cells that are one line each, either ``from awareness import show_…`` (names from
  ``awareness.__all__``) or one call of such a name with plain values as arguments
  (``show_quiz("02-the-conversation", "nb")``);
- markdown without raw ``<script>``, ``<iframe>`` (or frame, object, embed, base, meta,
  form), inline event handlers (``onerror=…``) or ``javascript:`` links;
- no raw cells (nbconvert would put their HTML on the page) and no outputs.

Reading a notebook gives one line per problem, never a traceback: bad UTF-8, bad JSON
(with its line and column), nesting too deep, or the wrong shape.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import awareness
from awareness.content.load import read_utf8
from awareness.content.problems import Problem
from awareness.paths import display_path

__all__ = ["LESSON_CALLS", "MAX_DEPTH", "notebook_problems", "read_notebook"]

LESSON_CALLS = frozenset(awareness.__all__)
MAX_DEPTH = 64  # nesting a notebook or content file may have (the course needs about 8)

# Raw HTML that would run or load something in every student's browser.
MARKDOWN_RULES = [
    (re.compile(r"<\s*script\b", re.I), "raw <script> in markdown"),
    (
        re.compile(r"<\s*(i?frame|object|embed|base|meta|form)\b", re.I),
        "raw <{tag}> in markdown",
    ),
    (
        re.compile(r"<[a-z][^>]*?[\s/\"']on[a-z]+\s*=", re.I | re.S),
        "an inline event handler (on…=) in markdown",
    ),
    (
        re.compile(r"(?:\]\(\s*<?|=\s*[\"']?\s*)(?:java|vb)script\s*:", re.I),
        "a javascript: link in markdown",
    ),
]


def depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply lists and mappings nest (counted without recursion, up to limit + 1)."""
    deepest = 0
    todo = [(value, 1)]
    while todo:
        node, level = todo.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        todo.extend((child, level + 1) for child in children)
    return deepest


def read_notebook(path: Path) -> tuple[dict | None, list[Problem]]:
    """A notebook's JSON, or one problem saying why it cannot be read."""
    name = display_path(path)

    def fail(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(name, "-", "-", message)]

    text, why = read_utf8(path)
    if text is None:
        return fail(why)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return fail(
            f"not a notebook: invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})"
        )
    except RecursionError:
        return fail(f"not a notebook: nested more than {MAX_DEPTH} levels deep")
    if depth(data) > MAX_DEPTH:
        return fail(f"not a notebook: nested more than {MAX_DEPTH} levels deep")
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return fail("not a notebook: no list of cells")
    for i, cell in enumerate(data["cells"], 1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            return fail(f"not a notebook: cell {i} is not a cell")
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            cell["source"] = "".join(source)
        elif not isinstance(source, str):
            return fail(f"not a notebook: cell {i}'s source is not text")
        if not isinstance(cell.get("metadata", {}), dict):
            return fail(f"not a notebook: cell {i}'s metadata is not a mapping")
    return data, []


def _plain(node: ast.AST) -> bool:
    """A plain value: text, a number, True/False/None (no names, no expressions)."""
    return isinstance(node, ast.Constant) and isinstance(
        node.value, str | int | float | bool | type(None)
    )


def allowed_line(source: str) -> bool:
    """Whether a code cell is one of the course's one-line lesson calls."""
    text = source.strip()
    if not text or "\n" in text or ";" in text:
        return False
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    if len(tree.body) != 1:
        return False
    statement = tree.body[0]
    if isinstance(statement, ast.ImportFrom):
        return (
            statement.module == "awareness"
            and statement.level == 0
            and all(a.name in LESSON_CALLS and a.asname is None for a in statement.names)
        )
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        return (
            isinstance(call.func, ast.Name)
            and call.func.id in LESSON_CALLS
            and all(_plain(a) for a in call.args)
            and all(k.arg is not None and _plain(k.value) for k in call.keywords)
        )
    return False


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


def notebook_problems(path: Path) -> list[Problem]:
    """Every problem of one lesson notebook that would reach a student's kernel or page."""
    notebook, problems = read_notebook(path)
    if notebook is None:
        return problems
    name = display_path(path)
    calls = ", ".join(sorted(LESSON_CALLS))
    for i, cell in enumerate(notebook["cells"], 1):
        where = f"cell {i}"
        kind = cell["cell_type"]
        source = cell["source"]
        if kind == "code":
            if not allowed_line(source):
                problems.append(
                    Problem(
                        name,
                        where,
                        "source",
                        f"a code cell may only be one line: 'from awareness import …' or one "
                        f"call of {calls} with plain values; found {_snippet(source)}",
                    )
                )
            if cell.get("outputs"):
                problems.append(
                    Problem(name, where, "outputs", "commit notebooks without outputs")
                )
        elif kind == "markdown":
            for pattern, message in MARKDOWN_RULES:
                match = pattern.search(source)
                if match:
                    tag = match.group(1).lower() if match.groups() else ""
                    problems.append(Problem(name, where, "source", message.format(tag=tag)))
        else:
            problems.append(
                Problem(name, where, "cell_type", f"only markdown and code cells, not {kind!r}")
            )
    return problems
