"""The teacher slides and handouts: one real `make slides` export per test session, opened
in real Chromium at 1920×1080 with no network."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from awareness.content.course import load_course
from awareness.conversation.model import load_conversation
from awareness.quiz.model import load_banks, load_ui
from awareness.slides.emoji import EMOJI
from awareness.slides.export import export_all, pdf_page_count
from awareness.slides.measure import MEASURE_JS
from awareness.slides.preprocessors import SlideExportError
from awareness.slides.theme import palette
from awareness.slides.words import load_words
from tests.app.axe import counts, run_axe, serious
from tests.conftest import ROOT

COURSE = load_course(ROOT)
WORDS = load_words(COURSE.languages)
DECKS = [(lang, lesson.id) for lang in COURSE.languages for lesson in COURSE.lessons]
# The decks with a chat, and its scenario (lesson 02: Jonas, lesson 04: Sara).
CHATS = {"02-the-conversation": "jonas", "04-prevention": "sara"}
MIN_TEXT_PX = 24


@dataclass
class Deck:
    html: Path
    pdf: Path
    handout: Path
    slides: int
    notes: int
    pdf_pages: int


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """`make slides` as a teacher runs it: the command, its progress and summary."""
    out = tmp_path_factory.mktemp("build") / "slides"
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "awareness.slides.export", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    seconds = time.monotonic() - started
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert f"Wrote {len(DECKS)} slide decks" in run.stdout
    assert "[########################]" in run.stdout, "no progress bar"
    print(f"\nslide export: {seconds:.0f} s for {len(DECKS)} decks")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    decks = {
        (d["lang"], d["lesson"]): Deck(out / d["html"], out / d["pdf"], Path(d["handout"]),
                                       d["slides"], d["notes"], d["pdf_pages"])
        for d in manifest["decks"]
    }
    return out, decks


class FilePage:
    """A Chromium page at 1920×1080 for a file:// deck; any other request is blocked and
    recorded."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1920, "height": 1080})
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

    def open(self, path: Path, hash_: str = ""):
        self.page.goto(path.as_uri() + hash_)
        self.page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
        return self.page


@pytest.fixture
def file_page(browser):
    fp = FilePage(browser)
    yield fp
    fp.context.close()


# Every slide with all its fragments shown: text smaller than MIN_TEXT_PX on the projector,
# and the speaker notes of each slide.
SLIDE_FACTS_JS = """
(minPx) => {
  const out = [];
  for (const s of document.querySelectorAll('.reveal .slides section[id]')) {
    const at = Reveal.getIndices(s);
    Reveal.slide(at.h, at.v, 999);
    const scale = Reveal.getScale();
    const small = [];
    for (const el of s.querySelectorAll('*')) {
      if (el.closest('aside.notes')) continue;
      const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
      if (!own) continue;
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      if (r.width < 1 || r.height < 1 || cs.visibility === 'hidden') continue;
      const px = parseFloat(cs.fontSize) * scale;
      if (px < minPx - 0.01) small.push(el.tagName + ' ' + px.toFixed(1) + 'px: '
                                        + el.textContent.trim().slice(0, 40));
    }
    const notes = [...s.querySelectorAll(':scope > aside.notes, :scope aside.notes')];
    out.push({id: s.id, small, notes: notes.length,
              notesText: notes.map(n => n.textContent.trim()).join(' ')});
  }
  return out;
}
"""


def test_every_deck_pdf_and_handout_is_written(exported):
    out, results = exported
    assert set(results) == set(DECKS)
    for (lang, lesson_id), result in results.items():
        assert result.html == out / lang / f"{lesson_id}.html"
        assert result.pdf == out / lang / f"{lesson_id}.pdf"
        assert result.handout == out.parent / "handouts" / lang / f"{lesson_id}.pdf"
        assert result.html.is_file() and result.pdf.is_file() and result.handout.is_file()
        assert result.notes == result.slides, "a slide without speaker notes"
    assert not list(out.glob(".staging-*")), "the staging folder was left behind"


