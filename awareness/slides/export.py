"""``make slides``: every lesson in every language as one offline reveal.js file, its PDF
for the teacher (with the answers) and a handout PDF for the pupils (without).

The export is nbconvert's SlidesExporter with the course template and this pipeline,
in this order (the one place it is written down):

1. CheckLessonPreprocessor      - the notebook declares the lesson and language
2. ExecutePreprocessor          - nbconvert runs the notebook; AWARENESS_SLIDES=1 makes the
                                  lesson helpers display static HTML slide bundles
3. FailOnBrokenPartsPreprocessor - an error or a "could not be shown" box stops the export
4. ExpandSlidesPreprocessor     - a slide bundle becomes one cell per slide (the chat's
                                  other branches go to an appendix at the end)
5. FrameSlidesPreprocessor      - the content-note-and-help slide first, the help slide last
6. StashPreprocessor            - keeps the notebook for the fit step below
7. SpeakerNotesPreprocessor     - one notes cell per slide, from the teacher's note and the
                                  content files
8. LinkSlidesPreprocessor       - slide ids, story links (data-aw-next), page numbers
9. CountSlidesPreprocessor      - records the number of slides for the summary and tests
10. _RevealMetadataPreprocessor - nbconvert's own: slide/subslide/fragment start and end marks

Then the fit step: headless Chromium opens the deck's print view (every slide laid out
at 1920×1080 with every fragment shown) and measures each slide (``measure.py``). A
slide that runs past its slide is split where it can be (a flow: the chat, a debrief,
a quiz answer, a checklist, the help list) and steps 7-10 run again on the stashed
notebook; a slide that still runs over stops the export, naming the deck, the slide
number and the overflow in px. Then the PDF is printed from that view, and the handout.

Two decks are exported at a time (one per core, ``--jobs``), each worker with its own
kernel and Chromium. Files are written to a staging folder and moved into place only
when every lesson exported, so a failure never leaves half-written files next to good
ones.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import queue
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
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
    FrameSlidesPreprocessor,
    LinkSlidesPreprocessor,
    SlideExportError,
    SpeakerNotesPreprocessor,
    StashPreprocessor,
)

__all__ = [
    "PIPELINE",
    "RENDER",
    "SlideResult",
    "export_all",
    "export_lesson",
    "main",
    "pdf_page_count",
]

PIPELINE = [
    CheckLessonPreprocessor,
    ExecutePreprocessor,
    FailOnBrokenPartsPreprocessor,
    ExpandSlidesPreprocessor,
    FrameSlidesPreprocessor,
    StashPreprocessor,
    SpeakerNotesPreprocessor,
    LinkSlidesPreprocessor,
    CountSlidesPreprocessor,
    _RevealMetadataPreprocessor,
]
# What runs again on the stashed notebook after the fit step split a slide.
RENDER = PIPELINE[PIPELINE.index(StashPreprocessor) + 1:]
TEMPLATES = PACKAGE / "slides" / "templates"
# How many times the fit step may split and measure again.
FIT_ROUNDS = 6
# First the fit step sets each text slide's size (the largest that fits, measure.TEXT_SIZES).
_LESSON_OPTIONS = (CheckLessonPreprocessor, FailOnBrokenPartsPreprocessor,
                   FrameSlidesPreprocessor, SpeakerNotesPreprocessor, LinkSlidesPreprocessor)


@dataclass
class SlideResult:
    lang: str
    lesson_id: str
    html: Path
    slides: int
    notes: int
    pdf: Path | None = None
    pdf_pages: int | None = None
    handout: Path | None = None
    split: int = 0
    seconds: float = 0.0


def _reveal_dir(root: Path) -> Path:
    folder = root / "node_modules" / "reveal.js"
    if not (folder / "dist" / "reveal.js").is_file():
        raise SlideExportError(
            f"reveal.js is not installed in {folder}: run `make slides` (it runs npm ci)"
        )
    return folder


def inline_assets(root: Path) -> dict[str, str]:
    """reveal.js, its notes plugin, the deck script and the styles, as text to inline."""
    from awareness.slides.measure import text_size_css
    from awareness.slides.theme import palette_css

    reveal = _reveal_dir(root)

    def read(rel: str) -> str:
        return (reveal / rel).read_text(encoding="utf-8")

    def safe_js(text: str) -> str:
        return text.replace("</script", "<\\/script")

    theme = re.sub(r"@import url\([^)]*\);?", "", read("dist/theme/white.css"))
    course_css = [palette_css()]
    for rel in ("conversation/chat.css", "quiz/quiz.css", "checklist.css", "slides/slides.css"):
        path = PACKAGE / rel
        if path.is_file():
            course_css.append(path.read_text(encoding="utf-8"))
    course_css.append(text_size_css())
    return {
        "reveal_css": read("dist/reveal.css"),
        "theme_css": theme,
        "course_css": "\n".join(course_css),
        "reveal_js": safe_js(read("dist/reveal.js")),
        "notes_js": safe_js(read("plugin/notes/notes.js")),
        "deck_js": safe_js((PACKAGE / "slides" / "deck.js").read_text(encoding="utf-8")),
    }


def make_exporter(lesson_id: str, lang: str, pipeline=None) -> SlidesExporter:
    config = Config()
    config.SlidesExporter.template_name = "awareness_reveal"
    config.SlidesExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.SlidesExporter.exclude_input = True
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    # nbconvert's reveal template would run its own _RevealMetadataPreprocessor first,
    # before the slides above exist; PIPELINE runs it last instead.
    config["_RevealMetadataPreprocessor"] = Config({"enabled": False})
    config.ExecutePreprocessor.timeout = 180
    config.ExecutePreprocessor.kernel_name = "python3"
    config.ExecutePreprocessor.extra_arguments = ["--IPKernelApp.log_level=ERROR"]
    for cls in _LESSON_OPTIONS:
        config[cls.__name__].lesson_id = lesson_id
        config[cls.__name__].lang = lang
    exporter = SlidesExporter(config=config)
    for cls in pipeline or PIPELINE:
        exporter.register_preprocessor(cls(config=config), enabled=True)
    return exporter


def _run(exporter, nb, resources, where: str):
    try:
        return exporter.from_notebook_node(nb, resources=resources)
    except SlideExportError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure is named with its lesson
        first = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise SlideExportError(f"{where}: {first}") from None


def _write(body: str, out_html: Path, root: Path) -> None:
    from awareness.slides.emoji import inline_emoji

    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_html.write_text(inline_emoji(body, root), encoding="utf-8")


def export_lesson(
    lesson_id: str, lang: str, out_html: Path, root: Path, assets: dict[str, str]
) -> tuple[SlideResult, object, dict]:
    """Export one lesson's deck to out_html (before the fit step); raises SlideExportError
    naming the lesson. Returns the result, the stashed notebook and the resources."""
    path = root / "lessons" / lang / f"{lesson_id}.ipynb"
    where = f"lessons/{lang}/{lesson_id}.ipynb"
    if not path.is_file():
        raise SlideExportError(f"{where}: the notebook is missing")
    nb = nbformat.read(path, as_version=4)
    resources = {
        "metadata": {"path": str(path.parent), "name": lesson_id},
        "awareness_inline": assets,
    }
    os.environ["AWARENESS_SLIDES"] = "1"
    os.environ["AWARENESS_ROOT"] = str(root)
    try:
        body, resources = _run(make_exporter(lesson_id, lang), nb, resources, where)
    finally:
        os.environ.pop("AWARENESS_SLIDES", None)
    _write(body, out_html, root)
    info = resources.get("awareness", {})
    result = SlideResult(lang, lesson_id, out_html, info.get("slides", 0),
                         info.get("notes_cells", 0))
    return result, info.get("stash"), resources


class Printer:
    """One headless Chromium for a worker: measures decks, prints PDFs. No network."""

    def __init__(self):
        self._pw = self._browser = self.page = None

    def open(self):
        if self.page is None:
            from playwright.sync_api import sync_playwright

            if not Path(CHROMIUM).exists():
                raise SlideExportError(
                    f"the slide export needs Chromium at {CHROMIUM}: apt-get install chromium"
                )
            self._pw = sync_playwright().start()
            self._browser = self._pw.chromium.launch(executable_path=CHROMIUM,
                                                     args=CHROMIUM_ARGS)
            context = self._browser.new_context(viewport={"width": 1920, "height": 1080})
            context.route(
                "**/*",
                lambda route: route.continue_()
                if route.request.url.startswith(("file:", "data:", "about:"))
                else route.abort(),
            )
            self.page = context.new_page()
        return self.page

    def print_view(self, html: Path):
        page = self.open()
        page.goto(html.resolve().as_uri() + "?print-pdf")
        page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=60_000)
        # reveal.js lays out the print pages after it is ready.
        page.wait_for_function(
            "document.querySelectorAll('.reveal .pdf-page').length > 0", timeout=60_000
        )
        page.evaluate("document.fonts.ready")
        return page

    def close(self):
        if self._browser is not None:
            self._browser.close()
        if self._pw is not None:
            self._pw.stop()
        self._pw = self._browser = self.page = None


def fit_and_print(result: SlideResult, stash, resources: dict, root: Path, printer: Printer,
                  pdf: bool) -> None:
    """The fit step (measure, split, render again) and the PDF; see the module's doc."""
    from awareness.slides.measure import autosize, describe, measure, split_overflowing

    deck = f"slides {result.lang}/{result.lesson_id}"
    where = f"lessons/{result.lang}/{result.lesson_id}.ipynb"
    sized = False
    for _ in range(FIT_ROUNDS + 2):
        page = printer.print_view(result.html)
        if not sized:
            sized = True
            stash, changed = autosize(page, stash)
            bad = []
        else:
            bad = [m for m in measure(page, "print") if m["over_y"] or m["over_x"]]
            if not bad:
                break
            stash, stuck = split_overflowing(stash, bad)
            if stuck:
                raise SlideExportError(describe(deck, stuck))
            result.split += len(bad)
            changed = len(bad)
        if not changed:
            continue
        os.environ["AWARENESS_ROOT"] = str(root)
        body, info = _run(
            make_exporter(result.lesson_id, result.lang, RENDER),
            copy.deepcopy(stash), {**resources, "awareness": {}}, where,
        )
        _write(body, result.html, root)
        result.slides = info["awareness"]["slides"]
        result.notes = info["awareness"]["notes_cells"]
    else:
        raise SlideExportError(describe(deck, bad))
    if pdf:
        result.pdf = result.html.with_suffix(".pdf")
        page.pdf(path=str(result.pdf), prefer_css_page_size=True, print_background=True)
        result.pdf_pages = pdf_page_count(result.pdf)


