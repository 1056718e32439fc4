"""awareness/docs.py: the pages for schools as the app serves them (no server: cheap)."""

from __future__ import annotations

import shutil

import pytest

from awareness import docs
from awareness.content.course import load_course
from tests.conftest import ROOT

COURSE = load_course(ROOT)


def test_links_between_pages_become_the_apps_pages_and_other_files_their_path():
    html = docs.render_body(
        "[a](personvern.md) [b](../en/privacy.md#cookies) [c](https://udir.no/x) "
        "[d](../../facilitator_notes/nb/00-overview.md#plan-45) [e](#top)"
    )
    assert '<a href="personvern">a</a>' in html
    assert '<a href="../en/privacy#cookies">b</a>' in html
    assert '<a href="https://udir.no/x">c</a>' in html
    assert "d (<code>facilitator_notes/nb/00-overview.md</code>)" in html
    assert '<a href="#top">e</a>' in html
    assert ".md\"" not in html


def test_a_table_is_a_named_region_that_scrolls_and_html_is_escaped():
    html = docs.render_body("## Tabellen\n\n| a | b |\n|---|---|\n| <script>x</script> | 2 |\n")
    assert '<div class="aw-doc-table" role="region" tabindex="0" aria-label="Tabellen">' in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_page_is_whole_in_its_language_and_an_unknown_one_is_refused():
    page = docs.render_page("en", "privacy")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "<title>Privacy fact sheet for the school</title>" in page
    for name in ("no-such-page", "../README", "Privacy"):
        with pytest.raises(KeyError):
            docs.render_page("en", name)


def test_a_language_without_pages_gets_the_first_languages_marked_as_such(tmp_path):
    shutil.copytree(ROOT / "docs" / COURSE.default_language, tmp_path / "docs" /
                    COURSE.default_language)
    other = next(lang for lang in COURSE.languages if lang != COURSE.default_language)
    assert docs.doc_language(other, tmp_path) == COURSE.default_language
    footer = docs.footer(other, "/", tmp_path)
    first = COURSE.default_language
    assert f'lang="{first}" hreflang="{first}"' in footer
    assert COURSE.t("for_schools", other) in footer
    assert docs.footer(first, "/", tmp_path).count("<li>") == len(docs.doc_pages(first, tmp_path))
    assert docs.footer(first, "/", tmp_path / "nowhere") == ""
