"""The slide export's nbconvert preprocessors, one small job each.

Their order is written down once, in ``awareness.slides.export.PIPELINE``. Every
option is a traitlet with ``help=``. A *slide* here is what reveal.js shows as one page:
the cells from one with ``slide_type`` "slide" or "subslide" up to the next one.
"""

from __future__ import annotations

import copy
import json
import re

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Unicode

__all__ = [
    "SLIDES_MIME",
    "CheckLessonPreprocessor",
    "CountSlidesPreprocessor",
    "ExpandSlidesPreprocessor",
    "FailOnBrokenPartsPreprocessor",
    "FrameSlidesPreprocessor",
    "LinkSlidesPreprocessor",
    "SlideExportError",
    "SpeakerNotesPreprocessor",
    "StashPreprocessor",
    "count_slides",
    "set_html",
    "slide_groups",
]

# A lesson helper in slide mode (AWARENESS_SLIDES=1) displays this: {"slides": [...]}, each
# slide {"html": str, "type": "slide"|"subslide", "notes": Markdown, and optionally "id",
# "flow", "next", "place", "heavy", "kind_of"} (see awareness.slides.static_parts).
SLIDES_MIME = "application/vnd.awareness.slides+json"
PAGE_REF = re.compile(r"\{\{page:([^}]*)\}\}")
AFTER = "@after"


class SlideExportError(Exception):
    """A lesson cannot be exported; the message names the lesson and what is wrong."""


def _slide_type(cell) -> str:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def _meta(cell) -> dict:
    return cell.setdefault("metadata", {}).setdefault("awareness", {})


def _html_cell(html: str, slide_type: str, meta: dict | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source="")
    cell.metadata["slideshow"] = {"slide_type": slide_type}
    if meta:
        cell.metadata["awareness"] = meta
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": html}, metadata={})
    ]
    return cell


def _notes_cell(markdown: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source=markdown)
    cell.metadata["slideshow"] = {"slide_type": "notes"}
    return cell


def slide_groups(cells) -> list[list[int]]:
    """The cell indices of each slide, in order (skipped cells are left out; a notes
    cell belongs to the slide it follows)."""
    groups: list[list[int]] = []
    for i, cell in enumerate(cells):
        kind = _slide_type(cell)
        if kind == "skip":
            continue
        if kind == "notes":
            if groups:
                groups[-1].append(i)
            continue
        if not groups or kind in ("slide", "subslide"):
            groups.append([i])
        else:
            groups[-1].append(i)
    return groups


def set_html(cell, html: str) -> None:
    """Put html in place of the cell's HTML output."""
    for out in cell.get("outputs", []):
        if "text/html" in out.get("data", {}):
            out["data"]["text/html"] = html
            return


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
    """Turn a cell that displayed a slide bundle (SLIDES_MIME) into one cell per slide.

    Slides placed in the ``appendix`` (the chat's other branches) go to the end of the
    deck; ``@after`` in a bundle names the slide after that bundle's own slides.
    """

    def preprocess(self, nb, resources):
        cells, appendix = [], []
        section = None
        for cell in nb.cells:
            section = cell.metadata.get("awareness", {}).get("section", section)
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
            key = f"b{len(resources.setdefault('awareness', {}).setdefault('bundles', []))}"
            resources["awareness"]["bundles"].append(key)
            first_type = _slide_type(cell) if _slide_type(cell) in ("slide", "subslide") else "-"
            for i, slide in enumerate(bundle.get("slides", [])):
                slide_type = slide.get("type", "subslide")
                if i == 0 and first_type != "-":
                    slide_type = first_type
                meta = {
                    key: slide[key]
                    for key in ("id", "flow", "next", "heavy", "kind_of", "notes", "place")
                    if slide.get(key) not in (None, "", False)
                }
                meta["bundle"] = key
                meta.setdefault("id", f"aw-{key}-{i + 1}")
                meta["part_of"] = section
                html = slide["html"].replace(f"#/{AFTER}", f"#/{AFTER}-{key}").replace(
                    f"{{{{page:{AFTER}}}}}", f"{{{{page:{AFTER}-{key}}}}}"
                )
                if meta.get("next") == AFTER:
                    meta["next"] = f"{AFTER}-{key}"
                if "flow" in meta:
                    meta["flow"] = json.loads(
                        json.dumps(meta["flow"]).replace(f"#/{AFTER}", f"#/{AFTER}-{key}")
                        .replace(f"{{{{page:{AFTER}}}}}", f"{{{{page:{AFTER}-{key}}}}}")
                    )
                new = _html_cell(html, slide_type if slide.get("place") != "appendix"
                                 else "subslide", meta)
                (appendix if slide.get("place") == "appendix" else cells).append(new)
        nb.cells = cells + appendix
        return nb, resources


