"""The chat widget, driven by clicking its buttons from Python."""

from __future__ import annotations

import copy
from html import escape

import ipywidgets as w
import pytest

from awareness.content.course import load_course
from awareness.content.load import read_yaml
from awareness.conversation import widget as widget_module
from awareness.conversation.model import (
    ChatShared,
    Conversation,
    ScenarioFile,
    load_conversation,
    scenario_file,
)
from awareness.conversation.widget import (
    MAX_TYPING,
    ChatWidget,
    chat_widget,
    typing_seconds,
)
from awareness.paths import content_root

LANGS = load_course().languages
INJECTION = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def fast(monkeypatch):
    monkeypatch.setenv("AWARENESS_FAST", "1")


def html_of(widget: w.Widget) -> str:
    """All the HTML a widget and its children show."""
    parts = []
    if isinstance(widget, w.HTML):
        parts.append(widget.value)
    for child in getattr(widget, "children", ()):
        parts.append(html_of(child))
    return "\n".join(parts)


def click_path(chat: ChatWidget, path) -> None:
    for choice_id in path:
        chat.choice_button(choice_id).click()
    assert chat.error_label.value == ""


@pytest.mark.parametrize("lang", LANGS)
def test_start_state(lang):
    chat = chat_widget(lang)
    conv = load_conversation()
    assert isinstance(chat, ChatWidget)
    assert {"awareness-chat", "aw-messenger"} <= set(chat._dom_classes)
    assert "awareness-live" in chat.message_list._dom_classes
    assert chat.shown_node_ids == ["d1-hello"]
    assert [b.description for b in chat.choice_buttons] == [
        c.text[lang] for c in conv.node("d1-hello").choices
    ]
    assert all(b.description.strip() for b in chat.choice_buttons)
    assert chat.back_button.disabled
    assert chat.back_button.description.strip() and chat.restart_button.description.strip()
    progress = conv.ui.progress[lang].replace("{step}", "1").replace("{total}", "8")
    assert progress in chat.progress_label.value
    assert chat.ending_panel.layout.display == "none"
    assert escape(conv.node("d1-hello").text[lang]) in html_of(chat.message_list)
    # the messenger: who it is (with an avatar) in the top line, every speaker's "… is
    # typing" drawn ahead and hidden
    assert 'class="aw-peer">Emma_17<' in chat.progress_label.value
    assert 'class="aw-avatar aw-av-0"' in chat.progress_label.value
    typing = chat.typing_slot.value
    for speaker in conv.speakers:
        assert (f'data-speaker="{speaker.id}" hidden' in typing) == (speaker.side == "left")


@pytest.mark.parametrize("lang", LANGS)
def test_clicking_to_the_safe_ending(lang):
    conv = load_conversation()
    course = load_course()
    chat = chat_widget(lang)
    chat.choice_button("c1-reply").click()
    assert chat.shown_node_ids == [
        "d1-hello", "j1-reply", "e1-mutual", "e1-game", "j1-game", "e1-same", "e1-flattery",
        "d1b-move",
    ]
    shown = html_of(chat.message_list)
    assert 'data-choice="c1-reply"' in shown  # the feedback card
    assert not chat.back_button.disabled
    click_path(chat, ["c1b-move"])
    # the picture tile, with its text alternative
    chat_html = html_of(chat.message_list)
    assert escape(f"[{conv.node('d2-pictures').image.alt[lang]}]") in chat_html
    chat.flag_buttons["d1-hello"].click()  # small talk: counted as a wrong flag
    chat.flag_buttons["e1-mutual"].click()
    click_path(chat, ["c2-go-along", "c3-send", "c4-break", "c5-get-help"])
    assert chat.engine.current.id == "end-safe"
    assert chat.choice_buttons == []
    assert all(b.layout.display == "none" for b in chat.choice_box.children)
    assert chat.ending_panel.layout.display is None
    ending = chat.ending_panel.value
    assert escape(conv.node("end-safe").ending.title[lang]) in ending
    assert escape(conv.ui.replay[lang]) in ending
    # the progress line says the chat has ended; its total never changed
    assert escape(conv.ui.ending[lang]) in chat.progress_label.value
    for service in course.help:  # every help service (some have no web address)
        assert escape(service.name[lang]) in ending
        assert not service.url or escape(service.url) in ending
        for phone in service.phones:  # every number one tap away
            assert f'href="tel:{phone}"' in ending
    assert 'class="aw-not-your-fault"' in ending and 'class="aw-steps"' in ending
    assert 'class="aw-not-in-trouble"' in ending
    assert escape(course.source[lang]) in ending
    # the counts of the warning-sign game, and the pupil's own chat replayed: the flagged
    # small talk with the kind word on it, the signs found and missed marked
    assert 'data-found="2"' in ending and 'data-wrong="1"' in ending
    hello = ending[ending.index('data-node="d1-hello"') :]
    assert escape(conv.node("d1-hello").ordinary[lang]) in hello.split("</li></ul></li>")[0]
    assert 'class="aw-mark aw-mark-wrong"' in hello
    assert ending.count("aw-mark-found") == 2


