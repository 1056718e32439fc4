"""The slide parts without a browser: the chat's branches, flows, notes, words, palette, emoji."""

from __future__ import annotations

import re

import pytest

from awareness.content.course import load_course
from awareness.conversation.model import load_conversation, scenario_ids
from awareness.slides.chat_deck import AFTER, ChatDeck
from awareness.slides.emoji import EMOJI, inline_emoji
from awareness.slides.flow import compose, flow_notes, make_flow, split
from awareness.slides.measure import describe, split_overflowing
from awareness.slides.theme import NEEDED, THEME_CSS, palette, palette_css
from awareness.slides.words import load_words, problems
from tests.conftest import ROOT

COURSE = load_course(ROOT)
WORDS = load_words(COURSE.languages)
SCENARIOS = [(lang, sc) for lang in COURSE.languages for sc in scenario_ids(ROOT)]


def deck(lang: str, scenario: str) -> tuple[object, list[dict]]:
    conv = load_conversation(scenario=scenario)
    return conv, ChatDeck(conv, COURSE, WORDS, lang).slides()


@pytest.mark.parametrize(("lang", "scenario"), SCENARIOS)
def test_every_message_choice_and_ending_is_on_a_slide_once(lang, scenario):
    conv, slides = deck(lang, scenario)
    html = "".join(s.get("html") or compose(s["flow"]) for s in slides)
    ids = [s["id"] for s in slides]
    assert len(ids) == len(set(ids))
    for node in conv.nodes:
        shown = html.count(f'data-node="{node.id}"')
        # a decision's message is on its decision slide only
        assert shown == 1, (node.id, shown)
    for node in conv.decisions():
        assert f"aw-{conv.id}-d-{node.id}" in ids
        for choice in node.choices:
            assert f'href="#/aw-{conv.id}-c-{choice.id}"' in html
            assert f"aw-{conv.id}-c-{choice.id}" in ids
    for node in conv.endings():
        assert f"aw-{conv.id}-e-{node.id}" in ids


@pytest.mark.parametrize(("lang", "scenario"), SCENARIOS)
def test_following_the_story_reaches_every_ending(lang, scenario):
    """Walk the slides as the deck's script does: next, or each lettered link."""
    conv, slides = deck(lang, scenario)
    by_id = {s["id"]: s for s in slides}
    order = [s["id"] for s in slides if s["place"] == "main"]
    reached, todo, seen = set(), [slides[0]["id"]], set()
    while todo:
        slide_id = todo.pop()
        if slide_id in seen or slide_id.startswith(AFTER):
            continue
        seen.add(slide_id)
        slide = by_id[slide_id]
        html = slide.get("html") or compose(slide["flow"])
        if slide.get("kind_of") == "chat-ending":
            reached.add(slide_id)
        targets = re.findall(r'data-aw-key="[A-Z]"', html) and re.findall(
            r'class="aw-option" href="#/([^"]+)"', html)
        todo += targets or []
        nxt = slide.get("next")
        if nxt is None and slide_id in order and order.index(slide_id) + 1 < len(order):
            nxt = order[order.index(slide_id) + 1]
        if nxt:
            todo.append(nxt)
    assert reached == {f"aw-{conv.id}-e-{n.id}" for n in conv.endings()}
    assert {f"aw-{conv.id}-c-{c.id}" for n in conv.decisions() for c in n.choices} <= seen


def test_the_main_line_is_the_teacher_path_and_the_rest_an_appendix():
    conv, slides = deck(COURSE.languages[0], "jonas")
    places = [s["place"] for s in slides]
    assert places == sorted(places, key=lambda p: p != "main"), "main first, then the appendix"
    appendix = [s for s in slides if s["place"] == "appendix"]
    assert appendix[0]["kind_of"] == "chat-appendix"
    main_ids = {s["id"] for s in slides if s["place"] == "main"}
    assert any(s["next"] == AFTER for s in slides if s["id"] in main_ids)


def test_notes_say_the_answer_and_why_for_every_choice():
    lang = COURSE.languages[0]
    conv, slides = deck(lang, "jonas")
    for node in conv.decisions():
        slide = next(s for s in slides if s["id"] == f"aw-{conv.id}-d-{node.id}")
        for choice in node.choices:
            assert choice.feedback[lang].split()[0] in slide["notes"]


