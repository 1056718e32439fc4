"""The student experience (issue 13) in real Chromium: phone first at every size and at
every step, tap targets, progress kept in the browser only, axe in every state, the chat
playing "… is typing" (and not with reduced motion), screenshots for a reviewer.

RULES: the full state matrix (every lesson, every chat ending, quiz feedback and result,
checklists ticked; 360×740, 768×1024, 1366×768, 1920×1080, text at 200 %) in the first
course language, and the phone for the others; viewports are checked by resizing one
loaded page; axe runs once per state.
"""

from __future__ import annotations

import json
import time

import pytest

from awareness.content.course import load_course
from awareness.conversation.engine import ChatEngine, all_paths
from awareness.conversation.model import load_conversation
from awareness.quiz.model import load_ui
from tests.app.axe import counts, run_axe, serious
from tests.app.pages import (
    is_whole,
    lesson_url,
    next_part,
    open_lesson,
    poll,
    show_part_of,
    wait_ready,
    walk_to,
    whole_lesson,
    widgets_ready,
)
from tests.conftest import CSP_WATCH, ROOT, AppServer, csp_violations, free_port

COURSE = load_course(ROOT)
QUIZ_UI = load_ui(ROOT)
SCENARIOS = {"jonas": load_conversation(ROOT), "sara": load_conversation(ROOT, scenario="sara")}
FULL = COURSE.languages[0]
VIEWPORTS = {
    "phone": {"width": 360, "height": 740},
    "tablet": {"width": 768, "height": 1024},
    "chromebook": {"width": 1366, "height": 768},
    "projector": {"width": 1920, "height": 1080},
}
SHOTS = ROOT / "build" / "screenshots"

# Every element with text of its own that is drawn outside the screen (its box, not only
# the page's scroll width), every <details> opened first.
OUTSIDE = """() => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  const W = window.innerWidth;
  const out = [];
  if (document.documentElement.scrollWidth > W + 1)
    out.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + W);
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || el.closest('.aw-sr')) continue;
    for (const r of el.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      if (r.right > W + 1 || r.left < -1) {
        out.push(el.tagName + '.' + el.className + ' «' + el.textContent.trim().slice(0, 40) +
                 '» ' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + W);
        break;
      }
    }
  }
  return out;
}"""

# Every target a finger presses, smaller than 44 × 44 px. Links inside running text are
# exempt (WCAG 2.5.8); a radio button or tick box is pressed by its whole label.
TAPS = """() => {
  const sel = 'button, summary, label:has(> input[type=radio]),' +
    ' label:has(> input[type=checkbox]), a.aw-btn, a.aw-tel, a.aw-home,' +
    ' .awareness-nav a, .awareness-languages a,' +
    ' .awareness-lessons a, .quiz-revisit a, .aw-view';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    if (r.height < 43.5 || r.width < 43.5)
      out.push(el.tagName + '.' + el.className + ' «' + (el.innerText || '').trim().slice(0, 30) +
               '» ' + Math.round(r.width) + '×' + Math.round(r.height));
  }
  return out;
}"""


def check(page, state: str, sizes: list[str], problems: list[str], text_200: bool = False) -> None:
    """Resize the one loaded page to each size: nothing outside the screen; on the phone,
    every target at least 44 px."""
    for name in sizes:
        page.set_viewport_size(VIEWPORTS[name])
        page.wait_for_timeout(50)
        problems += [f"{state} @ {name}: {p}" for p in page.evaluate(OUTSIDE)]
        if name == "phone":
            problems += [f"{state} @ {name}: small target {p}" for p in page.evaluate(TAPS)]
    if text_200:  # the reader's text at 200 % (WCAG 1.4.4), on a Chromebook and a phone
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        for name in ("chromebook", "phone"):
            page.set_viewport_size(VIEWPORTS[name])
            page.wait_for_timeout(50)
            problems += [f"{state} @ {name}, text 200 %: {p}" for p in page.evaluate(OUTSIDE)]
        page.evaluate("document.documentElement.style.fontSize = ''")
    page.set_viewport_size(VIEWPORTS[sizes[0]])


def path_to(conv, ending_id: str) -> tuple[str, ...]:
    paths = [p for p in all_paths(conv) if ChatEngine(conv, p).current.id == ending_id]
    return min(paths, key=len)


