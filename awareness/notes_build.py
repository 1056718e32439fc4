"""Build the facilitator notes: ``python -m awareness.notes_build [--out build/notes]``.

For every course language and every note (00-overview, then the lessons) and shared
page (safeguarding, the parents' letter and evening) it writes ``<out>/<lang>/<id>.md``
and ``.html`` with

- the quiz answer key filled in from the lesson's quiz bank
  (``awareness.quiz.render.answer_key_markdown(bank, lang)``), never typed by hand;
- for a lesson that shows a chat scenario (02-the-conversation: jonas, 04-prevention:
  sara; ``BRANCH_MAPS``) and whose note has a branch-map section, the branch map of that
  scenario (``awareness.conversation.branchmap.branch_map_svg(conversation, lang)``)
  written as ``<out>/<lang>/NN-branch-map.svg`` and linked from the note.

In the HTML, links between notes (``safeguarding.md#help``) point at the HTML files, and
when printed, the script (the run sheet) has the first page to itself.

Those generators live in other modules and are imported lazily: when one cannot be
used yet, the note keeps its own one-line text plus a marker comment
``<!-- awareness:placeholder <section>: <reason> -->`` and a warning is printed.
Broken notes stop the build before anything is written.
"""

from __future__ import annotations

import argparse
import html
import importlib
import os
import re
import sys
import tempfile
from pathlib import Path

import mistune

from awareness.content import notes as notes_mod
from awareness.content.course import course_problems
from awareness.content.notes import Note, expected_files, note_path, parse_note
from awareness.paths import content_root, display_path

__all__ = [
    "BRANCH_MAPS",
    "BRANCH_MAP_LESSON",
    "PLACEHOLDER",
    "BuildResult",
    "build_notes",
    "conversation_branch_map",
    "lesson_answer_key",
    "main",
    "note_to_html",
    "render_note",
]

# The lesson whose note must have a branch map, and every lesson -> the scenario it shows.
BRANCH_MAP_LESSON = "02-the-conversation"
BRANCH_MAPS = {BRANCH_MAP_LESSON: "jonas", "04-prevention": "sara"}


def branch_map_file(lesson_id: str) -> str:
    """The branch map's file name next to a lesson's note, e.g. ``02-branch-map.svg``."""
    return f"{lesson_id.split('-')[0]}-branch-map.svg"


BRANCH_MAP_FILE = branch_map_file(BRANCH_MAP_LESSON)
PLACEHOLDER = "<!-- awareness:placeholder {section}: {reason} -->"

CSS = """
body { font-family: system-ui, sans-serif; line-height: 1.5; margin: 0; color: #1b1b1b; }
main { max-width: 48rem; margin: 0 auto; padding: 1.5rem; }
h1, h2, h3 { line-height: 1.25; }
h2 { border-top: 1px solid #ccc; padding-top: 1rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
img { max-width: 100%; }
code { background: #f2f2f2; padding: 0 0.2rem; }
@page { size: A4; margin: 15mm; }
@media print {
  body { font-size: 10pt; line-height: 1.3; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 15pt; margin: 0 0 0.3rem; }
  h2 { font-size: 12.5pt; border-top: none; padding-top: 0; margin: 0.8rem 0 0.3rem; }
  h3 { font-size: 10.5pt; margin: 0.5rem 0 0.1rem; }
  h2, h3 { break-after: avoid; }
  p, ul, ol { margin: 0.2rem 0; }
  ul, ol { padding-left: 1.2rem; }
  #run-sheet ~ h2 { break-before: page; }
  #run-sheet ~ h2 ~ h2 { break-before: auto; }
}
"""


class NotReady(Exception):
    """A generator (quiz key, branch map) cannot be used yet; the message says why."""


class BuildResult:
    """What the build wrote and which placeholders it had to leave."""

    def __init__(self) -> None:
        self.written: list[Path] = []
        self.placeholders: list[str] = []
        self.pending: dict[Path, str] = {}  # path under the output folder -> text


