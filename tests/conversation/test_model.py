"""The conversation's content model and its checks (`make check`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from awareness.content.check import CHECKS, check_all
from awareness.content.course import load_course
from awareness.content.problems import ContentError
from awareness.conversation.model import (
    CONVERSATION_FILE,
    conversation_problems,
    load_conversation,
    problems,
)
from awareness.paths import content_root, display_path

HERE = Path(__file__).resolve().parent
BROKEN = HERE / "broken"
ROOT = content_root()
# The fixtures below are written in these two languages, whatever the course has.
FIXTURE_LANGUAGES = ["nb", "en"]

EXPECTED = {
    "dangling-next": "b1: next: next node 'nowhere' does not exist",
    "dangling-choice": "a1: choices.c-no.next: next node 'missing' does not exist",
    "unreachable": "orphan: -: not reachable from the start node 'a1'",
    "dead-end": "b1: -: a node needs exactly one of next, choices or ending (found: none)",
    "cycle": "b1: next: cycle without exit: b1 → b2 → b1 never reaches an ending",
    "no-feedback": "a1: choices.c-no.feedback: missing field",
    "unknown-tag": "a1: tags: unknown tag 'scary' (known: unknown-contact)",
    "missing-translation": "b1: text: missing translation for 'en'",
    "unknown-field": "b1: speker: unknown field (check the spelling)",
    "duplicate-id": "end-b: id: duplicate node id (ids must be unique)",
    "unknown-speaker": "b1: speaker: unknown speaker 'bob' (other, jonas, narrator)",
    "one-choice": "a1: choices: List should have at least 2 items after validation, not 1",
    "typing-too-slow": "a1: typing: Input should be less than or equal to 1.5",
    "no-ending": "a1: ending: no node has an ending; every path needs one",
    "tag-on-jonas": "b1: tags: only the other side's messages carry warning signs",
    "missing-ui-word": "-: ui.restart: missing field",
    "bad-guide-point": (
        "unknown-contact: guide_point: String should match pattern '^(1[0-9]|[1-9])$'"
    ),
}


def test_every_broken_file_has_an_expectation():
    names = {p.stem for p in BROKEN.glob("*.yaml")}
    assert names == set(EXPECTED)
    assert len(names) >= 8


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_scenario_gives_its_one_line_message(name):
    path = BROKEN / f"{name}.yaml"
    conv, found = conversation_problems(path, FIXTURE_LANGUAGES)
    assert conv is None
    lines = [str(p) for p in found]
    expected = f"{display_path(path)}: {EXPECTED[name]}"
    assert expected in lines, "\n".join(lines)
    assert all(line.startswith(display_path(path) + ": ") for line in lines)
    assert all("\n" not in line for line in lines)
    # the file says what it expects, for whoever opens it
    assert EXPECTED[name] in path.read_text(encoding="utf-8")


def test_minimal_fixture_is_valid():
    conv, found = conversation_problems(HERE / "minimal.yaml", FIXTURE_LANGUAGES)
    assert found == []
    assert conv is not None and conv.start == "a1"


def test_missing_file_is_a_problem(tmp_path):
    conv, found = conversation_problems(tmp_path / "nope.yaml", FIXTURE_LANGUAGES)
    assert conv is None
    assert "file not found" in str(found[0])


def test_the_real_conversation_has_no_problems():
    course = load_course()
    assert problems(ROOT, course) == []


def test_registered_in_make_check():
    assert "awareness.conversation.model:problems" in CHECKS
    _, found = check_all(ROOT)
    mine = [p for p in found if p.file == display_path(ROOT / CONVERSATION_FILE)]
    assert mine == []


def test_load_conversation_is_cached():
    assert load_conversation() is load_conversation()


def test_load_conversation_raises_with_every_problem(tmp_path):
    shutil.copy(ROOT / "course.yaml", tmp_path / "course.yaml")
    (tmp_path / "lessons").mkdir()
    shutil.copy(BROKEN / "dangling-next.yaml", tmp_path / CONVERSATION_FILE)
    with pytest.raises(ContentError) as info:
        load_conversation(tmp_path)
    assert len(info.value.problems) == 2
    assert "next node 'nowhere' does not exist" in str(info.value)


def test_story_has_the_required_shape():
    conv = load_conversation()
    decisions = conv.decisions()
    assert len(decisions) >= 5
    assert all(2 <= len(node.choices) <= 4 for node in decisions)
    endings = {node.id for node in conv.endings()}
    assert {"end-stopped", "end-safe", "end-paid"} <= endings
    # the decision points the lesson needs, in story order
    for node_id in ("d1-hello", "d2-pictures", "d3-picture", "d4-demand", "d5-published"):
        assert conv.node(node_id).is_decision
    demand = {c.id for c in conv.node("d4-demand").choices}
    assert demand == {"c4-pay", "c4-bargain", "c4-break", "c4-tell"}
    # the picture he sends is a placeholder tile, nothing else
    sent = conv.node("j3-sent")
    assert sent.image is not None and sent.image.kind == "sent"
    assert conv.side(conv.node(conv.start)) == "left"
    assert conv.speaker("jonas").name["nb"] == "Jonas"


def test_every_tag_is_used_and_names_a_guide_point():
    conv = load_conversation()
    used = {tag for node in conv.nodes for tag in node.tags}
    known = {tag.id for tag in conv.tags}
    assert used == known
    for required in (
        "unknown-contact",
        "fast-sexual-turn",
        "fake-images",
        "picture-request",
        "screen-recorded",
        "threat",
        "money-demand",
        "published-claim",
        "pressure-time",
    ):
        assert required in known
    assert all(1 <= int(tag.guide_point) <= 19 for tag in conv.tags)


def test_debrief_steps_cover_guide_points_9_to_14():
    conv = load_conversation()
    points = {step.guide_point for step in conv.debrief.steps}
    assert {"9", "10", "11", "12", "13", "14"} <= points


def test_every_text_in_every_course_language():
    conv = load_conversation()
    for lang in load_course().languages:
        for node in conv.nodes:
            assert node.text[lang].strip()
            for choice in node.choices or []:
                assert choice.text[lang].strip() and choice.feedback[lang].strip()
        for name in type(conv.ui).model_fields:
            assert getattr(conv.ui, name)[lang].strip()


def test_typing_delays_are_short():
    conv = load_conversation()
    assert all(0 <= node.typing <= 1.5 for node in conv.nodes)
