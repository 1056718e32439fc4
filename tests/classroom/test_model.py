"""The live class mode's pure parts: codes, events, totals and the memory store."""

from __future__ import annotations

import pytest

from awareness.classroom import model
from awareness.classroom.server import Classroom, ClassroomSettings, join_address
from awareness.classroom.store import MemoryStore


def test_codes_are_short_and_have_no_look_alikes():
    codes = {model.new_code() for _ in range(500)}
    assert len(codes) > 490
    for code in codes:
        assert len(code) == model.CODE_LENGTH and not set(code) & set("0O1IL2Z5S8B6GUVQD")
    code = next(iter(codes))
    assert model.normal_code(f" {code.lower()[:2]}-{code[2:]} ") == code
    assert model.normal_code("ABC") is None and model.normal_code("O0O0O") is None


@pytest.mark.parametrize(("kind", "item", "value", "expected"), [
    ("chat", "jonas.d1-hello", "c1-ask", "c1-ask"),
    ("chat", "jonas.d1-hello", "<script>", None),
    ("quiz", "what-is-sextortion", True, True),
    ("quiz", "what-is-sextortion", "yes", None),
    ("sign", "jonas.e1-mutual", False, False),
    ("poll", "partly-his-fault", ["false", "false"], ["false"]),
    ("poll", "partly-his-fault", [], None),
    ("name", "x", "y", None),
    ("chat", "A" * 10, "c1", None),
])
def test_events_are_checked(kind, item, value, expected):
    assert model.check_event(kind, item, value) == expected


def test_totals_count_each_voter_once_and_hide_small_counts():
    ballots = [
        {"chat:j.d1": "a", "quiz:q1": True, "sign:j.e1": True, "poll:p1": ["true"]},
        {"chat:j.d1": "b", "quiz:q1": False, "sign:j.e1": True, "poll:p1": ["false"]},
        {"chat:j.d1": "a", "quiz:q1": True, "poll:p1": ["false"], "chat:j.d2": "x"},
    ]
    totals = model.tally(ballots, threshold=3)
    assert totals == {
        "chat": {"j.d1": {"a": 2, "b": 1}},
        "quiz": {"q1": {"answered": 3, "correct": 2}},
        "signs": {},  # two found it: fewer than three
        "polls": {"p1": {"true": 1, "false": 2}},
    }
    assert model.tally(ballots, threshold=2)["signs"] == {"j.e1": 2}


def test_the_store_replaces_answers_and_forgets_classes():
    now = [0.0]
    store = MemoryStore(lifetime=60, clock=lambda: now[0])
    code = store.create()
    assert store.join(code, "v1") and store.join(code, "v1")
    assert not store.vote(code, "stranger", "chat:j.d1", "a")  # never joined
    store.vote(code, "v1", "chat:j.d1", "a")
    store.vote(code, "v1", "chat:j.d1", "b")  # changed: replaces
    store.vote(code, "v1", "sign:j.e1", True)
    store.vote(code, "v1", "sign:j.e1", False)  # taken back
    assert store.ballots(code) == [{"chat:j.d1": "b"}]
    assert store.state(code).students == 1
    store.new_round(code)
    assert store.ballots(code) == [] and store.state(code).round == 2
    now[0] = 61
    assert store.state(code) is None and store.codes() == []  # gone after its lifetime
    other = store.create()
    assert store.end(other) and store.state(other) is None and not store.end(other)


def test_a_kernel_counts_only_in_the_class_it_was_bound_to():
    classroom = Classroom(ClassroomSettings(threshold=1))
    code = classroom.store.create()
    assert classroom.joining("NOPE9", "t" * 16) is None
    join = classroom.joining(code.lower(), "tab-token-1")
    classroom.bind("k1", join)
    classroom.bind("k2", classroom.joining(code, "tab-token-1"))  # the same tab, reloaded
    assert classroom.report("k1", "chat", "j.d1", "a") == {"bound": True, "counted": True}
    assert classroom.report("k2", "chat", "j.d1", "b")["counted"]
    assert classroom.report("k3", "chat", "j.d1", "a") == {"bound": False, "counted": False}
    results = classroom.results(code)
    assert results["students"] == 1 and results["chat"] == {"j.d1": {"b": 1}}
    classroom.store.end(code)
    assert classroom.report("k1", "chat", "j.d1", "a")["bound"] is False
    assert "k1" not in classroom.bindings


def test_the_join_address_is_never_loopback():
    assert join_address("http://kurs.skole.no", "127.0.0.1", 8866) == "http://kurs.skole.no/"
    assert join_address("", "10.1.2.3", 8866) == "http://10.1.2.3:8866/"
    for bound in ("127.0.0.1", "0.0.0.0", "::1", ""):
        address = join_address("", bound, 8866)
        assert "127.0.0.1" not in address and "[::1]" not in address and "localhost" not in address


def test_the_readme_names_every_setting_and_what_is_collected():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Live class mode")
    text = readme[start: readme.index("\n## ", start + 1)]
    for name in ClassroomSettings.class_trait_names(config=True):
        assert f"--ClassroomSettings.{name}" in text, name
    source = (Path(__file__).resolve().parents[2] / "awareness/classroom/server.py").read_text()
    import re

    for env in set(re.findall(r'"(AWARENESS_[A-Z_]+)"', source)) | {"TEACHER_KEY"}:
        assert env in text, env
    for words in ("What is and is not collected", "nothing of it is written to disk",
                  "three hours", "Without a class code nothing"):
        assert words in text, words