def _import(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise NotReady(f"{module}.{name} is not available yet ({exc})") from None


def lesson_answer_key(root: Path, lesson_id: str, lang: str) -> str:
    """The answer key of a lesson's quiz bank (quizzes/<lesson-id>.yaml), as Markdown.

    Raises NotReady when the quiz modules or the bank are not there yet, and
    ContentError when the bank is broken.
    """
    path = root / "quizzes" / f"{lesson_id}.yaml"
    if not path.is_file():
        raise NotReady(f"no quiz bank {display_path(path)}")
    load_bank = _import("awareness.quiz.model", "load_bank")
    render = _import("awareness.quiz.render", "answer_key_markdown")
    return render(load_bank(lesson_id, root=root), lang)


def conversation_branch_map(root: Path, lang: str, scenario: str = "jonas") -> str:
    """The SVG branch map of a chat scenario in one language.

    Raises NotReady when the conversation modules or the scenario file are not there
    yet, and ContentError when the scenario is broken.
    """
    load_conversation = _import("awareness.conversation.model", "load_conversation")
    scenario_file = _import("awareness.conversation.model", "scenario_file")
    path = root / scenario_file(scenario)
    if not path.is_file():
        raise NotReady(f"no scenario file {display_path(path)}")
    render = _import("awareness.conversation.branchmap", "branch_map_svg")
    return render(load_conversation(root=root, scenario=scenario), lang)


def _replace_body(lines: list[str], note: Note, key: str, new_body: str, offset: int) -> None:
    """Replace the Markdown under the heading `key` (up to its next sibling) in place."""
    sections = list(note.sections)
    section = note.section(key)
    i = sections.index(section)
    end = next((s.line for s in sections[i + 1 :] if s.level <= section.level), None)
    start = section.line - offset  # index of the heading line
    stop = (end - offset) if end is not None else len(lines)
    lines[start + 1 : stop] = ["", *new_body.strip().splitlines(), ""]


def render_note(root: Path, lang: str, lesson_id: str, result: BuildResult) -> str:
    """The note's Markdown with the generated parts filled in.

    Files the note links to (the branch map) and placeholders left are recorded in
    ``result``; nothing is written here.
    """
    path = note_path(root, lang, lesson_id)
    note = parse_note(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    # Work bottom-up so earlier line numbers stay valid.
    jobs = []
    if note.has("answer-key"):
        jobs.append("answer-key")
    if lesson_id in BRANCH_MAPS and note.has("branch-map"):
        jobs.append("branch-map")
    for key in sorted(jobs, key=lambda k: note.section(k).line, reverse=True):
        section = note.section(key)
        try:
            if key == "answer-key":
                body = lesson_answer_key(root, lesson_id, lang)
            else:
                svg = conversation_branch_map(root, lang, BRANCH_MAPS[lesson_id])
                name = branch_map_file(lesson_id)
                result.pending[Path(lang) / name] = svg
                body = f"![{section.title}]({name})\n\n[{name}]({name})"
        except NotReady as exc:
            reason = str(exc).replace("--", "-")
            body = f"{section.body}\n\n{PLACEHOLDER.format(section=key, reason=reason)}"
            result.placeholders.append(f"{display_path(path)}: {lesson_id}: {key}: {reason}")
        _replace_body(lines, note, key, body, offset=1)
    return "\n".join(lines).rstrip() + "\n"


_FRONT = re.compile(r"\A---\n.*?\n(---|\.\.\.)\n", re.S)
# A link to another note or page in this folder: (name.md or name.md#anchor).
_NOTE_LINK = re.compile(r"\]\(([a-z0-9-]+)\.md(#[a-z0-9-]+)?\)")
_ID_SUFFIX = re.compile(r"\s*\{#([a-z0-9-]+)\}\s*$")


class _Renderer(mistune.HTMLRenderer):
    """HTML with ``{#id}`` heading attributes turned into unique ``id``s."""

    def __init__(self) -> None:
        super().__init__(escape=False)
        self._stack: list[tuple[int, str]] = []

    def heading(self, text: str, level: int, **attrs) -> str:
        match = _ID_SUFFIX.search(text)
        if not match:
            return super().heading(text, level, **attrs)
        heading_id = match.group(1)
        self._stack = [(lv, i) for lv, i in self._stack if lv < level]
        self._stack.append((level, heading_id))
        anchor = "--".join(i for lv, i in self._stack if lv >= 2) or heading_id
        return f'<h{level} id="{html.escape(anchor)}">{text[: match.start()]}</h{level}>\n'


def note_to_html(markdown: str, lang: str, title: str) -> str:
    """A small self-contained HTML page for one note (no external resources)."""
    body = _NOTE_LINK.sub(r"](\1.html\2)", _FRONT.sub("", markdown, count=1))
    to_html = mistune.create_markdown(renderer=_Renderer(), plugins=["table", "strikethrough"])
    return (
        "<!doctype html>\n"
        f'<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{to_html(body)}</main>\n</body>\n</html>\n"
    )


def _write(path: Path, text: str, result: BuildResult) -> None:
    """Write a file whole (temporary file + rename), never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    result.written.append(path)


def build_notes(root: Path | None = None, out: Path | None = None) -> BuildResult:
    """Check the notes, then write every note as .md and .html. Raises ContentError."""
    from awareness.content.problems import ContentError

    root = Path(root or content_root()).resolve()
    out = Path(out) if out else root / "build" / "notes"
    course, found = course_problems(root)
    if course is None:
        raise ContentError(found)
    found = notes_mod.problems(root, course)
    if found:
        raise ContentError(found)
    result = BuildResult()
    # Render everything first, so a broken quiz bank or conversation writes nothing.
    for lang in course.languages:
        for lesson_id in expected_files(course):
            markdown = render_note(root, lang, lesson_id, result)
            title = parse_note(note_path(root, lang, lesson_id)).title
            result.pending[Path(lang) / f"{lesson_id}.md"] = markdown
            result.pending[Path(lang) / f"{lesson_id}.html"] = note_to_html(markdown, lang, title)
    for relative, text in result.pending.items():
        _write(out / relative, text, result)
    return result


def main(argv: list[str] | None = None) -> int:
    from awareness.content.problems import ContentError

    parser = argparse.ArgumentParser(
        prog="python -m awareness.notes_build", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", help="output folder (default: build/notes)")
    parser.add_argument("--root", help="content folder (default: this checkout)")
    args = parser.parse_args(argv)
    try:
        result = build_notes(
            Path(args.root) if args.root else None, Path(args.out) if args.out else None
        )
    except ContentError as exc:
        for problem in exc.problems:
            print(problem)
        print("The notes were not built: fix the problems above.", file=sys.stderr)
        return 1
    for line in result.placeholders:
        print(f"placeholder: {line}", file=sys.stderr)
    out = result.written[0].parents[1] if result.written else "-"
    print(f"Wrote {len(result.written)} files to {display_path(out)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
