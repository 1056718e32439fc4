"""Nothing a student does is kept, the log holds no client address unless the operator
asks for one, and no content or typed text can run a script."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml

from awareness.content.course import load_course
from awareness.conversation.model import load_conversation
from tests.app.pages import open_lesson, wait_ready, whole_lesson
from tests.app.test_student_path import path_to, play_chat
from tests.conftest import ROOT, AppServer, fetch, free_port, pupil_address

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


def visit_and_read_log(server: AppServer, address: str) -> str:
    """A found page, and a missing lesson with a class code in its query (Tornado's own
    warning names that request), asked for from ``address``; the log once both are in it."""
    assert fetch(server.url, source=address)[0] == 200
    missing = "voila/render/nb/99-missing.ipynb"
    assert fetch(f"{server.url}{missing}?class=QX7K", source=address)[0] == 404
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log = server.log_text()
        if f"404 GET /{missing}" in log and "file or directory does not exist" in log:
            return log
        time.sleep(0.1)
    raise AssertionError(f"the 404 never reached the log:\n{server.log_text()[-2000:]}")


def test_the_default_log_has_no_client_address(app_server):
    """The privacy fact sheet's promise: by default no IP address (and no query string,
    such as a class code) in the log, also in Tornado's own warnings."""
    address = pupil_address()
    log = visit_and_read_log(app_server, address)
    assert address not in log
    assert "QX7K" not in log
    assert "200 GET / " not in log  # requests that went well are not logged at all


def test_the_log_has_addresses_only_when_asked(injected_server):
    """AWARENESS_LOG_IP=1 (`make app LOG_IP=1`): every request is logged with the
    client's address, Tornado's warnings keep theirs; query strings stay out."""
    address = pupil_address()
    log = visit_and_read_log(injected_server, address)
    lines = [line for line in log.splitlines() if address in line]
    assert any(" GET / " in line and line.startswith("[tornado.access] INFO") for line in lines)
    assert any("404 GET /voila/render/nb/99-missing.ipynb" in line for line in lines)
    assert any("file or directory does not exist" in line for line in lines)
    assert "QX7K" not in log
    assert "Client addresses are logged" in log


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
    # Also the server that logs client addresses (AWARENESS_LOG_IP=1, `make app LOG_IP=1`):
    # one server fewer to start (test_the_log_has_addresses_only_when_asked).
    server = AppServer(free_port(), log, {"AWARENESS_ROOT": str(root),
                                           "AWARENESS_LOG_IP": "1"}).start()
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