def test_clicking_to_the_paid_ending_with_flags():
    chat = chat_widget("nb")
    chat.choice_button("c1-ask").click()
    chat.flag_buttons["e1-mutual"].click()
    click_path(chat, ["c1b-stay", "c2-slow-down", "c3-send"])
    chat.flag_buttons["d4-demand"].click()
    click_path(chat, ["c4-pay", "c6-pay-again"])
    assert chat.engine.current.id == "end-paid"
    ending = chat.ending_panel.value
    assert 'class="aw-mark aw-mark-found" data-tag="mutual-friend"' in ending
    assert 'class="aw-mark aw-mark-found" data-tag="money-demand"' in ending
    assert 'class="aw-mark aw-mark-missed" data-tag="higher-demand"' in ending
    assert 'data-wrong="0"' in ending and "aw-mark-wrong" not in ending


@pytest.mark.parametrize("lang", LANGS)
def test_the_second_scenario_in_the_widget(lang):
    """Sara's chat: its own title, fiction line, names in the words, endings and debrief."""
    conv = load_conversation(scenario="sara")
    chat = chat_widget(lang, scenario="sara")
    assert isinstance(chat, ChatWidget) and chat.conversation is conv
    header = html_of(chat)
    assert escape(conv.title[lang]) in header and escape(conv.fiction[lang]) in header
    assert chat.shown_node_ids[0] == "a1-hi"
    for button in chat.flag_buttons.values():
        button.click()  # flag everything: never a perfect result
    click_path(chat, ["c1-no", "c2-friend"])
    assert chat.engine.current.id == "end-friend"
    assert 'data-node="l1-help"' not in chat.ending_panel.value
    chat.flag_buttons["l1-help"].click()  # after the end: the debrief follows
    ending = chat.ending_panel.value
    assert escape(conv.node("end-friend").ending.debrief[lang]) in ending
    assert escape(conv.debrief.heading[lang]) in ending
    assert escape(conv.ui.perfect[lang]) not in ending
    assert 'class="aw-mark aw-mark-wrong" data-node="l1-help"' in ending
    assert "Sara" in chat._feedback["c1-no"].value  # "Sara valgte:" / "Sara chose:"


def test_an_unknown_scenario_shows_a_short_message():
    shown = chat_widget("nb", scenario="nobody")
    assert isinstance(shown, w.HTML)
    assert load_course().t("content_error", "nb") in shown.value
    assert "nobody" not in shown.value


def test_flag_button_toggles():
    chat = chat_widget("en")
    ui = chat.conversation.ui
    button = chat.flag_buttons["d1-hello"]
    assert button.description == ui.flag["en"]
    button.click()
    assert chat.engine.is_flagged("d1-hello")
    assert ui.flagged["en"] in button.description
    assert "aw-flag-on" in button._dom_classes
    assert "aw-flagged" in chat._bubbles["d1-hello"].value
    button.click()
    assert not chat.engine.is_flagged("d1-hello")
    assert "aw-flagged" not in chat._bubbles["d1-hello"].value
    assert button.description == ui.flag["en"]


