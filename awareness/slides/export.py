"""``make slides``: every lesson in every language as one offline reveal.js file and a PDF.

The export is nbconvert's SlidesExporter with the course template and this pipeline,
in this order (the one place it is written down):

1. CheckLessonPreprocessor      - the notebook declares the lesson and language
2. ExecutePreprocessor          - nbconvert runs the notebook; AWARENESS_SLIDES=1 makes the
                                  lesson helpers display static HTML slide bundles
3. FailOnBrokenPartsPreprocessor - an error or a "could not be shown" box stops the export
4. ExpandSlidesPreprocessor     - a slide bundle becomes one cell per slide
5. SpeakerNotesPreprocessor     - each section gets its speaker notes from the teacher's note
6. CountSlidesPreprocessor      - records the number of slides for the summary and tests
7. _RevealMetadataPreprocessor  - nbconvert's own: slide/subslide/fragment start and end marks
                                  (moved here from the reveal template's conf.json, which ran
                                  it first, before the slides above existed)

Files are written to a staging folder and moved into place only when every lesson
exported, so a failure never leaves half-written files next to good ones.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter
from nbconvert.exporters.slides import _RevealMetadataPreprocessor
from nbconvert.preprocessors import ExecutePreprocessor
from traitlets.config import Config

from awareness.browser import CHROMIUM, CHROMIUM_ARGS
from awareness.content.course import load_course
from awareness.paths import PACKAGE, content_root
from awareness.slides.preprocessors import (
    CheckLessonPreprocessor,
    CountSlidesPreprocessor,
    ExpandSlidesPreprocessor,
    FailOnBrokenPartsPreprocessor,
    SlideExportError,
    SpeakerNotesPreprocessor,
)

__all__ = ["PIPELINE", "SlideResult", "export_all", "export_lesson", "main"]

PIPELINE = [
    CheckLessonPreprocessor,
    ExecutePreprocessor,
    FailOnBrokenPartsPreprocessor,
    ExpandSlidesPreprocessor,
    SpeakerNotesPreprocessor,
    CountSlidesPreprocessor,
    _RevealMetadataPreprocessor,
]
TEMPLATES = PACKAGE / "slides" / "templates"


@dataclass
class SlideResult:
    lang: str
    lesson_id: str
    html: Path
    slides: int
    notes: int
    pdf: Path | None = None
    pdf_pages: int | None = None


def _reveal_dir(root: Path) -> Path:
    folder = root / "node_modules" / "reveal.js"
    if not (folder / "dist" / "reveal.js").is_file():
        raise SlideExportError(
            f"reveal.js is not installed in {folder}: run `make slides` (it runs npm install)"
        )
    return folder


def inline_assets(root: Path) -> dict[str, str]:
    """reveal.js, its notes plugin and the styles, as text to inline into each file."""
    reveal = _reveal_dir(root)

    def read(rel: str) -> str:
        return (reveal / rel).read_text(encoding="utf-8")

    def safe_js(text: str) -> str:
        return text.replace("</script", "<\\/script")

    theme = re.sub(r"@import url\([^)]*\);?", "", read("dist/theme/white.css"))
    course_css = [(PACKAGE / "slides" / "slides.css").read_text(encoding="utf-8")]
    for rel in ("conversation/chat.css", "quiz/quiz.css", "checklist.css"):
        path = PACKAGE / rel
        if path.is_file():
            course_css.append(path.read_text(encoding="utf-8"))
    return {
        "reveal_css": read("dist/reveal.css"),
        "theme_css": theme,
        "course_css": "\n".join(course_css),
        "reveal_js": safe_js(read("dist/reveal.js")),
        "notes_js": safe_js(read("plugin/notes/notes.js")),
    }


def make_exporter(lesson_id: str, lang: str) -> SlidesExporter:
    config = Config()
    config.SlidesExporter.template_name = "awareness_reveal"
    config.SlidesExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.SlidesExporter.exclude_input = True
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    config.ExecutePreprocessor.timeout = 180
    config.ExecutePreprocessor.kernel_name = "python3"
    config.ExecutePreprocessor.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
    for cls in (CheckLessonPreprocessor, FailOnBrokenPartsPreprocessor, SpeakerNotesPreprocessor):
        config[cls.__name__].lesson_id = lesson_id
        config[cls.__name__].lang = lang
    exporter = SlidesExporter(config=config)
    for cls in PIPELINE:
        exporter.register_preprocessor(cls(config=config), enabled=True)
    return exporter


def export_lesson(
    lesson_id: str, lang: str, out_html: Path, root: Path, assets: dict[str, str]
) -> SlideResult:
    """Export one lesson to out_html; raises SlideExportError naming the lesson."""
    path = root / "lessons" / lang / f"{lesson_id}.ipynb"
    if not path.is_file():
        raise SlideExportError(f"lessons/{lang}/{lesson_id}.ipynb: the notebook is missing")
    nb = nbformat.read(path, as_version=4)
    exporter = make_exporter(lesson_id, lang)
    resources = {
        "metadata": {"path": str(path.parent), "name": lesson_id},
        "awareness_inline": assets,
    }
    os.environ["AWARENESS_SLIDES"] = "1"
    os.environ["AWARENESS_ROOT"] = str(root)
    try:
        body, resources = exporter.from_notebook_node(nb, resources=resources)
    except SlideExportError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure is named with its lesson
        first = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise SlideExportError(f"lessons/{lang}/{lesson_id}.ipynb: {first}") from None
    finally:
        os.environ.pop("AWARENESS_SLIDES", None)
    info = resources.get("awareness", {})
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_html.write_text(body, encoding="utf-8")
    return SlideResult(lang, lesson_id, out_html, info.get("slides", 0), info.get("notes", 0))


def write_pdfs(results: list[SlideResult]) -> None:
    """Print every deck to PDF with headless Chromium (reveal.js's ?print-pdf view)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SlideExportError(f"PDF export needs Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route(
                "**/*",
                lambda route: route.continue_()
                if route.request.url.startswith(("file:", "data:", "about:"))
                else route.abort(),
            )
            for result in results:
                page.goto(result.html.resolve().as_uri() + "?print-pdf")
                page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
                # reveal.js lays out the print pages after it is ready.
                page.wait_for_function(
                    "document.querySelectorAll('.reveal .pdf-page').length > 0", timeout=30_000
                )
                page.wait_for_timeout(200)
                result.pdf = result.html.with_suffix(".pdf")
                page.pdf(path=str(result.pdf), prefer_css_page_size=True, print_background=True)
                result.pdf_pages = pdf_page_count(result.pdf)
        finally:
            browser.close()


