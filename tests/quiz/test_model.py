"""The bank models: shape, per-type rules, one-line problems, loading, cross-bank rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from awareness.content.problems import ContentError
from awareness.quiz.model import (
    GUIDE_POINTS,
    bank_problems,
    load_bank,
    load_banks,
    problems,
    questions_by_point,
)

HERE = Path(__file__).parent
BROKEN = sorted((HERE / "broken").glob("*.yaml"))
ROOT = Path(__file__).resolve().parents[2]
# The broken banks are written in these languages (the course may have more).
FIXTURE_LANGUAGES = ["nb", "en"]


@pytest.fixture(scope="module")
def fixture_course(course):
    """The course as the broken banks know it: only the languages they are written in."""
    return course.model_copy(update={"languages": FIXTURE_LANGUAGES})


def _expectation(path: Path) -> tuple[str, str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name}: first line '# expect: id | field | msg'"
    item, field, message = (part.strip() for part in first[len("# expect: ") :].split("|"))
    return item, field, message


def test_at_least_eight_broken_banks():
    assert len(BROKEN) >= 8


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_bank_gives_one_line_problem(path, fixture_course):
    item, field, message = _expectation(path)
    bank, found = bank_problems(path, fixture_course, "01-what-is-sextortion")
    assert bank is None
    assert found, f"{path.name}: no problem found"
    for problem in found:
        line = str(problem)
        assert "\n" not in line
        assert line.startswith(f"{problem.file}: ")
        assert path.name in problem.file
        assert problem.item == item, line
        assert problem.field == field, line
    assert any(message in p.message for p in found), [str(p) for p in found]


def test_problem_line_names_file_question_and_field(fixture_course):
    path = HERE / "broken" / "missing-feedback.yaml"
    _, found = bank_problems(path, fixture_course, "01-what-is-sextortion")
    assert [str(p) for p in found] == [
        "tests/quiz/broken/missing-feedback.yaml: no-why: options.b.feedback: missing field"
    ]


def test_real_banks_have_no_problems(course):
    """No errors; warnings (quiz shape) are the author's to judge and never fail a test."""
    assert [str(p) for p in problems(ROOT, course) if p.is_error] == []


def test_load_bank_and_banks(course):
    banks = load_banks()
    assert list(banks) == [lesson.id for lesson in course.lessons]
    assert load_bank("03-if-it-happens") == banks["03-if-it-happens"]
    assert load_bank("03-if-it-happens") is load_bank("03-if-it-happens")  # cached


def _copy_root(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "course.yaml", tmp_path / "course.yaml")
    shutil.copytree(ROOT / "quizzes", tmp_path / "quizzes")
    return tmp_path


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_load_raises_content_error_with_every_problem(tmp_path, course):
    root = _copy_root(tmp_path)

    def break_two(data):
        data["questions"][0]["options"][0]["correct"] = False  # single: none correct
        data["questions"][1]["points"] = ["42"]

    _edit(root / "quizzes" / "01-what-is-sextortion.yaml", break_two)
    with pytest.raises(ContentError) as err:
        load_bank("01-what-is-sextortion", root=root)
    lines = str(err.value).splitlines()
    assert len(lines) == 2
    assert any("what-is-sextortion: options:" in line for line in lines)
    assert any("who-it-hits: points: unknown guide point '42'" in line for line in lines)
    with pytest.raises(ContentError):
        load_banks(root=root)


def test_duplicate_id_across_banks(tmp_path, course):
    root = _copy_root(tmp_path)
    _edit(
        root / "quizzes" / "04-prevention.yaml",
        lambda d: d["questions"][0].update(id="what-is-sextortion"),
    )
    found = [str(p) for p in problems(root, course)]
    assert any(
        "04-prevention.yaml: what-is-sextortion: id: question id already used in "
        "01-what-is-sextortion.yaml" in line
        for line in found
    ), found


def test_bank_name_must_match_lesson(tmp_path, course):
    root = _copy_root(tmp_path)
    _edit(root / "quizzes" / "04-prevention.yaml", lambda d: d.update(lesson="03-if-it-happens"))
    (root / "quizzes" / "99-stray.yaml").write_text("lesson: 99-stray\nquestions: []\n")
    found = [str(p) for p in problems(root, course)]
    assert any("04-prevention.yaml: -: lesson: must be '04-prevention'" in f for f in found)
    assert any("99-stray.yaml: -: -: no lesson with this id" in f for f in found)


def test_missing_bank_is_reported(tmp_path, course):
    root = _copy_root(tmp_path)
    (root / "quizzes" / "02-the-conversation.yaml").unlink()
    found = [str(p) for p in problems(root, course)]
    assert any("02-the-conversation.yaml: -: -: file not found" in f for f in found)


def test_uncovered_guide_point_is_reported(tmp_path, course):
    root = _copy_root(tmp_path)

    def drop_19(data):
        for q in data["questions"]:
            q["points"] = [p for p in q["points"] if p != "19"]

    _edit(root / "quizzes" / "05-summary.yaml", drop_19)
    found = [str(p) for p in problems(root, course)]
    assert any(": 19: points: guide point 19 is checked by no question" in f for f in found)


def test_final_quiz_needs_enough_questions(tmp_path, course):
    root = _copy_root(tmp_path)
    _edit(root / "quizzes" / "05-summary.yaml", lambda d: d["final"]["per_topic"].update(basics=99))
    found = [str(p) for p in problems(root, course)]
    assert any("final.per_topic.basics: asks for 99" in f for f in found), found


def test_final_quiz_always_names_questions_of_its_own_bank(tmp_path, course):
    root = _copy_root(tmp_path)
    _edit(root / "quizzes" / "05-summary.yaml",
          lambda d: d["final"].update(always=["how-to-report", "first-step", "nope"]))
    found = [str(p) for p in problems(root, course)]
    for qid in ("first-step", "nope"):
        assert any(f"final.always: no question '{qid}' in this bank" in f for f in found), found
    assert not any("'how-to-report'" in f for f in found), found


def test_ui_words_are_checked(tmp_path, course):
    root = _copy_root(tmp_path)

    def break_ui(data):
        del data["words"]["next"]
        data["words"]["progress"]["en"] = "Question {n}"

    _edit(root / "quizzes" / "ui.yaml", break_ui)
    found = [str(p) for p in problems(root, course)]
    assert any("ui.yaml: next: words: missing word" in f for f in found)
    assert any("ui.yaml: progress: words.en: must use {n}, {total}" in f for f in found)


def test_points_may_be_written_as_numbers(make_question):
    q = make_question("single", [("a", True), ("b", False)], points=(12,))
    assert q.points == ["12"]


def test_questions_by_point_has_every_point(banks):
    by_point = questions_by_point(banks)
    assert list(by_point) == list(GUIDE_POINTS)
    assert "paid-once" in by_point["10"]


def test_a_revisit_pointer_must_be_a_section_in_course_yaml(tmp_path, course):
    root = _copy_root(tmp_path)

    def break_bank(data):
        data["questions"][0]["revisit"] = "04-prevention#no-such-section"

    _edit(root / "quizzes" / "04-prevention.yaml", break_bank)
    found = [str(p) for p in problems(root, course)]
    assert any(
        "04-prevention.yaml: " in f and ": revisit: unknown lesson section" in f
        and "no-such-section" in f
        for f in found
    ), found
