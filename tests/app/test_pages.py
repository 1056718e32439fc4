"""The real Voilà app over HTTP: every page answers, shows its title, leaks nothing."""

from __future__ import annotations

import json
import re
from html import escape

import pytest

from awareness.app import PAGE_WORDS
from awareness.content.course import load_course
from awareness.paths import PACKAGE
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
    # "/" is the start page that start.js may turn into the language this browser chose.
    assert '<meta name="awareness-start" content="root">' in html
    assert re.search(r'<script src="[^"]*static/start\.js[^"]*" defer>', html)
    assert_clean(html)


@pytest.mark.parametrize("lang", COURSE.languages)
def test_start_page_per_language(app_url, lang):
    status, html = fetch(f"{app_url}voila/render/{lang}/00-start.ipynb")
    assert status == 200
    assert f'<html lang="{lang}">' in html
    assert f"<title>{COURSE.title[lang]}</title>" in html
    for code in COURSE.languages:  # every language is offered, each in its own language
        name = escape(COURSE.language_names[code])
        assert f'lang="{code}" hreflang="{code}"' in html and f">{name}</a>" in html
    assert '<meta name="awareness-start"' not in html, "a language's start page keeps it"
    assert "static/start.js" in html
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
    # The words the page shows itself when the kernel is lost, in the page's language.
    island = re.search(r'<script type="application/json" id="awareness-ui">(.*?)</script>', html)
    assert island, "the page has no words for a lost kernel"
    assert json.loads(island.group(1)) == {key: COURSE.t(key, lang) for key in PAGE_WORDS}
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


def test_kernel_watch_fallback_words_match_course_yaml():
    """kernel-watch.js keeps the words for a lost kernel in case a page has none: the same
    words as course.yaml, in every course language."""
    script = (PACKAGE / "share/jupyter/voila/templates/awareness/static/kernel-watch.js").read_text(
        encoding="utf-8"
    )
    block = re.search(r"var FALLBACK = \{(.*?)\n  \};", script, re.S).group(1)
    found = {
        lang: dict(re.findall(r'(\w+): "([^"]*)"', body))
        for lang, body in re.findall(r"(\w+): \{(.*?)\}", block, re.S)
    }
    assert set(found) == set(COURSE.languages)
    for lang, words in found.items():
        assert words == {k: COURSE.t(k, lang) for k in ("kernel_lost", "restart_lesson")}, lang


FOOTER_LINK = re.compile(r'<footer class="aw-footer">.*?</footer>', re.S)
HREF = re.compile(r'<a href="([^"]+)"')


@pytest.mark.parametrize("lang", COURSE.languages)
def test_the_pages_for_schools_are_in_the_start_pages_footer_and_served(app_url, lang):
    """The start page's footer links every page of docs/ (the reader's language, or the
    first course language's while it has none), and the app serves each as HTML, offline:
    its title, its language, links between the pages that lead to pages, no script."""
    from awareness.docs import doc_language, doc_pages

    status, html = fetch(f"{app_url}voila/render/{lang}/00-start.ipynb")
    assert status == 200
    footer = FOOTER_LINK.search(html)
    assert footer, "the start page has no footer"
    assert escape(COURSE.t("for_schools", lang)) in footer.group(0)
    doc_lang = doc_language(lang)
    pages = doc_pages(doc_lang)
    assert len(pages) >= 4  # quick start, curriculum, accessibility, privacy
    hrefs = HREF.findall(footer.group(0))
    assert hrefs == [f"/docs/{doc_lang}/{name}" for name, _ in pages]
    for (_name, title), href in zip(pages, hrefs, strict=True):
        status, page = fetch(app_url.rstrip("/") + href)
        assert status == 200, href
        assert f'<html lang="{doc_lang}">' in page and f"<title>{escape(title)}</title>" in page
        assert "<script" not in page and ".md" not in "".join(HREF.findall(page))
        assert_clean(page)
        for link in HREF.findall(page):
            if "://" in link or link.startswith(("#", "tel:", "mailto:")):
                continue
            target = link if link.startswith("/") else f"/docs/{doc_lang}/{link}"
            target = re.sub(r"/docs/[a-z]+/\.\./", "/docs/", target).split("#")[0]
            assert fetch(app_url.rstrip("/") + target)[0] == 200, f"{href}: {link}"


@pytest.mark.parametrize("path", ["docs/nb/no-such-page", "docs/xx/personvern",
                                  "docs/nb/..%2F..%2FREADME", "docs/nb/PERSONVERN"])
def test_only_the_pages_for_schools_are_served_from_docs(app_url, path):
    assert fetch(app_url + path)[0] == 404
