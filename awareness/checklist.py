"""Tick-off checklists: what to document for the police, which privacy settings to change.

Data flows one way: ``lessons/checklists.yaml`` -> :class:`ChecklistFile` (pydantic) ->
:func:`checklist_widget` (standard ipywidgets). Nothing a student ticks is saved anywhere;
the ticks live only in the page until it is closed.
"""

from __future__ import annotations

import re
import sys
from html import escape
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator

from awareness.content.load import load_model
from awareness.content.models import Course, Strict, Text, require_unique_ids
from awareness.content.problems import ContentError, Problem
from awareness.paths import content_root, display_path

__all__ = [
    "CHECKLISTS_FILE",
    "REQUIRED",
    "Checklist",
    "ChecklistFile",
    "ChecklistItem",
    "ChecklistUi",
    "checklist_widget",
    "load_checklists",
    "problems",
]

CHECKLISTS_FILE = Path("lessons") / "checklists.yaml"
# The checklists the lessons call by name (lesson 03 and lesson 04).
REQUIRED = ("report-police", "prevention")
CSS_FILE = Path(__file__).resolve().parent / "checklist.css"

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_COUNTER_FIELDS = {"ticked", "total"}


class ChecklistItem(Strict):
    """One thing to tick: a short label and a hint (where the setting is, or why)."""

    id: Slug
    label: Text
    hint: Text


class ChecklistUi(Strict):
    """The words around a checklist: heading, intro, counter and the "all done" line."""

    heading: Text
    intro: Text
    counter: Text
    done: Text

    @field_validator("counter")
    @classmethod
    def _counter_placeholders(cls, value: Text) -> Text:
        bad = []
        for lang, text in value.root.items():
            found = set(_PLACEHOLDER.findall(text))
            if found != _COUNTER_FIELDS:
                bad.append(lang)
        if bad:
            raise ValueError(
                f"the counter must use exactly {{ticked}} and {{total}} (check: {', '.join(bad)})"
            )
        return value


class Checklist(Strict):
    """A named checklist with its own words and at least two items."""

    id: Slug
    ui: ChecklistUi
    items: list[ChecklistItem] = Field(min_length=2)

    @field_validator("items")
    @classmethod
    def _unique_items(cls, value: list[ChecklistItem]) -> list[ChecklistItem]:
        return require_unique_ids(value, "item")


class ChecklistFile(Strict):
    """lessons/checklists.yaml: every checklist, plus the words used if something fails."""

    checklists: list[Checklist] = Field(min_length=1)
    error: Text

    def get(self, name: str) -> Checklist:
        for checklist in self.checklists:
            if checklist.id == name:
                return checklist
        raise KeyError(name)


def load_checklists(root: Path, languages: list[str]) -> tuple[ChecklistFile | None, list[Problem]]:
    """Read and validate lessons/checklists.yaml under root."""
    return load_model(ChecklistFile, root / CHECKLISTS_FILE, languages)


def problems(root: Path, course: Course) -> list[Problem]:
    """Every problem in checklists.yaml: schema, duplicate and missing checklist ids."""
    model, found = load_checklists(root, course.languages)
    if model is None:
        return found
    name = display_path(root / CHECKLISTS_FILE)
    ids = [checklist.id for checklist in model.checklists]
    for dupe in sorted({i for i in ids if ids.count(i) > 1}):
        found.append(Problem(name, dupe, "id", "duplicate checklist id"))
    for required in REQUIRED:
        if required not in ids:
            found.append(
                Problem(name, required, "-", "missing checklist (a lesson shows it by this id)")
            )
    return found


def _css() -> str:
    try:
        return CSS_FILE.read_text(encoding="utf-8")
    except OSError:
        return ""


def checklist_widget(name: str, lang: str, root: Path | None = None):
    """A checklist as ipywidgets: one Checkbox per item, its hint below, a live counter.

    Raises ContentError when the file is broken or has no checklist ``name``; the lesson
    helper turns that into a friendly message. The returned VBox has the attributes
    ``checkboxes`` (item id -> Checkbox), ``counter`` and ``done`` (HTML widgets).
    """
    import ipywidgets as widgets
    from ipywidgets.widgets.widget_bool import CheckboxStyle

    from awareness.content.course import load_course
    from awareness.shared_models import html_widget, shared_layout, shared_style

    root = root or content_root()
    course = load_course(root)
    model, found = load_checklists(root, course.languages)
    if model is None:
        raise ContentError(found)
    try:
        checklist = model.get(name)
    except KeyError:
        raise ContentError(
            [Problem(display_path(root / CHECKLISTS_FILE), name, "-", "no such checklist")]
        ) from None
    if lang not in course.languages:
        raise ContentError([Problem("course.yaml", "-", "languages", f"unknown language {lang!r}")])

    ui = checklist.ui
    checkboxes: dict[str, widgets.Checkbox] = {}
    rows = []
    for item in checklist.items:
        box = widgets.Checkbox(
            value=False,
            description=item.label[lang],  # shown as plain text (description_allow_html off)
            description_allow_html=False,
            indent=False,
            layout=shared_layout(width="auto", height="auto"),
            style=shared_style(CheckboxStyle),
        )
        box.add_class("aw-checklist-box")
        hint = html_widget(f'<div class="aw-checklist-hint">{escape(item.hint[lang])}</div>')
        row = widgets.VBox([box, hint], layout=shared_layout())
        row.add_class("aw-checklist-item")
        checkboxes[item.id] = box
        rows.append(row)

    counter = html_widget()
    counter.add_class("aw-checklist-counter")
    done = html_widget()
    done.add_class("aw-checklist-done")
    total = len(checklist.items)

    def update(_change=None) -> None:
        try:
            ticked = sum(1 for box in checkboxes.values() if box.value)
            text = ui.counter[lang].format(ticked=ticked, total=total)
            counter.value = (
                f'<p aria-live="polite"><span aria-hidden="true">☑ </span>{escape(text)}</p>'
            )
            done.value = (
                f'<p role="status"><span aria-hidden="true">✔ </span>{escape(ui.done[lang])}</p>'
                if ticked == total
                else ""
            )
        except Exception as exc:  # noqa: BLE001 - a student must never see a traceback
            print(f"awareness: checklist {name!r} failed: {exc!r}", file=sys.stderr)
            counter.value = f'<p role="alert">⚠️ {escape(model.error[lang])}</p>'

    for box in checkboxes.values():
        box.observe(update, names="value")
    update()

    style = html_widget(f"<style>{_css()}</style>")
    header = html_widget(
        f'<h3 class="aw-checklist-heading">{escape(ui.heading[lang])}</h3>'
        f'<p class="aw-checklist-intro">{escape(ui.intro[lang])}</p>'
    )
    box = widgets.VBox([style, header, *rows, counter, done], layout=shared_layout())
    box.add_class("aw-checklist")
    box.checkboxes = checkboxes
    box.counter = counter
    box.done = done
    box.checklist = checklist
    return box
