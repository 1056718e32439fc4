"""Nynorsk (nn) is real nynorsk: no common bokmål form slips into any nn text.

Every nn text a pupil or a teacher reads is checked: the YAML content (course, chat,
scenarios, checklists, quiz banks and words, the coverage map), the nn lesson notebooks,
the nn facilitator notes and the nn pages for schools (docs/nn/). Whole words only, so
«ikkje» and «noko» pass and «ikke» and «noe» do not. The forms the course uses instead
are in lessons/nn-ordliste.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from awareness.content.course import load_course

ROOT = Path(__file__).resolve().parents[2]
LANG = "nn"
# The bokmål forms the issue names, then more from the word list (lessons/nn-ordliste.md).
BOKMAL = (
    "ikke", "jeg", "hva", "hvordan", "hvorfor", "hvis", "hvem", "mye", "noen", "hun",
    "noe", "hvilke", "hvilken", "hvilket", "hvor", "hver", "hvert", "bare", "selv", "fra",
    "mer", "flere", "dere", "dem", "hennes", "ble", "kommer", "fortsatt", "fremmede?",
    "voksne?", "venner", "vennene", "ukjent", "gavekort", "skjule", "beskytte", "begynne",
    "fortsette", r"bilde(t|r|ne)?", r"nakenbild\w*", r"skjermbild\w*", r"utpresser(e|en|ne)?",
    r"anmeld\w*", r"helsesykepleier\w*", "varseltegn",
)  # fmt: skip
FORBIDDEN = re.compile(r"(?<!\w)(" + "|".join(BOKMAL) + r")(?!\w)", re.IGNORECASE)


def bokmal_forms(text: str) -> list[str]:
    return [m.group(0) for m in FORBIDDEN.finditer(text)]


def _leaves(node, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, nn text) for every multilingual text in a YAML tree."""
    if isinstance(node, dict):
        if LANG in node and isinstance(node[LANG], str):
            yield path, node[LANG]
        for key, value in node.items():
            if key != LANG:
                yield from _leaves(value, f"{path}/{node.get('id', key)}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{path}/{i}")


def nn_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every nn text in the course: YAML, notebooks, notes."""
    files = [ROOT / "course.yaml", *sorted((ROOT / "lessons").rglob("*.yaml"))]
    files += sorted((ROOT / "quizzes").glob("*.yaml"))
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        for path, text in _leaves(data):
            yield f"{file.relative_to(ROOT)}:{path}", text
    for nb in sorted((ROOT / "lessons" / LANG).glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            yield f"{nb.relative_to(ROOT)}#{cell['id']}", "".join(cell["source"])
    # The nn pages for schools (docs/nn/) as well as the facilitator notes.
    for note in [*sorted((ROOT / "facilitator_notes" / LANG).glob("*.md")),
                 *sorted((ROOT / "docs" / LANG).glob("*.md"))]:
        for n, line in enumerate(note.read_text(encoding="utf-8").splitlines(), 1):
            yield f"{note.relative_to(ROOT)}:{n}", line


def test_the_course_has_nynorsk():
    assert LANG in load_course(ROOT).languages


def test_the_detector_catches_bokmal_and_passes_nynorsk():
    assert bokmal_forms("Jeg vet ikke hva som skjer.") == ["Jeg", "ikke", "hva"]
    assert bokmal_forms("Hvis noen spør hvem hun er, hvorfor og hvordan: mye.") == [
        "Hvis", "noen", "hvem", "hun", "hvorfor", "hvordan", "mye",
    ]  # fmt: skip
    assert bokmal_forms("Ta skjermbilder av chatten, ikke av bildet.") == [
        "skjermbilder", "ikke", "bildet",
    ]  # fmt: skip
    nynorsk = (
        "Eg veit ikkje kva som skjer. Viss nokon spør kven ho er, kvifor og korleis: mykje. "
        "Ta skjermbilete av chatten, ikkje av biletet. Det skjer noko eg treng hjelp med."
    )
    assert bokmal_forms(nynorsk) == []


def test_the_walk_finds_every_kind_of_nn_text():
    kinds = {where.split(":")[0].split("#")[0].split("/")[0] for where, _ in nn_texts()}
    assert {"course.yaml", "lessons", "quizzes", "facilitator_notes"} <= kinds
    assert len(list(nn_texts())) > 1500


@pytest.mark.parametrize("part", ["course.yaml", "lessons/", "quizzes/", "facilitator_notes/"])
def test_no_bokmal_forms_in_nynorsk(part):
    bad = [
        f"{where}: {', '.join(found)}: {text.strip()[:120]}"
        for where, text in nn_texts()
        if where.startswith(part) and (found := bokmal_forms(text))
    ]
    assert not bad, "bokmål forms in nn text (see lessons/nn-ordliste.md):\n" + "\n".join(bad)