@pytest.mark.parametrize(("lang", "lesson_id"), DECKS)
def test_deck_in_chromium(exported, file_page, lang, lesson_id):
    _, results = exported
    result = results[(lang, lesson_id)]
    html = result.html.read_text(encoding="utf-8")
    assert "from awareness import" not in html, "code on a slide"
    assert not re.search(r"show_(chat|quiz|footer|checklist|start)\(", html), "code on a slide"
    assert 'class="jp-Editor' not in html and 'class="highlight' not in html, "code on a slide"
    deck = f"{lang}/{lesson_id}"

    page = file_page.open(result.html)
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.title() == COURSE.lesson(lesson_id).title[lang]  # WCAG 2.4.2
    assert page.evaluate("Reveal.getTotalSlides()") == result.slides
    assert result.slides >= 5
    # 16:9 at the design size, nothing scaled on a 1920×1080 projector
    size = page.evaluate(
        "(() => { const c = Reveal.getConfig(); const r = document.querySelector("
        "'.reveal .slides').getBoundingClientRect(); return [c.width, c.height, "
        "Reveal.getScale(), Math.round(r.width), Math.round(r.height)]; })()"
    )
    assert size == [1920, 1080, 1, 1920, 1080], size
    # nothing runs past a slide, all fragments shown
    over = [m for m in page.evaluate(MEASURE_JS, "live") if m["over_y"] or m["over_x"]]
    assert over == [], f"{deck}: {over}"
    # no text under 24 px; speaker notes on every slide
    facts = page.evaluate(SLIDE_FACTS_JS, MIN_TEXT_PX)
    assert len(facts) == result.slides
    small = {f["id"]: f["small"] for f in facts if f["small"]}
    assert small == {}, f"{deck}: text under {MIN_TEXT_PX} px: {small}"
    assert [f["id"] for f in facts if f["notes"] != 1 or len(f["notesText"]) < 20] == []
    # help on the first and the last slide, whole
    first, last = facts[0]["id"], facts[-1]["id"]
    first_text, last_text = (page.evaluate(
        "id => { const s = document.getElementById(id).cloneNode(true);"
        " s.querySelectorAll('aside.notes').forEach(n => n.remove()); return s.textContent; }",
        slide_id) for slide_id in (first, last))
    for service in COURSE.help:
        assert service.name[lang] in first_text and service.name[lang] in last_text
        for phone in re.findall(r"\d{3} \d{3}(?: \d{2})?|\b\d{3,5}\b", service.contact[lang]):
            assert phone in first_text and phone in last_text, phone
    assert page.locator(f"#{last} .awareness-help").count() == 1
    assert pdf_page_count(result.pdf) == result.slides == result.pdf_pages

    page.evaluate("Reveal.slide(0, 0)")
    violations = run_axe(page)
    counts(violations, f"slides {deck}")
    assert serious(violations) == []
    assert file_page.outside == [], f"requests outside the file: {file_page.outside}"


def test_every_kind_of_slide_passes_axe_as_shown(exported, file_page):
    """axe checks what is on screen: each kind of slide (text, chat messages with their
    warning signs, decision, choice with feedback, ending, signs, steps, appendix, quiz
    with its answer, poll, checklist, help), once, with every fragment shown."""
    _, results = exported
    lang = COURSE.languages[0]
    seen: dict[str, str] = {}
    for lesson in COURSE.lessons:
        page = file_page.open(results[(lang, lesson.id)].html)
        kinds = page.evaluate(
            "[...document.querySelectorAll('.reveal .slides section[id]')].map(s => [s.id,"
            " ([...s.classList].find(c => c.startsWith('aw-k-')) || 'aw-k-text')])"
        )
        for slide_id, kind in kinds:
            if kind in seen:
                continue
            seen[kind] = f"{lesson.id}#{slide_id}"
            page.evaluate("id => { const at = Reveal.getIndices(document.getElementById(id));"
                          " Reveal.slide(at.h, at.v, 999); }", slide_id)
            page.wait_for_timeout(250)  # the fragments' fade
            violations = run_axe(page)
            assert serious(violations) == [], f"{lang}/{lesson.id} {slide_id}"
    assert {"aw-k-text", "aw-k-first", "aw-k-help", "aw-k-chat-messages", "aw-k-chat-decision",
            "aw-k-chat-choice", "aw-k-chat-ending", "aw-k-chat-signs", "aw-k-chat-steps",
            "aw-k-chat-appendix", "aw-k-quiz", "aw-k-quiz-poll", "aw-k-checklist"} <= set(seen)
    assert file_page.outside == []


