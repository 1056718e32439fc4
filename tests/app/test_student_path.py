"""A student's whole path in real Chromium, using only what is on screen.

Start page -> language -> lesson 01, part by part with Next -> lesson 02: the chat to an
ending (with a flagged message and the debrief with its counts; the part after it opens
only then) -> lesson 03 checklist -> lesson 04, Sara's chat to an ending -> lesson 05 final
quiz and score, the course's finish and certificate -> the start page, every lesson
finished. Once with the mouse in each language, once with the keyboard alone. The first
course language is played at a desktop size, every other language (nynorsk, English) at a
phone's (RULES: the full matrix in one language, the phone viewport for the others).
"""

from __future__ import annotations

import re

import pytest

from awareness.checklist import load_checklists
from awareness.content.course import load_course
from awareness.conversation.engine import ChatEngine, all_paths
from awareness.conversation.model import load_conversation
from awareness.quiz.model import load_ui
from tests.app.pages import LOAD_TIMEOUT, next_part, part, poll, wait_ready, walk_to
from tests.conftest import ROOT

COURSE = load_course(ROOT)
CONV = load_conversation(ROOT)
SARA = load_conversation(ROOT, scenario="sara")
QUIZ_UI = load_ui(ROOT)


def path_to(ending_id: str, conv=CONV) -> tuple[str, ...]:
    """The shortest way through a chat to an ending (choice ids)."""
    paths = [p for p in all_paths(conv) if ChatEngine(conv, p).current.id == ending_id]
    assert paths, f"no path to {ending_id}"
    return min(paths, key=len)


def choice_text(choice_id: str, lang: str, conv=CONV) -> str:
    return conv.choice(choice_id)[1].text[lang]


PHONE = {"width": 360, "height": 740}
# True when the page is as wide as the screen: nothing to scroll sideways on a phone.
FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def where(lang: str, lesson: int, n: int, parts: int) -> str:
    """The lesson bar's words: "Leksjon 2 av 5 · del 3 av 6"."""
    lessons = str(len(COURSE.lessons))
    course = COURSE.t("lesson_of", lang).replace("{n}", str(lesson)).replace("{total}", lessons)
    here = COURSE.t("part_of", lang).replace("{n}", str(n)).replace("{total}", str(parts))
    return f"{course} · {here}"


def to_the_end(page) -> None:
    """Next, Next, … to the lesson's last part."""
    while page.locator(".aw-step:not([hidden]) .aw-steps-nav button.aw-next").count():
        next_part(page)


def go_next(page, lang: str) -> None:
    to_the_end(page)
    page.get_by_role("link", name=f"{COURSE.t('next_lesson', lang)}: ", exact=False).click()
    wait_ready(page)
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.evaluate(FITS), f"{page.url}: wider than the screen"


def play_chat(page, lang: str, path: tuple[str, ...], flag: bool = True, conv=CONV) -> None:
    walk_to(page, "[data-chat]")
    chat = page.locator(".awareness-chat")
    chat.wait_for(timeout=LOAD_TIMEOUT)
    # New messages are announced to screen readers: the list is a polite live region.
    live = chat.locator(".awareness-live").first
    live.wait_for()
    assert live.get_attribute("aria-live") == "polite" and live.get_attribute("role") == "log"
    if flag:  # the first message: small talk, so a wrong flag the debrief explains
        chat.get_by_role("button", name=conv.ui.flag[lang]).first.click()
        chat.get_by_role("button", name=conv.ui.flagged[lang]).first.wait_for()
    for choice_id in path:
        button = chat.get_by_role("button", name=choice_text(choice_id, lang, conv), exact=True)
        button.wait_for(timeout=LOAD_TIMEOUT)
        button.click()
        chat.get_by_text(conv.choice(choice_id)[1].feedback[lang]).first.wait_for()


def assert_debrief(page, lang: str, ending_id: str, wrong: int = 0, conv=CONV) -> None:
    chat = page.locator(".awareness-chat")
    ending = conv.node(ending_id).ending
    chat.get_by_text(ending.title[lang], exact=True).wait_for(timeout=LOAD_TIMEOUT)
    text = chat.inner_text()
    assert conv.ui.replay[lang] in text  # the pupil's own chat, replayed with its signs
    assert chat.locator(".aw-replay-item").count() >= 1
    assert conv.debrief.heading[lang] in text
    course = load_course()
    assert course.t("not_in_trouble", lang) in text
    assert course.t("not_in_trouble_why", lang) in text
    score = chat.locator(".aw-score")
    assert score.get_attribute("data-wrong") == str(wrong)
    if wrong:
        assert conv.ui.wrong[lang] in text and conv.node(conv.start).ordinary[lang] in text
    assert "116 111" in text


