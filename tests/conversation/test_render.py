"""Static HTML of a path through the chat."""

from __future__ import annotations

import copy
from html import escape
from html.parser import HTMLParser

import pytest

from awareness.content.course import load_course
from awareness.content.load import read_yaml
from awareness.conversation.engine import ChatEngine, all_paths
from awareness.conversation.model import CONVERSATION_FILE, Conversation, load_conversation
from awareness.conversation.render import (
    render_css,
    render_decision,
    render_ending,
    render_message,
    render_path,
)
from awareness.paths import content_root

LANGS = load_course().languages
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


@pytest.mark.parametrize("lang", LANGS)
def test_every_path_renders(conv, lang):
    course = load_course()
    for path in all_paths(conv):
        html = render_path(conv, path, lang, services=course.help)
        parse(html)
        engine = ChatEngine(conv, path)
        for node in engine.transcript:
            assert f'data-node="{node.id}"' in html
        assert escape(engine.current.ending.title[lang]) in html
        assert 'class="aw-ending"' in html and 'class="aw-help"' in html


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
    assert "aw-left" in left and "Emma_17" in left and "21:08" in left
    assert escape("[" + conv.node("d2-pictures").image.alt["nb"] + "]") in left
    assert 'role="img"' in left
    right = render_message(conv, conv.node("j3-sent"), "nb")
    assert "aw-right" in right and escape("[Jonas sendte et bilde]") in right
    note = render_message(conv, conv.node("n-break"), "nb")
    assert "aw-center" in note and "aw-note" in note
    flagged = render_message(conv, conv.node("d1-hello"), "nb", flagged=True)
    assert "aw-flagged" in flagged and escape(conv.ui.warning_sign["nb"]) in flagged


def test_flags_in_a_static_path(conv):
    path = ("c1-reply", "c2-go-along", "c3-send", "c4-break", "c5-get-help")
    html = render_path(conv, path, "en", flags=["d1-hello", "j1-reply"], services=[])
    assert html.count("aw-flagged") == 1  # Jonas's own message cannot be flagged
    found = html[html.index('class="aw-found"') : html.index('class="aw-missed"')]
    assert 'data-tag="unknown-contact"' in found


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
    data, _ = read_yaml(content_root() / CONVERSATION_FILE)
    data = copy.deepcopy(data)
    node = data["nodes"][0]
    for lang in node["text"]:
        node["text"][lang] = INJECTION
        node["prompt"][lang] = INJECTION
        node["choices"][0]["feedback"][lang] = INJECTION
        data["tags"][0]["label"][lang] = INJECTION
    conv = Conversation.model_validate(data, context={"languages": LANGS})
    html = render_path(conv, ("c1-ignore",), LANGS[0], flags=["d1-hello"], services=[])
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "img" not in parse(html).tags


def test_css_is_real_and_local():
    css = render_css()
    assert ".awareness-chat" in css and ".aw-bubble" in css
    assert "http" not in css and "@import" not in css and "url(" not in css
