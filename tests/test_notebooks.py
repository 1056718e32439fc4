"""Every lesson notebook runs headless, and none is committed with outputs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from awareness.content.course import load_course

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "lessons").glob("*/*.ipynb"))


def test_every_lesson_has_a_notebook_in_every_language():
    course = load_course(ROOT)
    expected = {
        f"{lang}/{lesson_id}.ipynb"
        for lang in course.languages
        for lesson_id in ["00-start", *(lesson.id for lesson in course.lessons)]
    }
    assert {p.relative_to(ROOT / "lessons").as_posix() for p in NOTEBOOKS} == expected


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        assert not cell.get("outputs"), f"{path.name}: a cell has outputs"
        assert cell.get("execution_count") is None, f"{path.name}: execution_count is set"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_executes_headless_without_error(path, monkeypatch):
    monkeypatch.setenv("AWARENESS_FAST", "1")
    monkeypatch.setenv("AWARENESS_ROOT", str(ROOT))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute(env={**os.environ})
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{path.name}: {out.get('ename')}"
            assert out.get("name") != "stderr", f"{path.name}: {out.get('text')}"
            html = out.get("data", {}).get("text/html", "")
            assert "awareness-error" not in html, f"{path.name}: a part could not be shown"


def test_every_phone_number_in_a_lesson_is_a_link_to_call():
    """A help number written in a lesson's text is a tel: link (a phone calls it at a tap),
    the same numbers course.yaml's help services list."""
    import re

    from awareness.html_parts import spaced_number

    course = load_course(ROOT)
    phones = {spaced_number(p): p for s in course.help for p in s.phones}
    number = re.compile(r"(?<![\d\w:])(" + "|".join(map(re.escape, phones)) + r")(?!\d)")
    bare = []
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            text = "".join(cell["source"])
            for m in number.finditer(text):
                linked = text[m.start() - 1 : m.start()] == "[" and text[m.end() :].startswith(
                    f"](tel:{phones[m.group(1)]})")
                if not linked:
                    bare.append(f"{path.parent.name}/{path.name}: {m.group(1)}")
    assert bare == []
