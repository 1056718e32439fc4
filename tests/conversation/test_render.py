"""Static HTML of a path through the chat."""

from __future__ import annotations

import copy
from html import escape
from html.parser import HTMLParser

import pytest

from awareness.content.course import load_course
from awareness.content.load import read_yaml
from awareness.conversation.engine import ChatEngine, all_paths
from awareness.conversation.model import (
    ChatShared,
    Conversation,
    ScenarioFile,
    load_conversation,
    scenario_file,
    scenario_ids,
)
from awareness.conversation.render import (
    render_css,
    render_decision,
    render_ending,
    render_message,
    render_path,
)
from awareness.paths import content_root

LANGS = load_course().languages
SCENARIOS = scenario_ids()
INJECTION = "<img src=x onerror=alert(1)>"


class _Tags(HTMLParser):
    """Collects start tags and checks that every opened element is closed."""

    VOID = {"br", "img", "input", "meta", "hr", "circle", "path", "rect"}

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    assert parser.stack == []
    return parser


@pytest.fixture(scope="module")
def conv():
    return load_conversation()


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_path_renders(scenario, lang):
    """Every ending of every scenario: its own debrief, "you are not in trouble", the
    shared steps and the help services, and the counts of the warning-sign game."""
    conv = load_conversation(scenario=scenario)
    course = load_course()
    for path in all_paths(conv):
        flags = [n.id for n in ChatEngine(conv, path).transcript]
        html = render_path(conv, path, lang, flags=flags, services=course.help)
        parse(html)
        engine = ChatEngine(conv, path)
        for node in engine.transcript:
            assert f'data-node="{node.id}"' in html
        assert escape(engine.current.ending.title[lang]) in html
        assert escape(engine.current.ending.debrief[lang]) in html
        assert 'class="aw-ending"' in html and 'class="aw-help"' in html
        assert escape(load_course().t("not_in_trouble", lang)) in html
        assert escape(load_course().t("not_in_trouble_why", lang)) in html
        assert escape(conv.debrief.heading[lang]) in html
        for step in conv.steps:
            assert escape(step.text[lang]) in html
        # every message flagged: the wrong flags are marked and counted, never "perfect"
        assert 'class="aw-score"' in html and "aw-mark-wrong" in html
        assert escape(conv.ui.perfect[lang]) not in html
        # every number of the help services is a tel: link
        for service in course.help:
            for phone in service.phones:
                assert f'href="tel:{phone}"' in html


def test_decisions_show_every_choice_and_feedback(conv):
    node = conv.node("d4-demand")
    html = render_decision(conv, node, "nb", chosen="c4-tell")
    parse(html)
    for choice in node.choices:
        assert escape(choice.feedback["nb"]) in html
        assert f'data-choice="{choice.id}"' in html
    assert html.count('class="aw-chosen"') == 1
    assert escape(conv.ui.risky["nb"]) in html and escape(conv.ui.wise["nb"]) in html


def test_message_bubbles(conv):
    left = render_message(conv, conv.node("d2-pictures"), "nb")
    assert "aw-left" in left and "Emma_17" in left and "21:10" in left
    assert escape("[" + conv.node("d2-pictures").image.alt["nb"] + "]") in left
    assert 'role="img"' in left
    right = render_message(conv, conv.node("j3-sent"), "nb")
    assert "aw-right" in right and escape("[Jonas sendte et bilde]") in right
    note = render_message(conv, conv.node("n-break"), "nb")
    tile = render_message(conv, conv.node("e7-ai"), "en")
    assert escape("[Image: blurred fake picture made with AI]") in tile and "aw-img-ai-fake" in tile
    assert "aw-center" in note and "aw-note" in note
    flagged = render_message(conv, conv.node("d1-hello"), "nb", flagged=True)
    assert "aw-flagged" in flagged and escape(conv.ui.warning_sign["nb"]) in flagged


SAFE = ("c1-reply", "c1b-stay", "c2-go-along", "c3-send", "c4-break", "c5-get-help")


def test_flags_in_a_static_path(conv):
    html = render_path(conv, SAFE, "en", flags=["e1-mutual", "j1-reply"], services=[])
    # Jonas's own message cannot be flagged: the bubble, and its replay in the debrief
    assert html.count('class="aw-msg aw-left aw-flagged"') == 1
    assert html.count('class="aw-replay-msg aw-flagged"') == 1
    replayed = html[html.index('class="aw-replay-item" data-node="e1-mutual"') :]
    replayed = replayed[: replayed.index("</ul></li>")]
    assert 'aw-mark-found" data-tag="mutual-friend"' in replayed
    assert 'aw-mark-found" data-tag="odd-language"' in replayed
    assert "aw-mark-wrong" not in html