def play(page, conv, lang: str, path: tuple[str, ...], flag: bool = False) -> None:
    """Play a chat along a path (its chat is the page's chat for ``conv``)."""
    chat = page.locator(".awareness-chat", has_text=conv.title[lang])
    if flag:
        chat.get_by_role("button", name=conv.ui.flag[lang]).first.click()
        chat.get_by_role("button", name=conv.ui.flagged[lang]).first.wait_for()
    for choice_id in path:
        choice = conv.choice(choice_id)[1]
        chat.get_by_role("button", name=choice.text[lang], exact=True).click()
        chat.get_by_text(choice.feedback[lang]).first.wait_for()
    ending = ChatEngine(conv, path).current.ending
    chat.get_by_text(ending.title[lang], exact=True).wait_for()


def answer_quiz(page, lang: str, during) -> None:
    """The page's quiz: the first question answered wrong (feedback open), its answer
    shown, then every question answered, to the result card. ``during(state)`` checks."""
    quiz = page.locator(".quiz")
    check_button = quiz.get_by_role("button", name=QUIZ_UI.t("check", lang))
    check_button.wait_for()
    n = 0
    while True:
        n += 1
        radios, boxes = quiz.get_by_role("radio"), quiz.get_by_role("checkbox")
        if radios.count():
            radios.last.check()
        elif boxes.count():
            boxes.last.check()
        check_button.click()
        quiz.locator(".quiz-verdict").first.wait_for()
        if n == 1:
            during("quiz feedback")
            show = quiz.get_by_role("button", name=QUIZ_UI.t("show_answer", lang))
            if show.is_visible():
                show.click()
                quiz.locator(".quiz-answer").wait_for()
                during("quiz answer shown")
        # On to the next question, or to the result after the last one.
        on = poll(page, "(() => { const b = [...document.querySelectorAll('.quiz button')]"
                        ".find(b => b.offsetParent && (b.textContent === " + json.dumps(
                            QUIZ_UI.t("next", lang)) + " || b.textContent === " + json.dumps(
                            QUIZ_UI.t("finish", lang)) + ")); return b && b.textContent; })()",
                  30_000)
        if on == QUIZ_UI.t("finish", lang):
            quiz.get_by_role("button", name=on, exact=True).click()
            break
        before = quiz.locator(".quiz-progress").inner_text()
        quiz.get_by_role("button", name=on, exact=True).click()
        quiz.locator(".quiz-verdict").first.wait_for(state="detached")
        # The next question is there once its progress line is (the kernel draws it last).
        poll(page, "(t => { const p = document.querySelector('.quiz .quiz-progress');"
                   " return p && p.textContent !== t; })(" + json.dumps(before) + ")")
    quiz.locator(".quiz-summary").wait_for()
    during("quiz result")


@pytest.mark.parametrize("lang", COURSE.languages)
def test_every_page_fits_every_screen_at_every_step(app_url, offline_page, lang):
    """Every lesson page (its first part, then the whole lesson), after every chat
    ending, with quiz feedback, answer and result open, with checklists ticked: nothing
    outside the screen, and on the phone every target at least 44 px."""
    sizes = list(VIEWPORTS) if lang == FULL else ["phone"]
    page = offline_page.page
    page.set_viewport_size(VIEWPORTS[sizes[0]])
    problems: list[str] = []
    page.goto(f"{app_url}voila/render/{lang}/00-start.ipynb")
    page.get_by_role("heading", level=1).wait_for()
    check(page, "start page", sizes, problems, text_200=lang == FULL)
    for lesson in COURSE.lessons:
        open_lesson(page, app_url, lang, lesson.id)
        widgets_ready(page)
        if is_whole(page):
            page.locator(".aw-view").click()
        poll(page, "!document.documentElement.classList.contains('aw-all')")
        check(page, f"{lesson.id} part 1", sizes, problems, text_200=lang == FULL)
        whole_lesson(page)
        check(page, f"{lesson.id} whole", sizes, problems)

        for scenario, conv in SCENARIOS.items():
            if page.locator(".awareness-chat", has_text=conv.title[lang]).count() == 0:
                continue
            chat = page.locator(".awareness-chat", has_text=conv.title[lang])
            for i, ending in enumerate(conv.endings()):
                if i:
                    chat.get_by_role("button", name=conv.ui.restart[lang]).click()
                    chat.locator(".aw-ending").wait_for(state="detached")
                play(page, conv, lang, path_to(conv, ending.id), flag=i == 0)
                check(page, f"{lesson.id} {scenario} {ending.id}", sizes, problems)
        boxes = page.locator(".aw-checklist input[type=checkbox]")
        if boxes.count():
            for n in range(boxes.count()):
                boxes.nth(n).check()
            page.locator(".aw-checklist-done p").first.wait_for()
            check(page, f"{lesson.id} checklists ticked", sizes, problems)
        if page.locator(".quiz").count():
            def during(state: str, lid: str = lesson.id) -> None:
                check(page, f"{lid} {state}", sizes, problems)

            answer_quiz(page, lang, during)
    assert problems == [], "\n".join(problems[:40])
    assert offline_page.external == [] and offline_page.errors == []
    assert csp_violations(page) == []


