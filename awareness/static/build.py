"""``python -m awareness static`` / ``make static``: the serverless copy in build/static/.

The same lesson notebooks, content files and renderers as the app: each markdown cell is
rendered by nbconvert's markdown renderer into the cell markup Voilà's template writes;
each one-line call (``show_chat("nb", scenario="sara")`` …) is looked up, not run: a
chat, quiz or checklist is the app's own widget, drawn as lite.js draws it
(``widgets_html``), followed by its data (``data``) for static.js; the start page, the
help box and the lesson's end are the app's HTML (``html_parts``).

The folder::

    index.html            the start page in the course's first language (start.js goes on
                          to the language this browser chose)
    <lang>/00-start.html  each language's start page, and <lang>/<lesson>.html
    assets/               theme.css, lite.css, chat.css, quiz.css, checklist.css,
                          start.js and awareness.js (the app's), static.js (this copy's)
    scorm-<lang>.html     the SCORM launch page (build/scorm/<lang>.zip starts there)

Nothing is loaded from anywhere but the folder; every page carries a strict
Content-Security-Policy (no inline script) in a meta tag.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import json
import shutil
import sys
import tempfile
from html import escape
from pathlib import Path

from awareness import html_parts, lesson
from awareness.content.course import load_course
from awareness.paths import PACKAGE, content_root
from awareness.static.data import chat_part, checklist_part, html_links, quiz_part

__all__ = ["ASSETS", "CSP", "build", "main"]

TEMPLATE_STATIC = PACKAGE / "share" / "jupyter" / "voila" / "templates" / "awareness" / "static"
# The files every page links, from the app's template and the widgets' packages.
ASSETS = {
    "theme.css": TEMPLATE_STATIC / "theme.css",
    "lite.css": TEMPLATE_STATIC / "lite.css",
    "chat.css": PACKAGE / "conversation" / "chat.css",
    "quiz.css": PACKAGE / "quiz" / "quiz.css",
    "checklist.css": PACKAGE / "checklist.css",
    "start.js": TEMPLATE_STATIC / "start.js",
    "awareness.js": TEMPLATE_STATIC / "awareness.js",
    "static.js": Path(__file__).with_name("static.js"),
}
LESSON_CSS = ("lite.css", "theme.css", "chat.css", "quiz.css", "checklist.css")

# As strict as the app's header, for a page with no server: scripts and styles only from
# the folder (inline styles: the widgets' layout, as in the app), no connections at all.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'none'; frame-src 'self'; "
    "base-uri 'self'; form-action 'none'; object-src 'none'"
)

# The one-line calls a lesson makes, and what the static page shows for each.
PARTS = {
    "show_start": lambda lang: ("html", html_parts.start_page(lang, heading=False)),
    "show_footer": lambda lesson_id, lang: ("html", html_parts.footer(lesson_id, lang)),
    "show_chat": lambda lang, scenario, seed=None: ("widget", *chat_part(lang, scenario)),
    "show_quiz": lambda lesson_id, lang, seed=None: ("widget", *quiz_part(lesson_id, lang)),
    "show_checklist": lambda name, lang: ("widget", *checklist_part(name, lang)),
}


class BuildError(Exception):
    """A lesson the static copy cannot show (one line: where and why)."""


def _json(value) -> str:
    """JSON for a data island: a ``<script type="application/json">`` is never run, and
    ``</`` never ends it early."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _markdown(source: str) -> str:
    from nbconvert.exporters.html import HTMLExporter
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    anchor = HTMLExporter.anchor_link_text.default_value  # "¶", as in the app's pages
    renderer = IPythonRenderer(escape=False, anchor_link_text=anchor)
    return MarkdownWithMath(renderer=renderer).render(source)


def _call(source: str, where: str) -> tuple[str, dict] | None:
    """The call a code cell makes: its name and bound arguments (None: an import)."""
    tree = ast.parse(source)
    if len(tree.body) != 1:
        raise BuildError(f"{where}: a code cell must be one line")
    stmt = tree.body[0]
    if isinstance(stmt, ast.ImportFrom | ast.Import):
        return None
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id in PARTS):
        raise BuildError(f"{where}: not a lesson call ({', '.join(PARTS)})")
    call = stmt.value
    args = [ast.literal_eval(a) for a in call.args]
    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    # The defaults are lesson.py's (the scenario of show_chat, …).
    bound = inspect.signature(getattr(lesson, call.func.id)).bind(*args, **kwargs)
    bound.apply_defaults()
    return call.func.id, dict(bound.arguments)


