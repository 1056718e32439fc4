"""Facilitator notes: Markdown with a small front matter, sections found by heading id.

A lesson note lives in ``facilitator_notes/<lang>/<lesson-id>.md`` and opens with its
45-minute script, the run sheet; everything after it is reference::

    ---
    lesson: 01-what-is-sextortion
    minutes: 45
    ---
    # Leksjon 1: Hva er seksuell utpressing? {#title}
    ## Manus for timen {#run-sheet}
    ### 0–6 min · Mål og trygg ramme {#objectives}
    ### 6–13 min · Hva er det? {#definition}
    ...
    ## Ivaretakelse i denne timen {#safeguarding}
    ...

Every heading carries a language-neutral id in attribute syntax (``{#id}``); the ids,
not the words, tie the languages together. A section is known by its *key*: the ids
from level 2 down, joined by ``/`` (``run-sheet/definition``); the level-1 heading's key
is its own id.

The run sheet has one entry (``###``) per section id of the lesson in course.yaml, in
the same order. Each entry's title starts with its minutes (``6–13 min``); the entries
follow each other without gaps and fill the note's ``minutes``. Those entries are the
slides' speaker notes (``speaker_notes``).

Besides the overview and one note per lesson, each language has the shared pages in
``SHARED_PAGES`` (front matter ``page: <name>``): the safeguarding page every note
links to, and the letter and slide list for parents. A section with the id ``help`` is a
help list and must name every contact in ``HELP_MUST_NAME``.

``problems(root, course)`` is one of the ``make check`` checks; ``parse_note`` and
``speaker_notes`` are for the notes build and the slide export.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import Field, ValidationError

from awareness.content.models import LessonId, Strict
from awareness.content.problems import ContentError, Problem
from awareness.paths import content_root, display_path

__all__ = [
    "HELP_MUST_NAME",
    "HELP_SECTION",
    "LESSON_SAFEGUARDING_MUST_NAME",
    "LESSON_SECTIONS",
    "NOTES_DIR",
    "OVERVIEW_ID",
    "OVERVIEW_SECTIONS",
    "PAGE_SECTIONS",
    "RUN_SHEET",
    "SAFEGUARDING_PAGE",
    "SCRIPT_MAX_WORDS",
    "SHARED_PAGES",
    "FrontMatter",
    "Note",
    "Section",
    "anchor_of",
    "entry_minutes",
    "expected_files",
    "expected_note_ids",
    "note_links",
    "note_path",
    "parse_note",
    "problems",
    "read_note",
    "required_sections",
    "speaker_notes",
]

NOTES_DIR = "facilitator_notes"
OVERVIEW_ID = "00-overview"
RUN_SHEET = "run-sheet"
HELP_SECTION = "help"
SAFEGUARDING_PAGE = "safeguarding"

# The level-2 sections every lesson note has, in this order: the script first, then the
# lesson's own safeguarding cue, then the reference.
LESSON_SECTIONS = (
    RUN_SHEET,
    "safeguarding",
    "objectives",
    "prepare",
    "discussion",
    "answer-key",
    "misconceptions",
)
# Lessons whose note also has a branch map of their chat scenario (after the answer key).
BRANCH_MAP_LESSONS = ("02-the-conversation", "04-prevention")
OVERVIEW_SECTIONS = (
    "about",
    "today",
    "course-messages",
    "how-to-run",
    "plans",
    "prepare",
    "safeguarding",
    "sources",
)
# The pages every language has besides the notes, and their level-2 sections in order.
PAGE_SECTIONS: dict[str, tuple[str, ...]] = {
    SAFEGUARDING_PAGE: (
        "before",
        "ground-rules",
        "content-warning",
        "in-the-room",
        "disclosure",
        "no-secrets",
        "images",
        "duty-to-inform",
        "self-harm",
        HELP_SECTION,
    ),
    "parents-letter": ("what-it-is", "the-course", "at-home", HELP_SECTION),
    "parents-evening": (
        "welcome",
        "what-it-is",
        "today",
        "how-common",
        "the-course",
        "never-their-fault",
        "if-it-happens",
        "proof-without-copies",
        "what-parents-can-do",
        HELP_SECTION,
        "questions",
    ),
}
SHARED_PAGES = tuple(PAGE_SECTIONS)
# Language-neutral contact details every help list names (checked before each session):
# Alarmtelefonen, Mental Helse, medical emergency, police emergency and non-emergency,
# Slettmeg, Kors på halsen, Take It Down.
HELP_MUST_NAME = (
    "116 111",
    "116 123",
    "113",
    "112",
    "02800",
    "slettmeg.no/kontakt-oss",
    "800 333 21",
    "takeitdown.ncmec.org",
)
# The crisis net every lesson's own safeguarding cue names.
LESSON_SAFEGUARDING_MUST_NAME = ("116 111", "116 123", "113")
# The script is one printed A4 page (the notes build's print style): at most this many
# words, headings included.
SCRIPT_MAX_WORDS = 560

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*$")
_HEADING_ID = re.compile(r"[ \t]*\{#([^}\s]*)\}$")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
# A run-sheet entry's title: "6–13 min · What it is" (en dash or hyphen).
_MINUTES = re.compile(r"^(\d{1,3})[ \t]*[–-][ \t]*(\d{1,3})[ \t]*min\b")
# A link to another note or page: [text](name.md) or [text](name.md#anchor) or [text](#anchor).
_LINK = re.compile(r"\[([^\]]*)\]\((?:([a-z0-9-]+)\.md)?(?:#([a-z0-9-]+))?\)")
_NUMBER_EDGE = r"(?<![\w.]){}(?![\w])"


class FrontMatter(Strict):
    """The YAML between the ``---`` lines at the top of a note or shared page.

    A lesson note or the overview says ``lesson`` and ``minutes``; a shared page says
    ``page`` (and may say ``minutes``).
    """

    lesson: LessonId | None = None
    page: str | None = None
    minutes: int | None = Field(default=None, ge=1, le=180)


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
    """A parsed facilitator note or shared page.

    ``lesson`` is the file's id: a lesson id, ``00-overview`` or a shared page's name.
    """

    path: str
    lesson: str
    minutes: int | None
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

    @property
    def is_page(self) -> bool:
        return self.lesson in SHARED_PAGES


def note_path(root: Path, lang: str, lesson_id: str) -> Path:
    """The file of a note or shared page: ``facilitator_notes/<lang>/<id>.md``."""
    return root / NOTES_DIR / lang / f"{lesson_id}.md"


def expected_note_ids(course) -> list[str]:
    """The notes every language must have: the overview, then one per lesson."""
    return [OVERVIEW_ID, *(lesson.id for lesson in course.lessons)]


def expected_files(course) -> list[str]:
    """Every file each language must have: the notes, then the shared pages."""
    return [*expected_note_ids(course), *SHARED_PAGES]


def required_sections(lesson_id: str) -> tuple[str, ...]:
    """The level-2 section ids a note or page must have, in order."""
    if lesson_id == OVERVIEW_ID:
        return OVERVIEW_SECTIONS
    if lesson_id in PAGE_SECTIONS:
        return PAGE_SECTIONS[lesson_id]
    if lesson_id in BRANCH_MAP_LESSONS:
        i = LESSON_SECTIONS.index("answer-key") + 1
        return (*LESSON_SECTIONS[:i], "branch-map", *LESSON_SECTIONS[i:])
    return LESSON_SECTIONS


def entry_minutes(section: Section) -> tuple[int, int] | None:
    """(start, end) minute of a run-sheet entry, from its title; None if it has none."""
    match = _MINUTES.match(section.title)
    return (int(match.group(1)), int(match.group(2))) if match else None


def note_links(text: str) -> list[tuple[str, str | None, str | None]]:
    """The links to notes and pages in Markdown: (link text, file id or None, anchor)."""
    return [(" ".join(m.group(1).split()), m.group(2), m.group(3)) for m in _LINK.finditer(text)]


def anchor_of(key: str) -> str:
    """The HTML id the notes build gives a section key (``run-sheet/x`` → ``run-sheet--x``)."""
    return key.replace("/", "--")


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


def _front_matter_problem(err: dict, data: dict, page: bool) -> tuple[str, str]:
    field = str(err["loc"][0]) if err["loc"] else "-"
    if err["type"] == "extra_forbidden":
        allowed = "page and minutes" if page else "lesson and minutes"
        return field, f"unknown front-matter key (only {allowed})"
    if field == "minutes":
        return field, f"must be a whole number of minutes from 1 to 180, not {data[field]!r}"
    if field == "lesson":
        return field, f"{data[field]!r} is not a lesson id like 01-what-is-sextortion"
    return field, err["msg"]


def read_note(path: Path) -> tuple[Note | None, list[Problem]]:
    """Parse a note or shared page; returns (note or None, problems). Never raises."""
    path = Path(path)
    name = display_path(path)
    item = path.stem
    page = item in SHARED_PAGES
    start = "'page: <name>'" if page else "'lesson: <id>', 'minutes: <n>'"

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
        return fail("-", f"no front matter: start the file with '---', {start}, '---'")
    try:
        data = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        return fail("-", f"front matter is not valid YAML{where}")
    if not isinstance(data, dict):
        keys = "page" if page else "lesson, minutes"
        return fail("-", f"front matter must be 'key: value' lines ({keys})")
    problems: list[Problem] = []
    try:
        front_matter = FrontMatter.model_validate(data)
    except ValidationError as exc:
        front_matter = None
        for err in exc.errors(include_url=False):
            problems.append(Problem(name, item, *_front_matter_problem(err, data, page)))
    file_id = None
    if front_matter is not None:
        if page:
            if front_matter.lesson is not None:
                problems.append(
                    Problem(name, item, "lesson", "a shared page says 'page: <name>', not lesson")
                )
            if front_matter.page is None:
                problems.append(Problem(name, item, "page", "missing in the front matter"))
            elif front_matter.page != item:
                problems.append(
                    Problem(
                        name,
                        item,
                        "page",
                        f"the front matter says {front_matter.page!r} but the file is {path.name}",
                    )
                )
            file_id = item
        else:
            if front_matter.page is not None:
                problems.append(
                    Problem(
                        name,
                        item,
                        "page",
                        f"unknown front-matter key (only lesson and minutes; the shared "
                        f"pages are {', '.join(SHARED_PAGES)})",
                    )
                )
            for field in ("lesson", "minutes"):
                if getattr(front_matter, field) is None:
                    problems.append(Problem(name, item, field, "missing in the front matter"))
            if front_matter.lesson is not None and front_matter.lesson != item:
                problems.append(
                    Problem(
                        name,
                        item,
                        "lesson",
                        f"the front matter says {front_matter.lesson!r} but the file is "
                        f"{path.name}",
                    )
                )
            file_id = front_matter.lesson
    sections, heading_problems = _sections(markdown, first_line, name, item)
    problems.extend(heading_problems)
    if front_matter is None or file_id is None:
        return None, problems
    note = Note(path=name, lesson=file_id, minutes=front_matter.minutes, sections=sections)
    return note, problems


def parse_note(path: Path) -> Note:
    """Parse a note; raises ContentError listing every problem."""
    note, found = read_note(path)
    if found:
        raise ContentError(found)
    return note


def _contains(text: str, needle: str) -> bool:
    """Whether text names needle; a number must stand alone (113 is not part of 21131)."""
    if needle[:1].isdigit():
        return re.search(_NUMBER_EDGE.format(re.escape(needle)), text) is not None
    return needle.lower() in text.lower()


def _words(text: str) -> int:
    return len(re.findall(r"[^\s#*|>-]+", text))


def _section_problems(note: Note) -> list[Problem]:
    """Title, required level-2 sections present, in order and not empty."""
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
    return found


def _help_problems(note: Note) -> list[Problem]:
    """Every help list (a section with the id ``help``) names every contact."""
    found = []
    for section in note.sections:
        if section.id != HELP_SECTION:
            continue
        for needle in HELP_MUST_NAME:
            if not _contains(section.text, needle):
                found.append(
                    Problem(note.path, note.lesson, section.key, f"does not list {needle!r}")
                )
    return found


def _run_sheet_problems(note: Note, section_ids: list[str], where: str) -> list[Problem]:
    """The script: first, one entry per lesson section in order, minutes that fill the
    lesson without gaps, one page long."""
    name, item = note.path, note.lesson
    found: list[Problem] = []
    if not note.has(RUN_SHEET):
        return found  # reported as a missing section
    top = note.top_level
    if top and top[0] != RUN_SHEET:
        found.append(
            Problem(name, item, RUN_SHEET, f"the script must come first, before {top[0]!r}")
        )
    entries = note.children(RUN_SHEET)
    ids = [entry.id for entry in entries]
    for section_id in section_ids:
        if section_id not in ids:
            found.append(
                Problem(
                    name,
                    item,
                    f"{RUN_SHEET}/{section_id}",
                    f"the script has no entry '### <from>–<to> min · … {{#{section_id}}}' "
                    f"for this section of {where}",
                )
            )
    for section_id in ids:
        if section_id not in section_ids:
            found.append(
                Problem(name, item, f"{RUN_SHEET}/{section_id}", f"{where} has no such section")
            )
    common = [i for i in ids if i in section_ids]
    if common != [i for i in section_ids if i in common]:
        found.append(
            Problem(
                name,
                item,
                RUN_SHEET,
                f"entries out of order: {where} has {' → '.join(section_ids)}",
            )
        )
    previous_end = 0
    total = 0
    timed = True
    for entry in entries:
        if entry.level != 3:
            continue
        if not entry.text:
            found.append(Problem(name, item, entry.key, "the entry is empty: say what to do"))
        minutes = entry_minutes(entry)
        if minutes is None:
            found.append(
                Problem(
                    name,
                    item,
                    entry.key,
                    f"the title must start with its minutes, like '<from>–<to> min · "
                    f"{entry.title}'",
                )
            )
            timed = False
            continue
        start, end = minutes
        if end <= start:
            found.append(Problem(name, item, entry.key, f"ends at minute {end}, not after {start}"))
            timed = False
            continue
        if start != previous_end:
            found.append(
                Problem(
                    name,
                    item,
                    entry.key,
                    f"starts at minute {start}, but the entry before ends at {previous_end}",
                )
            )
        previous_end = end
        total += end - start
    if timed and entries and note.minutes is not None and total != note.minutes:
        found.append(
            Problem(
                name,
                item,
                RUN_SHEET,
                f"the entries add up to {total} minutes, not the {note.minutes} of the "
                "front matter",
            )
        )
    words = _words(note.section(RUN_SHEET).text)
    if words > SCRIPT_MAX_WORDS:
        found.append(
            Problem(
                name,
                item,
                RUN_SHEET,
                f"the script has {words} words; keep it to one page ({SCRIPT_MAX_WORDS} "
                "words): move the rest to the reference sections",
            )
        )
    return found


def _lesson_problems(note: Note, course) -> list[Problem]:
    """The checks of a lesson note: script, safeguarding cue, answer key, discussion."""
    name, item = note.path, note.lesson
    found: list[Problem] = []
    lesson = next((x for x in course.lessons if x.id == note.lesson), None)
    if lesson is not None:
        where = f"course.yaml lesson {lesson.id}"
        found.extend(_run_sheet_problems(note, lesson.section_ids, where))
        for sub in note.children("discussion") if note.has("discussion") else []:
            if sub.id not in lesson.section_ids:
                found.append(
                    Problem(
                        name, item, sub.key, f"{where} has no section {sub.id!r} to tie this to"
                    )
                )
    if note.has("safeguarding"):
        text = note.section("safeguarding").text
        for needle in LESSON_SAFEGUARDING_MUST_NAME:
            if not _contains(text, needle):
                found.append(Problem(name, item, "safeguarding", f"does not name {needle!r}"))
        if not any(target == SAFEGUARDING_PAGE for _, target, _ in note_links(text)):
            found.append(
                Problem(
                    name,
                    item,
                    "safeguarding",
                    f"does not link the shared page: add [...]({SAFEGUARDING_PAGE}.md)",
                )
            )
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
    return found


def _link_problems(note: Note, notes_here: dict[str, Note], folder: Path) -> list[Problem]:
    """Every link to a note or page points at a file of this language and one of its
    headings."""
    found = []
    for section in note.sections:
        for text, target, anchor in note_links(section.body):
            if target is None and anchor is None:
                continue
            target_id = target or note.lesson
            where = f"{target}.md" if target else "this page"
            other = notes_here.get(target_id)
            if other is None:
                if not (folder / f"{target_id}.md").is_file():
                    found.append(
                        Problem(
                            note.path,
                            note.lesson,
                            section.key,
                            f"the link [{text}] points at {where}, which does not exist",
                        )
                    )
                continue
            anchors = {anchor_of(s.key) for s in other.sections}
            if anchor is not None and anchor not in anchors:
                found.append(
                    Problem(
                        note.path,
                        note.lesson,
                        section.key,
                        f"the link [{text}] points at #{anchor}, which {where} has no heading for",
                    )
                )
    return found


def _note_problems(note: Note, course) -> list[Problem]:
    """The checks that need a parsed note: sections, script, help lists, safeguarding link."""
    found = _section_problems(note)
    found.extend(_help_problems(note))
    if note.lesson not in SHARED_PAGES and note.lesson != OVERVIEW_ID:
        found.extend(_lesson_problems(note, course))
    if note.lesson == OVERVIEW_ID and not any(
        target == SAFEGUARDING_PAGE for _, target, _ in note_links(_all_text(note))
    ):
        found.append(
            Problem(
                note.path,
                note.lesson,
                "safeguarding",
                f"does not link the shared page: add [...]({SAFEGUARDING_PAGE}.md)",
            )
        )
    return found


def _all_text(note: Note) -> str:
    return "\n".join(section.body for section in note.sections)


def _same_headings(notes: dict[str, Note]) -> list[Problem]:
    """Every language's note has the same heading ids at the same places, in order, and
    the same minutes in its script."""
    if len(notes) < 2:
        return []
    ref_lang, ref = next(iter(notes.items()))
    ref_keys = [(s.level, s.key) for s in ref.sections]
    found = []
    for note in list(notes.values())[1:]:
        keys = [(s.level, s.key) for s in note.sections]
        if keys != ref_keys:
            ref_set, this_set = {k for _, k in ref_keys}, {k for _, k in keys}
            for key in sorted(ref_set - this_set):
                found.append(
                    Problem(note.path, note.lesson, key, f"missing: the {ref_lang!r} note has it")
                )
            for key in sorted(this_set - ref_set):
                found.append(
                    Problem(
                        note.path, note.lesson, key, f"not in the {ref_lang!r} note ({ref.path})"
                    )
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
        if note.minutes != ref.minutes:
            found.append(
                Problem(
                    note.path,
                    note.lesson,
                    "minutes",
                    f"{note.minutes} minutes, but the {ref_lang!r} note says {ref.minutes}",
                )
            )
        if not note.has(RUN_SHEET) or not ref.has(RUN_SHEET):
            continue
        ref_times = {e.id: entry_minutes(e) for e in ref.children(RUN_SHEET)}
        for entry in note.children(RUN_SHEET):
            theirs = ref_times.get(entry.id)
            mine = entry_minutes(entry)
            if theirs is not None and mine is not None and mine != theirs:
                found.append(
                    Problem(
                        note.path,
                        note.lesson,
                        entry.key,
                        f"minutes {mine[0]}–{mine[1]}, but the {ref_lang!r} note says "
                        f"{theirs[0]}–{theirs[1]}",
                    )
                )
    return found


def problems(root: Path, course) -> list[Problem]:
    """The ``make check`` check: every note and page, in every course language, complete
    and alike."""
    root = Path(root)
    found: list[Problem] = []
    expected = expected_files(course)
    notes: dict[str, dict[str, Note]] = {file_id: {} for file_id in expected}
    for lang in course.languages:
        folder = root / NOTES_DIR / lang
        here: dict[str, Note] = {}
        for file_id in expected:
            path = note_path(root, lang, file_id)
            if not path.is_file():
                what = "shared page" if file_id in SHARED_PAGES else "facilitator note"
                found.append(
                    Problem(display_path(path), file_id, "-", f"no {what} for language {lang!r}")
                )
                continue
            note, note_problems = read_note(path)
            found.extend(note_problems)
            if note is not None and note.lesson == file_id:
                found.extend(_note_problems(note, course))
                notes[file_id][lang] = note
                here[file_id] = note
        for note in here.values():
            found.extend(_link_problems(note, here, folder))
        if folder.is_dir():
            for path in sorted(folder.glob("*.md")):
                if path.stem not in expected:
                    found.append(
                        Problem(
                            display_path(path),
                            path.stem,
                            "lesson",
                            "not a lesson in course.yaml (nor 00-overview nor a shared page: "
                            f"{', '.join(SHARED_PAGES)})",
                        )
                    )
    for by_lang in notes.values():
        found.extend(_same_headings(by_lang))
    return found


@lru_cache(maxsize=64)
def _cached_note(path: Path, mtime_ns: int) -> Note:
    return parse_note(path)


def _unlink(markdown: str) -> str:
    """Links to other notes and pages as plain text (they do not work in the slides)."""

    def replace(match: re.Match) -> str:
        if match.group(2) is None and match.group(3) is None:
            return match.group(0)
        return match.group(1)

    return _LINK.sub(replace, markdown)


def speaker_notes(lesson_id: str, lang: str, section_id: str, root: Path | None = None) -> str:
    """Speaker notes for the slides of one lesson section, as Markdown.

    The script's entry ``### <from>–<to> min · … {#<section_id>}`` (its minutes first,
    in bold) and, when the discussion section has a subsection with the same id, its
    questions and suggested answers under the discussion heading's own title. The
    script's first entry also carries the lesson's safeguarding cue (under its title).
    Links to other notes become plain text. Raises ContentError naming the note when the
    note is missing or broken or has no such entry.
    """
    path = note_path(Path(root) if root else content_root(), lang, lesson_id)
    if not path.is_file():
        raise ContentError(
            [Problem(display_path(path), lesson_id, "-", f"no facilitator note for {lang!r}")]
        )
    note = _cached_note(path.resolve(), path.stat().st_mtime_ns)
    key = f"{RUN_SHEET}/{section_id}"
    if not note.has(key):
        raise ContentError(
            [
                Problem(
                    note.path,
                    lesson_id,
                    section_id,
                    f"the script has no entry '### … {{#{section_id}}}'",
                )
            ]
        )
    entry = note.section(key)
    minutes = entry_minutes(entry)
    parts = [f"**{minutes[0]}–{minutes[1]} min**" if minutes else "", entry.text]
    discussion = f"discussion/{section_id}"
    if note.has(discussion):
        parts.append(f"**{note.section('discussion').title}**")
        parts.append(note.section(discussion).text)
    run_sheet = note.children(RUN_SHEET)
    if run_sheet and run_sheet[0].id == section_id and note.has("safeguarding"):
        safeguarding = note.section("safeguarding")
        if safeguarding.body:
            parts.append(f"**{safeguarding.title}**")
            parts.append(safeguarding.body)
    return _unlink("\n\n".join(part for part in parts if part).strip())