def test_progress_stays_in_this_browser_and_is_never_sent(app_url, offline_page):
    """Started and finished lessons and the part reached survive a reload; the start page
    marks them and leads on; nothing of it is sent (no request but GET, no websocket
    message with it); "forget my progress" removes everything the course keeps."""
    page = offline_page.page
    lang = FULL
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda data: sent.append(str(data))))
    requests: list[tuple[str, str, str | None]] = []
    page.on("request", lambda r: requests.append((r.method, r.url, r.post_data)))
    start = f"{app_url}voila/render/{lang}/00-start.ipynb"
    page.goto(start)
    page.get_by_role("heading", level=1).wait_for()
    assert page.locator(".aw-continue").is_hidden() and page.locator(".aw-privacy").is_hidden()

    third = COURSE.lessons[2]
    open_lesson(page, app_url, lang, third.id)
    next_part(page)
    next_part(page)
    page.reload()
    wait_ready(page)
    parts = str(len(third.sections))
    where = COURSE.t("part_of", lang).replace("{n}", "3").replace("{total}", parts)
    assert where in page.locator(".aw-where").inner_text()  # the part survives a reload

    page.goto(start)
    item = page.locator(f"li[data-lesson='{third.id}']")
    item.get_by_text(COURSE.t("status_started", lang)).wait_for()
    cont = page.locator(".aw-continue a")
    assert third.title[lang] in cont.inner_text()
    cont.click()
    wait_ready(page)
    assert where in page.locator(".aw-where").inner_text()  # back where the pupil left off

    first = COURSE.lessons[0]
    open_lesson(page, app_url, lang, first.id)
    for _ in first.sections[1:]:
        next_part(page)
    page.goto(start)
    page.locator(f"li[data-lesson='{first.id}']").get_by_text(
        COURSE.t("status_done", lang)).wait_for()
    count = COURSE.t("progress_count", lang).replace("{done}", "1")
    page.get_by_text(count.replace("{total}", str(len(COURSE.lessons)))).wait_for()
    # Go on with the lesson started and not finished.
    assert third.title[lang] in page.locator(".aw-continue a").inner_text()
    kept = page.evaluate("localStorage.getItem('awareness.progress')")
    assert third.id in kept and first.id in kept

    # Asked first: "no" keeps everything, "yes" forgets.
    asked = []

    def answer(dialog, yes):
        asked.append(dialog.message)
        dialog.accept() if yes else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.get_by_role("button", name=COURSE.t("forget", lang)).click()
    for _ in range(100):
        if asked:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("localStorage.getItem('awareness.progress')") == kept
    page.once("dialog", lambda d: answer(d, True))
    page.get_by_role("button", name=COURSE.t("forget", lang)).click()
    page.get_by_text(COURSE.t("forgotten", lang)).wait_for()
    assert asked == [COURSE.t("forget_confirm", lang)] * 2
    assert page.evaluate(
        "Object.keys(localStorage).filter((k) => k.startsWith('awareness.'))") == []
    assert page.locator(".aw-continue").is_hidden()
    assert page.locator(".awareness-lessons .aw-badge:not([hidden])").count() == 0

    assert {method for method, _, _ in requests} == {"GET"}
    assert not [r for r in requests if r[2]], "a request carried data"
    assert not [u for _, u, _ in requests if "progress" in u or "lang=" in u or "lessons" in u]
    assert sent, "the page never talked to its kernel"
    assert not [s for s in sent if "awareness." in s or '"lessons"' in s or "started" in s]
    assert offline_page.external == [] and offline_page.errors == []