def test_only_the_other_side_gets_flag_buttons():
    chat = chat_widget("nb")
    click_path(chat, ["c1-reply", "c1b-move", "c2-go-along", "c3-send"])
    assert "j1-reply" not in chat.flag_buttons and "j3-sent" not in chat.flag_buttons
    assert "n-moved" not in chat.flag_buttons  # the narrator
    assert {"d1-hello", "e2-flirt", "e3-recorded", "d4-demand"} <= set(chat.flag_buttons)


def test_back_and_restart_buttons():
    chat = chat_widget("nb")
    click_path(chat, ["c1-reply", "c1b-move", "c2-go-along"])
    chat.flag_buttons["e2-flirt"].click()
    chat.back_button.click()
    assert chat.engine.path == ("c1-reply", "c1b-move")
    assert chat.shown_node_ids[-1] == "d2-pictures"
    assert [b.choice_id for b in chat.choice_buttons] == ["c2-go-along", "c2-slow-down", "c2-stop"]
    assert chat.engine.is_flagged("e2-flirt")
    click_path(chat, ["c2-stop"])
    assert chat.ending_panel.layout.display is None
    chat.back_button.click()
    assert chat.ending_panel.layout.display == "none"
    chat.restart_button.click()
    assert chat.shown_node_ids == ["d1-hello"]
    assert chat.engine.flags == frozenset()
    assert "aw-flagged" not in html_of(chat.message_list)
    assert chat.back_button.disabled


def test_choice_buttons_are_reused_so_the_focus_stays():
    chat = chat_widget("nb")
    pressed = chat.choice_button("c1-reply")
    pressed.click()
    assert pressed in chat.choice_buttons and pressed.layout.display is None
    assert not pressed.disabled and "aw-busy" not in chat.choice_box._dom_classes
    assert pressed.choice_id == "c1b-move"
    assert len(chat.choice_box.children) == 4
    visible = [b for b in chat.choice_box.children if b.layout.display != "none"]
    assert visible == chat.choice_buttons


def test_a_late_click_on_an_old_choice_does_nothing():
    chat = chat_widget("nb")
    chat.choose("c1-reply")
    chat.choose("c1-reply")  # already made: ignored, no error
    assert chat.engine.path == ("c1-reply",)
    assert chat.error_label.value == ""


def test_seed_shuffles_the_choice_buttons_the_same_way():
    first = [b.choice_id for b in chat_widget("nb", seed=7).choice_buttons]
    again = [b.choice_id for b in chat_widget("nb", seed=7).choice_buttons]
    assert first == again
    assert sorted(first) == ["c1-ask", "c1-ignore", "c1-reply"]


def test_unknown_language_falls_back_to_the_default():
    chat = chat_widget("xx")
    assert isinstance(chat, ChatWidget)
    assert chat.lang == load_course().default_language


def test_a_failing_callback_shows_a_short_message(monkeypatch):
    chat = chat_widget("nb")

    def boom(choice_id):
        raise RuntimeError("internal detail")

    monkeypatch.setattr(chat.engine, "choose", boom)
    chat.choice_buttons[0].click()  # must not raise
    assert escape(chat.conversation.ui.error["nb"]) in chat.error_label.value
    assert "internal detail" not in chat.error_label.value
    assert "Traceback" not in chat.error_label.value


def test_a_broken_content_file_shows_a_short_message(monkeypatch):
    def broken(root=None):
        raise ValueError("boom")

    monkeypatch.setattr(widget_module, "load_conversation", broken)
    shown = chat_widget("nb")
    assert isinstance(shown, w.HTML)
    assert load_course().t("content_error", "nb") in shown.value
    assert "boom" not in shown.value