def _current(page) -> str:
    return page.evaluate("Reveal.getCurrentSlide().id")


@pytest.mark.parametrize(("lang", "lesson_id"),
                         [(lang, lid) for lang, lid in DECKS if lid in CHATS])
def test_the_class_vote_follows_every_branch_to_every_ending(exported, file_page, lang,
                                                             lesson_id):
    """From each decision slide, each lettered option leads to that choice's slide; the
    arrow key follows that branch to the next decision or an ending; the choice's back
    link returns to the decision. Every ending is reached."""
    _, results = exported
    conv = load_conversation(scenario=CHATS[lesson_id])
    p = f"aw-{conv.id}"
    page = file_page.open(results[(lang, lesson_id)].html)
    first = next(n for n in conv.decisions())
    todo, seen_decisions, endings, choices = [f"{p}-d-{first.id}"], set(), set(), set()
    go = "id => { const at = Reveal.getIndices(document.getElementById(id));" \
         " Reveal.slide(at.h, at.v, -1); }"
    where = "[Reveal.getCurrentSlide().id, Reveal.getCurrentSlide().className]"
    while todo:
        decision = todo.pop(0)
        if decision in seen_decisions:
            continue
        seen_decisions.add(decision)
        options = page.locator(f"#{decision} a.aw-option")
        for i in range(options.count()):
            page.evaluate(go, decision)
            target = options.nth(i).get_attribute("href").removeprefix("#/")
            options.nth(i).click()
            page.wait_for_function(f"Reveal.getCurrentSlide().id === {target!r}")
            choices.add(target)
            if i == 0:  # back to the choice, then on again with the letter key
                page.locator(f"#{target} a.aw-back").click()
                page.wait_for_function(f"Reveal.getCurrentSlide().id === {decision!r}")
                page.keyboard.press("A")
                page.wait_for_function(f"Reveal.getCurrentSlide().id === {target!r}")
            for _ in range(80):
                page.keyboard.press("ArrowRight")
                now, kind = page.evaluate(where)
                if "aw-k-chat-decision" in kind:
                    todo.append(now)
                    break
                if "aw-k-chat-ending" in kind:
                    endings.add(now)
                    break
            else:
                pytest.fail(f"{lang}/{lesson_id}: from {target} no decision or ending")
    assert endings == {f"{p}-e-{n.id}" for n in conv.endings()}
    assert choices == {f"{p}-c-{c.id}" for n in conv.decisions() for c in n.choices}
    assert seen_decisions == {f"{p}-d-{n.id}" for n in conv.decisions()}


@pytest.mark.parametrize("lesson_id", list(CHATS))
def test_the_arrow_key_runs_the_lesson_past_the_appendix_to_the_help(exported, file_page,
                                                                     lesson_id):
    """A clicker's "next" goes through the lesson (the chat's main run, its steps, the rest
    of the lesson) to the help slide, never into the appendix; "back" goes back."""
    _, results = exported
    page = file_page.open(results[(COURSE.languages[0], lesson_id)].html)
    appendix = page.evaluate(
        "[...document.querySelectorAll('.reveal .slides section[id]')].map(s => s.id)"
        ".slice([...document.querySelectorAll('.reveal .slides section[id]')]"
        ".findIndex(s => s.classList.contains('aw-k-chat-appendix')), -1)"
    )
    seen = []
    for _ in range(600):
        now = _current(page)
        if not seen or seen[-1] != now:
            seen.append(now)
        if now == "aw-help":
            break
        page.keyboard.press("ArrowRight")
    assert seen[-1] == "aw-help", seen[-5:]
    assert appendix and not set(appendix) & set(seen)
    assert f"aw-{CHATS[lesson_id]}-steps" in seen
    page.keyboard.press("ArrowLeft")
    assert _current(page) == seen[-2]