def test_every_state_passes_axe_and_is_shot_for_a_reviewer(app_url, offline_page):
    """axe-core once per state (start page with progress, a part with its locked Next,
    the chat mid-way, an ending, quiz feedback and result, a ticked checklist, the finish
    with a name typed), in the first language; screenshots of the start page, the chat
    mid-way and an ending on a phone and a Chromebook in build/screenshots/."""
    lang = FULL
    page = offline_page.page
    SHOTS.mkdir(parents=True, exist_ok=True)
    found: list[str] = []

    def axe(state: str) -> None:
        # Once the page is still: no choice greyed out while its answer comes, no message
        # still fading in (axe would measure the colours half-way).
        poll(page, "!document.querySelector('.aw-busy, .aw-playing') && document.getAnimations()"
                   ".every(a => a.playState !== 'running' || a.effect.getTiming().iterations"
                   " === Infinity)")
        violations = run_axe(page)
        counts(violations, f"app {lang} {state}")
        found.extend(f"{state}: {v}" for v in serious(violations))

    def shoot(name: str, target=None) -> None:
        for size in ("phone", "chromebook"):
            page.set_viewport_size(VIEWPORTS[size])
            page.wait_for_timeout(100)
            if target is not None:
                target.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"{name}-{size}.png"))
        page.set_viewport_size(VIEWPORTS["chromebook"])

    jonas = SCENARIOS["jonas"]
    open_lesson(page, app_url, lang, "02-the-conversation")
    walk_to(page, "[data-chat]")
    axe("chat start, Next locked")
    safe = path_to(jonas, "end-safe")
    play_some = safe[:3]
    chat = page.locator(".awareness-chat")
    chat.get_by_role("button", name=jonas.ui.flag[lang]).first.click()
    for choice_id in play_some:
        choice = jonas.choice(choice_id)[1]
        chat.get_by_role("button", name=choice.text[lang], exact=True).click()
        chat.get_by_text(choice.feedback[lang]).first.wait_for()
    axe("chat mid-way")
    shoot("chat-mid-way", page.locator(".aw-choices"))
    for choice_id in safe[3:]:
        choice = jonas.choice(choice_id)[1]
        chat.get_by_role("button", name=choice.text[lang], exact=True).click()
        chat.get_by_text(choice.feedback[lang]).first.wait_for()
    ending = page.locator(".aw-ending")
    ending.wait_for()
    page.evaluate("document.querySelectorAll('.aw-ending details').forEach(d => d.open = true)")
    axe("chat ending")
    page.evaluate("document.querySelectorAll('.aw-ending details').forEach(d => d.open = false)")
    shoot("chat-ending", ending)

    open_lesson(page, app_url, lang, "03-if-it-happens")
    show_part_of(page, ".aw-checklist")
    boxes = page.locator(".aw-checklist input[type=checkbox]")
    for n in range(boxes.count()):
        boxes.nth(n).check()
    page.locator(".aw-checklist-done p").first.wait_for()
    axe("checklist ticked")

    open_lesson(page, app_url, lang, "05-summary")
    show_part_of(page, ".quiz")
    states = {"quiz feedback", "quiz result"}
    answer_quiz(page, lang, lambda state: axe(state) if state in states else None)
    next_part(page)
    page.get_by_label(COURSE.t("certificate_name", lang)).fill("Kari")
    axe("finish and certificate")

    page.goto(f"{app_url}voila/render/{lang}/00-start.ipynb")
    page.locator(".aw-continue").wait_for()
    axe("start page with progress")
    shoot("start-page")
    assert found == [], "\n".join(found)
    for name in ("start-page", "chat-mid-way", "chat-ending"):
        for size in ("phone", "chromebook"):
            assert (SHOTS / f"{name}-{size}.png").stat().st_size > 10_000
    assert offline_page.external == [] and offline_page.errors == []


@pytest.fixture(scope="module")
def typing_server(tmp_path_factory):
    """The app with the chat's typing times on (at 0.4 of real time), no pools."""
    server = AppServer(
        free_port(),
        tmp_path_factory.mktemp("typing") / "server.log",
        extra_env={"AWARENESS_FAST": "0", "AWARENESS_TYPING_SCALE": "0.4"},
        args=("--pool", "0"),
    ).start()
    yield server
    server.stop()