def test_typing_grows_with_the_message_and_pauses_before_the_threat(monkeypatch):
    conv = load_conversation()
    hello, threat = conv.node("d1-hello"), conv.node("e3-recorded")
    assert typing_seconds(hello, "nb") == (0.0, 0.0)  # AWARENESS_FAST=1
    monkeypatch.delenv("AWARENESS_FAST")
    short = conv.node("e1-game")  # "Hva spiller du? 🎮"
    long = conv.node("e1-mutual")
    assert typing_seconds(short, "nb")[0] < typing_seconds(long, "nb")[0] <= MAX_TYPING
    assert typing_seconds(hello, "nb")[1] == 0.0
    assert typing_seconds(threat, "nb")[1] == threat.pause > 0  # the tone turns
    monkeypatch.setenv("AWARENESS_TYPING_SCALE", "0.5")
    assert typing_seconds(long, "nb")[0] == pytest.approx(
        min(widget_module.TYPING_START + widget_module.TYPING_PER_CHAR
            * len(long.text["nb"]), MAX_TYPING) * 0.5, abs=0.01)


def test_a_choice_is_answered_at_once_and_the_page_gets_the_typing_times(monkeypatch):
    """The kernel never waits: a choice brings every new message in one update, each
    from the other side with how long "… is typing" shows before it (for the page)."""
    monkeypatch.delenv("AWARENESS_FAST")
    chat = chat_widget("nb")
    chat.choice_button("c1-reply").click()
    # e1-mutual, e1-game, e1-same, e1-flattery and d1b-move come from the other side;
    # j1-reply and j1-game are Jonas's
    for node_id in ("e1-mutual", "e1-game", "e1-same", "e1-flattery", "d1b-move"):
        typing, pause = typing_seconds(chat.conversation.node(node_id), "nb")
        assert f'data-typing="{typing:g}" data-pause="{pause:g}"' in chat._bubbles[node_id].value
    assert "data-typing" not in chat._bubbles.get("j1-reply", w.HTML()).value
    assert "aw-typing" not in html_of(chat.message_list)
    assert chat.engine.path == ("c1-reply",)
    assert [b.choice_id for b in chat.choice_buttons] == ["c1b-move", "c1b-stay", "c1b-stop"]
    # a double tap: the second press, on the relabelled button, is not the next choice
    chat.choice_buttons[0].click()
    assert chat.engine.path == ("c1-reply",)


def _injected() -> Conversation:
    data, _ = read_yaml(content_root() / scenario_file("jonas"))
    data = copy.deepcopy(data)
    first = data["nodes"][0]
    for lang in first["text"]:
        first["text"][lang] = INJECTION
        first["choices"][0]["text"][lang] = INJECTION
        first["choices"][0]["feedback"][lang] = INJECTION
        data["speakers"][0]["name"][lang] = INJECTION
        data["fiction"][lang] = INJECTION
    scenario = ScenarioFile.model_validate(data, context={"languages": LANGS})
    shared_data, _ = read_yaml(content_root() / "lessons" / "chat.yaml")
    shared = ChatShared.model_validate(shared_data, context={"languages": LANGS})
    return Conversation.build("jonas", scenario, shared)


@pytest.mark.parametrize("lang", LANGS)
def test_injection_is_escaped(lang):
    chat = ChatWidget(_injected(), lang, load_course().help)
    chat.choice_buttons[0].click()
    chat.flag_buttons["d1-hello"].click()
    shown = html_of(chat)
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert "<img" not in shown
    # button labels are plain text in ipywidgets, shown as typed
    assert chat.engine.path == (chat.conversation.node("d1-hello").choices[0].id,)


def test_the_answer_and_its_feedback_reach_the_screen_together():
    chat = chat_widget("nb")
    updates: list[tuple] = []
    chat.message_list.observe(lambda change: updates.append(change["new"]), "children")
    chat.choice_button("c1-reply").click()
    feedback = chat._feedback["c1-reply"]
    first_with_feedback = next(i for i, children in enumerate(updates) if feedback in children)
    answer = chat._messages[chat.engine.entries[1].node.id]
    first_with_answer = next(i for i, children in enumerate(updates) if answer in children)
    assert first_with_feedback == first_with_answer


def test_back_to_the_start_hands_the_focus_to_the_first_choice():
    chat = chat_widget("nb")
    chat.choice_button("c1-reply").click()
    focused: list[w.Widget] = []
    for button in chat._pool:
        button.send = lambda msg, _b=button: focused.append(_b) if msg == {"do": "focus"} else None
    chat.back_button.click()
    assert chat.back_button.disabled
    assert focused == [chat.choice_buttons[0]]