def _markdown_cell(cell: dict) -> str:
    return (
        f'<div id="cell-id={escape(cell.get("id", ""))}" class="jp-Cell jp-MarkdownCell '
        'jp-Notebook-cell">\n<div class="jp-Cell-inputWrapper">\n<div class="jp-Collapser '
        'jp-InputCollapser jp-Cell-inputCollapser">\n</div>\n<div class="jp-InputArea '
        'jp-Cell-inputArea"><div class="jp-RenderedHTMLCommon jp-RenderedMarkdown '
        f'jp-MarkdownOutput " data-mime-type="text/markdown">\n{_markdown(cell["source"])}\n'
        "</div>\n</div>\n</div>\n</div>"
    )


def _code_cell(cell: dict, where: str) -> tuple[str, bool]:
    """A code cell's output as Voilà's page has it; and whether it is a chat."""
    tags = " ".join(f"celltag_{t}" for t in cell.get("metadata", {}).get("tags", []))
    call = _call(cell["source"], where)
    if call is None:
        return (
            f'<div id="cell-id={escape(cell.get("id", ""))}" class="jp-Cell jp-CodeCell '
            f'jp-Notebook-cell jp-mod-noOutputs jp-mod-noInput  {tags}">\n</div>'
        ), False
    name, arguments = call
    try:
        kind, html, *data = PARTS[name](**arguments)
    except Exception as exc:  # noqa: BLE001 - one line naming the cell, not a traceback
        raise BuildError(f"{where}: {name} could not be built: {exc}") from exc
    if kind == "html":
        output = (
            '<div class="lm-Widget jp-RenderedHTMLCommon jp-RenderedHTML jp-mod-trusted '
            f'jp-OutputArea-output" data-mime-type="text/html">\n{html_links(html)}\n</div>'
        )
    else:
        island = f'<script type="application/json" class="aw-data">{_json(data[0])}</script>'
        output = f'<div class="lm-Widget lm-Panel jp-OutputArea-output">{html}{island}</div>'
    return (
        f'<div id="cell-id={escape(cell.get("id", ""))}" class="jp-Cell jp-CodeCell '
        f'jp-Notebook-cell  jp-mod-noInput  {tags}">\n<div class="jp-Cell-outputWrapper">\n'
        '<div class="jp-Collapser jp-OutputCollapser jp-Cell-outputCollapser">\n</div>\n'
        '<div class="jp-OutputArea jp-Cell-outputArea">\n<div class="jp-OutputArea-child">\n'
        f"{output}\n</div>\n</div>\n</div>\n</div>"
    ), name == "show_chat"


def _head(lang: str, title: str, css: tuple[str, ...], prefix: str = "../") -> str:
    links = "".join(
        f'<link rel="stylesheet" href="{prefix}assets/{name}" type="text/css">' for name in css
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title>{links}"
        '<link rel="icon" href="data:,">'
    )


def start_page(lang: str, root: bool = False) -> str:
    """A language's start page as the app's start page handler writes it; ``root``: the
    folder's index.html (start.js goes on to the language this browser chose)."""
    course = load_course()
    base = f'<base href="{escape(lang)}/">' if root else ""
    return (
        _head(lang, course.title[lang], ("theme.css",)).replace(
            '<meta charset="utf-8">', '<meta charset="utf-8">' + base, 1)
        + ('<meta name="awareness-start" content="root">' if root else "")
        + '<script src="../assets/start.js" defer></script>'
        + "</head><body class=\"awareness-page\"><main>"
        + html_links(html_parts.start_page(lang))
        + "</main></body></html>\n"
    )