class FrameSlidesPreprocessor(Preprocessor):
    """Open the deck with the content-note-and-help slide and close it with the help slide.

    The slide before an appendix goes on to the help slide: the appendix is for printouts
    and for the class's other choices, never the next slide of the lesson.
    """

    lesson_id = Unicode("", help="The lesson whose title the first slide shows.").tag(
        config=True
    )
    lang = Unicode("", help="The language of the slides.").tag(config=True)

    def preprocess(self, nb, resources):
        from awareness.slides.static_parts import first_slide, help_slide

        first, last = first_slide(self.lesson_id, self.lang), help_slide(self.lang)
        sections = [c.metadata["awareness"]["section"] for c in nb.cells
                    if c.metadata.get("awareness", {}).get("section")]
        cells = []
        for slide, section in ((first, sections[0] if sections else None),
                               (last, sections[-1] if sections else None)):
            meta = {k: slide[k] for k in ("id", "flow", "heavy", "kind_of") if slide.get(k)}
            meta["part_of"] = section
            cells.append(_html_cell(slide["html"], "slide", meta))
        groups = slide_groups(nb.cells)
        appendix_at = next(
            (g[0] for g in groups if nb.cells[g[0]].metadata.get("awareness", {})
             .get("kind_of") == "chat-appendix"),
            None,
        )
        if appendix_at is not None:
            before = [g for g in groups if g[0] < appendix_at]
            if before:
                _meta(nb.cells[before[-1][0]])["next"] = "aw-help"
        nb.cells = [cells[0], *nb.cells, cells[1]]
        return nb, resources


