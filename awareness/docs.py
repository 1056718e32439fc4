"""The pages for schools (``docs/<lang>/*.md``: quick start, curriculum, accessibility,
privacy), served by the app as HTML at ``/docs/<lang>/<name>`` so that a teacher reaches
them from the start page's footer without the internet.

The Markdown files are the one source: GitHub shows them as they are, the app renders
them here. A link to another page of docs/ (``personvern.md``, ``../en/privacy.md``)
becomes the app's page; a link to another file of the course (a facilitator note, the
README) is not served by the app, so it shows as the file's path, in the text.
A language without pages of its own (nynorsk, for now) gets the first course language's.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import mistune
import tornado.web
from jupyter_server.utils import url_path_join

from awareness.content.course import load_course
from awareness.paths import content_root

__all__ = ["DocsHandler", "doc_language", "doc_pages", "footer", "render_page"]

NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
# A Markdown link and its target; the target of one to another page of docs/.
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
DOC_LINK = re.compile(r"(?:\.\./([a-z]{2,3})/)?([a-z0-9][a-z0-9-]*)\.md(#[a-z0-9-]+)?")


def docs_root(root: Path | None = None) -> Path:
    return Path(root or content_root()) / "docs"


def doc_language(lang: str, root: Path | None = None) -> str:
    """The language whose pages a reader in ``lang`` gets: its own, or the first course
    language's while it has none."""
    course = load_course()
    return lang if (docs_root(root) / lang).is_dir() else course.default_language


def title_of(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def doc_pages(lang: str, root: Path | None = None) -> list[tuple[str, str]]:
    """(name, title) of every page in ``docs/<lang>/``, by file name."""
    folder = docs_root(root) / lang
    if not folder.is_dir():
        return []
    return [(p.stem, title_of(p)) for p in sorted(folder.glob("*.md"))
            if NAME.fullmatch(p.stem)]


def _link(match: re.Match) -> str:
    text, target = match.groups()
    if "://" in target or target.startswith(("#", "mailto:", "tel:")):
        return match.group(0)
    doc = DOC_LINK.fullmatch(target)
    if doc:
        lang, name, anchor = doc.groups()
        return f"[{text}]({'../' + lang + '/' if lang else ''}{name}{anchor or ''})"
    # Another file of the course (a facilitator note, the README): its path, as text.
    path = Path(target.split("#")[0])
    shown = "/".join(p for p in path.parts if p not in ("..", "."))
    return f"{text} (`{shown}`)" if text.strip("`") != shown else f"`{shown}`"


class _Renderer(mistune.HTMLRenderer):
    """Tables in a region of their own that scrolls sideways on a phone (the page does
    not: WCAG 1.4.10 exempts data tables), reachable and named for the keyboard."""

    def __init__(self) -> None:
        super().__init__(escape=True)
        self.last_heading = ""

    def heading(self, text: str, level: int, **attrs) -> str:
        self.last_heading = re.sub(r"<[^>]+>", "", text)
        return super().heading(text, level, **attrs)

    def table(self, text: str) -> str:
        # Named after the heading above it (the page's title, or the section's).
        return (f'<div class="aw-doc-table" role="region" tabindex="0" '
                f'aria-label="{self.last_heading}">'
                f"<table>\n{text}</table>\n</div>\n")


def render_body(markdown: str) -> str:
    to_html = mistune.create_markdown(renderer=_Renderer(), plugins=["table", "strikethrough"])
    return to_html(LINK.sub(_link, markdown))


def render_page(lang: str, name: str, base_url: str = "/", root: Path | None = None) -> str:
    """One page of docs/ as a whole HTML page, in the course's look. Raises KeyError."""
    path = docs_root(root) / lang / f"{name}.md"
    if not (NAME.fullmatch(name) and path.is_file()):
        raise KeyError(name)
    course = load_course()
    body = render_body(path.read_text(encoding="utf-8"))
    css = url_path_join(base_url, "voila/templates/awareness/static/theme.css")
    back = escape(course.t("back_to_start", lang) if lang in course.languages
                  else course.t("back_to_start", course.default_language))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title_of(path))}</title>"
        f'<link rel="stylesheet" href="{escape(css)}">'
        '<link rel="icon" href="data:,">'
        '</head><body class="awareness-page"><main class="aw-doc">'
        f"{body}"
        f'<p><a class="aw-home" href="{escape(url_path_join(base_url, "/"))}">{back}</a></p>'
        "</main></body></html>"
    )


def footer(lang: str, base_url: str = "/", root: Path | None = None) -> str:
    """The start page's footer: a link to each page for schools, in the reader's language
    (or, while it has none, the first course language's, marked as such)."""
    course = load_course()
    doc_lang = doc_language(lang, root)
    pages = doc_pages(doc_lang, root)
    if not pages:
        return ""
    other = f' lang="{escape(doc_lang)}" hreflang="{escape(doc_lang)}"' if doc_lang != lang else ""
    label = escape(course.t("for_schools", lang))
    links = "".join(
        f'<li><a href="{escape(url_path_join(base_url, "docs", doc_lang, name))}"{other}>'
        f"{escape(title)}</a></li>"
        for name, title in pages
    )
    return (f'<footer class="aw-footer"><nav aria-label="{label}"><h2>{label}</h2>'
            f"<ul>{links}</ul></nav></footer>")


class DocsHandler(tornado.web.RequestHandler):
    """``/docs/<lang>/<name>``: one page for schools, rendered from docs/<lang>/<name>.md."""

    def get(self, lang: str, name: str) -> None:
        try:
            page = render_page(lang, name, self.settings.get("base_url", "/"))
        except KeyError:
            raise tornado.web.HTTPError(404) from None
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page)