def lesson_page(path: Path) -> str:
    """A lesson notebook as a static page."""
    from awareness.app import PAGE_WORDS, lesson_pages

    course = load_course()
    nb = json.loads(path.read_text(encoding="utf-8"))
    meta = nb.get("metadata", {}).get("awareness", {})
    lang, lesson_id = meta.get("lang"), meta.get("lesson")
    if lang not in course.languages:
        raise BuildError(f"{path.name}: no course language in its metadata (awareness.lang)")
    words = {key: course.t(key, lang) for key in PAGE_WORDS}
    info = lesson_pages(course)[lang].get(lesson_id)
    title = nb.get("metadata", {}).get("title") or (info or {}).get("title", "")
    cells = []
    for index, cell in enumerate(nb["cells"], 1):
        source = cell.get("source", "")
        cell["source"] = "".join(source) if isinstance(source, list) else source
        where = f"{lang}/{path.name} cell {index}"
        section = cell.get("metadata", {}).get("awareness", {}).get("section", "")
        chat = False
        if cell["cell_type"] == "markdown":
            body = _markdown_cell(cell)
        elif cell["cell_type"] == "code":
            body, chat = _code_cell(cell, where)
        else:
            raise BuildError(f"{where}: a {cell['cell_type']} cell (only markdown and code)")
        attrs = f' data-section="{escape(section)}"' if section else ""
        attrs += " data-chat" if chat else ""
        cells.append(f'<div cell-index="{index}"{attrs}>\n{body}\n</div>')
    header = ""
    if info:
        where_text = (
            course.t("lesson_of", lang)
            .replace("{n}", str(info["lesson"]))
            .replace("{total}", str(info["lessons"]))
        )
        header = (
            '<header class="aw-topbar">\n<a class="aw-home" href="00-start.html"><svg '
            'aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="20" height="20">'
            '<path d="M3 11.5 12 4l9 7.5M6 10v10h4.5v-6h3v6H18V10" fill="none" '
            'stroke="currentColor" stroke-width="2" stroke-linejoin="round"/></svg><span>'
            f'{escape(words["back_to_start"])}</span></a>\n<p class="aw-where"><span '
            f'class="aw-where-lesson">{escape(where_text)}</span><span class="aw-where-part">'
            f'</span></p>\n<button type="button" class="aw-view" hidden>'
            f'{escape(words["whole_lesson"])}</button>\n<div class="aw-bar" aria-hidden="true" '
            "hidden><span></span></div>\n</header>\n"
        )
    islands = f'<script type="application/json" id="awareness-ui">{_json(words)}</script>'
    if info:
        islands += f'<script type="application/json" id="awareness-page">{_json(info)}</script>'
    return (
        _head(lang, title, LESSON_CSS)
        + islands
        + '</head><body class="jp-Notebook theme-light" data-jp-theme-light="true">'
        # Shown once awareness.js has made the parts (voila_finish, from static.js), as
        # Voilà's template does: the browser lays out one part, not the whole lesson.
        + '<noscript><style>#rendered_cells { display: block !important; }</style></noscript>'
        + f'<div id="rendered_cells" style="display: none"><div>\n{header}'
        + "\n".join(cells)
        + "\n</div></div>"
        + '<script src="../assets/static.js"></script>'
        + '<script src="../assets/awareness.js"></script>'
        + "</body></html>\n"
    )


def scorm_launch(lang: str) -> str:
    """The SCORM package's launch page: it opens the course with the LMS (static.js) and
    shows the language's start page in a frame filling the window."""
    course = load_course()
    return (
        _head(lang, course.title[lang], ("theme.css",), prefix="")
        + '<meta name="awareness-scorm" content="launch">'
        + "<style>html, body.aw-scorm { height: 100%; margin: 0; }"
        + " .aw-scorm-frame { display: block; width: 100%; height: 100%; border: 0; }</style>"
        + '<script src="assets/static.js" defer></script>'
        + '</head><body class="aw-scorm">'
        + f'<iframe class="aw-scorm-frame" src="{escape(lang)}/00-start.html" '
        + f'title="{escape(course.title[lang])}"></iframe></body></html>\n'
    )


def build(out: Path, languages: list[str] | None = None) -> dict:
    """Write the whole folder to ``out`` (replaced only when every page was built).
    Returns the pages written per language."""
    course = load_course()
    languages = languages or list(course.languages)
    root = content_root()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".static-", dir=out.parent))
    pages: dict[str, list[str]] = {}
    try:
        (stage / "assets").mkdir()
        for name, source in ASSETS.items():
            shutil.copyfile(source, stage / "assets" / name)
        (stage / "index.html").write_text(start_page(languages[0], root=True), encoding="utf-8")
        for lang in languages:
            folder = stage / lang
            folder.mkdir()
            (folder / "00-start.html").write_text(start_page(lang), encoding="utf-8")
            pages[lang] = ["00-start.html"]
            for info in course.lessons:
                nb = root / "lessons" / lang / f"{info.id}.ipynb"
                if not nb.is_file():
                    raise BuildError(f"lessons/{lang}/{info.id}.ipynb is missing")
                (folder / f"{info.id}.html").write_text(lesson_page(nb), encoding="utf-8")
                pages[lang].append(f"{info.id}.html")
            (stage / f"scorm-{lang}.html").write_text(scorm_launch(lang), encoding="utf-8")
        stage.chmod(0o755)  # mkdtemp's folder is the owner's only
        if out.exists():
            shutil.rmtree(out)
        stage.rename(out)
    finally:
        if stage.exists():
            shutil.rmtree(stage)
    return pages


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="awareness static", description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="build/static", help="the folder to write")
    parser.add_argument("--scorm", default="build/scorm",
                        help="where the SCORM packages go (<lang>.zip); '' for none")
    args = parser.parse_args(argv)
    try:
        pages = build(Path(args.out))
        zips = []
        if args.scorm:
            from awareness.static.scorm import package_all

            zips = package_all(Path(args.out), Path(args.scorm))
    except BuildError as exc:
        print(f"The static copy was not built: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        where = exc.filename or args.out
        print(f"The static copy was not built: {where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    count = sum(len(p) for p in pages.values())
    size = folder_size(Path(args.out))
    print(f"{args.out}: {count} pages in {len(pages)} languages, {size / 1e6:.2f} MB")
    for z in zips:
        print(f"{z}: {z.stat().st_size / 1e6:.2f} MB (SCORM 1.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