def tick_checklist(page, lang: str) -> None:
    walk_to(page, ".aw-checklist")
    model, _ = load_checklists(ROOT, COURSE.languages)
    checklist = model.get("report-police")
    for item in checklist.items[:2]:
        page.get_by_label(item.label[lang], exact=True).check()
    counter = checklist.ui.counter[lang].format(ticked=2, total=len(checklist.items))
    page.get_by_text(counter).wait_for()


def finish_quiz(page, lang: str) -> None:
    walk_to(page, ".quiz")
    quiz = page.locator(".quiz")
    check = quiz.get_by_role("button", name=QUIZ_UI.t("check", lang))
    check.wait_for(timeout=LOAD_TIMEOUT)
    template = re.escape(QUIZ_UI.t("progress", lang, n="NUMBER", total="TOTAL"))
    pattern = template.replace("NUMBER", r"\d+").replace("TOTAL", r"(\d+)")
    progress = quiz.get_by_text(re.compile(pattern)).first.inner_text()
    total = int(re.search(pattern, progress).group(1))
    for n in range(1, total + 1):
        quiz.get_by_text(QUIZ_UI.t("progress", lang, n=n, total=total), exact=True).wait_for()
        quiz.locator(".quiz-verdict").first.wait_for(state="detached")
        finish = quiz.get_by_role("button", name=QUIZ_UI.t("finish", lang))
        radios = quiz.get_by_role("radio")
        boxes = quiz.get_by_role("checkbox")
        if radios.count():
            radios.first.check()
        elif boxes.count():
            boxes.first.check()
        check.click()
        quiz.locator(".quiz-verdict").first.wait_for()
        if n == total:
            finish.click()
            break
        quiz.get_by_role("button", name=QUIZ_UI.t("next", lang)).click()
    summary = quiz.locator(".quiz-summary")
    summary.wait_for()
    assert QUIZ_UI.t("summary_heading", lang) in summary.inner_text()


@pytest.mark.parametrize("lang", COURSE.languages)
def test_a_student_goes_through_the_course(app_url, offline_page, lang):
    page = offline_page.page
    sent: list[str] = []  # everything the page sends its kernel
    page.on("websocket", lambda ws: ws.on("framesent", lambda data: sent.append(str(data))))
    if lang != COURSE.languages[0]:
        page.set_viewport_size(PHONE)
    page.goto(app_url)
    page.get_by_role("link", name=COURSE.language_names[lang], exact=True).click()
    page.get_by_role("heading", level=1, name=COURSE.title[lang]).wait_for()

    first = COURSE.lessons[0]
    page.get_by_role("link", name=first.title[lang], exact=True).click()
    wait_ready(page)
    page.get_by_role("heading", level=1, name=first.title[lang]).wait_for()
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.evaluate(FITS), f"{page.url}: wider than the screen"
    # One part at a time, with where it is in the course.
    parts = len(first.sections)
    assert page.locator(".aw-where").inner_text() == where(lang, 1, 1, parts)
    assert part(page) == first.sections[0].id
    # Next names the part it leads to (course.yaml's title).
    following = page.locator(".aw-step:not([hidden]) .aw-steps-nav button.aw-next")
    assert first.sections[1].title[lang] in following.inner_text()
    assert next_part(page) == first.sections[1].id
    assert page.locator(".aw-where").inner_text() == where(lang, 1, 2, parts)

    go_next(page, lang)  # 02: the chat, to the ending where he does the right things
    walk_to(page, "[data-chat]")
    # The part after the chat opens once the chat is played.
    locked = page.locator(".aw-step:not([hidden]) .aw-steps-nav button.aw-next")
    assert locked.is_disabled()
    page.get_by_text(COURSE.t("chat_first", lang)).wait_for()
    play_chat(page, lang, path_to("end-safe"))
    assert_debrief(page, lang, "end-safe", wrong=1)
    assert not locked.is_disabled()
    page.get_by_role("button", name=CONV.ui.restart[lang]).click()
    play_chat(page, lang, path_to("end-fake"), flag=False)  # he never sent anything
    assert_debrief(page, lang, "end-fake")
    assert next_part(page) == "debrief"  # the questions to talk about, after the chat

    go_next(page, lang)  # 03: the documentation checklist
    tick_checklist(page, lang)

    go_next(page, lang)  # 04: Sara's chat, the second scenario
    play_chat(page, lang, path_to("end-told", SARA), flag=False, conv=SARA)
    assert_debrief(page, lang, "end-told", conv=SARA)
    go_next(page, lang)  # 05: the final quiz with a score
    finish_quiz(page, lang)

    to_the_end(page)  # the course's finish: three lines learned, help, the certificate
    page.get_by_role("heading", name=COURSE.t("finish_heading", lang)).wait_for()
    for n in (1, 2, 3):
        page.get_by_text(COURSE.t(f"learned_{n}", lang)).first.wait_for()
    name = page.get_by_label(COURSE.t("certificate_name", lang))
    name.fill("Kari Testesen")
    page.get_by_role("button", name=COURSE.t("certificate_print", lang)).wait_for()
    page.get_by_role("link", name=COURSE.t("back_to_start", lang)).last.click()
    page.get_by_role("heading", level=1, name=COURSE.title[lang]).wait_for()
    done = COURSE.t("progress_count", lang)
    total = len(COURSE.lessons)
    page.get_by_text(done.replace("{done}", str(total)).replace("{total}", str(total))).wait_for()

    assert "Traceback" not in page.content()
    assert offline_page.external == [], "requests left the machine"
    assert offline_page.errors == []
    assert sent and not [s for s in sent if "Kari" in s or "awareness.progress" in s]