@pytest.mark.parametrize("lang", COURSE.languages)
def test_the_printout_says_where_each_choice_goes_on(exported, file_page, lang):
    """In the PDF every option of a decision names the page of its branch, and the
    appendix lists them: 'if the class chose B, go to page N'."""
    from pypdf import PdfReader

    _, results = exported
    result = results[(lang, "02-the-conversation")]
    page = file_page.open(result.html)
    pages = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('.reveal .slides section[id]')]"
        ".map((s, i) => [s.id, i + 1]))"
    )
    refs = page.evaluate(
        "[...document.querySelectorAll('a.aw-option')].map(a => [a.getAttribute('href')"
        ".slice(2), a.querySelector('.aw-pageref').textContent])"
    )
    assert refs
    for target, text in refs:
        assert re.search(rf"\b{pages[target]}\b", text), (target, text)
    reader = PdfReader(result.pdf)
    conv = load_conversation(scenario=CHATS["02-the-conversation"])
    appendix = pages[f"aw-{conv.id}-appendix"]
    text = " ".join(reader.pages[appendix - 1].extract_text().split())
    second = conv.decisions()[0].choices[1]
    row = WORDS.t("appendix_row", lang, letter="B", page=pages[f"aw-{conv.id}-c-{second.id}"])
    assert row in text


@pytest.mark.parametrize("lang", COURSE.languages)
def test_a_quiz_answer_is_hidden_until_the_teacher_advances(exported, file_page, lang):
    _, results = exported
    page = file_page.open(results[(lang, "01-what-is-sextortion")].html)
    found = page.evaluate(
        """() => {
          for (const slide of document.querySelectorAll('.reveal .slides section[id]')) {
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
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(600)
    assert answer.evaluate("el => el.closest('.fragment').classList.contains('visible')")
    assert answer.evaluate("el => getComputedStyle(el.closest('.fragment')).opacity") == "1"


def test_a_sensitive_question_is_never_an_answer_slide(exported):
    """Blame and feelings questions are anonymous polls in class: in every deck, a poll's
    slide has no answer, and no later fragment or slide of its own reveals one; its notes
    say how to run the poll and give no answer. Every other quiz slide's notes give the
    answer and why."""
    _, results = exported
    ui = load_ui()
    polls = answers = 0
    for (lang, _lesson), result in results.items():
        html = result.html.read_text(encoding="utf-8")
        for part in html.split('class="quiz-slide ')[1:]:
            slide = part.split("</section>", 1)[0]
            notes = _visible_text(slide.split('<aside class="notes">', 1)[1])
            if "quiz-poll" in slide.split(">", 1)[0]:
                polls += 1
                assert "quiz-answer" not in slide and "fragment" not in slide, slide[:200]
                assert ui.t("right_answer", lang) not in notes
                assert " ".join(ui.t("poll_notes", lang).split()[:6]) in " ".join(notes.split())
            elif "quiz-cont" not in slide.split(">", 1)[0]:
                answers += 1
                assert WORDS.t("notes_answer", lang) in notes, notes[:300]
                assert ui.t("poll_notes", lang)[:40] not in notes
    assert polls >= len(COURSE.languages)  # lesson 01 has one in every language
    assert answers >= 10


def test_the_chats_are_on_their_lessons_decks(exported):
    _, results = exported
    for lang in COURSE.languages:
        html = results[(lang, "02-the-conversation")].html.read_text(encoding="utf-8")
        assert html.count('class="fragment') >= 10
        assert "aw-k-chat-decision" in html and "aw-feedback" in html
        html = results[(lang, "04-prevention")].html.read_text(encoding="utf-8")
        assert "Adrian" in html and "aw-k-chat-decision" in html and "aw-not-in-trouble" in html


def _visible_text(html: str) -> str:
    """The text of the slides and of their speaker notes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_emoji_are_drawn_and_every_character_has_a_font(exported):
    """No emoji is left to a font the projector or printer may lack, and every other
    character on a slide is in a font on this machine (no empty boxes in the PDF)."""
    _, results = exported
    chars: set[str] = set()
    for result in results.values():
        html = result.html.read_text(encoding="utf-8")
        text = _visible_text(html)
        assert not EMOJI.search(text), EMOJI.search(text).group(0)
        chars |= {ch for ch in text if ord(ch) > 0x7F and not ch.isspace()}
    assert 'class="aw-emoji"' in results[(COURSE.languages[0], "02-the-conversation")
                                         ].html.read_text(encoding="utf-8")
    if not shutil.which("fc-list"):
        pytest.skip("fontconfig's fc-list is not installed")
    missing = []
    for ch in sorted(chars):
        if unicodedata.category(ch).startswith(("C", "Z")):
            continue
        found = subprocess.run(["fc-list", f":charset={ord(ch):x}", "family"],
                               capture_output=True, text=True).stdout.strip()
        if not found:
            missing.append(f"{ch} U+{ord(ch):04X}")
    assert missing == []


def test_the_decks_use_the_course_palette(exported):
    _, results = exported
    html = next(iter(results.values())).html.read_text(encoding="utf-8")
    for name, value in palette().items():
        assert f"{name}: {value};" in html, name


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())  # "ﬁ" is "fi"