class SpeakerNotesPreprocessor(Preprocessor):
    """One speaker-notes cell per slide, generated from the facilitator note and content.

    Every slide's notes open with the part of the class it belongs to and its minutes
    (the script's entry). The first slide of a section carries the script's entry for
    it (what to say, what the class does, the section's discussion questions); a chat,
    quiz, checklist or help slide adds its own (the answer and why, how to run a poll, a
    message's warning sign); heavy slides add the safeguarding cue and the crisis lines.
    The content-note slide carries the shared safeguarding page's content warning and
    ground rules.
    """

    lesson_id = Unicode("", help="The lesson id whose facilitator note is used.").tag(config=True)
    lang = Unicode("", help="The language of the facilitator note.").tag(config=True)

    def _entry(self, section: str) -> str:
        from awareness.content.notes import speaker_notes

        try:
            notes = speaker_notes(self.lesson_id, self.lang, section)
        except Exception as exc:  # noqa: BLE001 - reported with the lesson's name
            raise SlideExportError(
                f"facilitator_notes/{self.lang}/{self.lesson_id}.md: {section}: "
                f"no speaker notes ({str(exc).splitlines()[0] if str(exc) else exc!r})"
            ) from None
        if not notes or not notes.strip():
            raise SlideExportError(
                f"facilitator_notes/{self.lang}/{self.lesson_id}.md: {section}: "
                "the run sheet has no notes for this section"
            )
        # The entry's minutes are in every slide's first line already.
        return re.sub(r"^\*\*\d+–\d+ min\*\*\s*", "", notes)

    def _safeguarding_page(self) -> str:
        from awareness.content.notes import SAFEGUARDING_PAGE, note_path, parse_note
        from awareness.paths import content_root

        path = note_path(content_root(), self.lang, SAFEGUARDING_PAGE)
        try:
            note = parse_note(path)
        except Exception as exc:  # noqa: BLE001 - named with the file
            raise SlideExportError(f"{path}: {str(exc).splitlines()[0]}") from None
        parts = []
        for key in ("content-warning", "ground-rules"):
            if note.has(key):
                parts += [f"**{note.section(key).title}**", note.section(key).text]
        from awareness.content.notes import _unlink

        return _unlink("\n\n".join(parts))

    def preprocess(self, nb, resources):
        from awareness.content.course import load_course
        from awareness.content.notes import entry_minutes, note_path, parse_note
        from awareness.html_parts import spaced_number
        from awareness.paths import content_root
        from awareness.slides.flow import flow_notes
        from awareness.slides.words import load_words

        course = load_course()
        words = load_words(course.languages)
        lesson = course.lesson(self.lesson_id)
        titles = {s.id: s.title[self.lang] for s in lesson.sections}
        path = note_path(content_root(), self.lang, self.lesson_id)
        minutes: dict[str, str] = {}
        if path.is_file():
            try:
                note = parse_note(path)
                for s in lesson.sections:
                    key = f"run-sheet/{s.id}"
                    if note.has(key) and entry_minutes(note.section(key)):
                        lo, hi = entry_minutes(note.section(key))
                        minutes[s.id] = f"{lo}–{hi} min"
            except Exception:  # noqa: BLE001 - the entry lookup below names the problem
                pass
        crisis = ", ".join(
            f"{s.name[self.lang]} {' / '.join(spaced_number(p) for p in s.phones)}"
            for s in course.help
            if s.phones
        )
        heavy_cue = f"**{md_plain(words.t('notes_heavy', self.lang))}** {md_plain(crisis)}"

        cells = [c for c in nb.cells if _slide_type(c) != "notes"]
        out = []
        section = None
        seen_sections: set[str] = set()
        found = 0
        for group in slide_groups(cells):
            first_cell = cells[group[0]]
            meta = first_cell.metadata.get("awareness", {})
            own = None
            for i in group:
                m = cells[i].metadata.get("awareness", {})
                if m.get("section"):
                    section = m["section"]
            part = meta.get("part_of") or section
            parts = []
            if part:
                when = minutes.get(part, "")
                title = md_plain(titles.get(part, part))
                parts.append(f"**{when} · {title}**" if when else f"**{title}**")
            kind = meta.get("kind_of")
            if kind == "first":
                parts += [words.t("notes_first", self.lang), self._safeguarding_page()]
            else:
                new_section = [
                    cells[i].metadata.get("awareness", {}).get("section") for i in group
                ]
                for sec in new_section:
                    if sec and sec not in seen_sections:
                        seen_sections.add(sec)
                        parts.append(self._entry(sec))
                        found += 1
                own = meta.get("notes") or (flow_notes(meta["flow"]) if meta.get("flow") else "")
                if own:
                    parts.append(own)
                elif not meta and part and not any(new_section):
                    # A slide of the lesson's own text, after the section's first: the
                    # section's entry again (what to say in this part).
                    parts.append(self._entry(part))
            if meta.get("heavy"):
                parts.append(heavy_cue)
            text = "\n\n".join(p for p in parts if p).strip()
            if not text:
                raise SlideExportError(
                    f"lessons/{self.lang}/{self.lesson_id}.ipynb: a slide has no speaker notes"
                )
            for i in group:
                out.append(cells[i])
            out.append(_notes_cell(text))
        # Cells that belong to no slide (skipped ones) keep their place at the start.
        kept = {id(c) for c in out}
        nb.cells = [c for c in cells if id(c) not in kept and _slide_type(c) == "skip"] + out
        resources.setdefault("awareness", {})["notes"] = found
        return nb, resources


