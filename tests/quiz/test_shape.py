"""The quiz-shape checks: crafted banks that teach test-taking are caught, one line each;
the real banks pass; `awareness check` fails on errors and passes (printing) on warnings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from awareness.__main__ import main
from awareness.quiz import shape
from awareness.quiz.model import Bank, Question
from tests.conftest import ROOT


def _text(languages, value: str) -> dict[str, str]:
    return {lang: value for lang in languages}


@pytest.fixture(scope="module")
def q(languages):
    """A question with chosen option texts: options as (id, correct, text)."""

    def make(qtype, options, qid="q", kind="recall", feedback=None, topic="basics"):
        opts = []
        for oid, correct, text in options:
            opt = {
                "id": oid,
                "correct": correct,
                "feedback": _text(languages, feedback or f"Because {oid} is so, see the lesson."),
            }
            if text is not None:
                opt["text"] = _text(languages, text)
            if qtype == "spot":
                opt["sender"] = "me" if oid.startswith("me") else "them"
            opts.append(opt)
        data = {
            "id": qid,
            "type": qtype,
            "topic": topic,
            "kind": kind,
            "points": ["1"],
            "revisit": "01-what-is-sextortion#definition",
            "prompt": _text(languages, "What is true here?"),
            "options": opts,
        }
        if qtype == "spot":
            data["people"] = {"them": _text(languages, "Emma"), "me": _text(languages, "Jonas")}
        return Question.model_validate(data, context={"languages": languages})

    return make


def _bank(languages, lesson, questions, final=None) -> Bank:
    data = {"lesson": lesson, "questions": [x.model_dump() for x in questions]}
    if final:
        data["final"] = final
    return Bank.model_validate(data, context={"languages": languages})


def _fair_single(q, qid, kind="application"):
    """A single-choice question with the right option as long as the others."""
    return q(
        "single",
        [("a", True, "Stop replying to them"), ("b", False, "Pay a little to buy time"),
         ("c", False, "Explain that you have no money")],
        qid=qid,
        kind=kind,
    )


def _tf(q, qid, true_is_right: bool, kind="recall"):
    return q("true_false", [("true", true_is_right, None), ("false", not true_is_right, None)],
             qid=qid, kind=kind)


def _run(languages, *banks: Bank):
    return shape.problems(ROOT, {b.lesson: b for b in banks}, languages)


def _lines(found, severity=None):
    return [str(p) for p in found if severity is None or p.severity == severity]


def _one_line_each(found):
    for problem in found:
        line = str(problem)
        assert "\n" not in line
        assert line.startswith(f"{problem.file}: {problem.item}: {problem.field}: ")
        assert problem.severity in ("error", "warning")
        assert (": warning: " in line) == (problem.severity == "warning")


def test_a_fair_bank_has_no_problems(q, languages):
    bank = _bank(languages, "01-what-is-sextortion", [
        _fair_single(q, "one"), _fair_single(q, "two", kind="recall"), _tf(q, "t", True),
        _tf(q, "f", False, kind="application"), _fair_single(q, "three"), _fair_single(q, "four"),
    ])
    assert _lines(_run(languages, bank)) == []


def test_all_but_one_correct_is_an_error(q, languages):
    bad = q("multiple", [("a", True, "First right one"), ("b", True, "Second right one"),
                         ("c", False, "The only wrong one")], qid="all-but-one")
    found = _run(languages, _bank(languages, "01-what-is-sextortion", [bad]))
    _one_line_each(found)
    errors = _lines(found, "error")
    assert errors == [
        "quizzes/01-what-is-sextortion.yaml: all-but-one: options: select-all needs at least "
        "2 wrong options, found 1: when all but one are right, ticking everything nearly wins"
    ]


def test_every_message_a_faresignal_is_an_error(q, languages):
    bad = q("spot", [("hi", True, "Hei!"), ("me-1", False, "Hei"), ("pic", True, "Send a pic")],
            qid="tick-all")
    fair = q("spot", [("hi", False, "Hei!"), ("me-1", False, "Hei"), ("pic", True, "Send a pic")],
             qid="fair-chat")
    found = _run(languages, _bank(languages, "01-what-is-sextortion", [bad, fair]))
    errors = _lines(found, "error")
    assert len(errors) == 1
    assert "tick-all: options: every message from them is a faresignal" in errors[0]


def test_feedback_that_cannot_say_why_is_an_error(q, languages):
    bad = q("single", [("a", True, "Right"), ("b", False, "Wrong")], qid="terse", feedback="Yes.")
    found = _run(languages, _bank(languages, "01-what-is-sextortion", [bad]))
    errors = _lines(found, "error")
    assert any("terse: options.a.feedback: too short to say why" in e for e in errors), errors


def test_same_feedback_on_two_options_is_a_warning(q, languages):
    lazy = q("single", [("a", True, "Stop replying now"), ("b", False, "Pay them a little")],
             qid="lazy", feedback="Read the lesson about this again, please.")
    found = _run(languages, _bank(languages, "01-what-is-sextortion", [lazy]))
    warnings = _lines(found, "warning")
    assert any("lazy: options: warning: two options share the same feedback" in w
               for w in warnings), warnings
    assert _lines(found, "error") == []


def test_right_option_longest_is_a_warning(q, languages):
    def longest(qid):
        return q("single", [("a", True, "Stop replying, take screenshots and tell an adult"),
                            ("b", False, "Pay them a bit"), ("c", False, "Argue with them")],
                 qid=qid, kind="application")

    bank = _bank(languages, "01-what-is-sextortion",
                 [longest("l1"), longest("l2"), _fair_single(q, "f1")])
    found = _run(languages, bank)
    _one_line_each(found)
    warnings = _lines(found, "warning")
    assert (
        "quizzes/01-what-is-sextortion.yaml: -: options: warning: the right option is the "
        "longest in 2 of 3 choice questions: a guess of 'the longest' should not pay"
    ) in warnings
    assert any("l1: options: warning: the right option is much longer than any other" in w
               for w in warnings), warnings
    assert any(w.startswith("quizzes: -: options: warning: over all banks") for w in warnings)
    assert _lines(found, "error") == []


def test_right_option_longest_in_select_all(q, languages):
    sel = q("multiple", [("a", True, "A long and detailed right answer here"),
                         ("b", True, "Another long and detailed right one"),
                         ("c", False, "Short"), ("d", False, "Brief")], qid="sel")
    assert shape.right_is_longest(sel, languages)
    fair = q("multiple", [("a", True, "Short right"), ("b", True, "A long and detailed right one"),
                          ("c", False, "A long and detailed wrong one"), ("d", False, "Brief")])
    assert not shape.right_is_longest(fair, languages)


def test_true_false_balance_per_bank_and_overall(q, languages):
    bank = _bank(languages, "01-what-is-sextortion", [
        _tf(q, "t1", True, "application"), _tf(q, "t2", True), _tf(q, "t3", True),
    ])
    found = _run(languages, bank)
    warnings = _lines(found, "warning")
    assert (
        "quizzes/01-what-is-sextortion.yaml: -: type: warning: true/false: 3 true and 0 false "
        "claims; about half should be true"
    ) in warnings
    assert any(w.startswith("quizzes: -: type: warning: over all banks 3 of 3 true/false")
               for w in warnings), warnings
    # One more of one kind than the other is fine in a bank (over all banks, 2 of 3 is not).
    ok = _bank(languages, "01-what-is-sextortion", [
        _tf(q, "t1", True, "application"), _tf(q, "t2", False), _tf(q, "t3", True),
    ])
    assert not [w for w in _lines(_run(languages, ok), "warning")
                if w.startswith("quizzes/01-what-is-sextortion.yaml: -: type: ")]


def test_too_few_application_items_is_a_warning(q, languages):
    bank = _bank(languages, "01-what-is-sextortion", [
        _fair_single(q, f"r{n}", kind="recall") for n in range(4)
    ])
    warnings = _lines(_run(languages, bank), "warning")
    assert (
        "quizzes/01-what-is-sextortion.yaml: -: kind: warning: 0 of 4 questions apply the "
        "lesson to a new case (kind: application); aim for at least a third"
    ) in warnings
    assert any("over all banks 0 of 4 questions are applications" in w for w in warnings)


def test_estimated_minutes_per_bank(q, languages):
    long_bank = _bank(languages, "01-what-is-sextortion", [
        _fair_single(q, f"s{n}") for n in range(12)
    ])
    short_bank = _bank(languages, "02-the-conversation", [_fair_single(q, "only")])
    found = _run(languages, long_bank, short_bank)
    warnings = _lines(found, "warning")
    assert any(w.startswith("quizzes/01-what-is-sextortion.yaml: -: questions: warning: the "
                            "quiz takes about ") and "fewer or shorter questions" in w
               for w in warnings), warnings
    assert any(w.startswith("quizzes/02-the-conversation.yaml: -: questions: warning:")
               and "add a question" in w for w in warnings), warnings
    minutes = shape.bank_shape(long_bank, {}, languages).minutes
    assert minutes == pytest.approx(12 * shape.question_seconds(long_bank.questions[0], "en") / 60)


def test_the_final_quiz_is_estimated_from_its_draw(q, languages):
    lesson = _bank(languages, "01-what-is-sextortion",
                   [_fair_single(q, f"s{n}") for n in range(12)])
    final = _bank(languages, "05-summary", [_fair_single(q, "own")],
                  final={"draw_from": "all", "per_topic": {"basics": 6}})
    banks = {"01-what-is-sextortion": lesson, "05-summary": final}
    each = shape.question_seconds(lesson.questions[0], "en")
    assert shape.bank_shape(final, banks, languages).minutes == pytest.approx(6 * each / 60)
    # the `always` questions are counted once each, on top of the draw
    with_own = _bank(languages, "05-summary", [_fair_single(q, "own")],
                     final={"draw_from": "all", "always": ["own"], "per_topic": {"basics": 6}})
    banks["05-summary"] = with_own
    own = shape.question_seconds(with_own.questions[0], "en")
    assert shape.bank_shape(with_own, banks, languages).minutes == pytest.approx(
        (6 * each + own) / 60)
    big = _bank(languages, "05-summary", [_fair_single(q, "own")],
                final={"draw_from": "all", "per_topic": {"basics": 20}})
    banks["05-summary"] = big
    found = shape.problems(ROOT, banks, languages)
    assert any("05-summary.yaml: -: final.per_topic: warning: the final quiz takes about" in p
               for p in _lines(found)), _lines(found)


def test_reasons_only_on_wrong_options_are_a_warning(q, languages):
    """A test-taking cue across banks: wrong options say '…, so …', right ones do not."""

    def single(qid, wrong_reason: bool, right_reason: bool = False):
        right = "Stop replying, so they lose interest" if right_reason else "Stop replying now"
        wrong = "Pay a little, so you get time" if wrong_reason else "Pay a little to buy time"
        return q("single", [("a", True, right), ("b", False, wrong),
                            ("c", False, "Explain that you have no money")], qid=qid)

    cued = _bank(languages, "01-what-is-sextortion",
                 [single(f"q{n}", wrong_reason=True) for n in range(8)])
    found = _lines(_run(languages, cued), "warning")
    assert any(line.startswith("quizzes: -: options: warning: over all banks 8 of 16 wrong "
                               "options give a reason") for line in found), found
    fair = _bank(languages, "01-what-is-sextortion",
                 [single(f"q{n}", wrong_reason=n < 4, right_reason=n >= 4) for n in range(8)])
    assert not any("give a reason" in line for line in _lines(_run(languages, fair))), fair
    assert shape.gives_reason(cued.questions[0].options[1], languages)
    assert not shape.gives_reason(cued.questions[0].options[2], languages)


def test_the_estimate_counts_reading_and_clicking(q, languages):
    short = q("single", [("a", True, "Yes"), ("b", False, "No")], feedback="Because it is so.")
    seconds = shape.question_seconds(short, "en")
    words = 4 + 1 + 1 + 4  # prompt, options, one feedback
    expected = words / shape.READING_WPM * 60 + shape.SECONDS_PER_QUESTION
    expected += 2 * shape.SECONDS_PER_OPTION
    assert seconds == pytest.approx(expected)
    order = q("order", [("s1", None, "One"), ("s2", None, "Two"), ("s3", None, "Three")])
    assert shape.question_seconds(order, "en") > shape.question_seconds(short, "en") + 9


def test_the_real_banks_pass_the_shape_checks(banks, languages):
    """No errors. Warnings are the author's to judge and never fail a test (`make check`
    prints them); the numbers behind them are printed here with -s."""
    found = shape.problems(ROOT, banks, languages)
    assert _lines(found, "error") == []
    for bank in banks.values():
        print(shape.bank_shape(bank, banks, languages))
    for line in _lines(found, "warning"):
        print(line)


@pytest.fixture
def content(tmp_path, monkeypatch):
    """A copy of the course's content, as `awareness check --root` reads it."""
    for name in ("course.yaml", "lessons", "quizzes", "facilitator_notes"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name)
        elif src.exists():
            shutil.copy(src, tmp_path / name)
    monkeypatch.setenv("AWARENESS_ROOT", str(tmp_path))
    return tmp_path


