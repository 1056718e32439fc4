"""A student's first steps in real Chromium: start page, language, lesson, next lesson;
the browser remembers the language chosen."""

from __future__ import annotations

from awareness.content.course import load_course
from tests.app.pages import next_part, wait_ready
from tests.conftest import ROOT

COURSE = load_course(ROOT)


def test_start_choose_language_open_lesson_and_go_on(app_url, offline_page):
    page = offline_page.page
    page.goto(app_url)
    page.get_by_role("heading", level=1, name=COURSE.title["nb"]).wait_for()

    page.get_by_role("link", name=COURSE.language_names["en"]).click()
    page.get_by_role("heading", level=1, name=COURSE.title["en"]).wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"

    first, second = COURSE.lessons[0], COURSE.lessons[1]
    page.get_by_role("link", name=first.title["en"]).click()
    page.get_by_role("heading", level=1, name=first.title["en"]).wait_for(timeout=60_000)
    wait_ready(page)
    for _ in first.sections[1:]:  # part by part to the lesson's end
        next_part(page)
    next_link = page.get_by_role("link", name=f"{COURSE.t('next_lesson', 'en')}: ", exact=False)
    next_link.wait_for(timeout=60_000)
    next_link.click()
    page.get_by_role("heading", level=1, name=second.title["en"]).wait_for(timeout=60_000)

    page.get_by_role("link", name=COURSE.t("back_to_start", "en")).first.click()  # the bar's
    page.get_by_role("heading", level=1, name=COURSE.title["en"]).wait_for()

    assert offline_page.external == [], "requests left the machine"
    assert offline_page.errors == []


def test_the_chosen_language_is_remembered_in_the_browser(app_url, offline_page):
    """Choosing a language keeps it in this browser (localStorage, never sent): "/" opens
    in it the next time; choosing another changes it. Every course language is offered."""
    page = offline_page.page
    first, *others = COURSE.languages
    page.goto(app_url)
    page.get_by_role("heading", level=1, name=COURSE.title[first]).wait_for()
    choose = page.get_by_role("navigation", name=COURSE.t("choose_language", first))
    offered = [a.get_attribute("hreflang") for a in choose.get_by_role("link").all()]
    assert offered == COURSE.languages
    assert page.evaluate("localStorage.getItem('awareness.lang')") is None
    for lang in others:
        page.get_by_role("link", name=COURSE.language_names[lang], exact=True).click()
        page.get_by_role("heading", level=1, name=COURSE.title[lang]).wait_for()
        assert page.evaluate("localStorage.getItem('awareness.lang')") == lang
        page.goto(app_url)
        page.wait_for_url(f"**/voila/render/{lang}/00-start.ipynb")
        page.get_by_role("heading", level=1, name=COURSE.title[lang]).wait_for()
        assert page.evaluate("document.documentElement.lang") == lang
    page.get_by_role("link", name=COURSE.language_names[first], exact=True).click()
    page.get_by_role("heading", level=1, name=COURSE.title[first]).wait_for()
    page.goto(app_url)
    page.get_by_role("heading", level=1, name=COURSE.title[first]).wait_for()
    assert page.evaluate("document.documentElement.lang") == first
    assert page.evaluate("localStorage.getItem('awareness.lang')") == first
    assert offline_page.external == [], "requests left the machine"
    assert offline_page.errors == []
