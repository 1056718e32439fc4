"""The checklists: the model, problems in a broken file, and the widget driven from Python."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from awareness.checklist import (
    CHECKLISTS_FILE,
    REQUIRED,
    ChecklistFile,
    checklist_widget,
    load_checklists,
    problems,
)
from awareness.content.course import load_course
from awareness.content.problems import ContentError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def course():
    return load_course(ROOT)


@pytest.fixture
def real_data() -> dict:
    return yaml.safe_load((ROOT / CHECKLISTS_FILE).read_text(encoding="utf-8"))


def make_root(tmp_path: Path, data: dict | str) -> Path:
    """A content root with the real course.yaml and the given checklists file."""
    shutil.copy(ROOT / "course.yaml", tmp_path / "course.yaml")
    path = tmp_path / CHECKLISTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return tmp_path


def messages(found) -> list[str]:
    return [str(p) for p in found]


# --- the real file ---------------------------------------------------------------------


def test_real_file_has_no_problems(course):
    assert problems(ROOT, course) == []


def test_real_file_has_both_checklists_in_every_language(course):
    model, found = load_checklists(ROOT, course.languages)
    assert found == []
    assert isinstance(model, ChecklistFile)
    assert [c.id for c in model.checklists] == list(REQUIRED)
    for checklist in model.checklists:
        for item in checklist.items:
            for lang in course.languages:
                assert item.label[lang].strip() and item.hint[lang].strip()


def test_report_police_covers_the_guide(course):
    model, _ = load_checklists(ROOT, course.languages)
    ids = [item.id for item in model.get("report-police").items]
    assert ids == ["service-and-accounts", "screenshots", "profile-info", "ip-address",
                   "do-not-delete"]
    prevention = [item.id for item in model.get("prevention").items]
    assert prevention == ["friend-lists", "search-engines", "friends-only", "no-app-switch",
                          "think-before-sharing"]
    for item in model.get("prevention").items[:3]:
        assert item.hint["nb"].startswith("Hvor:")
        assert item.hint["nn"].startswith("Kvar:")
        assert item.hint["en"].startswith("Where:")


# --- broken files ----------------------------------------------------------------------


def test_missing_translation_names_the_item(tmp_path, course, real_data):
    del real_data["checklists"][0]["items"][1]["label"]["en"]
    root = make_root(tmp_path, real_data)
    found = messages(problems(root, course))
    assert len(found) == 1
    assert found[0].endswith("checklists.yaml: screenshots: label: missing translation for 'en'")


def test_duplicate_item_id(tmp_path, course, real_data):
    real_data["checklists"][1]["items"][1]["id"] = "friend-lists"
    found = messages(problems(make_root(tmp_path, real_data), course))
    assert len(found) == 1
    assert "duplicate item id friend-lists" in found[0]
    assert "checklists.yaml" in found[0]


def test_missing_and_duplicate_checklist(tmp_path, course, real_data):
    real_data["checklists"][1]["id"] = "report-police"
    found = messages(problems(make_root(tmp_path, real_data), course))
    assert any("report-police: id: duplicate checklist id" in m for m in found)
    assert any("prevention: -: missing checklist" in m for m in found)


def test_counter_must_have_both_placeholders(tmp_path, course, real_data):
    real_data["checklists"][0]["ui"]["counter"]["nb"] = "{ticked} avkrysset"
    found = messages(problems(make_root(tmp_path, real_data), course))
    assert len(found) == 1
    assert "report-police: ui.counter:" in found[0]
    assert "{ticked} and {total}" in found[0] and "nb" in found[0]


def test_unknown_field_and_wrong_type(tmp_path, course, real_data):
    real_data["checklists"][0]["items"][0]["colour"] = "red"
    real_data["checklists"][1]["items"][0]["label"] = "just a string"
    found = messages(problems(make_root(tmp_path, real_data), course))
    assert any("service-and-accounts: colour: unknown field" in m for m in found)
    assert any("friend-lists: label" in m for m in found)


def test_syntax_error_and_missing_file(tmp_path, course):
    root = make_root(tmp_path, "checklists: [\n")
    found = messages(problems(root, course))
    assert len(found) == 1 and "YAML syntax error" in found[0]
    (root / CHECKLISTS_FILE).unlink()
    found = messages(problems(root, course))
    assert len(found) == 1 and found[0].endswith("file not found")


# --- the widget ------------------------------------------------------------------------


# The counter's words per course language (a new language fails here until it is added).
COUNTER = {"nb": "{t} av 5 avkrysset", "nn": "{t} av 5 kryssa av", "en": "{t} of 5 ticked"}


@pytest.mark.parametrize("lang", load_course(ROOT).languages)
def test_ticking_updates_the_counter(lang):
    w = checklist_widget("report-police", lang, root=ROOT)
    assert len(w.checkboxes) == 5
    assert COUNTER[lang].format(t=0) in w.counter.value
    assert w.done.value == ""
    boxes = list(w.checkboxes.values())
    boxes[0].value = True
    boxes[2].value = True
    assert COUNTER[lang].format(t=2) in w.counter.value
    boxes[2].value = False
    assert COUNTER[lang].format(t=1) in w.counter.value
    for box in boxes:
        box.value = True
    assert COUNTER[lang].format(t=5) in w.counter.value
    assert "✔" in w.done.value and len(w.done.value) > 40
    boxes[4].value = False
    assert w.done.value == ""


def test_checkbox_descriptions_are_the_labels(course):
    model, _ = load_checklists(ROOT, course.languages)
    w = checklist_widget("prevention", "en", root=ROOT)
    labels = [item.label["en"] for item in model.get("prevention").items]
    assert [box.description for box in w.checkboxes.values()] == labels
    assert all(box.description_allow_html is False for box in w.checkboxes.values())
    html = "".join(getattr(child, "value", "") for child in w.children if hasattr(child, "value"))
    assert "<style>" in html and ".aw-checklist" in html
    assert model.get("prevention").ui.heading["en"] in html


def test_unknown_checklist_raises_content_error():
    with pytest.raises(ContentError, match="no such checklist"):
        checklist_widget("no-such-list", "nb", root=ROOT)


def test_broken_file_raises_content_error(tmp_path, real_data):
    del real_data["error"]
    root = make_root(tmp_path, real_data)
    with pytest.raises(ContentError, match="missing field"):
        checklist_widget("prevention", "nb", root=root)


def test_every_text_is_escaped(tmp_path, real_data):
    evil = "<script>alert(1)</script> & <b>bold</b>"
    checklist = real_data["checklists"][1]
    checklist["ui"]["heading"]["nb"] = evil
    checklist["ui"]["intro"]["nb"] = evil
    checklist["ui"]["done"]["nb"] = evil
    checklist["ui"]["counter"]["nb"] = "<i>{ticked}</i> / {total}"
    checklist["items"][0]["hint"]["nb"] = evil
    checklist["items"][0]["label"]["nb"] = evil
    root = make_root(tmp_path, real_data)
    w = checklist_widget("prevention", "nb", root=root)
    for box in w.checkboxes.values():
        box.value = True
    html = "".join(
        child.value for child in _walk(w) if isinstance(getattr(child, "value", None), str)
    )
    assert "<script>" not in html and "<b>bold" not in html and "<i>" not in html
    total = len(checklist["items"])
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert f"&lt;i&gt;{total}&lt;/i&gt; / {total}" in html
    # The label is plain text in a Checkbox description, never HTML.
    box = w.checkboxes["friend-lists"]
    assert box.description == evil and box.description_allow_html is False


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_a_failing_update_shows_a_friendly_message(monkeypatch, capsys):
    import awareness.checklist as checklist_module

    w = checklist_widget("report-police", "nb", root=ROOT)
    real_escape = checklist_module.escape

    def broken(text: str) -> str:
        if "avkrysset" in text:
            raise RuntimeError("boom")
        return real_escape(text)

    monkeypatch.setattr(checklist_module, "escape", broken)
    next(iter(w.checkboxes.values())).value = True
    assert "Traceback" not in w.counter.value and "boom" not in w.counter.value
    assert "Sjekklisten kunne ikke vises" in w.counter.value and "⚠️" in w.counter.value
    assert "boom" in capsys.readouterr().err
