"""Nothing a student does is kept, and no content or typed text can run a script."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from awareness.content.course import load_course
from awareness.conversation.model import load_conversation
from tests.app.pages import open_lesson, wait_ready, whole_lesson
from tests.app.test_student_path import path_to, play_chat
from tests.conftest import ROOT, AppServer, free_port

COURSE = load_course(ROOT)
INJECT = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
SKIP = {".venv", "node_modules", ".git", "build", ".pytest_cache", ".ruff_cache", "__pycache__"}


def snapshot(root: Path) -> dict[str, float]:
    files = {}
    for path in root.rglob("*"):
        if SKIP.intersection(path.relative_to(root).parts) or not path.is_file():
            continue
        files[path.relative_to(root).as_posix()] = path.stat().st_mtime
    return files


def test_nothing_the_student_does_is_written_down(app_server, offline_page):
    before = snapshot(ROOT)
    page = offline_page.page
    open_lesson(page, app_server.url, "nb", "02-the-conversation")
    path = path_to("end-safe")
    play_chat(page, "nb", path)
    conv = load_conversation(ROOT)
    after = snapshot(ROOT)
    assert after == before, "files in the course folder changed while a student worked"
    log = app_server.log_text()
    for choice_id in path:
        assert conv.choice(choice_id)[1].text["nb"] not in log
    assert "flag" not in log.lower()


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def injected_server(tmp_path_factory):
    """The app over a copy of the content with an injection string in every kind of file."""
    root = tmp_path_factory.mktemp("injected")
    for name in ("course.yaml", "voila.json", "lessons", "quizzes", "facilitator_notes"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)

    def course(d):
        for lang in d["languages"]:
            d["lessons"][0]["summary"][lang] = INJECT + " summary"
            d["help"][0]["what"][lang] = INJECT + " help"

    def conversation(d):
        first = next(n for n in d["nodes"] if n["id"] == d["start"])
        for lang in first["text"]:
            first["text"][lang] = INJECT + " hello"

    def checklists(d):
        for lang in d["checklists"][0]["items"][0]["label"]:
            d["checklists"][0]["items"][0]["label"][lang] = INJECT + " item"

    def quiz(d):
        for lang in d["questions"][0]["prompt"]:
            d["questions"][0]["prompt"][lang] = INJECT + " question"

    edit_yaml(root / "course.yaml", course)
    edit_yaml(root / "lessons" / "scenarios" / "jonas.yaml", conversation)
    edit_yaml(root / "lessons" / "checklists.yaml", checklists)
    edit_yaml(root / "quizzes" / "04-prevention.yaml", quiz)
    log = root / "server.log"
    server = AppServer(free_port(), log, {"AWARENESS_ROOT": str(root)}).start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("where", "marker"),
    [
        ("", "summary"),
        ("voila/render/en/01-what-is-sextortion.ipynb", "help"),
        ("voila/render/en/02-the-conversation.ipynb", "hello"),
        ("voila/render/en/03-if-it-happens.ipynb", "item"),
        ("voila/render/en/04-prevention.ipynb", "question"),
    ],
)
def test_injection_strings_show_as_text_and_run_nothing(injected_server, offline_page, where,
                                                        marker):
    page = offline_page.page
    page.goto(injected_server.url + where)
    if where:
        wait_ready(page)
        whole_lesson(page)  # every part on the page
    shown = page.get_by_text(f"{INJECT} {marker}", exact=False).first
    shown.wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None, "a script from the content ran"
    assert offline_page.external == []
