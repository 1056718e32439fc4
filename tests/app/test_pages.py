"""The real Voilà app over HTTP: every page answers, shows its title, leaks nothing."""

from __future__ import annotations

import re
from html import escape

import pytest

from awareness.content.course import load_course
from tests.conftest import ROOT, fetch

COURSE = load_course(ROOT)
LESSON_PAGES = [
    (lang, lesson.id, lesson.title[lang]) for lang in COURSE.languages for lesson in COURSE.lessons
]


def assert_clean(html: str) -> None:
    assert "Traceback" not in html
    assert "from awareness import" not in html, "source code is shown"
    assert not re.search(r"show_(chat|quiz|footer|start|checklist)\(", html), "source code is shown"
    assert "cdn.jsdelivr" not in html and "fonts.googleapis" not in html
    assert "cdnjs.cloudflare" not in html


def test_root_is_the_start_page(app_url):
    status, html = fetch(app_url)
    assert status == 200
    assert '<html lang="nb">' in html
    assert COURSE.title["nb"] in html
    for lang in COURSE.languages:
        assert COURSE.language_names[lang] in html
    for lesson in COURSE.lessons:
        assert lesson.title["nb"] in html
        assert f'href="{lesson.id}.ipynb"' in html
    assert "kernelId" not in html, "the start page must not start a kernel"
    assert_clean(html)


@pytest.mark.parametrize("lang", COURSE.languages)
def test_start_page_per_language(app_url, lang):
    status, html = fetch(f"{app_url}voila/render/{lang}/00-start.ipynb")
    assert status == 200
    assert f'<html lang="{lang}">' in html
    assert f"<title>{COURSE.title[lang]}</title>" in html
    assert_clean(html)


@pytest.mark.parametrize(("lang", "lesson_id", "title"), LESSON_PAGES)
def test_lesson_page(app_url, lang, lesson_id, title):
    status, html = fetch(f"{app_url}voila/render/{lang}/{lesson_id}.ipynb")
    assert status == 200
    assert f'<html lang="{lang}">' in html
    assert f"<title>{title}</title>" in html
    # While the page starts, it says so in its own language; the spinner is not read out.
    loading = html[html.index('id="loading"') : html.index('id="rendered_cells"')]
    assert f'role="status">{escape(COURSE.t("loading", lang))}</p>' in loading
    assert '<svg aria-hidden="true"' in loading
    assert_clean(html)


@pytest.mark.parametrize(
    "path",
    [
        "voila/files/nb/01-what-is-sextortion.ipynb",
        "voila/files/scenarios/jonas.yaml",
        "voila/files/chat.yaml",
        "voila/files/../course.yaml",
        "voila/tree",
        "voila/tree/nb",
        "voila/api/contents/nb",
        "voila/templates/awareness/index.html.j2",
        "voila/render/xx/00-start.ipynb",
    ],
)
def test_content_and_listings_are_not_served(app_url, path):
    status, body = fetch(app_url + path)
    assert status in (403, 404), (path, status)
    assert '"cells"' not in body and "lessons:" not in body


def test_template_and_theme_overrides_are_off(app_url):
    url = f"{app_url}voila/render/en/01-what-is-sextortion.ipynb"
    status, html = fetch(url + "?template=reveal&theme=dark")
    assert status == 200
    assert "reveal.js" not in html and "theme-dark" not in html
    assert "awareness/static/theme.css" in html
