"""Content that would run code or break the checker: `check` (and `serve`) give one clear
line for each, never a traceback, and the app does not start.

Each case is a copy of the course with one file broken as an attacker or a slip of the
keyboard would break it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from awareness.content.check import check_all
from awareness.content.load import MAX_DEPTH
from awareness.content.notebooks import allowed_line

ROOT = Path(__file__).resolve().parents[2]
LESSON = Path("lessons") / "en" / "01-what-is-sextortion.ipynb"


@pytest.fixture
def root(tmp_path, monkeypatch):
    for name in ("course.yaml", "lessons", "quizzes", "facilitator_notes"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    monkeypatch.setenv("AWARENESS_ROOT", str(tmp_path))
    return tmp_path


def edit_notebook(root: Path, change) -> None:
    path = root / LESSON
    notebook = json.loads(path.read_text(encoding="utf-8"))
    change(notebook)
    path.write_text(json.dumps(notebook), encoding="utf-8")


def add_cell(kind: str, source: str):
    def change(notebook):
        cell = {"cell_type": kind, "metadata": {}, "source": [source]}
        if kind == "code":
            cell.update(outputs=[], execution_count=None)
        notebook["cells"].insert(2, cell)

    return change


def write(relative: str, content: str | bytes):
    def change(root: Path) -> None:
        path = root / relative
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return change


DEEP = "[" * 5000 + "]" * 5000
CASES = [
    (
        "a code cell that runs a command",
        lambda r: edit_notebook(r, add_cell("code", "__import__('os').system('id')")),
        f"{LESSON.as_posix()}: cell 3: source: a code cell may only be one line",
    ),
    (
        "a lesson call with code for an argument",
        lambda r: edit_notebook(r, add_cell("code", "show_quiz(open('/etc/passwd').read())")),
        f"{LESSON.as_posix()}: cell 3: source: a code cell may only be one line",
    ),
    (
        "a second line after a lesson call",
        lambda r: edit_notebook(r, add_cell("code", 'show_footer("x", "en")\nimport os')),
        f"{LESSON.as_posix()}: cell 3: source: a code cell may only be one line",
    ),
    (
        "a raw script in markdown",
        lambda r: edit_notebook(r, add_cell("markdown", "Hei <script>alert(1)</script>")),
        f"{LESSON.as_posix()}: cell 3: source: raw <script> in markdown",
    ),
    (
        "an event handler in markdown",
        lambda r: edit_notebook(r, add_cell("markdown", '<img src="x" onerror="alert(1)">')),
        f"{LESSON.as_posix()}: cell 3: source: an inline event handler",
    ),
    (
        "an iframe in markdown",
        lambda r: edit_notebook(r, add_cell("markdown", '<iframe src="https://x.example">')),
        f"{LESSON.as_posix()}: cell 3: source: raw <iframe> in markdown",
    ),
    (
        "a javascript: link in markdown",
        lambda r: edit_notebook(r, add_cell("markdown", "[hei](javascript:alert(1))")),
        f"{LESSON.as_posix()}: cell 3: source: a javascript: link in markdown",
    ),
    (
        "a raw cell",
        lambda r: edit_notebook(r, add_cell("raw", "<b>hei</b>")),
        f"{LESSON.as_posix()}: cell 3: cell_type: only markdown and code cells",
    ),
    (
        "YAML nested 5,000 deep",
        write("quizzes/01-what-is-sextortion.yaml", f"questions: {DEEP}\n"),
        f"quizzes/01-what-is-sextortion.yaml: -: -: nested more than {MAX_DEPTH} levels deep",
    ),
    (
        "a list as a mapping key",
        write("lessons/checklists.yaml", "checklists:\n  ? [a, b]\n  : 1\n"),
        "lessons/checklists.yaml: -: -: YAML syntax error at line 2, column 5: a key must be "
        "plain text or a number, not a list",
    ),
    (
        "an alias inside its own anchor",
        write("lessons/checklists.yaml", "checklists: &a [*a]\n"),
        "lessons/checklists.yaml: -: -: the alias *a is inside its own anchor",
    ),
    (
        "aliases that expand to a billion values",
        write(
            "lessons/checklists.yaml",
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n"
                for i in range(8)
            ),
        ),
        "lessons/checklists.yaml: -: -: expands to more than 1,000,000 values through aliases",
    ),
    (
        "broken notebook JSON",
        write("lessons/nb/02-the-conversation.ipynb", '{"cells": [}'),
        "lessons/nb/02-the-conversation.ipynb: -: -: not a notebook: invalid JSON at line 1, "
        "column 12",
    ),
    (
        "notebook JSON nested 5,000 deep",
        write("lessons/nb/02-the-conversation.ipynb", f'{{"cells": {DEEP}}}'),
        f"lessons/nb/02-the-conversation.ipynb: -: -: not a notebook: nested more than "
        f"{MAX_DEPTH} levels deep",
    ),
    (
        "a notebook that is not UTF-8",
        write("lessons/nb/02-the-conversation.ipynb", b'{"cells": ["\xff"]}'),
        "lessons/nb/02-the-conversation.ipynb: -: -: not valid UTF-8 (byte 0xff on line 1)",
    ),
    (
        "YAML that is not UTF-8",
        write("quizzes/02-the-conversation.yaml", b"questions:\n  - id: x\n    prompt: \xff\n"),
        "quizzes/02-the-conversation.yaml: -: -: not valid UTF-8 (byte 0xff on line 3)",
    ),
]


@pytest.mark.parametrize(("name", "breaks", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hostile_content_gives_one_clear_line(root, name, breaks, expected):
    breaks(root)
    _, problems = check_all(root)
    found = [str(p) for p in problems]
    assert any(line.startswith(expected) for line in found), found
    for line in found:
        assert "\n" not in line and "Traceback" not in line, line


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "awareness", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "AWARENESS_ROOT": str(root)},
    )


@pytest.mark.parametrize("command", ["check", "serve"])
def test_check_and_serve_print_lines_not_tracebacks(root, command):
    """The command line, as `make check` and `make app` run it, on several breaks at once."""
    for _, breaks, _ in (CASES[0], CASES[3], CASES[8], CASES[9], CASES[12]):
        breaks(root)
    result = run(root, command, *(["--port", "1"] if command == "serve" else []))
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert "Traceback" not in out and "RecursionError" not in out, out[-2000:]
    lines = result.stdout.splitlines()
    for expected in (CASES[0][2], CASES[3][2], CASES[8][2], CASES[9][2], CASES[12][2]):
        # Both notebook cells went in at the same place: their numbers moved.
        pattern = re.compile(re.escape(expected).replace("cell\\ 3", r"cell\ \d+"))
        assert sum(bool(pattern.match(line)) for line in lines) == 1, (expected, lines)


@pytest.mark.parametrize(
    ("line", "allowed"),
    [
        ("from awareness import show_chat, show_footer, show_quiz", True),
        ('show_quiz("02-the-conversation", "nb")', True),
        ('show_chat("nb", seed=3)', True),
        ("from awareness import show_chat as x", False),
        ("from os import system", False),
        ("import awareness", False),
        ('show_quiz(x, "nb")', False),
        ('show_quiz("a" + "b", "nb")', False),
        ('show_chat("nb"); import os', False),
        ('print("hei")', False),
        ("awareness.show_chat('nb')", False),
        ("", False),
    ],
)
def test_only_the_one_line_lesson_calls_are_code(line, allowed):
    assert allowed_line(line) is allowed
