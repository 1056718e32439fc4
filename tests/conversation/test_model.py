"""The chat scenarios' content model and its checks (`make check`)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from awareness.content.check import CHECKS, check_all
from awareness.content.course import load_course
from awareness.content.problems import ContentError
from awareness.conversation.model import (
    CHAT_FILE,
    OLD_FILE,
    SCENARIO_DIR,
    conversation_problems,
    load_conversation,
    problems,
    scenario_file,
    scenario_ids,
    shared_problems,
)
from awareness.paths import content_root, display_path

HERE = Path(__file__).resolve().parent
BROKEN = HERE / "broken"
ROOT = content_root()
# The fixtures below are written in these two languages, whatever the course has.
FIXTURE_LANGUAGES = load_course().languages  # the fixtures carry every course language

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
    "bad-protagonist": "-: protagonist: 'other' is not a speaker on the right side (right: jonas)",
    "ordinary-with-tags": "a1: -: a message with warning signs (`tags`) is not `ordinary`",
    "ordinary-on-jonas": (
        "b1: ordinary: only the other side's messages can be flagged, so only they are `ordinary`"
    ),
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


SCENARIOS = ["jonas", "sara"]
LANGS = load_course().languages


def test_the_scenarios_are_files_in_their_folder():
    assert scenario_ids(ROOT) == SCENARIOS
    assert not (ROOT / OLD_FILE).exists()


def test_the_real_content_has_no_problems():
    course = load_course()
    assert problems(ROOT, course) == []


def test_registered_in_make_check():
    assert "awareness.conversation.model:problems" in CHECKS
    _, found = check_all(ROOT)
    files = {display_path(ROOT / CHAT_FILE)}
    files.update(display_path(ROOT / scenario_file(s)) for s in SCENARIOS)
    assert [p for p in found if p.file in files] == []


def test_load_conversation_is_cached():
    assert load_conversation() is load_conversation()
    assert load_conversation(scenario="sara") is load_conversation(scenario="sara")
    assert load_conversation().id == "jonas" and load_conversation(scenario="sara").id == "sara"


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    """A copy of course.yaml and lessons/ (chat.yaml, the scenarios, the notebooks),
    which is the content root (file names are shown relative to it)."""
    shutil.copy(ROOT / "course.yaml", tmp_path / "course.yaml")
    shutil.copytree(ROOT / "lessons", tmp_path / "lessons")
    monkeypatch.setenv("AWARENESS_ROOT", str(tmp_path))
    return tmp_path


def test_load_conversation_raises_with_every_problem(root):
    shutil.copy(BROKEN / "dangling-next.yaml", root / scenario_file("jonas"))
    with pytest.raises(ContentError) as info:
        load_conversation(root)
    assert len(info.value.problems) == 2
    assert "next node 'nowhere' does not exist" in str(info.value)


def test_an_unknown_scenario_is_a_missing_file(root):
    with pytest.raises(ContentError, match="lessons/scenarios/nobody.yaml: -: -: file not found"):
        load_conversation(root, scenario="nobody")
    with pytest.raises(ContentError, match="file not found"):
        load_conversation(root, scenario="../course")


def run_check(root: Path) -> list[str]:
    """`make check` as a teacher runs it: its output lines."""
    run = subprocess.run(
        [sys.executable, "-m", "awareness", "check", "--root", str(root)],
        capture_output=True, text=True, timeout=120,
    )
    assert "Traceback" not in run.stderr
    return run.stdout.splitlines()


def test_make_check_reads_any_number_of_scenarios_and_names_a_broken_one(root):
    """A third scenario is checked like the others; a broken one is one line per problem."""
    shutil.copy(HERE / "minimal.yaml", root / SCENARIO_DIR / "third.yaml")
    shutil.copy(BROKEN / "unknown-tag.yaml", root / SCENARIO_DIR / "fourth.yaml")
    course = load_course(root)
    found = [str(p) for p in problems(root, course)]
    broken = "lessons/scenarios/fourth.yaml: a1: tags: unknown tag 'scary' (known: unknown-contact)"
    assert found == [broken]
    lines = run_check(root)
    assert broken in lines
    assert not any("third.yaml" in line for line in lines)


def test_make_check_without_any_scenario_and_with_the_old_file(root):
    shutil.move(root / scenario_file("jonas"), root / OLD_FILE)
    shutil.rmtree(root / SCENARIO_DIR)
    found = [str(p) for p in problems(root, load_course(root))]
    assert "lessons/scenarios: -: -: no scenario files (<id>.yaml) in this folder" in found
    assert any(line.startswith("lessons/conversation.yaml: -: -: no longer read") for line in found)
    assert any("show_chat: no scenario 'jonas'" in line for line in found)


def test_a_bad_file_name_is_named(root):
    shutil.copy(HERE / "minimal.yaml", root / SCENARIO_DIR / "Bad_Name.yaml")
    found = [str(p) for p in problems(root, load_course(root))]
    assert found == [
        "lessons/scenarios/Bad_Name.yaml: -: -: the file name is the scenario id: "
        "use a-z, 0-9 and -"
    ]


def test_a_notebook_naming_an_unknown_scenario_is_named(root):
    path = root / "lessons" / "en" / "04-prevention.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if "show_chat(" in "".join(cell["source"]):
            cell["source"] = ['show_chat("en", scenario="sarah")']
    path.write_text(json.dumps(nb), encoding="utf-8")
    found = [str(p) for p in problems(root, load_course(root))]
    assert found == [
        "lessons/en/04-prevention.ipynb: 04-prevention: show_chat: no scenario 'sarah' in "
        "lessons/scenarios/ (there are: jonas, sara)"
    ]


def edit_shared(root: Path, change) -> Path:
    path = root / CHAT_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["ui"].pop("restart"), "-: ui.restart: missing field"),
        (
            lambda d: d["ui"]["score"].update(en="{found} of {all}"),
            "-: ui.score.en: unknown placeholder {all} (use {found}, {total}, {wrong})",
        ),
        (
            lambda d: d["ui"]["choose"].update(nb="Hva gjør {navn}?"),
            "-: ui.choose.nb: unknown placeholder {navn} (use {name})",
        ),
        (
            lambda d: d["steps"].append(d["steps"][0]),
            "break-contact: id: duplicate debrief step id (ids must be unique)",
        ),
        (lambda d: d.pop("steps"), "-: steps: missing field"),
    ],
)
def test_a_broken_shared_file_gives_one_line(root, change, expected):
    path = edit_shared(root, change)
    shared, found = shared_problems(path, FIXTURE_LANGUAGES)
    assert shared is None
    assert f"{display_path(path)}: {expected}" in [str(p) for p in found]
    # make check reports it once, and the scenarios are still checked on their own
    lines = [str(p) for p in problems(root, load_course(root))]
    assert lines.count(f"{display_path(path)}: {expected}") == 1


def test_names_fill_the_shared_words():
    jonas, sara = load_conversation(), load_conversation(scenario="sara")
    for lang in LANGS:
        assert "{" not in jonas.ui.choose[lang] and "Jonas" in jonas.ui.choose[lang]
        assert "Sara" in sara.ui.you_chose[lang] and "Sara" in sara.ui.map_choice[lang]
        assert jonas.ui.flag[lang] == sara.ui.flag[lang]
    assert jonas.steps == sara.steps


# --- the stories -------------------------------------------------------------------------


def test_jonas_has_the_required_shape():
    conv = load_conversation()
    decisions = conv.decisions()
    assert len(decisions) >= 7
    assert all(2 <= len(node.choices) <= 4 for node in decisions)
    endings = {node.id for node in conv.endings()}
    assert endings == {"end-stopped", "end-safe", "end-paid", "end-fake"}
    # the decision points the lesson needs, in story order
    for node_id in (
        "d1-hello", "d1b-move", "d2-pictures", "d3-picture", "d4-demand", "d5-published", "d7-fake"
    ):
        assert conv.node(node_id).is_decision
    demand = {c.id for c in conv.node("d4-demand").choices}
    assert demand == {"c4-pay", "c4-bargain", "c4-break", "c4-tell"}
    # the picture he sends is a placeholder tile, nothing else
    sent = conv.node("j3-sent")
    assert sent.image is not None and sent.image.kind == "sent"
    assert conv.side(conv.node(conv.start)) == "left"
    assert conv.speaker("jonas").name["nb"] == "Jonas"
    # a new profile turns up after blocking
    assert conv.node("d5-published").speaker == "newprofile"


def test_jonas_today():
    """Today's variants are in the story: moving app, odd language, Vipps, gift cards and
    crypto, the friend-list screenshot, a countdown, a new profile, an AI-made fake."""
    conv = load_conversation()
    tags = {tag for node in conv.nodes for tag in node.tags}
    assert {"move-app", "odd-language", "mutual-friend", "friend-list", "new-profile",
            "ai-fake", "pressure-time"} <= tags
    demand = conv.node("d4-demand").text
    assert all(word in demand["nb"] for word in ("Vipps", "gavekort", "bitcoin"))
    assert all(word in demand["en"] for word in ("Vipps", "gift card", "bitcoin"))
    assert "⏳" in demand["nb"] and conv.node("e3-friends").image.kind == "friend-list"
    assert "Snapchat" in conv.node("d1b-move").text["nb"]
    assert conv.node("e7-ai").image.kind == "ai-fake"


def test_sara_is_another_victim_and_offender_and_shorter():
    jonas, sara = load_conversation(), load_conversation(scenario="sara")
    assert sara.protagonist == "sara" and sara.speaker("sara").side == "right"
    assert {s.id for s in sara.speakers} & {"emma", "jonas"} == set()
    assert 2 <= len(sara.decisions()) < len(jonas.decisions())
    assert len(sara.endings()) >= 3
    assert "money-demand" not in {tag.id for tag in sara.tags}  # not about money
    for lang in LANGS:
        assert sara.intro[lang] != jonas.intro[lang] and sara.title[lang] != jonas.title[lang]


def all_convs():
    return [load_conversation(scenario=s) for s in SCENARIOS]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_tag_is_used_and_names_a_guide_point(scenario):
    conv = load_conversation(scenario=scenario)
    used = {tag for node in conv.nodes for tag in node.tags}
    known = {tag.id for tag in conv.tags}
    assert used == known
    assert all(1 <= int(tag.guide_point) <= 19 for tag in conv.tags)


def test_jonas_has_the_warning_signs_of_the_guide():
    known = {tag.id for tag in load_conversation().tags}
    for required in (
        "fast-sexual-turn",
        "fake-images",
        "picture-request",
        "screen-recorded",
        "threat",
        "money-demand",
        "published-claim",
        "pressure-time",
        "higher-demand",
    ):
        assert required in known


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ordinary_messages_from_the_other_side(scenario):
    """At least 3 harmless messages from the other side, each saying why it is harmless,
    and the first hello is one of them (the first-hello rule)."""
    conv = load_conversation(scenario=scenario)
    ordinary = [n for n in conv.nodes if conv.side(n) == "left" and not n.tags]
    assert len(ordinary) >= 3
    assert all(n.ordinary is not None for n in ordinary), [n.id for n in ordinary]
    first = conv.node(conv.start)
    assert conv.side(first) == "left" and not first.tags and first.ordinary is not None


def test_the_first_hello_rule_is_written_in_the_jonas_file():
    text = (ROOT / scenario_file("jonas")).read_text(encoding="utf-8")
    assert "THE FIRST-HELLO RULE" in text
    assert "is not a warning sign by itself" in text and "ikke et faresignal i seg selv" in text


def test_debrief_steps_cover_guide_points_9_to_14():
    points = {step.guide_point for step in load_conversation().steps}
    assert {"9", "10", "11", "12", "13", "14"} <= points


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_text_in_every_course_language(scenario):
    conv = load_conversation(scenario=scenario)
    for lang in LANGS:
        for node in conv.nodes:
            assert node.text[lang].strip()
            for choice in node.choices or []:
                assert choice.text[lang].strip() and choice.feedback[lang].strip()
        for name in type(conv.ui).model_fields:
            assert getattr(conv.ui, name)[lang].strip()
        for text in (conv.fiction, conv.debrief.heading, conv.debrief.not_your_fault):
            assert text[lang].strip()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_typing_delays_are_short_and_the_tone_turns_after_a_pause(scenario):
    conv = load_conversation(scenario=scenario)
    assert all(node.typing is None or 0 <= node.typing <= 1.5 for node in conv.nodes)
    assert all(0 <= node.pause <= 3 for node in conv.nodes)
    # Where a threat comes after something else, the other side is silent a moment first.
    for node in conv.nodes:
        before = [n for n in conv.nodes if node.id in n.successors()]
        if "threat" in node.tags and any("threat" not in n.tags for n in before):
            assert node.pause > 0, node.id


# --- words and safety ----------------------------------------------------------------------


def student_texts(conv) -> list[tuple[str, str, str]]:
    """(where, lang, text) for every text a student can see, except the other side's
    messages (an extortioner's own words are not advice)."""
    out = []

    def add(where, text):
        for lang in LANGS:
            out.append((where, lang, text[lang]))

    for name in ("title", "intro", "fiction"):
        add(name, getattr(conv, name))
    add("debrief.heading", conv.debrief.heading)
    add("debrief.not_your_fault", conv.debrief.not_your_fault)
    for step in conv.steps:
        add(f"steps.{step.id}", step.text)
    for name in type(conv.ui).model_fields:
        add(f"ui.{name}", getattr(conv.ui, name))
    for tag in conv.tags:
        add(f"tags.{tag.id}", tag.label)
        add(f"tags.{tag.id}", tag.explanation)
    for node in conv.nodes:
        if conv.side(node) != "left":
            add(node.id, node.text)
        for field in ("label", "prompt", "ordinary"):
            if getattr(node, field) is not None:
                add(f"{node.id}.{field}", getattr(node, field))
        for choice in node.choices or []:
            add(f"{node.id}.{choice.id}", choice.text)
            add(f"{node.id}.{choice.id}", choice.feedback)
        if node.ending:
            add(f"{node.id}.ending", node.ending.title)
            add(f"{node.id}.ending", node.ending.debrief)
        if node.image:
            add(f"{node.id}.image", node.image.alt)
    return out


SCREENSHOT = re.compile(r"skjermbild|skjermbilet|screenshot", re.I)
KEEP = re.compile(r"\b(lagre|ta vare på|behold|behald|save|keep)\w*", re.I)
PICTURE = re.compile(
    r"\b(bild(e|et|ene|er)|bilet(e|et|a)|nakenbild\w*|nakenbilet\w*|video\w*|pictures?|"
    r"photos?|nudes?)\b",
    re.I,
)
NEGATION = re.compile(r"\b(aldri|ikke|ikkje|never|not|no)\b", re.I)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?:])\s+|\s+–\s+", text) if s]