# What the page shows while it plays new messages, sampled every frame after a click.
WATCH = """() => {
  window.__aw = {typing: 0, choicesWhileTyping: 0, promptWhileTyping: 0, frames: 0};
  const tick = () => {
    const w = window.__aw;
    w.frames++;
    const typing = [...document.querySelectorAll('.aw-typing')].some((t) => !t.hidden);
    if (typing) {
      w.typing++;
      if ([...document.querySelectorAll('.aw-choices button')].some((b) => b.offsetParent))
        w.choicesWhileTyping++;
      const prompt = document.querySelector('.aw-messenger .aw-prompt');
      if (prompt && prompt.offsetParent) w.promptWhileTyping++;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""
CHOICES_BACK = "[...document.querySelectorAll('.aw-choices button')].some(b => b.offsetParent)"


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_other_side_types_and_reduced_motion_shows_all_at_once(typing_server, browser, motion):
    conv = SCENARIOS["jonas"]
    context = browser.new_context(reduced_motion=motion)
    context.add_init_script(CSP_WATCH)
    try:
        page = context.new_page()
        page.goto(lesson_url(typing_server.url, FULL, "02-the-conversation") + "#chat")
        wait_ready(page)
        widgets_ready(page)
        choice = conv.choice("c1-reply")[1]
        page.evaluate(WATCH)
        started = time.monotonic()
        page.get_by_role("button", name=choice.text[FULL], exact=True).click()
        page.get_by_text(choice.feedback[FULL]).first.wait_for()
        poll(page, "!!document.querySelector('.aw-messages [data-node=\"d1b-move\"]')", 30_000)
        poll(page, CHOICES_BACK, 30_000, every=20)
        took = time.monotonic() - started
        seen = page.evaluate("window.__aw")
        typed = page.evaluate(
            "[...document.querySelectorAll('.aw-msg[data-typing]')].slice(1)"
            ".map(m => [m.dataset.node, +m.dataset.typing, +m.dataset.pause])")
        # Longer messages type longer (the times come from the kernel, per message).
        times = {node: typing for node, typing, _ in typed}
        assert times["e1-mutual"] > times["e1-game"] > 0
        if motion == "reduce":
            assert seen["typing"] == 0, "'… is typing' showed with reduced motion"
            assert took < sum(t for _, t, _ in typed), took
        else:
            assert seen["typing"] > 0, "'… is typing' never showed"
            assert seen["choicesWhileTyping"] == 0 and seen["promptWhileTyping"] == 0
            assert took >= 0.8 * sum(t + p for _, t, p in typed), (took, typed)
        # Every message is there in the end, in order, and nothing waits any more.
        shown = page.evaluate(
            "[...document.querySelectorAll('.aw-messages .aw-msg')].filter(m => m.offsetParent)"
            ".map(m => m.dataset.node)")
        assert shown == ["d1-hello", "j1-reply", "e1-mutual", "e1-game", "j1-game", "e1-same",
                         "e1-flattery", "d1b-move"]
        assert page.locator(".aw-wait").count() == 0
        assert csp_violations(page) == []
    finally:
        context.close()


def test_high_contrast_keeps_every_mark(app_url, browser):
    """Forced colours (Windows high contrast): a flagged message keeps its dashed outline,
    a chosen quiz tile its thicker border, and the page still fits."""
    context = browser.new_context(forced_colors="active", viewport=VIEWPORTS["phone"])
    try:
        page = context.new_page()
        open_lesson(page, app_url, FULL, "04-prevention")
        show_part_of(page, ".awareness-chat")
        conv = SCENARIOS["sara"]
        page.get_by_role("button", name=conv.ui.flag[FULL]).first.click()
        bubble = page.locator(".aw-flagged .aw-bubble").first
        bubble.wait_for()
        assert bubble.evaluate("b => getComputedStyle(b).outlineStyle") == "dashed"
        tiles = page.locator(".quiz .quiz-choices label, .quiz .quiz-check label")
        tiles.first.click()
        widths = tiles.evaluate_all(
            "ls => ls.slice(0, 2).map(l => getComputedStyle(l).borderTopWidth)")
        assert widths[0] != widths[1], widths
        assert page.evaluate(OUTSIDE) == []
    finally:
        context.close()


# One lesson in each language: a page without JavaScript never connects to its kernel,
# so it counts against the per-client cap until its grace is over (RULES: few pages).
NO_SCRIPT = list(zip(COURSE.languages, ("02-the-conversation", "04-prevention", "05-summary"),
                     strict=False))


@pytest.mark.parametrize(("lang", "lesson_id"), NO_SCRIPT)
def test_without_javascript_the_whole_lesson_reads_in_order(app_url, browser, lang, lesson_id):
    """No JavaScript (or a reader that ignores it): the lesson shows every part, in
    course.yaml's order, and its help box with the numbers to call."""
    lesson = COURSE.lesson(lesson_id)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(lesson_url(app_url, lang, lesson.id))
        parts = [
            el.get_attribute("data-section")
            for el in page.locator("[data-section]").all()
            if el.is_visible()
        ]
        assert parts == lesson.section_ids
        help_box = page.locator(".awareness-help")
        assert help_box.is_visible()
        assert help_box.locator("a[href^='tel:']").count() >= 5
        assert page.locator("#loading").is_hidden()
    finally:
        context.close()


