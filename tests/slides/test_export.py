"""The teacher slides: real nbconvert export, opened in real Chromium with no network."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from awareness.content.course import load_course
from awareness.slides.export import export_all, pdf_page_count
from awareness.slides.preprocessors import SlideExportError
from tests.app.axe import counts, run_axe, serious
from tests.conftest import ROOT

COURSE = load_course(ROOT)
DECKS = [(lang, lesson.id) for lang in COURSE.languages for lesson in COURSE.lessons]


@dataclass
class Deck:
    html: Path
    pdf: Path
    slides: int
    notes: int
    pdf_pages: int


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """`make slides` as a teacher runs it: the command, its progress and summary."""
    out = tmp_path_factory.mktemp("slides")
    run = subprocess.run(
        [sys.executable, "-m", "awareness.slides.export", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert f"Wrote {len(DECKS)} slide decks" in run.stdout
    assert "[########################]" in run.stdout, "no progress bar"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    decks = {
        (d["lang"], d["lesson"]): Deck(out / d["html"], out / d["pdf"], d["slides"], d["notes"],
                                       d["pdf_pages"])
        for d in manifest["decks"]
    }
    return out, decks


class FilePage:
    """A Chromium page for a file:// deck; any other request is blocked and recorded."""

    def __init__(self, browser):
        self.context = browser.new_context()
        self.outside: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:", "about:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


@pytest.fixture
def file_page(browser):
    fp = FilePage(browser)
    yield fp
    fp.context.close()


def test_every_deck_and_pdf_is_written(exported):
    out, results = exported
    assert set(results) == set(DECKS)
    for (lang, lesson_id), result in results.items():
        assert result.html == out / lang / f"{lesson_id}.html"
        assert result.pdf == out / lang / f"{lesson_id}.pdf"
        assert result.html.is_file() and result.pdf.is_file()
    assert not list(out.glob(".staging-*")), "the staging folder was left behind"


@pytest.mark.parametrize(("lang", "lesson_id"), DECKS)
def test_deck_in_chromium(exported, file_page, lang, lesson_id):
    _, results = exported
    result = results[(lang, lesson_id)]
    html = result.html.read_text(encoding="utf-8")
    assert "from awareness import" not in html, "code on a slide"
    assert not re.search(r"show_(chat|quiz|footer|checklist|start)\(", html), "code on a slide"
    assert 'class="jp-Editor' not in html and 'class="highlight' not in html, "code on a slide"

    page = file_page.page
    page.goto(result.html.as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.evaluate("Reveal.getTotalSlides()") == result.slides
    assert result.slides >= 5
    notes = page.evaluate("document.querySelectorAll('aside.notes').length")
    assert notes >= 1 and result.notes >= 1, "no speaker notes"
    assert pdf_page_count(result.pdf) == result.slides == result.pdf_pages

    violations = run_axe(page)
    counts(violations, f"slides {lang}/{lesson_id}")
    assert serious(violations) == []
    assert file_page.outside == [], f"requests outside the file: {file_page.outside}"


@pytest.mark.parametrize("lang", COURSE.languages)
def test_a_quiz_answer_is_hidden_until_the_teacher_advances(exported, file_page, lang):
    _, results = exported
    page = file_page.page
    page.goto(results[(lang, "01-what-is-sextortion")].html.as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
    found = page.evaluate(
        """() => {
          for (const slide of document.querySelectorAll('.reveal .slides section')) {
            if (slide.querySelector(':scope section')) continue;
            if (!slide.querySelector('.quiz-answer')) continue;
            const indices = Reveal.getIndices(slide);
            Reveal.slide(indices.h, indices.v, -1);
            return true;
          }
          return false;
        }"""
    )
    assert found, "no quiz slide with an answer"
    answer = page.locator(".reveal .slides section.present .quiz-answer").first
    assert answer.evaluate("el => getComputedStyle(el.closest('.fragment')).opacity") == "0"
    assert not answer.evaluate("el => el.closest('.fragment').classList.contains('visible')")
    page.evaluate("Reveal.nextFragment()")
    page.wait_for_timeout(600)
    assert answer.evaluate("el => el.closest('.fragment').classList.contains('visible')")
    assert answer.evaluate("el => getComputedStyle(el.closest('.fragment')).opacity") == "1"


def test_a_sensitive_question_is_never_an_answer_slide(exported):
    """Blame and feelings questions are anonymous polls in class: in every deck, a poll's
    slide has no answer, and no later fragment or slide of its own reveals one."""
    _, results = exported
    polls = 0
    for result in results.values():
        html = result.html.read_text(encoding="utf-8")
        for part in html.split('class="quiz-slide ')[1:]:
            slide = part.split("</section>", 1)[0]
            if "quiz-poll" in slide.split(">", 1)[0]:
                polls += 1
                assert "quiz-answer" not in slide and "fragment" not in slide, slide[:200]
    assert polls >= len(COURSE.languages)  # lesson 01 has one in every language


def test_the_chat_becomes_fragments_and_what_would_you_do_slides(exported):
    _, results = exported
    html = results[("nb", "02-the-conversation")].html.read_text(encoding="utf-8")
    assert html.count('class="fragment') >= 10
    assert "aw-prompt" in html and "aw-feedback" in html
    # the debrief slide: every sign found on the teacher's path, no ordinary message flagged
    assert 'data-wrong="0"' in html and "aw-perfect" in html
    # the second scenario, in lesson 04
    for lang in COURSE.languages:
        html = results[(lang, "04-prevention")].html.read_text(encoding="utf-8")
        assert "Adrian" in html and "aw-prompt" in html and "aw-not-in-trouble" in html


def copy_content(tmp: Path) -> Path:
    tmp.mkdir(parents=True)
    for name in ("course.yaml", "lessons", "quizzes", "facilitator_notes", "node_modules"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp / name, symlinks=True)
        else:
            shutil.copy(src, tmp / name)
    return tmp


def test_a_missing_note_stops_the_export_and_writes_nothing(tmp_path, monkeypatch):
    root = copy_content(tmp_path / "content")
    first, last = COURSE.languages[0], COURSE.languages[-1]
    (root / "facilitator_notes" / last / "04-prevention.md").unlink()
    monkeypatch.setenv("AWARENESS_ROOT", str(root))
    out = tmp_path / "out"
    with pytest.raises(SlideExportError) as err:
        # Two languages are enough: the first one's decks are made, then the export stops.
        export_all(out, root=root, langs=[first, last], pdf=False)
    assert f"facilitator_notes/{last}/04-prevention.md" in str(err.value)
    assert [p for p in out.rglob("*") if p.is_file()] == []


def test_a_broken_lesson_is_named(tmp_path, monkeypatch):
    root = copy_content(tmp_path / "content")
    path = root / "lessons" / "nb" / "03-if-it-happens.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"]["awareness"]["lesson"] = "04-prevention"
    path.write_text(json.dumps(nb), encoding="utf-8")
    monkeypatch.setenv("AWARENESS_ROOT", str(root))
    out = tmp_path / "out"
    with pytest.raises(SlideExportError) as err:
        export_all(out, root=root, langs=["nb"], pdf=False)
    assert "lessons/nb/03-if-it-happens.ipynb" in str(err.value)
    assert [p for p in out.rglob("*") if p.is_file()] == []
