"""Facilitator notes: Markdown with a small front matter, sections found by heading id.

A note lives in ``facilitator_notes/<lang>/<lesson-id>.md``::

    ---
    lesson: 01-what-is-sextortion
    minutes: 45
    ---
    # Leksjon 1: Hva er seksuell utpressing? {#title}
    ## Mål {#objectives}
    ...
    ## Kjøreplan {#run-sheet}
    ### Hva er det? {#definition}

Every heading carries a language-neutral id in attribute syntax (``{#id}``); the ids,
not the words, tie the languages together. A section is known by its *key*: the ids
from level 2 down, joined by ``/`` (``run-sheet/definition``); the level-1 heading's key
is its own id. The run-sheet has one subsection per lesson section id (the notebook's
``metadata.awareness.section``); those subsections are the slides' speaker notes.

``problems(root, course)`` is one of the ``make check`` checks; ``parse_note`` and
``speaker_notes`` are for the notes build and the slide export.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import Field, ValidationError

from awareness.content.models import LessonId, Strict
from awareness.content.problems import ContentError, Problem
from awareness.paths import content_root, display_path

__all__ = [
    "LESSON_SECTIONS",
    "NOTES_DIR",
    "OVERVIEW_ID",
    "OVERVIEW_SECTIONS",
    "PREPARE_MUST_NAME",
    "FrontMatter",
    "Note",
    "Section",
    "expected_note_ids",
    "note_path",
    "notebook_sections",
    "parse_note",
    "problems",
    "read_note",
    "required_sections",
    "speaker_notes",
]

NOTES_DIR = "facilitator_notes"
OVERVIEW_ID = "00-overview"

# The level-2 sections every lesson note has, in this order.
LESSON_SECTIONS = (
    "objectives",
    "prepare",
    "ground-rules",
    "time-plan",
    "run-sheet",
    "discussion",
    "answer-key",
    "misconceptions",
    "safeguarding",
)
# Lessons whose note also has a branch map of the conversation (after the answer key).
BRANCH_MAP_LESSONS = ("02-the-conversation",)
OVERVIEW_SECTIONS = (
    "about",
    "how-to-run",
    "plans",
    "prepare",
    "ground-rules",
    "safeguarding",
)
# Language-neutral contact details the "prepare" section must list (checked before a session).
PREPARE_MUST_NAME = (
    "116 111",
    "112",
    "02800",
    "tips.politiet.no",
    "slettmeg.no/kontakt-oss",
    "800 333 21",
    "take it down",
)
SAFEGUARDING_MUST_NAME = ("116 111",)

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*$")
_HEADING_ID = re.compile(r"[ \t]*\{#([^}\s]*)\}$")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")


class FrontMatter(Strict):
    """The YAML between the ``---`` lines at the top of a note."""

    lesson: LessonId
    minutes: int = Field(ge=1, le=180)


class Section(Strict):
    """One heading of a note and the Markdown under it.

    ``text`` runs to the next heading of the same or a higher level (subsections
    included); ``body`` stops at the next heading of any level.
    """

    id: str
    key: str
    level: int
    title: str
    line: int
    text: str
    body: str


class Note(Strict):
    """A parsed facilitator note."""

    path: str
    lesson: str
    minutes: int
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        """The section with this key (``objectives``, ``run-sheet/definition``)."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(f"{self.path}: no heading with id {key!r}")

    def has(self, key: str) -> bool:
        return any(section.key == key for section in self.sections)

    def children(self, key: str) -> list[Section]:
        """The direct subsections of a section, in order."""
        prefix = f"{key}/"
        return [
            s for s in self.sections if s.key.startswith(prefix) and "/" not in s.key[len(prefix) :]
        ]

    @property
    def keys(self) -> list[str]:
        return [section.key for section in self.sections]

    @property
    def top_level(self) -> list[str]:
        """The level-2 section ids, in order."""
        return [section.id for section in self.sections if section.level == 2]

    @property
    def title(self) -> str:
        for section in self.sections:
            if section.level == 1:
                return section.title
        return self.lesson


def note_path(root: Path, lang: str, lesson_id: str) -> Path:
    return root / NOTES_DIR / lang / f"{lesson_id}.md"


def expected_note_ids(course) -> list[str]:
    """The notes every language must have: the overview, then one per lesson."""
    return [OVERVIEW_ID, *(lesson.id for lesson in course.lessons)]


