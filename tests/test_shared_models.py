"""Shared layout and style models: fewer models per page and per click, and a widget that
is shown and hidden never hides another one with it."""

from __future__ import annotations

import ipywidgets as w
import pytest
from ipywidgets.widgets.widget import _instances

from awareness import shared_models
from awareness.content.course import load_course
from awareness.conversation.widget import chat_widget
from awareness.quiz.model import load_banks, load_ui
from awareness.quiz.widget import QuizWidget
from awareness.shared_models import html_widget, shared_layout, shared_style
from tests.widget_tour import tour

LANG = load_course().languages[0]


@pytest.fixture(autouse=True)
def fast(monkeypatch):
    monkeypatch.setenv("AWARENESS_FAST", "1")


def is_layout_or_style(model: w.Widget) -> bool:
    return isinstance(model, w.Layout | w.widgets.widget_style.Style)


def new_models(before: set[str]) -> list[w.Widget]:
    return [model for key, model in list(_instances.items()) if key not in before]


def shared_layouts_untouched() -> list[str]:
    """Shared layouts whose traits differ from the ones they were made with."""
    changed = []
    for (kind, traits), model in shared_models._MODELS.items():
        if kind is not w.Layout:
            continue
        fresh = w.Layout(**dict(traits))
        if model.get_state() != fresh.get_state():
            changed.append(f"{dict(traits)} -> {model.get_state()}")
        fresh.close()
    return changed


def test_one_model_per_kind_and_traits():
    assert shared_layout() is shared_layout()
    assert shared_layout(width="auto") is shared_layout(width="auto")
    assert shared_layout(width="auto") is not shared_layout()
    assert shared_style(w.ButtonStyle) is shared_style(w.ButtonStyle)
    assert html_widget("a").layout is html_widget("b").layout


def test_a_closed_model_is_replaced():
    layout = shared_layout(width="12px")
    layout.close()
    again = shared_layout(width="12px")
    assert again is not layout and again.comm is not None


def test_a_chat_click_makes_no_layout_or_style_models():
    chat = chat_widget(LANG)
    before = set(_instances)
    chat.choice_buttons[0].click()
    made = new_models(before)
    assert made, "the click showed new messages"
    assert not [type(m).__name__ for m in made if is_layout_or_style(m)]


def test_the_chat_at_start_is_half_the_models_it_was():
    before = set(_instances)
    chat_widget(LANG)
    # 56 models before layouts and styles were shared.
    assert len(new_models(before)) <= 30


def test_hiding_one_widget_hides_no_other():
    chat = chat_widget(LANG)
    pool = chat._pool
    assert len({id(b.layout) for b in pool}) == len(pool)
    assert chat.ending_panel.layout not in {b.layout for b in pool}
    quiz = QuizWidget(load_banks()["03-if-it-happens"].questions, LANG, load_ui(), seed=1)
    hidden = [quiz.progress, quiz.prompt, quiz.hint, quiz.inputs, quiz.summary,
              quiz.check_button, quiz.try_again_button, quiz.show_answer_button,
              quiz.next_button, quiz.restart_button]
    layouts = [part.layout for part in hidden]
    assert len({id(x) for x in layouts}) == len(layouts)
    assert not {id(x) for x in layouts} & {id(m) for m in shared_models._MODELS.values()}


def test_every_path_leaves_the_shared_layouts_as_they_were():
    tour(LANG)
    assert shared_layouts_untouched() == []