def pdf_page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def _progress(done: int, total: int, label: str) -> None:
    width = 24
    filled = int(width * done / total) if total else width
    bar = "#" * filled + "-" * (width - filled)
    print(f"\r[{bar}] {done}/{total} {label:<40}", end="" if done < total else "\n", flush=True)


def export_all(
    out_dir: Path,
    root: Path | None = None,
    langs: list[str] | None = None,
    lessons: list[str] | None = None,
    pdf: bool = True,
) -> list[SlideResult]:
    """Export every lesson; on any failure nothing is moved into out_dir."""
    root = (root or content_root()).resolve()
    course = load_course(root)
    langs = langs or course.languages
    lessons = lessons or [lesson.id for lesson in course.lessons]
    assets = inline_assets(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    jobs = [(lang, lesson_id) for lang in langs for lesson_id in lessons]
    results = []
    try:
        for i, (lang, lesson_id) in enumerate(jobs):
            _progress(i, len(jobs), f"{lang}/{lesson_id}")
            out = staging / lang / f"{lesson_id}.html"
            results.append(export_lesson(lesson_id, lang, out, root, assets))
        _progress(len(jobs), len(jobs), "HTML done")
        if pdf:
            write_pdfs(results)
        for result in results:
            final = out_dir / result.lang / result.html.name
            final.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(result.html, final)
            result.html = final
            if result.pdf:
                shutil.move(result.pdf, final.with_suffix(".pdf"))
                result.pdf = final.with_suffix(".pdf")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m awareness.slides.export", description=__doc__)
    parser.add_argument("--out", default="build/slides", help="output folder")
    parser.add_argument("--lang", action="append", help="only this language (repeatable)")
    parser.add_argument("--lesson", action="append", help="only this lesson id (repeatable)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDFs")
    args = parser.parse_args(argv)
    try:
        results = export_all(Path(args.out), langs=args.lang, lessons=args.lesson,
                             pdf=not args.no_pdf)
    except SlideExportError as exc:
        print(f"\nSlide export stopped: {exc}", file=sys.stderr)
        return 1
    for r in results:
        pdf = f", PDF {r.pdf_pages} pages" if r.pdf else ""
        print(f"  {r.html}: {r.slides} slides, {r.notes} with speaker notes{pdf}")
    write_manifest(Path(args.out), results)
    print(f"Wrote {len(results)} slide decks to {args.out}/ (list in {args.out}/manifest.json)")
    return 0


def write_manifest(out_dir: Path, results: list[SlideResult]) -> Path:
    """manifest.json: every deck with its slide count, notes and PDF pages."""
    path = out_dir / "manifest.json"
    decks = [
        {
            "lang": r.lang,
            "lesson": r.lesson_id,
            "html": r.html.relative_to(out_dir).as_posix(),
            "pdf": r.pdf.relative_to(out_dir).as_posix() if r.pdf else None,
            "slides": r.slides,
            "notes": r.notes,
            "pdf_pages": r.pdf_pages,
        }
        for r in results
    ]
    path.write_text(json.dumps({"decks": decks}, indent=2), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.exit(main())
