"""The slide export's nbconvert preprocessors, one small job each.

Their order is written down once, in ``awareness.slides.export.PIPELINE``. Every
option is a traitlet with ``help=``.
"""

from __future__ import annotations

import json

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Unicode

__all__ = [
    "SLIDES_MIME",
    "CheckLessonPreprocessor",
    "CountSlidesPreprocessor",
    "ExpandSlidesPreprocessor",
    "FailOnBrokenPartsPreprocessor",
    "SlideExportError",
    "SpeakerNotesPreprocessor",
    "count_slides",
]

# A lesson helper in slide mode (AWARENESS_SLIDES=1) displays this: {"slides": [...]}, each
# slide {"html": str, "notes": str (Markdown, optional), "type": "slide"|"subslide"}.
SLIDES_MIME = "application/vnd.awareness.slides+json"


class SlideExportError(Exception):
    """A lesson cannot be exported; the message names the lesson and what is wrong."""


def _slide_type(cell) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def _html_cell(html: str, slide_type: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source="")
    cell.metadata["slideshow"] = {"slide_type": slide_type}
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": html}, metadata={})
    ]
    return cell


def _notes_cell(markdown: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source=markdown)
    cell.metadata["slideshow"] = {"slide_type": "notes"}
    return cell


class CheckLessonPreprocessor(Preprocessor):
    """Refuse a notebook whose metadata does not name the expected lesson and language."""

    lesson_id = Unicode("", help="The lesson id the notebook must declare.").tag(config=True)
    lang = Unicode("", help="The language the notebook must declare.").tag(config=True)

    def preprocess(self, nb, resources):
        meta = nb.metadata.get("awareness", {})
        where = f"lessons/{self.lang}/{self.lesson_id}.ipynb"
        if meta.get("lesson") != self.lesson_id or meta.get("lang") != self.lang:
            raise SlideExportError(
                f"{where}: metadata.awareness should say lesson {self.lesson_id!r} and "
                f"lang {self.lang!r}, it says {meta.get('lesson')!r} and {meta.get('lang')!r}"
            )
        if not nb.cells:
            raise SlideExportError(f"{where}: the notebook has no cells")
        return nb, resources


class FailOnBrokenPartsPreprocessor(Preprocessor):
    """Stop the export when a cell shows an error, stderr, or the 'could not be shown' box."""

    lesson_id = Unicode("", help="The lesson id, for the error message.").tag(config=True)
    lang = Unicode("", help="The language, for the error message.").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        where = f"lessons/{self.lang}/{self.lesson_id}.ipynb: cell {index + 1}"
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                raise SlideExportError(f"{where}: {out.get('ename')}: {out.get('evalue')}")
            if out.get("name") == "stderr":
                raise SlideExportError(f"{where}: {''.join(out.get('text', ''))[:300]}")
            if "awareness-error" in str(out.get("data", {}).get("text/html", "")):
                raise SlideExportError(f"{where}: a part of the lesson could not be shown")
        return cell, resources


class ExpandSlidesPreprocessor(Preprocessor):
    """Turn a cell that displayed a slide bundle (SLIDES_MIME) into one cell per slide."""

    def preprocess(self, nb, resources):
        cells = []
        for cell in nb.cells:
            bundle = None
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if SLIDES_MIME in data:
                    bundle = data[SLIDES_MIME]
                    if isinstance(bundle, str):
                        bundle = json.loads(bundle)
            if bundle is None:
                cells.append(cell)
                continue
            first_type = _slide_type(cell) if _slide_type(cell) in ("slide", "subslide") else "-"
            for i, slide in enumerate(bundle.get("slides", [])):
                slide_type = slide.get("type", "subslide")
                if i == 0 and first_type != "-":
                    slide_type = first_type
                cells.append(_html_cell(slide["html"], slide_type))
                if slide.get("notes"):
                    cells.append(_notes_cell(slide["notes"]))
        nb.cells = cells
        return nb, resources


class SpeakerNotesPreprocessor(Preprocessor):
    """After each section's first cell, add that section's notes from the facilitator notes."""

    lesson_id = Unicode("", help="The lesson id whose facilitator note is used.").tag(config=True)
    lang = Unicode("", help="The language of the facilitator note.").tag(config=True)

    def preprocess(self, nb, resources):
        from awareness.content.notes import speaker_notes

        cells = []
        found = 0
        for cell in nb.cells:
            cells.append(cell)
            section = cell.get("metadata", {}).get("awareness", {}).get("section")
            if not section:
                continue
            try:
                notes = speaker_notes(self.lesson_id, self.lang, section)
            except Exception as exc:  # noqa: BLE001 - reported with the lesson's name
                raise SlideExportError(
                    f"facilitator_notes/{self.lang}/{self.lesson_id}.md: {section}: "
                    f"no speaker notes ({exc})"
                ) from None
            if not notes or not notes.strip():
                raise SlideExportError(
                    f"facilitator_notes/{self.lang}/{self.lesson_id}.md: {section}: "
                    "the run sheet has no notes for this section"
                )
            cells.append(_notes_cell(notes))
            found += 1
        nb.cells = cells
        resources.setdefault("awareness", {})["notes"] = found
        return nb, resources


class CountSlidesPreprocessor(Preprocessor):
    """Record how many slides and notes the deck has, for the summary and the tests."""

    def preprocess(self, nb, resources):
        info = resources.setdefault("awareness", {})
        info["slides"] = count_slides(nb)
        info["notes_cells"] = sum(1 for c in nb.cells if _slide_type(c) == "notes")
        return nb, resources


def count_slides(nb) -> int:
    """How many slides reveal.js will show (slides and subslides, not notes or skipped)."""
    count = 0
    started = False
    for cell in nb.cells:
        kind = _slide_type(cell)
        if kind in ("skip", "notes"):
            continue
        if not started or kind in ("slide", "subslide"):
            count += 1
            started = True
    return count