def pdf_page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def write_handout(result: SlideResult, out_pdf: Path, root: Path, printer: Printer) -> None:
    from awareness.slides.handouts import handout_html
    from awareness.slides.theme import palette_css

    html = out_pdf.with_suffix(".html")
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(handout_html(result.lesson_id, result.lang, root, palette_css()),
                    encoding="utf-8")
    page = printer.open()
    page.goto(html.resolve().as_uri())
    page.evaluate("document.fonts.ready")
    page.pdf(path=str(out_pdf), prefer_css_page_size=True, print_background=True)
    html.unlink()
    result.handout = out_pdf


def _deck(job: tuple, staging: Path, root: Path, assets: dict, printer: Printer, pdf: bool,
          report) -> SlideResult:
    lang, lesson_id = job
    started = time.monotonic()
    label = f"{lang}/{lesson_id}"
    out = staging / "slides" / lang / f"{lesson_id}.html"
    result, stash, resources = export_lesson(lesson_id, lang, out, root, assets)
    report("html", label)
    fit_and_print(result, stash, resources, root, printer, pdf)
    report("pdf", label)
    if pdf:
        write_handout(result, staging / "handouts" / lang / f"{lesson_id}.pdf", root, printer)
    report("handout", label)
    result.seconds = round(time.monotonic() - started, 1)
    return result


