"""The lesson pages' front-end: lite.js draws every widget the course uses, the pages load
no JupyterLab bundle, and Voilà's own front-end still works as the fallback setting."""

from __future__ import annotations

import re
import time
from html import unescape

import ipywidgets as w
import pytest
from ipywidgets.widgets.widget import _instances

from awareness.content.course import load_course
from awareness.conversation.model import load_conversation
from awareness.paths import PACKAGE
from tests.app.pages import lesson_url, open_lesson, poll
from tests.app.pupils import kernel_client, kernel_pid
from tests.conftest import CSP_WATCH, ROOT, AppServer, csp_violations, fetch, free_port
from tests.widget_tour import tour

COURSE = load_course(ROOT)
LITE = PACKAGE / "share/jupyter/voila/templates/awareness/static/lite.js"
LESSONS = [(lang, lesson.id) for lang in COURSE.languages for lesson in COURSE.lessons]


def supported_views() -> set[str]:
    block = re.search(r"var SUPPORTED = \[(.*?)\];", LITE.read_text(), re.S).group(1)
    return set(re.findall(r'"(\w+)"', block))


def test_lite_draws_every_widget_type_the_course_uses(monkeypatch):
    """Every widget the lessons can show, in every state a student can reach, is a type
    lite.js draws (layouts and styles are applied, not drawn)."""
    monkeypatch.setenv("AWARENESS_FAST", "1")
    before = set(_instances)
    tour(COURSE.languages[0])
    views = {
        model._view_name
        for key, model in list(_instances.items())
        if key not in before and not isinstance(model, w.Layout | w.widgets.widget_style.Style)
    }
    assert views, "no widgets were made"
    assert views <= supported_views(), f"lite.js does not draw {views - supported_views()}"


@pytest.mark.parametrize(("lang", "lesson_id"), LESSONS)
def test_lesson_pages_load_the_light_front_end_only(app_url, offline_page, lang, lesson_id):
    page = offline_page.page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    open_lesson(page, app_url, lang, lesson_id)
    poll(page, "window.awarenessLite && window.awarenessLite.ready", 60_000)
    assert page.evaluate("window.awarenessLite.unsupported") == []
    assert page.locator(".jupyter-widgets").count() > 0
    scripts = [u for u in requests if u.split("?")[0].endswith(".js")]
    assert not [u for u in scripts if "voila.js" in u or "labextensions" in u], scripts
    assert len(scripts) <= 4, scripts  # kernel-watch, voila-setup, lite, awareness
    assert offline_page.external == [] and offline_page.errors == []
    assert csp_violations(page) == []  # the page works under its strict CSP


def test_voila_front_end_is_still_the_fallback(tmp_path, browser):
    """`--CourseVoila.frontend=voila` serves the lessons with Voilà's own front-end."""
    server = AppServer(
        free_port(), tmp_path / "server.log", args=("--pool", "0", "--CourseVoila.frontend=voila")
    ).start()
    context = browser.new_context()
    context.add_init_script(CSP_WATCH)
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(lesson_url(server.url, "nb", "02-the-conversation") + "#chat")
        conv = load_conversation()
        first = next(n for n in conv.nodes if n.choices).choices[0]
        page.get_by_role("button", name=first.text["nb"], exact=True).click(timeout=90_000)
        page.get_by_text(first.feedback["nb"]).first.wait_for(timeout=30_000)
        assert any("voila.js" in u for u in requests)
        assert page.evaluate("window.awarenessLite === undefined")
        assert csp_violations(page) == []  # Voilà's front-end works under the same CSP
    finally:
        context.close()
        server.stop()


def page_assets(html: str) -> set[str]:
    """The stylesheets and scripts a page loads from this server."""
    links = re.findall(r'<link rel="stylesheet"[^>]*href="([^"]+)"', html)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    return {unescape(u) for u in links + scripts if u.startswith("/")}


def test_lesson_files_are_versioned_and_fetched_ahead_by_the_start_page(app_url):
    _, start = fetch(app_url)
    ahead = {unescape(u) for u in re.findall(r'<link rel="prefetch" href="([^"]+)"', start)}
    for lang, lesson_id in LESSONS:
        _, html = fetch(lesson_url(app_url, lang, lesson_id))
        assets = page_assets(html)
        assert assets, "no assets found"
        assert all("?v=" in u for u in assets), assets  # browsers may keep them
        assert assets <= ahead, assets - ahead