FOCUS_INFO = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) ||
               s.boxShadow !== 'none';
  return {text: (el.innerText || el.getAttribute('aria-label') || el.value || '').trim(),
          tag: el.tagName, type: el.type || '', ring: ring,
          label: el.labels && el.labels[0] ? el.labels[0].innerText.trim() : ''};
}"""


def tab_to(page, wanted: str, key: str = "Tab", limit: int = 250, prefix: bool = False) -> dict:
    """Press Tab until the focused control's text or label is `wanted` (or, with
    ``prefix``, starts with it); focus must show."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        info = page.evaluate(FOCUS_INFO)
        if info is None:
            continue
        assert info["ring"], f"focus is not visible on {info}"
        seen.append(info["text"] or info["label"])
        names = (info["text"], info["label"])
        if wanted in names or (prefix and any(n.startswith(wanted) for n in names)):
            return info
    raise AssertionError(f"{wanted!r} not reachable with {key}; focus went through {seen[-15:]}")


FOCUSED = "(e => e && [e.tagName, e.innerText])(document.activeElement)"


def next_with_keys(page, lang: str) -> None:
    """Tab to Next and press Enter: the new part's heading has the focus."""
    before = part(page)
    tab_to(page, COURSE.t("next_part", lang) + ":", prefix=True)
    page.keyboard.press("Enter")
    poll(page, f"(() => {{ const s = document.querySelector('.aw-step:not([hidden])');"
               f" return s && s.dataset.part !== '{before}'; }})()")
    tag, text = page.evaluate(FOCUSED)
    assert tag in ("H1", "H2"), (tag, text)


def test_the_same_path_with_the_keyboard_alone(app_url, offline_page):
    lang = "en"
    page = offline_page.page
    page.goto(f"{app_url}voila/render/{lang}/00-start.ipynb")
    page.get_by_role("heading", level=1).wait_for()
    tab_to(page, COURSE.lessons[0].title[lang])
    page.keyboard.press("Enter")
    wait_ready(page)
    for _ in COURSE.lessons[0].sections[1:]:
        next_with_keys(page, lang)
    tab_to(page, f"{COURSE.t('next_lesson', lang)}: {COURSE.lessons[1].title[lang]} →")
    page.keyboard.press("Enter")
    wait_ready(page)
    while not page.locator("[data-chat]").is_visible():
        next_with_keys(page, lang)

    path = path_to("end-safe")
    tab_to(page, CONV.ui.flag[lang])
    page.keyboard.press("Space")
    page.get_by_role("button", name=CONV.ui.flagged[lang]).first.wait_for()
    for choice_id in path:
        tab_to(page, choice_text(choice_id, lang))
        page.keyboard.press("Enter")
        page.get_by_text(CONV.choice(choice_id)[1].feedback[lang]).first.wait_for()
        if choice_id == path[-1]:
            break
        # Shift+Tab goes back and Tab comes forward again: no trap either way.
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
    assert_debrief(page, lang, "end-safe", wrong=1)
    # The choices went away with the ending: the focus is on the ending's heading.
    ending = CONV.node("end-safe").ending.title[lang]
    poll(page, "document.activeElement && document.activeElement.tagName === 'H3'", 10_000)
    assert page.evaluate(FOCUSED) == ["H3", ending]
    next_with_keys(page, lang)  # the part after the chat is open now

    page.goto(f"{app_url}voila/render/{lang}/05-summary.ipynb#final-quiz")  # a link to a part
    wait_ready(page)
    check = QUIZ_UI.t("check", lang)
    info = tab_to(page, check)
    assert info["tag"] == "BUTTON"
    # Back to the last control of the first question (the final quiz is drawn at random:
    # a radio, a checkbox, or an "order" move button that moves focus when used).
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    tab_to(page, check)
    page.keyboard.press("Enter")
    page.locator(".quiz .quiz-verdict").first.wait_for()
    assert offline_page.external == []