def _worker(jobs, events, staging: str, root: str, assets: dict, pdf: bool, stop) -> None:
    """A worker process: takes decks from jobs until there are none (or stop is set)."""
    printer = Printer()
    try:
        while not stop.is_set():
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                break
            try:
                result = _deck(job, Path(staging), Path(root), assets, printer, pdf,
                               lambda stage, label: events.put(("step", stage, label)))
                events.put(("done", asdict(result)))
            except SlideExportError as exc:
                events.put(("error", str(exc)))
                stop.set()
            except Exception as exc:  # noqa: BLE001 - named for the teacher, never a traceback
                events.put(("error", f"{job[0]}/{job[1]}: {type(exc).__name__}: {exc}"))
                stop.set()
    finally:
        printer.close()
        events.put(("exit", None))


STEPS = ("html", "pdf", "handout")


class Progress:
    """A progress bar on one line: steps done of all, and what was done last."""

    width = 24

    def __init__(self, total: int, stream=None):
        self.total, self.done, self.stream = total, 0, stream or sys.stdout
        self.started = time.monotonic()

    def step(self, label: str) -> None:
        self.done += 1
        self.draw(label)

    def draw(self, label: str) -> None:
        filled = int(self.width * self.done / self.total) if self.total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        seconds = time.monotonic() - self.started
        end = "\n" if self.done >= self.total else ""
        print(f"\r[{bar}] {self.done}/{self.total} {seconds:5.0f} s  {label:<36}", end=end,
              file=self.stream, flush=True)


