"""The script of every lesson note prints on one A4 page (real Chromium, the built HTML).

The notes build's print style gives the script the first page to itself; the next
section starts page 2. A script that runs over pushes its last lines onto page 2.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from awareness import notes_build
from awareness.content.course import load_course
from awareness.content.notes import RUN_SHEET, note_path, parse_note
from tests.conftest import ROOT

COURSE = load_course(ROOT)
NOTES = [(lang, lesson.id) for lang in COURSE.languages for lesson in COURSE.lessons]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("notes")
    notes_build.build_notes(root=ROOT, out=out)
    return out


@pytest.fixture(scope="module")
def printer(browser):
    context = browser.new_context()
    context.route("**/*", lambda route: (
        route.continue_() if route.request.url.startswith("file:") else route.abort()
    ))  # fmt: skip
    yield context.new_page()
    context.close()


def flat(text: str) -> str:
    return " ".join(text.replace("\ufb00", "ff").replace("\ufb01", "fi").split())


@pytest.mark.parametrize(("lang", "lesson_id"), NOTES)
def test_the_script_prints_on_one_page(built, printer, lang, lesson_id):
    parsed = parse_note(note_path(ROOT, lang, lesson_id))
    entries = parsed.children(RUN_SHEET)
    after = parsed.top_level[1]  # the section that follows the script
    printer.goto((built / lang / f"{lesson_id}.html").as_uri())
    pdf = PdfReader(io.BytesIO(printer.pdf(prefer_css_page_size=True, print_background=False)))
    first, second = (flat(page.extract_text()) for page in pdf.pages[:2])
    assert flat(entries[-1].title) in first, f"{lang}/{lesson_id}: the last entry is not on page 1"
    assert second.startswith(flat(parsed.section(after).title)), (
        f"{lang}/{lesson_id}: the script runs onto page 2: {second[:120]!r}"
    )