def pupil_told_to_copy_pictures(text: str) -> list[str]:
    """Sentences that tell someone to screenshot or keep pictures (and do not say never)."""
    bad = []
    for sentence in sentences(text):
        asks = SCREENSHOT.search(sentence) or KEEP.search(sentence)
        if asks and PICTURE.search(SCREENSHOT.sub("", sentence)) and not NEGATION.search(sentence):
            bad.append(sentence)
    return bad


def test_the_safety_check_can_fail():
    assert pupil_told_to_copy_pictures("Ta skjermbilder av chatten og bildene.")
    assert pupil_told_to_copy_pictures("Bring screenshots of the chat and the pictures.")
    assert pupil_told_to_copy_pictures("Lagre bildet som bevis.")
    assert not pupil_told_to_copy_pictures("Ta skjermbilder av chatten, ikke av bildet.")
    assert not pupil_told_to_copy_pictures("Take screenshots of the chat. Never of the pictures.")
    assert pupil_told_to_copy_pictures("Ta skjermbilete av chatten og bileta.")
    assert pupil_told_to_copy_pictures("Lagre biletet som bevis.")
    assert not pupil_told_to_copy_pictures("Ta skjermbilete av chatten, ikkje av biletet.")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_text_tells_a_pupil_to_screenshot_or_keep_the_pictures(scenario):
    conv = load_conversation(scenario=scenario)
    bad = [
        (where, lang, sentence)
        for where, lang, text in student_texts(conv)
        for sentence in pupil_told_to_copy_pictures(text)
    ]
    assert bad == []


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_words_of_the_word_list_and_the_one_sentence(scenario):
    conv = load_conversation(scenario=scenario)
    texts = student_texts(conv)
    nb = " ".join(text for _, lang, text in texts if lang == "nb")
    for wrong in ("varseltegn", "varselsignal", "vennelisten", "Det har skjedd noe jeg trenger"):
        assert wrong not in nb
    said = {lang: " ".join(t for _, la, t in texts if la == lang) for lang in LANGS}
    assert "Det skjer noe jeg trenger hjelp med." in said["nb"]
    assert "Det skjer noko eg treng hjelp med." in said["nn"]
    assert "Something is happening that I need help with." in said["en"]
    for lang in LANGS:
        assert load_course().t("tell_adult", lang) in said[lang]


def test_the_screenshot_step_names_what_to_screenshot_and_never_the_pictures():
    step = {s.id: s for s in load_conversation().steps}["screenshots"]
    for word in ("chatten", "profilen", "brukernavnene", "kravene", "betalingsinformasjonen",
                 "aldri skjermbilde av bildene"):
        assert word in step.text["nb"]
    for word in ("chat", "profile", "usernames", "demands", "payment details",
                 "Never screenshot the pictures"):
        assert word in step.text["en"]
    for word in ("chatten", "profilen", "brukarnamna", "krava", "betalingsinformasjonen",
                 "aldri skjermbilete av bileta"):
        assert word in step.text["nn"]