def test_counts_and_kind_words_for_wrong_flags(conv):
    engine = ChatEngine(conv, SAFE)
    total = len({t for n in engine.transcript for t in n.tags})
    html = render_path(conv, SAFE, "nb", flags=["d1-hello", "e1-game", "e1-mutual"], services=[])
    score = conv.ui.score["nb"].replace("{found}", "2").replace("{total}", str(total))
    assert escape(score.replace("{wrong}", "2")) in html
    assert f'data-found="2" data-total="{total}" data-wrong="2"' in html
    assert 'aw-mark-wrong" data-node="d1-hello"' in html
    assert 'aw-mark-wrong" data-node="e1-game"' in html
    hello = html[html.index('aw-mark-wrong" data-node="d1-hello"') :]
    assert escape(conv.node("d1-hello").ordinary["nb"]) in hello[: hello.index("</li>")]
    assert escape(conv.ui.wrong["nb"]) in html
    # the replay follows the chat: the hello before the game talk
    assert html.index('data-node="d1-hello"><div class="aw-replay') < html.index(
        'data-node="e1-game"><div class="aw-replay')


def test_the_shared_words_stand_in_for_a_message_without_its_own(conv):
    data, _ = read_yaml(content_root() / scenario_file("jonas"))
    data = copy.deepcopy(data)
    del next(n for n in data["nodes"] if n["id"] == "d1-hello")["ordinary"]
    scenario = ScenarioFile.model_validate(data, context={"languages": LANGS})
    other = Conversation.build("jonas", scenario, _shared())
    html = render_path(other, ("c1-ignore",), "en", flags=["d1-hello"], services=[])
    assert escape(other.ui.small_talk["en"]) in html


def test_all_signs_and_no_wrong_flag_is_praised(conv):
    engine = ChatEngine(conv, SAFE)
    tagged = [n.id for n in engine.transcript if n.tags]
    html = render_path(conv, SAFE, "en", flags=tagged, services=[])
    assert escape(conv.ui.perfect["en"]) in html
    html = render_path(conv, SAFE, "en", flags=[*tagged, "e1-same"], services=[])
    assert escape(conv.ui.perfect["en"]) not in html
    assert escape(conv.ui.none_missed["en"]) in html


def test_unfinished_path_has_no_ending(conv):
    html = render_path(conv, ("c1-reply",), "nb", services=[])
    assert 'class="aw-ending"' not in html
    assert 'class="aw-decision"' in html


def test_ending_uses_the_course_help_services_by_default(conv):
    engine = ChatEngine(conv, ("c1-ignore",))
    html = render_ending(conv, engine.summary(), "nb")
    for service in load_course().help:
        assert escape(service.name["nb"]) in html


def test_injection_is_escaped_in_static_html():
    data, _ = read_yaml(content_root() / scenario_file("jonas"))
    data = copy.deepcopy(data)
    node = data["nodes"][0]
    for lang in node["text"]:
        node["text"][lang] = INJECTION
        node["prompt"][lang] = INJECTION
        node["ordinary"][lang] = INJECTION
        node["choices"][2]["feedback"][lang] = INJECTION
        data["tags"][0]["label"][lang] = INJECTION
        data["fiction"][lang] = INJECTION
    scenario = ScenarioFile.model_validate(data, context={"languages": LANGS})
    conv = Conversation.build("jonas", scenario, _shared())
    html = render_path(conv, ("c1-ignore",), LANGS[0], flags=["d1-hello"], services=[])
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "img" not in parse(html).tags


def _shared() -> ChatShared:
    data, _ = read_yaml(content_root() / "lessons" / "chat.yaml")
    return ChatShared.model_validate(data, context={"languages": LANGS})


def test_css_is_real_and_local():
    css = render_css()
    assert ".awareness-chat" in css and ".aw-bubble" in css
    assert "http" not in css and "@import" not in css and "url(" not in css


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_message_in_another_language_is_marked_for_screen_readers(scenario):
    """A message written the same in every language (the blackmailer's English) says so
    (``written_in``), and every page but its own language's marks it with ``lang``
    (WCAG 3.1.2), in the chat and in the debrief's replay."""
    from awareness.conversation.render import replay_head

    chat = load_conversation(scenario=scenario)
    for node in chat.nodes:
        texts = {node.text[lang].lower() for lang in LANGS}
        if len(LANGS) > 1 and len(texts) == 1 and len(node.text[LANGS[0]].split()) > 3:
            assert node.written_in, f"{scenario}/{node.id}: the same text in every language"
        if not node.written_in:
            continue
        for lang in LANGS:
            marked = f'lang="{node.written_in}"' in render_message(chat, node, lang)
            replayed = f'lang="{node.written_in}"' in replay_head(chat, node, lang, False)
            assert marked == replayed == (lang != node.written_in), (node.id, lang)
