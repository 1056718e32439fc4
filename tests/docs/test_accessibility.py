"""The accessibility statement and conformance report (docs/nb/tilgjengelighet.md,
docs/en/accessibility.md) stays honest, and so do the other pages for schools:

- the report lists every WCAG 2.1 A and AA success criterion once, at its level, with a
  status for the app, the slides and the static copy from a fixed list;
- every test the pages for schools cite (``tests/…py::test_name``) is defined;
- a criterion marked met cites a test, or is one of the few met by the course's nature
  (nothing of that kind in it), listed here;
- both languages say the same, criterion by criterion;
- the README links every page, each quick start links the statement; relative links
  lead to files.
Cheap: reads text, no server, no browser.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# WCAG 2.1, levels A and AA: all 50 success criteria (https://www.w3.org/TR/WCAG21/).
WCAG21 = {
    "1.1.1": "A", "1.2.1": "A", "1.2.2": "A", "1.2.3": "A", "1.2.4": "AA", "1.2.5": "AA",
    "1.3.1": "A", "1.3.2": "A", "1.3.3": "A", "1.3.4": "AA", "1.3.5": "AA",
    "1.4.1": "A", "1.4.2": "A", "1.4.3": "AA", "1.4.4": "AA", "1.4.5": "AA",
    "1.4.10": "AA", "1.4.11": "AA", "1.4.12": "AA", "1.4.13": "AA",
    "2.1.1": "A", "2.1.2": "A", "2.1.4": "A", "2.2.1": "A", "2.2.2": "A", "2.3.1": "A",
    "2.4.1": "A", "2.4.2": "A", "2.4.3": "A", "2.4.4": "A", "2.4.5": "AA", "2.4.6": "AA",
    "2.4.7": "AA", "2.5.1": "A", "2.5.2": "A", "2.5.3": "A", "2.5.4": "A",
    "3.1.1": "A", "3.1.2": "AA", "3.2.1": "A", "3.2.2": "A", "3.2.3": "AA", "3.2.4": "AA",
    "3.3.1": "A", "3.3.2": "A", "3.3.3": "AA", "3.3.4": "AA",
    "4.1.1": "A", "4.1.2": "A", "4.1.3": "AA",
}

REPORTS = {"nb": Path("docs/nb/tilgjengelighet.md"), "nn": Path("docs/nn/tilgjengelighet.md"),
           "en": Path("docs/en/accessibility.md")}
# The statuses, one word list per language, in the same order.
STATUSES = {
    "en": ("meets", "partly", "does not apply", "not yet tested"),
    "nb": ("oppfylt", "delvis", "ikke relevant", "ikke testet ennå"),
    "nn": ("oppfylt", "delvis", "ikkje relevant", "ikkje testa enno"),
}
COLUMNS = ("app", "slides", "static copy")

# Met without a test of their own because the course has nothing of the kind, or because
# they were checked by reading (the row says so): no flashing, no images of text, nothing
# on hover, no gestures, no single-key shortcuts in the app, one word list, instructions
# that name buttons by their words.
MET_BY_NATURE = {"1.3.3", "1.4.5", "1.4.13", "2.1.4", "2.3.1", "2.5.1", "2.5.2", "3.2.4"}

ROW = re.compile(r"^\|\s*(\d\.\d\.\d+)\s[^|]*\|(.*)\|\s*$", re.M)
TEST_ID = re.compile(r"(tests/[\w/]+\.py)::(\w+)")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def read(path: Path) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def rows(text: str, lang: str) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """(criterion, level, statuses as indexes into STATUSES, cited tests) per table row."""
    found = []
    for criterion, rest in ROW.findall(text):
        cells = [c.strip() for c in rest.split("|")]
        level, statuses = cells[0], cells[1:4]
        words = STATUSES[lang]
        found.append((
            criterion,
            level,
            tuple(str(words.index(s)) if s in words else f"?{s}" for s in statuses),
            tuple(sorted(set(TEST_ID.findall(cells[-1])))) if len(cells) >= 6 else (),
        ))
    return found


@cache
def defined_tests(path: str) -> set[str]:
    """Test functions defined in a test file (at module level or in a class)."""
    file = ROOT / path
    if not file.is_file():
        return set()
    tree = ast.parse(file.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name.startswith("test_")}


def report_problems(text: str, lang: str) -> list[str]:
    found = []
    listed = rows(text, lang)
    seen = [criterion for criterion, *_ in listed]
    for criterion in sorted(set(seen)):
        if seen.count(criterion) > 1:
            found.append(f"{criterion}: listed {seen.count(criterion)} times")
    for criterion in WCAG21:
        if criterion not in seen:
            found.append(f"{criterion}: missing")
    for criterion, level, statuses, tests in listed:
        if criterion not in WCAG21:
            found.append(f"{criterion}: not a WCAG 2.1 A or AA criterion")
            continue
        if level != WCAG21[criterion]:
            found.append(f"{criterion}: level {level!r}, WCAG 2.1 says {WCAG21[criterion]}")
        for column, status in zip(COLUMNS, statuses, strict=False):
            if status.startswith("?"):
                found.append(f"{criterion}: {column}: {status[1:]!r} is not one of "
                             f"{', '.join(STATUSES[lang])}")
        if len(statuses) != len(COLUMNS):
            found.append(f"{criterion}: expected {len(COLUMNS)} statuses")
        if "0" in statuses and not tests and criterion not in MET_BY_NATURE:
            found.append(f"{criterion}: marked met, but cites no test")
    return found


def cited_test_problems(text: str) -> list[str]:
    return [f"{path}::{name}: no such test"
            for path, name in TEST_ID.findall(text) if name not in defined_tests(path)]


def docs_pages() -> list[Path]:
    return sorted(p.relative_to(ROOT) for p in (ROOT / "docs").glob("*/*.md"))


@pytest.mark.parametrize("lang", REPORTS)
def test_every_criterion_once_with_its_level_and_a_status_per_column(lang):
    assert report_problems(read(REPORTS[lang]), lang) == []


@pytest.mark.parametrize("page", docs_pages(), ids=str)
def test_every_test_a_page_for_schools_cites_exists(page):
    assert cited_test_problems(read(page)) == []


@pytest.mark.parametrize("page", docs_pages(), ids=str)
def test_relative_links_lead_to_files(page):
    for target in LINK.findall(read(page)):
        if "://" in target or target.startswith(("#", "mailto:", "tel:")):
            continue
        path = (ROOT / page).parent / target.split("#")[0]
        assert path.resolve().is_file(), f"{page}: {target} leads nowhere"


def test_both_languages_say_the_same_for_every_criterion():
    first, *others = REPORTS
    expected = rows(read(REPORTS[first]), first)
    for lang in others:
        assert rows(read(REPORTS[lang]), lang) == expected


def test_the_readme_links_every_page_and_the_quick_starts_the_statement():
    readme = read(Path("README.md"))
    for path in docs_pages():
        assert f"]({path.as_posix()})" in readme, f"README does not link {path}"
    quick_starts = {"nb": "hurtigstart.md", "nn": "hurtigstart.md", "en": "quick-start.md"}
    for lang, quick in quick_starts.items():
        assert f"]({REPORTS[lang].name})" in read(Path("docs", lang, quick))


def test_the_statement_has_a_contact_line_for_the_school():
    assert "[skolen fyller inn" in read(REPORTS["nb"])
    assert "[skulen fyller inn" in read(REPORTS["nn"])
    assert "[the school fills in" in read(REPORTS["en"])


# The checks must catch what they are for.
GOOD_ROW = ("| 1.1.1 Non-text Content | A | meets | meets | not yet tested | How. | "
            "`tests/app/test_accessibility.py::test_lesson_page` |\n")


def whole(row: str = GOOD_ROW) -> str:
    """A report with every criterion, the first row replaced."""
    others = "".join(f"| {c} X | {lv} | does not apply | does not apply | does not apply | "
                     "No. | — |\n" for c, lv in WCAG21.items() if c != "1.1.1")
    return row + others


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (whole(), []),
        (whole("") , ["1.1.1: missing"]),
        (whole() + GOOD_ROW, ["1.1.1: listed 2 times"]),
        (whole(GOOD_ROW.replace("| A |", "| AA |")), ["1.1.1: level 'AA'"]),
        (whole(GOOD_ROW.replace("| meets | meets", "| fine | meets")), ["1.1.1: app: 'fine'"]),
        (whole(GOOD_ROW.replace("`tests/app/test_accessibility.py::test_lesson_page`", "—")),
         ["1.1.1: marked met, but cites no test"]),
        (whole() + "| 2.5.5 Target Size | AAA | meets | meets | meets | x | — |\n",
         ["2.5.5: not a WCAG 2.1 A or AA criterion"]),
    ],
)
def test_the_report_check_catches_each_mistake(text, expected):
    found = report_problems(text, "en")
    assert len(found) == len(expected), found
    for line, start in zip(found, expected, strict=True):
        assert line.startswith(start), found


def test_a_cited_test_that_does_not_exist_is_caught():
    assert cited_test_problems("`tests/app/test_accessibility.py::test_lesson_page`") == []
    assert cited_test_problems("`tests/app/test_accessibility.py::test_no_such_thing`") == [
        "tests/app/test_accessibility.py::test_no_such_thing: no such test"]
    assert cited_test_problems("`tests/app/test_nowhere.py::test_lesson_page`") != []