def md_plain(text: str) -> str:
    from awareness.slides.chat_deck import md

    return md(text)


class StashPreprocessor(Preprocessor):
    """Keep a copy of the notebook as it is now, for the fit step to split and re-render."""

    def preprocess(self, nb, resources):
        resources.setdefault("awareness", {})["stash"] = copy.deepcopy(nb)
        return nb, resources


class LinkSlidesPreprocessor(Preprocessor):
    """Give every slide an id, compose split slides, resolve links and page numbers.

    A slide's ``next`` (its story successor) becomes ``data-aw-next`` when it is not
    the slide after it; ``@after-<bundle>`` is the first slide after that bundle's own
    slides; ``{{page:<id>}}`` becomes the page of that slide in the PDF (one page each).
    A link to a slide that does not exist stops the export.
    """

    lesson_id = Unicode("", help="The lesson, for the error message.").tag(config=True)
    lang = Unicode("", help="The language, for the error message.").tag(config=True)

    def preprocess(self, nb, resources):
        from awareness.slides.flow import compose

        for cell in nb.cells:  # marks of an earlier layout, set again after this step
            for key in ("slide_start", "subslide_start", "slide_end", "subslide_end",
                        "fragment_start", "fragment_end", "slide_type"):
                cell.metadata.pop(key, None)
        groups = slide_groups(nb.cells)
        ids: list[str] = []
        taken: set[str] = set()
        for n, group in enumerate(groups, 1):
            meta = _meta(nb.cells[group[0]])
            slide_id = meta.get("id") or f"aw-s{n}"
            while slide_id in taken:
                slide_id += "-x"
            taken.add(slide_id)
            meta["slide_id"] = slide_id
            ids.append(slide_id)
            for i in group:
                if nb.cells[i].metadata.get("awareness") == {}:
                    nb.cells[i].metadata.pop("awareness")
        page = {slide_id: n for n, slide_id in enumerate(ids, 1)}
        # ``@after-<bundle>``: the slide after the last of that bundle's own slides (its
        # appendix slides are at the end of the deck).
        after: dict[str, str] = {}
        for n, group in enumerate(groups):
            meta = nb.cells[group[0]].metadata.get("awareness", {})
            if meta.get("bundle") and meta.get("place") != "appendix" and n + 1 < len(groups):
                after[f"{AFTER}-{meta['bundle']}"] = ids[n + 1]
        where = f"lessons/{self.lang}/{self.lesson_id}.ipynb"

        def resolve(target: str) -> str:
            target = after.get(target, target)
            if target not in page:
                raise SlideExportError(f"{where}: a link goes to {target!r}, which is no slide")
            return target

        def fill(html: str) -> str:
            html = re.sub(r'href="#/(@after-b\d+)"', lambda m: f'href="#/{resolve(m.group(1))}"',
                          html)
            for m in re.finditer(r'href="#/([^"]+)"', html):
                resolve(m.group(1))
            return PAGE_REF.sub(lambda m: str(page[resolve(m.group(1))]), html)

        for n, group in enumerate(groups):
            first = nb.cells[group[0]]
            meta = first.metadata.get("awareness", {})
            if meta.get("flow"):
                set_html(first, compose(meta["flow"]))
            for i in group:
                cell = nb.cells[i]
                if cell.cell_type == "code":
                    for out in cell.get("outputs", []):
                        data = out.get("data", {})
                        if "text/html" in data:
                            html = data["text/html"]
                            data["text/html"] = fill(html if isinstance(html, str)
                                                     else "".join(html))
            nxt = meta.get("next")
            if nxt:
                target = resolve(nxt)
                linear = ids[n + 1] if n + 1 < len(groups) else None
                if target != linear:
                    meta["data_next"] = target
                else:
                    meta.pop("data_next", None)
        resources.setdefault("awareness", {})["pages"] = page
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
    return len(slide_groups(nb.cells))