def _edit_bank(root: Path, lesson_id: str, change) -> None:
    path = root / "quizzes" / f"{lesson_id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_check_passes_with_warnings_and_fails_on_errors(content, capsys):
    def only_recall(data):
        for item in data["questions"]:
            item["kind"] = "recall"

    _edit_bank(content, "04-prevention", only_recall)
    assert main(["check", "--root", str(content)]) == 0
    out = capsys.readouterr()
    lines = out.out.strip().splitlines()
    assert (
        "quizzes/04-prevention.yaml: -: kind: warning: 0 of 5 questions apply the lesson to a "
        "new case (kind: application); aim for at least a third"
    ) in lines
    assert lines[-1].startswith("Content OK with 1 warning(s)")

    def all_but_one(data):
        item = next(x for x in data["questions"] if x["id"] == "good-settings")
        item["options"][2]["correct"] = True  # 3 right, 1 wrong

    _edit_bank(content, "04-prevention", all_but_one)
    assert main(["check", "--root", str(content)]) == 1
    out = capsys.readouterr()
    assert (
        "quizzes/04-prevention.yaml: good-settings: options: select-all needs at least 2 wrong "
        "options, found 1: when all but one are right, ticking everything nearly wins"
    ) in out.out.splitlines()
    assert "1 problem(s) and 1 warning(s) found" in out.err
    assert "Traceback" not in out.out + out.err