def export_all(
    out_dir: Path,
    root: Path | None = None,
    langs: list[str] | None = None,
    lessons: list[str] | None = None,
    pdf: bool = True,
    handouts_dir: Path | None = None,
    jobs: int | None = None,
) -> list[SlideResult]:
    """Export every lesson; on any failure nothing is moved into out_dir (or handouts_dir,
    by default build/handouts beside out_dir)."""
    import multiprocessing

    root = (root or content_root()).resolve()
    course = load_course(root)
    langs = langs or course.languages
    lessons = lessons or [lesson.id for lesson in course.lessons]
    handouts_dir = handouts_dir or out_dir.parent / "handouts"
    assets = inline_assets(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    todo = [(lang, lesson_id) for lang in langs for lesson_id in lessons]
    # The heavy decks first, so the two workers finish together.
    todo.sort(key=lambda job: -len(course.lesson(job[1]).sections))
    workers = max(1, min(jobs or os.cpu_count() or 1, 2 if jobs is None else jobs, len(todo)))
    progress = Progress(len(todo) * len(STEPS))
    progress.draw(f"{len(todo)} decks, {workers} at a time")
    results: list[SlideResult] = []
    try:
        if workers == 1:
            printer = Printer()
            try:
                for job in todo:
                    results.append(_deck(job, staging, root, assets, printer, pdf,
                                         lambda stage, label: progress.step(f"{label} {stage}")))
            finally:
                printer.close()
        else:
            ctx = multiprocessing.get_context("spawn")
            job_queue, events, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
            for job in todo:
                job_queue.put(job)
            procs = [
                ctx.Process(target=_worker, daemon=True,
                            args=(job_queue, events, str(staging), str(root), assets, pdf, stop))
                for _ in range(workers)
            ]
            for proc in procs:
                proc.start()
            errors, running = [], workers
            while running:
                try:
                    kind, *rest = events.get(timeout=5)
                except queue.Empty:
                    if not any(proc.is_alive() for proc in procs):
                        errors.append("a worker stopped without a word (out of memory?)")
                        break
                    continue
                if kind == "step":
                    progress.step(f"{rest[1]} {rest[0]}")
                elif kind == "done":
                    data = rest[0]
                    results.append(SlideResult(**{
                        k: Path(v) if k in ("html", "pdf", "handout") and v else v
                        for k, v in data.items()
                    }))
                elif kind == "error":
                    errors.append(rest[0])
                else:
                    running -= 1
            for proc in procs:
                proc.join(timeout=30)
            if errors:
                print(file=sys.stdout)
                raise SlideExportError("\n".join(errors))
        order = {job: i for i, job in enumerate((lang, lid) for lang in langs for lid in lessons)}
        results.sort(key=lambda r: order[(r.lang, r.lesson_id)])
        for result in results:
            final = out_dir / result.lang / result.html.name
            final.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(result.html, final)
            result.html = final
            if result.pdf:
                shutil.move(result.pdf, final.with_suffix(".pdf"))
                result.pdf = final.with_suffix(".pdf")
            if result.handout:
                target = handouts_dir / result.lang / result.handout.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(result.handout, target)
                result.handout = target
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m awareness.slides.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="build/slides", help="output folder for the decks")
    parser.add_argument("--handouts", default=None,
                        help="output folder for the handouts (default: handouts/ beside --out)")
    parser.add_argument("--lang", action="append", help="only this language (repeatable)")
    parser.add_argument("--lesson", action="append", help="only this lesson id (repeatable)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDFs and handouts")
    parser.add_argument("--jobs", type=int, default=None,
                        help="decks exported at a time (default: 2, or 1 on one core)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    out = Path(args.out)
    try:
        results = export_all(out, langs=args.lang, lessons=args.lesson, pdf=not args.no_pdf,
                             handouts_dir=Path(args.handouts) if args.handouts else None,
                             jobs=args.jobs)
    except SlideExportError as exc:
        print(f"\nSlide export stopped: {exc}", file=sys.stderr)
        return 1
    for r in results:
        pdf = f", PDF {r.pdf_pages} pages" if r.pdf else ""
        split = f", {r.split} long slide{'s' if r.split != 1 else ''} split" if r.split else ""
        print(f"  {r.html}: {r.slides} slides, notes on every slide{pdf}{split} ({r.seconds} s)")
    write_manifest(out, results)
    seconds = time.monotonic() - started
    print(f"Wrote {len(results)} slide decks to {args.out}/ (list in {args.out}/manifest.json)"
          f" in {seconds:.0f} s")
    if results and results[0].handout:
        print(f"Wrote {len(results)} handouts to {results[0].handout.parent.parent}/")
    return 0


def write_manifest(out_dir: Path, results: list[SlideResult]) -> Path:
    """manifest.json: every deck with its slide count, PDF pages and handout."""
    path = out_dir / "manifest.json"
    decks = [
        {
            "lang": r.lang,
            "lesson": r.lesson_id,
            "html": r.html.relative_to(out_dir).as_posix(),
            "pdf": r.pdf.relative_to(out_dir).as_posix() if r.pdf else None,
            "handout": str(r.handout.resolve()) if r.handout else None,
            "slides": r.slides,
            "notes": r.notes,
            "pdf_pages": r.pdf_pages,
            "split": r.split,
            "seconds": r.seconds,
        }
        for r in results
    ]
    path.write_text(json.dumps({"decks": decks}, indent=2), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.exit(main())