def required_sections(lesson_id: str) -> tuple[str, ...]:
    """The level-2 section ids a note must have, in order."""
    if lesson_id == OVERVIEW_ID:
        return OVERVIEW_SECTIONS
    if lesson_id in BRANCH_MAP_LESSONS:
        i = LESSON_SECTIONS.index("answer-key") + 1
        return (*LESSON_SECTIONS[:i], "branch-map", *LESSON_SECTIONS[i:])
    return LESSON_SECTIONS


def _split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, the Markdown after it, line number where it starts)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    return None, text, 1


def _headings(markdown: str, first_line: int, name: str, item: str):
    """Find the headings outside code fences. Returns (headings, problems)."""
    found: list[tuple[int, int, str, str]] = []  # (index, level, title, id)
    problems: list[Problem] = []
    in_fence = False
    for i, line in enumerate(markdown.splitlines()):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING.match(line)
        if not match:
            continue
        level, title = len(match.group(1)), match.group(2)
        id_match = _HEADING_ID.search(title)
        where = f"line {first_line + i}"
        if not id_match:
            problems.append(
                Problem(
                    name,
                    item,
                    "-",
                    f"{where}: heading {title!r} has no id; write it as '{'#' * level} "
                    f"{title} {{#some-id}}'",
                )
            )
            continue
        heading_id = id_match.group(1)
        if not _ID.match(heading_id):
            problems.append(
                Problem(
                    name,
                    item,
                    heading_id or "-",
                    f"{where}: heading id {heading_id!r} must be lower-case words joined by '-'",
                )
            )
            continue
        found.append((i, level, title[: id_match.start()].strip(), heading_id))
    return found, problems


def _sections(markdown: str, first_line: int, name: str, item: str):
    lines = markdown.splitlines()
    found, problems = _headings(markdown, first_line, name, item)
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []  # (level, id) of enclosing headings from level 2 down
    seen: set[str] = set()
    for n, (index, level, title, heading_id) in enumerate(found):
        stack = [(lv, i) for lv, i in stack if lv < level]
        if level >= 2:
            stack.append((level, heading_id))
            key = "/".join(i for lv, i in stack if lv >= 2)
        else:
            key = heading_id
        next_any = found[n + 1][0] if n + 1 < len(found) else len(lines)
        next_same = next((f[0] for f in found[n + 1 :] if f[1] <= level), len(lines))
        if key in seen:
            problems.append(
                Problem(
                    name,
                    item,
                    key,
                    f"line {first_line + index}: the heading id {heading_id!r} is used twice "
                    "at this place",
                )
            )
            continue
        seen.add(key)
        sections.append(
            Section(
                id=heading_id,
                key=key,
                level=level,
                title=title,
                line=first_line + index,
                text="\n".join(lines[index + 1 : next_same]).strip(),
                body="\n".join(lines[index + 1 : next_any]).strip(),
            )
        )
    return tuple(sections), problems


def read_note(path: Path) -> tuple[Note | None, list[Problem]]:
    """Parse a note; returns (note or None, problems). Never raises for a bad file."""
    path = Path(path)
    name = display_path(path)
    item = path.stem

    def fail(field: str, message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(name, item, field, message)]

    if not path.is_file():
        return fail("-", "file not found")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return fail("-", "not valid UTF-8; save the file as UTF-8")
    front, markdown, first_line = _split_front_matter(text)
    if front is None:
        return fail(
            "-",
            "no front matter: start the file with '---', 'lesson: <id>', 'minutes: <n>', '---'",
        )
    try:
        data = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        return fail("-", f"front matter is not valid YAML{where}")
    if not isinstance(data, dict):
        return fail("-", "front matter must be 'key: value' lines (lesson, minutes)")
    problems: list[Problem] = []
    try:
        front_matter = FrontMatter.model_validate(data)
    except ValidationError as exc:
        front_matter = None
        for err in exc.errors(include_url=False):
            field = str(err["loc"][0]) if err["loc"] else "-"
            if err["type"] == "missing":
                message = "missing in the front matter"
            elif err["type"] == "extra_forbidden":
                message = "unknown front-matter key (only lesson and minutes)"
            elif field == "minutes":
                message = f"must be a whole number of minutes from 1 to 180, not {data[field]!r}"
            elif field == "lesson":
                message = f"{data[field]!r} is not a lesson id like 01-what-is-sextortion"
            else:
                message = err["msg"]
            problems.append(Problem(name, item, field, message))
    if front_matter is not None and front_matter.lesson != path.stem:
        problems.append(
            Problem(
                name,
                item,
                "lesson",
                f"the front matter says {front_matter.lesson!r} but the file is {path.name}",
            )
        )
    sections, heading_problems = _sections(markdown, first_line, name, item)
    problems.extend(heading_problems)
    if front_matter is None:
        return None, problems
    note = Note(
        path=name, lesson=front_matter.lesson, minutes=front_matter.minutes, sections=sections
    )
    return note, problems


