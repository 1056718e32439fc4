"""axe-core in real Chromium: no serious or critical WCAG 2.1 AA violation on any page."""

from __future__ import annotations

import pytest

from awareness.content.course import load_course
from tests.app.axe import counts, run_axe, serious
from tests.app.pages import open_lesson, poll, show_part_of
from tests.conftest import ROOT

COURSE = load_course(ROOT)
PAGES = [(lang, lesson.id) for lang in COURSE.languages for lesson in COURSE.lessons]


@pytest.mark.parametrize("lang", COURSE.languages)
def test_start_page(app_url, offline_page, lang):
    page = offline_page.page
    page.goto(f"{app_url}voila/render/{lang}/00-start.ipynb")
    page.get_by_role("heading", level=1).wait_for()
    violations = run_axe(page)
    counts(violations, f"app {lang}/00-start")
    assert serious(violations) == []
    assert page.evaluate("document.documentElement.lang") == lang


@pytest.mark.parametrize(("lang", "lesson_id"), PAGES)
def test_lesson_page(app_url, offline_page, lang, lesson_id):
    page = offline_page.page
    open_lesson(page, app_url, lang, lesson_id, whole=True)  # every part on the page
    violations = run_axe(page)
    counts(violations, f"app {lang}/{lesson_id}")
    assert serious(violations) == []
    assert page.evaluate("document.documentElement.lang") == lang
    levels = page.evaluate(
        "[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
        ".filter(h => h.offsetParent !== null).map(h => +h.tagName[1])"
    )
    assert levels and levels[0] == 1, levels
    jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert jumps == [], f"heading levels skip: {levels}"
    unnamed = page.evaluate(
        "[...document.querySelectorAll('button')].filter(b => b.offsetParent !== null && "
        "!(b.innerText.trim() || b.getAttribute('aria-label') || b.title)).length"
    )
    assert unnamed == 0
    # No personal data is asked for: there is nowhere to type a name, an age or a message,
    # but for the certificate on the course's last page, whose name is in no form and is
    # never remembered (test_student_experience: it never leaves the browser).
    text_fields = page.evaluate(
        "[...document.querySelectorAll('textarea, input:not([type]), input[type=text], "
        "input[type=email], input[type=tel], input[type=number], [contenteditable=true]')]"
        ".map(el => [el.className, !!el.closest('form'), el.getAttribute('autocomplete')])"
    )
    last = lesson_id == COURSE.lessons[-1].id
    assert text_fields == ([["aw-cert-name", False, "off"]] if last else [])
    assert offline_page.external == []


@pytest.mark.parametrize("lang", COURSE.languages)
def test_every_chat_button_has_its_own_name(app_url, offline_page, lang):
    """A screen reader's list of buttons tells the flag buttons apart: each is named after
    its message, and the visible word comes first (WCAG 2.5.3, label in name)."""
    from awareness.conversation.model import load_conversation

    conv = load_conversation(ROOT)
    page = offline_page.page
    open_lesson(page, app_url, lang, "02-the-conversation")
    show_part_of(page, "[data-chat]")
    chat = page.locator(".awareness-chat")
    first = next(n for n in conv.nodes if n.choices)
    chat.get_by_role("button", name=first.choices[0].text[lang], exact=True).click()
    chat.get_by_text(first.choices[0].feedback[lang]).first.wait_for()
    poll(
        page,
        "document.querySelectorAll('.aw-flag-btn').length >= 2 && "
        "[...document.querySelectorAll('.aw-flag-btn')].every(b => b.getAttribute('aria-label'))",
    )
    names = page.evaluate(
        "[...document.querySelectorAll('.awareness-chat button')]"
        ".filter(b => b.offsetParent !== null)"
        ".map(b => b.getAttribute('aria-label') || b.innerText.trim())"
    )
    assert len(names) == len(set(names)), names
    flags = [n for n in names if n.startswith(conv.ui.flag[lang])]
    assert len(flags) >= 2
    start = conv.node(conv.start).text[lang].split()[0]
    assert any(start in n for n in flags), flags
    # Flagging changes the visible word, and the name follows it.
    chat.get_by_role("button", name=conv.ui.flag[lang]).first.click()
    flagged = chat.get_by_role("button", name=conv.ui.flagged[lang])
    flagged.first.wait_for()
    assert start in flagged.first.get_attribute("aria-label")
