"""The lesson notebooks: same sections in every language, thin, no outputs, allowed calls only.

Also checks quizzes/coverage.yaml: every guide point names lesson sections that exist.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from awareness.content.course import load_course
from awareness.content.load import validate
from awareness.content.models import Text

ROOT = Path(__file__).resolve().parents[2]
COURSE = load_course(ROOT)
LANGS = COURSE.languages
LESSON_IDS = [lesson.id for lesson in COURSE.lessons]
START_ID = "00-start"

# The section plan comes from course.yaml (one place for every part of the course).
SECTIONS: dict[str, list[str]] = {lesson.id: lesson.section_ids for lesson in COURSE.lessons}
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}
SHOWS = {"show_start", "show_chat", "show_quiz", "show_checklist", "show_footer"}
OBJECTIVES = {
    "nb": "I denne leksjonen lærer du",
    "nn": "I denne leksjonen lærer du",
    "en": "In this lesson you will learn",
}
SOURCE = {
    "nb": "Kilde: Slettmeg.no / NorSIS",
    "nn": "Kjelde: Slettmeg.no / NorSIS",
    "en": "Source: Slettmeg.no / NorSIS",
}
NEVER_FAULT = {
    "nb": ("aldri offerets feil", "ikke din feil", "ikke Jonas' feil"),
    "nn": ("aldri feilen til offeret", "ikkje din feil", "ikkje feilen til Jonas"),
    "en": ("never the victim's fault", "not your fault", "not Jonas's fault"),
}
# The one ready-made sentence for telling an adult: course.yaml's `tell_adult`, everywhere.
READY_SENTENCE = {lang: COURSE.t("tell_adult", lang) for lang in COURSE.languages}


def path_of(lang: str, lesson_id: str) -> Path:
    return ROOT / "lessons" / lang / f"{lesson_id}.ipynb"


def read(lang: str, lesson_id: str) -> dict:
    return json.loads(path_of(lang, lesson_id).read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def section_ids(nb: dict) -> list[str]:
    return [
        cell["metadata"]["awareness"]["section"]
        for cell in nb["cells"]
        if "section" in cell.get("metadata", {}).get("awareness", {})
    ]


def sections(nb: dict) -> dict[str, list[dict]]:
    """Section id -> the cells from its first cell up to the next section."""
    out: dict[str, list[dict]] = {}
    current = None
    for cell in nb["cells"]:
        sid = cell.get("metadata", {}).get("awareness", {}).get("section")
        if sid:
            current = sid
            out[current] = []
        if current is not None:
            out[current].append(cell)
    return out


def code(nb: dict) -> list[str]:
    return [source(c).strip() for c in nb["cells"] if c["cell_type"] == "code"]


def markdown(nb: dict) -> str:
    return "\n\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")


ALL = [(lang, lid) for lang in LANGS for lid in [START_ID, *LESSON_IDS]]
LESSONS = [(lang, lid) for lang in LANGS for lid in LESSON_IDS]


def ids(param) -> str:
    return "/".join(param) if isinstance(param, tuple) else str(param)


# --- structure -------------------------------------------------------------------------


def test_the_course_has_the_fixed_lessons():
    assert list(SECTIONS) == LESSON_IDS


@pytest.mark.parametrize("case", ALL, ids=ids)
def test_notebook_exists_and_is_valid(case):
    import nbformat

    lang, lesson_id = case
    nb = nbformat.read(path_of(lang, lesson_id), as_version=4)
    nbformat.validate(nb)


@pytest.mark.parametrize("case", ALL, ids=ids)
def test_metadata_matches_the_path_and_course(case):
    lang, lesson_id = case
    meta = read(lang, lesson_id)["metadata"]
    assert meta["awareness"] == {"lesson": lesson_id, "lang": lang}
    assert meta["kernelspec"] == {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}
    title = COURSE.title[lang] if lesson_id == START_ID else COURSE.lesson(lesson_id).title[lang]
    assert meta["title"] == title


@pytest.mark.parametrize("case", ALL, ids=ids)
def test_first_heading_is_the_title(case):
    lang, lesson_id = case
    nb = read(lang, lesson_id)
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown"
    title = COURSE.title[lang] if lesson_id == START_ID else COURSE.lesson(lesson_id).title[lang]
    assert source(first).splitlines()[0] == f"# {title}"
    headings = [line for line in markdown(nb).splitlines() if line.startswith("# ")]
    assert headings == [f"# {title}"], "exactly one top heading per page"


@pytest.mark.parametrize("case", ALL, ids=ids)
def test_no_outputs(case):
    for cell in read(*case)["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == []
            assert cell["execution_count"] is None


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_same_sections_in_every_language(lesson_id):
    for lang in LANGS:
        assert section_ids(read(lang, lesson_id)) == SECTIONS[lesson_id], lang


@pytest.mark.parametrize("case", LESSONS, ids=ids)
def test_section_cells_are_slides_with_a_heading(case):
    nb = read(*case)
    for sid, cells in sections(nb).items():
        first = cells[0]
        assert first["cell_type"] == "markdown", sid
        assert first["metadata"]["slideshow"]["slide_type"] == "slide", sid
        assert source(first).lstrip().startswith("#"), f"{sid}: no heading"
    assert nb["cells"][0]["metadata"]["awareness"]["section"] == "objectives"


@pytest.mark.parametrize("case", ALL, ids=ids)
def test_every_cell_has_a_slide_type_and_code_is_tagged(case):
    for cell in read(*case)["cells"]:
        assert cell["metadata"]["slideshow"]["slide_type"] in SLIDE_TYPES
        if cell["cell_type"] == "code":
            assert cell["metadata"]["tags"] == ["awareness-code"]


# --- code cells: only the allowed one-line calls -----------------------------------------


def allowed_calls(lang: str, lesson_id: str) -> set[str]:
    calls = {f'show_footer("{lesson_id}", "{lang}")', f'show_quiz("{lesson_id}", "{lang}")'}
    if lesson_id == START_ID:
        return {f'show_start("{lang}")'}
    if lesson_id == "02-the-conversation":
        calls.add(f'show_chat("{lang}")')
    if lesson_id == "03-if-it-happens":
        calls.add(f'show_checklist("report-police", "{lang}")')
    if lesson_id == "04-prevention":
        calls.add(f'show_checklist("prevention", "{lang}")')
        calls.add(f'show_chat("{lang}", scenario="sara")')
    return calls


@pytest.mark.parametrize("case", ALL, ids=ids)
def test_code_cells_are_only_allowed_calls(case):
    lang, lesson_id = case
    cells = code(read(lang, lesson_id))
    first, rest = cells[0], cells[1:]
    match = re.fullmatch(r"from awareness import ((?:show_[a-z]+, )*show_[a-z]+)", first)
    assert match, f"first code cell must import the helpers: {first!r}"
    imported = match.group(1).split(", ")
    assert imported == sorted(imported) and set(imported) <= SHOWS
    assert rest, "no call after the import"
    allowed = allowed_calls(lang, lesson_id)
    for call in rest:
        assert "\n" not in call and call in allowed, f"not an allowed call: {call!r}"
    used = {call.split("(")[0] for call in rest}
    assert set(imported) == used, "import exactly what the notebook uses"


@pytest.mark.parametrize("case", LESSONS, ids=ids)
def test_lesson_shows_its_parts_in_the_right_sections(case):
    lang, lesson_id = case
    nb = read(lang, lesson_id)
    secs = sections(nb)

    def calls_in(sid: str) -> list[str]:
        return [source(c).strip() for c in secs[sid] if c["cell_type"] == "code"]

    quiz = f'show_quiz("{lesson_id}", "{lang}")'
    assert code(nb).count(quiz) == 1
    if lesson_id == "05-summary":
        assert quiz in calls_in("final-quiz")
    else:
        order = SECTIONS[lesson_id]
        assert quiz in calls_in(order[-2]), "the quiz comes just before the key points"
    assert code(nb)[-1] == f'show_footer("{lesson_id}", "{lang}")'
    assert nb["cells"][-1]["cell_type"] == "code", "the footer is the last cell"
    if lesson_id == "02-the-conversation":
        assert calls_in("chat") == [f'show_chat("{lang}")']
    if lesson_id == "03-if-it-happens":
        assert calls_in("report-police") == [f'show_checklist("report-police", "{lang}")']
    if lesson_id == "04-prevention":
        assert f'show_checklist("prevention", "{lang}")' in code(nb)
        assert calls_in("someone-you-know")[0] == f'show_chat("{lang}", scenario="sara")'


@pytest.mark.parametrize("lang", LANGS)
def test_start_page_is_title_and_start(lang):
    nb = read(lang, START_ID)
    assert [c["cell_type"] for c in nb["cells"]] == ["markdown", "code", "code"]
    assert code(nb) == ["from awareness import show_start", f'show_start("{lang}")']


# --- the text ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", LESSONS, ids=ids)
def test_objectives_first_and_source_named(case):
    lang, lesson_id = case
    nb = read(lang, lesson_id)
    assert OBJECTIVES[lang] in source(nb["cells"][0])
    assert SOURCE[lang] in markdown(nb)


@pytest.mark.parametrize("case", LESSONS, ids=ids)
def test_nothing_loads_from_the_internet(case):
    text = markdown(read(*case))
    assert "http://" not in text and "https://" not in text
    assert "![" not in text and "<img" not in text.lower() and "<script" not in text.lower()


@pytest.mark.parametrize("lang", LANGS)
def test_never_the_victims_fault_is_said_often(lang):
    said_in = [
        lesson_id
        for lesson_id in LESSON_IDS
        if any(phrase in markdown(read(lang, lesson_id)) for phrase in NEVER_FAULT[lang])
    ]
    assert "01-what-is-sextortion" in said_in
    assert len(said_in) >= 3, said_in
    text01 = markdown(read(lang, "01-what-is-sextortion"))
    assert sum(text01.count(p) for p in NEVER_FAULT[lang]) >= 2


@pytest.mark.parametrize("lang", LANGS)
def test_key_messages(lang):
    text01 = markdown(read(lang, "01-what-is-sextortion"))
    assert "12" in text01 and "Medietilsynet" in text01
    # No Norwegian case counts or estimates without a dated public source (CONTENT_GUIDE).
    assert "Kripos" not in text01 and "1 av 10" not in text01 and "1 in 10" not in text01
    assert "Jonas" in markdown(read(lang, "02-the-conversation"))
    assert "16" in markdown(read(lang, "02-the-conversation"))
    text03 = markdown(read(lang, "03-if-it-happens"))
    assert READY_SENTENCE[lang] in text03
    assert "politiet.no" in markdown(read(lang, "05-summary"))


# --- coverage.yaml -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def coverage() -> dict:
    return yaml.safe_load((ROOT / "quizzes" / "coverage.yaml").read_text(encoding="utf-8"))


def test_coverage_has_all_19_points(coverage):
    points = coverage["points"]
    assert [p["id"] for p in points] == [str(n) for n in range(1, 20)]
    for p in points:
        assert set(p) == {"id", "summary", "lessons"}, p["id"]
        _, problems = validate(Text, p["summary"], ROOT / "quizzes/coverage.yaml", LANGS)
        assert problems == [], p["id"]
        assert p["lessons"], f"point {p['id']} is taught in no section"


def test_coverage_sections_exist_in_every_language(coverage):
    for p in coverage["points"]:
        for ref in p["lessons"]:
            lesson_id, _, sid = ref.partition("#")
            for lang in LANGS:
                assert sid in section_ids(read(lang, lesson_id)), f"point {p['id']}: {ref} ({lang})"


def test_every_content_section_teaches_a_point(coverage):
    """A guide point, or a topic beyond the source (coverage.yaml's `beyond`)."""
    taught = {ref for p in coverage["points"] + coverage.get("beyond", []) for ref in p["lessons"]}
    not_points = {"objectives", "key-points", "final-quiz", "tell-an-adult", "be-an-ally",
                  "debrief"}
    for lesson_id, secs in SECTIONS.items():
        for sid in secs:
            if sid not in not_points:
                assert f"{lesson_id}#{sid}" in taught, f"{lesson_id}#{sid}"