# True once every file the page prefetches has arrived.
PREFETCHED = """[...document.querySelectorAll('link[rel=prefetch]')].every(
    (link) => performance.getEntriesByName(link.href).some((e) => e.responseEnd > 0))"""


def test_after_the_start_page_a_lesson_loads_no_file_again(app_url, browser):
    # No request routing here: Playwright's routing switches the browser's cache off.
    context = browser.new_context()
    try:
        page = context.new_page()
        seen: list[str] = []
        page.on("request", lambda r: seen.append(r.url))
        page.goto(app_url)
        lesson = COURSE.lessons[0]
        # Polled from here: the start page's CSP forbids the eval that wait_for_function uses.
        deadline = time.monotonic() + 30
        while not page.evaluate(PREFETCHED):
            assert time.monotonic() < deadline, "the start page's prefetches did not arrive"
            page.wait_for_timeout(100)
        page.get_by_role("link", name=lesson.title["nb"]).click()
        poll(page, "window.awarenessLite && window.awarenessLite.ready", 60_000)
        fetched = page.evaluate(
            "performance.getEntriesByType('resource')"
            ".filter(e => /[.](css|js)([?]|$)/.test(e.name) && e.transferSize > 0)"
            ".map(e => e.name)"
        )
        assert fetched == [], "fetched again instead of taken from the cache"
        assert all(u.startswith(("data:", app_url)) for u in seen), "requests left the machine"
    finally:
        context.close()


# Widgets whose ids and state keys are the names of Object.prototype's own properties.
ODD_MODELS = """
from comm import create_comm
for comm_id in ("__proto__", "constructor", "hasOwnProperty"):
    create_comm(target_name="jupyter.widget", comm_id=comm_id, data={
        "state": {"_view_name": "HTMLView", "_model_name": "HTMLModel", "value": comm_id,
                  "__proto__": {"polluted": True}},
        "buffer_paths": []})
"""


def test_lite_js_takes_any_model_id(app_url, offline_page):
    """Model ids and state keys such as __proto__ are ordinary keys: the page keeps
    working, and nothing reaches Object.prototype."""
    page = offline_page.page
    open_lesson(page, app_url, "en", "04-prevention", whole=True)
    poll(page, "window.awarenessLite && window.awarenessLite.ready", 60_000)
    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    client = kernel_client(kernel_pid(kernel_id))
    try:
        client.execute(ODD_MODELS)
        page.wait_for_timeout(1000)
    finally:
        client.stop_channels()
    assert page.evaluate("({}).polluted") is None
    assert page.evaluate("typeof ({}).hasOwnProperty") == "function"
    # The page still works: the first option or tick box on it can be chosen.
    choice = page.locator("input[type=radio], input[type=checkbox]").first
    choice.check()
    assert choice.is_checked()
    assert page.locator(".widget-html-content", has_text="__proto__").count() == 0
    assert offline_page.errors == []


PAGE_BUDGET_KB = 60  # RULES: lesson page front-end (lite.js + CSS + assets), gzipped


def test_a_lesson_page_front_end_stays_under_its_budget(app_url):
    """Every script and stylesheet a lesson page loads, plus the stylesheets its widgets
    bring (chat, quiz, checklist), gzipped: at most 60 KB."""
    import gzip

    from awareness.checklist import CSS_FILE as CHECKLIST_CSS
    from awareness.conversation.render import CSS_FILE as CHAT_CSS
    from awareness.quiz.render import CSS_FILE as QUIZ_CSS

    sizes: dict[str, int] = {}
    for lang, lesson_id in [(COURSE.languages[0], lesson.id) for lesson in COURSE.lessons]:
        _, html = fetch(lesson_url(app_url, lang, lesson_id))
        for url in page_assets(html):
            if url not in sizes:
                _, body = fetch(app_url.rstrip("/") + url)
                sizes[url] = len(gzip.compress(body.encode("utf-8"), 6))
    for css in (CHAT_CSS, QUIZ_CSS, CHECKLIST_CSS):
        sizes[css.name] = len(gzip.compress(css.read_bytes(), 6))
    total = sum(sizes.values()) / 1024
    print(f"lesson page front-end: {total:.1f} KB gzipped "
          + ", ".join(f"{u.split('/')[-1].split('?')[0]} {n / 1024:.1f}" for u, n in sizes.items()))
    assert not [u for u in sizes if "index.css" in u or "theme-light" in u], "JupyterLab's CSS"
    assert total <= PAGE_BUDGET_KB, sizes