def parse_note(path: Path) -> Note:
    """Parse a note; raises ContentError listing every problem."""
    note, found = read_note(path)
    if found:
        raise ContentError(found)
    return note


def notebook_sections(path: Path) -> list[str] | None:
    """Section ids of a lesson notebook (markdown cells' ``metadata.awareness.section``).

    None when the notebook is missing or unreadable (another check reports that).
    """
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
        ids = []
        for cell in notebook.get("cells", []):
            meta = cell.get("metadata", {}).get("awareness", {})
            section = meta.get("section") if isinstance(meta, dict) else None
            if cell.get("cell_type") == "markdown" and isinstance(section, str):
                ids.append(section)
        return ids
    except (OSError, ValueError, AttributeError):
        return None


def _contains(text: str, needle: str) -> bool:
    return needle.lower() in text.lower()


def _note_problems(note: Note, root: Path, lang: str) -> list[Problem]:
    """The checks that need a parsed note: sections, run-sheet, help numbers."""
    name, item = note.path, note.lesson
    found: list[Problem] = []
    required = required_sections(note.lesson)
    if not any(s.level == 1 for s in note.sections):
        found.append(Problem(name, item, "-", "no title: start with '# Title {#title}'"))
    top = note.top_level
    for section_id in required:
        if section_id not in top:
            found.append(Problem(name, item, section_id, "required section is missing"))
    present = [s for s in top if s in required]
    expected_order = [s for s in required if s in present]
    if present != expected_order:
        found.append(
            Problem(
                name,
                item,
                "-",
                f"sections out of order: expected {' → '.join(expected_order)}",
            )
        )
    for section in note.sections:
        if section.level == 2 and section.id in required and not section.text:
            found.append(Problem(name, item, section.id, "section is empty"))
    if note.lesson == OVERVIEW_ID:
        return found
    if note.has("prepare"):
        text = note.section("prepare").text
        for needle in PREPARE_MUST_NAME:
            if not _contains(text, needle):
                found.append(
                    Problem(name, item, "prepare", f"does not list the help contact {needle!r}")
                )
    if note.has("safeguarding"):
        text = note.section("safeguarding").text
        for needle in SAFEGUARDING_MUST_NAME:
            if not _contains(text, needle):
                found.append(Problem(name, item, "safeguarding", f"does not name {needle!r}"))
    if note.has("time-plan") and "|" not in note.section("time-plan").text:
        found.append(Problem(name, item, "time-plan", "the time plan must be a Markdown table"))
    if note.has("answer-key"):
        lines = [x for x in note.section("answer-key").text.splitlines() if x.strip()]
        if len(lines) > 1:
            found.append(
                Problem(
                    name,
                    item,
                    "answer-key",
                    "write one line only: the build inserts the key from the quiz bank",
                )
            )
    if note.has("run-sheet"):
        run_sheet = [s.id for s in note.children("run-sheet")]
        notebook = root / "lessons" / lang / f"{note.lesson}.ipynb"
        lesson_sections = notebook_sections(notebook)
        if lesson_sections is not None:
            where = display_path(notebook)
            for section_id in lesson_sections:
                if section_id not in run_sheet:
                    found.append(
                        Problem(
                            name,
                            item,
                            section_id,
                            f"the run-sheet has no '### … {{#{section_id}}}' for this "
                            f"section of {where}",
                        )
                    )
            for section_id in run_sheet:
                if section_id not in lesson_sections:
                    found.append(
                        Problem(
                            name,
                            item,
                            f"run-sheet/{section_id}",
                            f"{where} has no section {section_id!r}",
                        )
                    )
            if note.has("discussion"):
                for sub in note.children("discussion"):
                    if sub.id not in lesson_sections:
                        found.append(
                            Problem(
                                name,
                                item,
                                sub.key,
                                f"{where} has no section {sub.id!r} to tie this to",
                            )
                        )
    return found


