"""course.yaml and the `check` command: broken files give one clear line each."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from awareness.content.check import check_all
from awareness.content.course import course_problems, load_course

ROOT = Path(__file__).resolve().parents[2]
LANGS = load_course(ROOT).languages


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A copy of the course's content in a temporary folder, as the content root."""
    for name in ("course.yaml", "lessons", "quizzes", "facilitator_notes"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name)
        elif src.exists():
            shutil.copy(src, tmp_path / name)
    monkeypatch.setenv("AWARENESS_ROOT", str(tmp_path))
    return tmp_path


def edit_course(root: Path, change) -> None:
    data = yaml.safe_load((root / "course.yaml").read_text(encoding="utf-8"))
    change(data)
    (root / "course.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def lines(root: Path) -> list[str]:
    _, problems = check_all(root)
    return [str(p) for p in problems]


def test_the_real_course_is_valid():
    course = load_course(ROOT)
    assert course.languages == ["nb", "nn", "en"]
    assert course.language_names == {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
    assert [lesson.id for lesson in course.lessons] == [
        "01-what-is-sextortion",
        "02-the-conversation",
        "03-if-it-happens",
        "04-prevention",
        "05-summary",
    ]


def test_the_whole_content_checks_clean():
    _, problems = check_all(ROOT)
    assert [str(p) for p in problems] == []


@pytest.mark.parametrize(
    ("name", "breaks", "expected"),
    [
        (
            "bad YAML syntax",
            lambda r: (r / "course.yaml").write_text("title: [nb: x\n", encoding="utf-8"),
            "course.yaml: -: -: YAML syntax error at line 2",
        ),
        (
            "missing field",
            lambda r: edit_course(r, lambda d: d.pop("title")),
            "course.yaml: -: title: missing field",
        ),
        (
            "missing translation",
            lambda r: edit_course(r, lambda d: d["lessons"][2]["title"].pop("en")),
            "course.yaml: 03-if-it-happens: title: missing translation for 'en'",
        ),
        (
            "duplicate id",
            lambda r: edit_course(r, lambda d: d["lessons"].append(dict(d["lessons"][0]))),
            "course.yaml: -: -: duplicate lesson id 01-what-is-sextortion",
        ),
        (
            "wrong type",
            lambda r: edit_course(r, lambda d: d["lessons"][0].update(minutes="ten")),
            "course.yaml: 01-what-is-sextortion: minutes: Input should be a valid integer",
        ),
        (
            "empty file",
            lambda r: (r / "course.yaml").write_text("  \n", encoding="utf-8"),
            "course.yaml: -: -: file is empty",
        ),
        (
            "unknown language",
            lambda r: edit_course(r, lambda d: d["subtitle"].update(de="Hallo")),
            f"course.yaml: -: subtitle: unknown language 'de' (the course has: {', '.join(LANGS)})",
        ),
        (
            "file not found",
            lambda r: (r / "course.yaml").unlink(),
            "course.yaml: -: -: file not found",
        ),
        (
            "non-UTF-8 bytes",
            lambda r: (r / "course.yaml").write_bytes(b"title:\n  nb: \xe6rlig\n"),
            "course.yaml: -: -: not valid UTF-8 (byte 0xe6 on line 2)",
        ),
        (
            "unknown field",
            lambda r: edit_course(r, lambda d: d["lessons"][1].update(minuts=5)),
            "course.yaml: 02-the-conversation: minuts: unknown field (check the spelling)",
        ),
        (
            "duplicate key",
            lambda r: (r / "course.yaml").write_text(
                (r / "course.yaml").read_text(encoding="utf-8") + "title: {nb: a, en: b}\n",
                encoding="utf-8",
            ),
            "the key 'title' appears twice in one mapping",
        ),
        (
            "unknown lesson id",
            lambda r: shutil.copy(
                r / "lessons" / "nb" / "01-what-is-sextortion.ipynb",
                r / "lessons" / "nb" / "07-extra.ipynb",
            ),
            "lessons/nb/07-extra.ipynb: 07-extra: -: unknown lesson id",
        ),
        (
            "bad lesson id",
            lambda r: edit_course(r, lambda d: d["lessons"][4].update(id="Summary")),
            "course.yaml: Summary: id: String should match pattern",
        ),
        (
            "missing notebook",
            lambda r: (r / "lessons" / "en" / "04-prevention.ipynb").unlink(),
            "lessons/en/04-prevention.ipynb: 04-prevention: -: no notebook in 'en'",
        ),
        (
            "section plan differs from the notebook",
            lambda r: edit_course(r, lambda d: d["lessons"][3]["sections"].pop(1)),
            "lessons/nb/04-prevention.ipynb: 04-prevention: sections: the notebook's sections are",
        ),
        (
            "duplicate section id",
            lambda r: edit_course(
                r, lambda d: d["lessons"][0]["sections"].append(d["lessons"][0]["sections"][0])
            ),
            "course.yaml: 01-what-is-sextortion: sections: duplicate section id objectives",
        ),
        (
            "bad language code",
            lambda r: edit_course(r, lambda d: d.update(languages=["nb", "English"])),
            "course.yaml: -: languages: not a language code: English",
        ),
    ],
)
def test_broken_content_gives_one_clear_line(root, name, breaks, expected):
    breaks(root)
    found = lines(root)
    assert any(line.startswith(expected) or expected in line for line in found), (name, found)
    for line in found:
        assert "\n" not in line and "Traceback" not in line


def test_every_problem_is_reported_at_once(root):
    def change(d):
        d["lessons"][0]["title"].pop("en")
        d["lessons"][1]["minutes"] = "x"
        d["help"][0]["what"]["xx"] = "?"

    edit_course(root, change)
    _, problems = course_problems(root)
    assert len(problems) == 3
    assert [p.item for p in problems] == [
        "01-what-is-sextortion",
        "02-the-conversation",
        "alarmtelefonen",
    ]


def run_check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "awareness", "check", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_command_exit_codes(root):
    ok = run_check(root)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    *warnings, last = ok.stdout.strip().splitlines()
    assert "Content OK" in last
    assert all(": warning: " in line for line in warnings), warnings  # never fail the check

    edit_course(root, lambda d: d["lessons"][0]["title"].pop("nb"))
    bad = run_check(root)
    assert bad.returncode == 1
    assert "course.yaml: 01-what-is-sextortion: title: missing translation for 'nb'" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


def test_serve_refuses_invalid_content(root):
    (root / "course.yaml").write_text("title: [\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "awareness", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "AWARENESS_ROOT": str(root)},
    )
    assert result.returncode == 1
    assert "course.yaml: -: -: YAML syntax error" in result.stdout
    assert "not started" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("lang", LANGS)
def test_a_text_missing_in_any_language_is_one_line_each(root, lang):
    """`make check` names every text, notebook and note a language lacks, one line each."""
    edit_yaml(root / "lessons/chat.yaml", lambda d: d["ui"]["typing"].pop(lang))
    edit_yaml(root / "lessons/scenarios/jonas.yaml", lambda d: d["nodes"][0]["text"].pop(lang))
    edit_yaml(root / "lessons/checklists.yaml",
              lambda d: d["checklists"][0]["items"][0]["label"].pop(lang))
    edit_yaml(root / "quizzes/01-what-is-sextortion.yaml",
              lambda d: d["questions"][0]["prompt"].pop(lang))
    edit_yaml(root / "quizzes/ui.yaml", lambda d: d["words"]["check"].pop(lang))
    (root / "lessons" / lang / "02-the-conversation.ipynb").unlink()
    (root / "facilitator_notes" / lang / "04-prevention.md").unlink()
    found = lines(root)
    missing = f"missing translation for {lang!r}"
    for expected in (
        f"lessons/chat.yaml: -: ui.typing: {missing}",
        f"lessons/scenarios/jonas.yaml: d1-hello: text: {missing}",
        f"lessons/checklists.yaml: service-and-accounts: label: {missing}",
        f"quizzes/01-what-is-sextortion.yaml: what-is-sextortion: prompt: {missing}",
        f"quizzes/ui.yaml: -: words.check: {missing}",
        f"lessons/{lang}/02-the-conversation.ipynb: 02-the-conversation: -: "
        f"no notebook in {lang!r}",
        f"facilitator_notes/{lang}/04-prevention.md: 04-prevention: -: "
        f"no facilitator note for language {lang!r}",
    ):
        assert found.count(expected) == 1, (expected, found)
    for line in found:
        assert "\n" not in line and "Traceback" not in line
    # A broken course.yaml is reported first, on its own (the other checks need it).
    edit_course(root, lambda d: d["lessons"][0]["title"].pop(lang))
    assert lines(root) == [f"course.yaml: 01-what-is-sextortion: title: {missing}"]
