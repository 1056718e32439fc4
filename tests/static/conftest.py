"""The serverless copy, built once per test session (with AWARENESS_FAST=1: no typing
times and no double-tap pause, as the app's test servers run), and Chromium pages that
open it from file:// with every request outside the folder blocked and recorded."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from awareness.static.build import build
from awareness.static.scorm import package_all
from tests.conftest import OfflinePage


@dataclass
class Site:
    folder: Path
    scorm: Path
    pages: dict[str, list[str]]
    seconds: float

    def url(self, path: str) -> str:
        """The file:// address of a page in the folder (``#part`` kept as a fragment)."""
        path, hash_, part = path.partition("#")
        return (self.folder / path).as_uri() + hash_ + part


@pytest.fixture(scope="session")
def static_site(tmp_path_factory) -> Site:
    out = tmp_path_factory.mktemp("static")
    before = os.environ.get("AWARENESS_FAST")
    os.environ["AWARENESS_FAST"] = "1"
    try:
        start = time.monotonic()
        pages = build(out / "static")
        package_all(out / "static", out / "scorm")
        seconds = time.monotonic() - start
    finally:
        if before is None:
            os.environ.pop("AWARENESS_FAST", None)
        else:
            os.environ["AWARENESS_FAST"] = before
    return Site(out / "static", out / "scorm", pages, seconds)


# Answers the page's quiz to its end: the first option of every question, checked, next.
ANSWER_QUIZ = """() => {
  const quiz = document.querySelector('.quiz');
  const q = (r) => quiz.querySelector(`[data-aw-role="${r}"]`);
  for (let i = 0; i < 50 && !quiz.hasAttribute('data-aw-done'); i++) {
    const input = q('inputs').querySelector('input');
    if (input) input.click();
    q('check').click();
    q('next').click();
  }
}"""


class FilePage(OfflinePage):
    """A fresh Chromium page for the folder: requests outside it are blocked and kept
    (``outside``), those inside it listed (``inside``)."""

    def __init__(self, browser, folder: Path, **options):
        self.folder = folder.as_uri() + "/"
        self.inside: list[str] = []
        super().__init__(browser, **{"locale": None, "reduced_motion": "reduce", **options})
        self.outside = self.external

    def allowed(self, url: str) -> bool:
        if url.startswith(self.folder) or url.startswith(("data:", "about:")):
            self.inside.append(url)
            return True
        return False

    def open(self, url: str) -> None:
        """Open a page; at its load event its scripts (at the end of the body, or
        deferred) have run: the page is ready."""
        self.page.goto(url, wait_until="load")



@pytest.fixture
def file_page(browser, static_site):
    page = FilePage(browser, static_site.folder)
    yield page
    page.close()