def _same_headings(notes: dict[str, Note]) -> list[Problem]:
    """Every language's note has the same heading ids at the same places, in order."""
    if len(notes) < 2:
        return []
    ref_lang, ref = next(iter(notes.items()))
    ref_keys = [(s.level, s.key) for s in ref.sections]
    found = []
    for note in list(notes.values())[1:]:
        keys = [(s.level, s.key) for s in note.sections]
        if keys == ref_keys:
            continue
        ref_set, this_set = {k for _, k in ref_keys}, {k for _, k in keys}
        for key in sorted(ref_set - this_set):
            found.append(
                Problem(note.path, note.lesson, key, f"missing: the {ref_lang!r} note has it")
            )
        for key in sorted(this_set - ref_set):
            found.append(
                Problem(note.path, note.lesson, key, f"not in the {ref_lang!r} note ({ref.path})")
            )
        if ref_set == this_set:
            found.append(
                Problem(
                    note.path,
                    note.lesson,
                    "-",
                    f"headings are in a different order or level than in {ref.path}",
                )
            )
    return found


def problems(root: Path, course) -> list[Problem]:
    """The ``make check`` check: every note, in every course language, complete and alike."""
    root = Path(root)
    found: list[Problem] = []
    expected = expected_note_ids(course)
    notes: dict[str, dict[str, Note]] = {lesson_id: {} for lesson_id in expected}
    for lang in course.languages:
        for lesson_id in expected:
            path = note_path(root, lang, lesson_id)
            if not path.is_file():
                found.append(
                    Problem(
                        display_path(path),
                        lesson_id,
                        "-",
                        f"no facilitator note for language {lang!r}",
                    )
                )
                continue
            note, note_problems = read_note(path)
            found.extend(note_problems)
            if note is not None and note.lesson == lesson_id:
                found.extend(_note_problems(note, root, lang))
                notes[lesson_id][lang] = note
        folder = root / NOTES_DIR / lang
        if folder.is_dir():
            for path in sorted(folder.glob("*.md")):
                if path.stem not in expected:
                    found.append(
                        Problem(
                            display_path(path),
                            path.stem,
                            "lesson",
                            "not a lesson in course.yaml (nor 00-overview)",
                        )
                    )
    for by_lang in notes.values():
        found.extend(_same_headings(by_lang))
    return found


@lru_cache(maxsize=64)
def _cached_note(path: Path, mtime_ns: int) -> Note:
    return parse_note(path)


def speaker_notes(lesson_id: str, lang: str, section_id: str, root: Path | None = None) -> str:
    """Speaker notes for the slides of one lesson section, as Markdown.

    The run-sheet subsection ``### … {#<section_id>}`` and, when the discussion section
    has a subsection with the same id, its questions and suggested answers under the
    discussion heading's own title. The lesson's first section also carries the
    safeguarding reminder (the safeguarding section's opening text, under its title).
    Raises ContentError naming the note when the note is missing or broken or has no
    such run-sheet subsection.
    """
    path = note_path(Path(root) if root else content_root(), lang, lesson_id)
    if not path.is_file():
        raise ContentError(
            [Problem(display_path(path), lesson_id, "-", f"no facilitator note for {lang!r}")]
        )
    note = _cached_note(path.resolve(), path.stat().st_mtime_ns)
    key = f"run-sheet/{section_id}"
    if not note.has(key):
        raise ContentError(
            [
                Problem(
                    note.path,
                    lesson_id,
                    section_id,
                    f"the run-sheet has no '### … {{#{section_id}}}' subsection",
                )
            ]
        )
    parts = [note.section(key).text]
    discussion = f"discussion/{section_id}"
    if note.has(discussion):
        parts.append(f"**{note.section('discussion').title}**")
        parts.append(note.section(discussion).text)
    run_sheet = note.children("run-sheet")
    if run_sheet and run_sheet[0].id == section_id and note.has("safeguarding"):
        safeguarding = note.section("safeguarding")
        if safeguarding.body:
            parts.append(f"**{safeguarding.title}**")
            parts.append(safeguarding.body)
    return "\n\n".join(part for part in parts if part).strip()