def test_a_flow_splits_keeps_its_tail_for_the_last_slide_and_numbers_on():
    flow = make_flow('<ol data-aw-flow="1">', [f"<li>{i}</li>" for i in range(5)], "</ol>",
                     "<p>tail</p>", "", head_cont='<h2>cont</h2><ol data-aw-flow="1">')
    flow["numbered"] = True
    flow["notes_head"] = "head"
    flow["block_notes"] = [f"n{i}" for i in range(5)]
    one, two = split(flow, 2)
    assert compose(one) == '<ol data-aw-flow="1"><li>0</li><li>1</li></ol>'
    assert compose(two) == ('<h2>cont</h2><ol data-aw-flow="1" start="3"><li>2</li><li>3</li>'
                            "<li>4</li></ol><p>tail</p>")
    assert flow_notes(two) == "head\n\nn2\nn3\nn4"
    with pytest.raises(ValueError):
        split(one, 2)


def test_an_overflow_is_named_with_deck_slide_and_px():
    text = describe("slides nb/02-the-conversation",
                    [{"id": "aw-s4", "n": 4, "over_y": 63, "over_x": 0, "what": "p"}])
    assert text == ("slides nb/02-the-conversation: slide 4 (aw-s4): content runs 63 px past "
                    "the bottom (lowest: p)")


def test_a_text_slide_gets_two_columns_then_gives_up():
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_markdown_cell("# Long")
    cell.metadata["slideshow"] = {"slide_type": "slide"}
    nb.cells = [cell]
    bad = [{"id": "aw-s1", "n": 1, "over_y": 40, "over_x": 0, "blocks": None, "limit": 992}]
    nb, stuck = split_overflowing(nb, bad)
    assert stuck == [] and nb.cells[0].metadata["awareness"]["layout"] == "two-cols"
    nb, stuck = split_overflowing(nb, bad)
    assert stuck == bad


def test_the_words_have_every_language_and_the_check_finds_a_gap(tmp_path):
    assert problems(ROOT, COURSE) == []
    assert {"content_note", "vote", "appendix_row", "notes_vote"} <= set(WORDS.keys())
    assert "{page}" not in WORDS.t("appendix_row", "en", letter="B", page=7)


def test_the_palette_is_read_from_the_theme():
    props = palette()
    for name in NEEDED:
        assert name in props
    css = THEME_CSS.read_text(encoding="utf-8")
    assert props["--aw-accent"] in css
    assert palette_css().startswith(":root {")
    slides_css = (ROOT / "awareness" / "slides" / "slides.css").read_text(encoding="utf-8")
    assert not re.search(r"--aw-[a-z-]+\s*:", slides_css), "the palette is only in theme.css"


def test_emoji_become_inline_svg_outside_tags():
    html = inline_emoji('<p title="😈">Hi 😊 ⚠️ ✓ ⏳</p><script>"😊"</script>', ROOT)
    assert html.count('<svg') == 3
    assert 'title="😈"' in html and '<script>"😊"</script>' in html
    assert "✓" in html  # a text symbol the fonts have stays text
    assert not EMOJI.search(re.sub(r"<script>.*?</script>|<[^>]*>", "", html))


def test_a_question_too_long_for_its_answer_beside_it_gets_the_answer_on_the_next_slide():
    import nbformat

    from awareness.slides.flow import compose as compose_flow
    from awareness.slides.static_parts import quiz_slides

    slide = next(s for s in quiz_slides("03-if-it-happens", COURSE.languages[0]) if "flow" in s)
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.metadata["slideshow"] = {"slide_type": "subslide"}
    cell.metadata["awareness"] = {"id": "aw-b0-1", "flow": slide["flow"]}
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": slide["html"]})]
    nb.cells = [cell]
    blocks = [300.0 + 50 * i for i in range(len(slide["flow"]["blocks"]))]
    bad = [{"id": "aw-b0-1", "n": 1, "over_y": 80, "over_x": 0, "blocks": blocks, "limit": 992}]
    nb, stuck = split_overflowing(nb, bad)
    assert stuck == [] and len(nb.cells) == 2
    question = nb.cells[0].outputs[0]["data"]["text/html"]
    assert "quiz-alone" in question and "quiz-answer" not in question
    assert "flow" not in nb.cells[0].metadata["awareness"]
    answer = nb.cells[1].metadata["awareness"]
    assert answer["id"] == "aw-b0-1-answer"
    assert "quiz-answer" in compose_flow(answer["flow"])