# WCAG 1.4.12: the reader's own text spacing (line height 1.5, paragraphs 2 ×, letters
# 0.12 em, words 0.16 em), as a user style sheet would set it.
TEXT_SPACING = """() => {
  const s = document.createElement('style');
  s.id = 'aw-test-spacing';
  s.textContent = '* { line-height: 1.5 !important; letter-spacing: 0.12em !important;' +
    ' word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }';
  document.head.appendChild(s);
}"""
# A data table may scroll in its own box (WCAG 1.4.10 exempts two-dimensional tables): its
# cells are not counted as outside the screen.
OUTSIDE_BUT_TABLES = OUTSIDE.replace(
    "el.closest('.aw-sr')", "el.closest('.aw-sr') || el.closest('.aw-doc-table')")


def test_reflow_at_320_px_and_the_readers_text_spacing(app_url, offline_page):
    """WCAG 1.4.10 and 1.4.12 on one loaded page each, resized: the start page, lesson 02
    with its chat played to an ending (every part on one page) and a page for schools at
    320 × 640 px (a 1280 px window at 400 %); then the same with the reader's text
    spacing, on the phone and at 320 px: nothing outside the screen."""
    page = offline_page.page
    problems: list[str] = []
    narrow = {"width": 320, "height": 640}

    def fits(state: str, outside: str = OUTSIDE) -> None:
        for size in (narrow, VIEWPORTS["phone"]):
            page.set_viewport_size(size)
            page.wait_for_timeout(50)
            problems.extend(f"{state} @ {size['width']} px: {p}" for p in page.evaluate(outside))

    page.set_viewport_size(narrow)
    page.goto(f"{app_url}voila/render/{FULL}/00-start.ipynb")
    page.get_by_role("heading", level=1).wait_for()
    fits("start page")
    page.evaluate(TEXT_SPACING)
    fits("start page, text spacing")

    jonas = SCENARIOS["jonas"]
    open_lesson(page, app_url, FULL, "02-the-conversation")
    widgets_ready(page)
    whole_lesson(page)
    play(page, jonas, FULL, path_to(jonas, "end-safe"), flag=True)
    fits("02 whole, chat ended")
    page.evaluate(TEXT_SPACING)
    fits("02 whole, chat ended, text spacing")

    docs = page.locator(".aw-footer a")  # the start page's footer: the pages for schools
    page.goto(f"{app_url}voila/render/{FULL}/00-start.ipynb")
    assert docs.count() >= 1
    docs.last.click()
    page.get_by_role("heading", level=1).wait_for()
    fits("page for schools", OUTSIDE_BUT_TABLES)
    violations = run_axe(page)
    counts(violations, f"docs {FULL} {page.url.rsplit('/', 1)[-1]}")
    assert serious(violations) == [], serious(violations)
    page.evaluate(TEXT_SPACING)
    fits("page for schools, text spacing", OUTSIDE_BUT_TABLES)
    assert problems == [], "\n".join(problems[:40])
    assert offline_page.external == [] and offline_page.errors == []
    assert csp_violations(page) == []