def test_handouts_have_the_questions_but_no_answer_and_no_feedback(exported):
    _, results = exported
    ui = load_ui()
    banks = load_banks()
    for (lang, lesson_id), result in results.items():
        text = _pdf_text(result.handout)
        assert "116 111" in text and "116 123" in text and "113" in text
        assert COURSE.lesson(lesson_id).title[lang] in text
        for word in ("right_answer", "not_right", "correct_order", "correct", "partly"):
            assert ui.t(word, lang) not in text, (lesson_id, word)
        for bank in banks.values():
            for question in bank.questions:
                for option in question.options:
                    feedback = " ".join(option.feedback[lang].split())
                    assert feedback[:60] not in text, (lang, lesson_id, question.id, option.id)
        questions = banks[lesson_id].questions
        if banks[lesson_id].final is None:
            for question in questions:
                assert " ".join(question.prompt[lang].split())[:40] in text, question.id


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
    last = COURSE.languages[-1]
    (root / "facilitator_notes" / last / "04-prevention.md").unlink()
    monkeypatch.setenv("AWARENESS_ROOT", str(root))
    out = tmp_path / "out" / "slides"
    with pytest.raises(SlideExportError) as err:
        export_all(out, root=root, langs=[last], lessons=["04-prevention"], pdf=False, jobs=1)
    assert f"facilitator_notes/{last}/04-prevention.md" in str(err.value)
    assert [p for p in (tmp_path / "out").rglob("*") if p.is_file()] == []


def test_a_broken_lesson_is_named(tmp_path, monkeypatch):
    root = copy_content(tmp_path / "content")
    path = root / "lessons" / "nb" / "03-if-it-happens.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"]["awareness"]["lesson"] = "04-prevention"
    path.write_text(json.dumps(nb), encoding="utf-8")
    monkeypatch.setenv("AWARENESS_ROOT", str(root))
    out = tmp_path / "out" / "slides"
    with pytest.raises(SlideExportError) as err:
        export_all(out, root=root, langs=["nb"], lessons=["03-if-it-happens"], pdf=False, jobs=1)
    assert "lessons/nb/03-if-it-happens.ipynb" in str(err.value)
    assert [p for p in (tmp_path / "out").rglob("*") if p.is_file()] == []


def test_a_slide_that_cannot_fit_stops_the_export_naming_deck_slide_and_px(tmp_path):
    """The command, in its own process (this session's Chromium is already driven here)."""
    root = copy_content(tmp_path / "content")
    lang = COURSE.languages[0]
    path = root / "lessons" / lang / "05-summary.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    first["source"] = "".join(first["source"]) + "\n\n" + "\n\n".join(
        "A paragraph that is far too long for one slide. " * 6 for _ in range(14))
    path.write_text(json.dumps(nb), encoding="utf-8")
    out = tmp_path / "out" / "slides"
    run = subprocess.run(
        [sys.executable, "-m", "awareness.slides.export", "--out", str(out), "--lang", lang,
         "--lesson", "05-summary", "--no-pdf", "--jobs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "AWARENESS_ROOT": str(root)},
    )
    assert run.returncode == 1, run.stdout[-1000:] + run.stderr[-1000:]
    assert re.search(rf"Slide export stopped: slides {lang}/05-summary: slide 2 \(aw-s2\): "
                     r"content runs \d+ px past the bottom", run.stderr), run.stderr
    assert "Traceback" not in run.stderr
    assert [p for p in (tmp_path / "out").rglob("*") if p.is_file()] == []
