"""Static HTML for slides, feedback and summary fragments, and the facilitator answer key."""

from __future__ import annotations

import re

from awareness.quiz.engine import grade, summarise
from awareness.quiz.render import (
    answer_html,
    answer_key_markdown,
    feedback_html,
    poll_html,
    render_bank_html,
    render_css,
    render_question_html,
    summary_html,
)

EVIL = '<script>alert("x")</script>'


def test_slide_puts_answer_in_a_fragment_after_the_options(banks, ui, languages):
    lang = languages[0]
    for bank in banks.values():
        for q in bank.questions:
            if q.sensitive:
                continue  # an anonymous poll: see test_a_sensitive_question_is_a_poll
            html = render_question_html(q, ui, lang)
            before, sep, after = html.partition('<div class="fragment">')
            assert sep, q.id
            assert q.prompt[lang] in _text(before), q.id
            for option in q.options:
                assert option.feedback[lang] not in _text(before), (q.id, option.id)
                assert _esc(option.feedback[lang]) in after, (q.id, option.id)
            assert before.index('class="quiz-options"') < len(before)
            for word in ("right_answer", "warning_sign", "correct_order"):
                assert ui.t(word, lang) not in before


def _esc(text: str) -> str:
    from html import escape

    return escape(text)


def _text(html: str) -> str:
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_slide_lists_every_option_before_the_answer(banks, ui, languages):
    lang = languages[0]
    q = banks["03-if-it-happens"].question("proof-for-police")
    before = render_question_html(q, ui, lang).partition('<div class="fragment">')[0]
    for option in q.options:
        assert _esc(option.text[lang]) in before
    assert _esc(q.prompt[lang]) in before


def test_true_false_slide_uses_the_words(banks, ui, languages):
    lang = languages[0]
    q = banks["03-if-it-happens"].question("removed-without-paying")
    html = render_question_html(q, ui, lang)
    assert ui.t("true", lang) in html and ui.t("false", lang) in html


def test_bank_html_has_a_section_per_question(banks, ui, languages):
    bank = banks["04-prevention"]
    html = render_bank_html(bank, ui, languages[0])
    assert html.count('<section class="quiz-slide') == len(bank.questions)


def test_injection_is_escaped(make_question, ui, languages):
    q = make_question("single", [("a", True), ("b", False)], prompt=EVIL)
    lang = languages[0]
    for html in (
        render_question_html(q, ui, lang),
        feedback_html(q, grade(q, "b"), ui, lang),
        answer_html(q, ui, lang),
    ):
        assert "<script" not in html
    assert "&lt;script&gt;" in render_question_html(q, ui, lang)
    md = answer_key_markdown(_bank_of(q), lang, ui)
    assert "<script" not in md


def _bank_of(q):
    from awareness.quiz.model import Bank

    return Bank.model_construct(lesson="01-what-is-sextortion", final=None, questions=[q])


def test_feedback_has_icon_and_words(make_question, ui, languages):
    lang = languages[0]
    q = make_question("multiple", [("a", True), ("b", True), ("c", False)])
    right = feedback_html(q, grade(q, ["a", "b"]), ui, lang)
    assert "✔" in right and ui.t("correct", lang) in right
    part = feedback_html(q, grade(q, ["a", "c"]), ui, lang)
    assert "◐" in part and ui.t("partly", lang) in part
    assert ui.t("right_of", lang, right=1, total=2) in part
    assert ui.t("wrong_picks", lang, count=1) in part
    assert q.option("c").feedback[lang] in part
    assert q.option("b").feedback[lang] not in part  # a missed answer is not given away
    wrong = feedback_html(q, grade(q, ["c"]), ui, lang)
    assert "✘" in wrong and ui.t("wrong", lang) in wrong


def test_summary_html(make_question, ui, languages):
    lang = languages[0]
    q = make_question(
        "single",
        [("a", True), ("b", False)],
        topic="prevention",
        revisit="04-prevention#friends-only",
    )
    summary = summarise([q], {q.id: grade(q, "b")})
    html = summary_html(
        summary, ui, lang, {"04-prevention": EVIL, "04-prevention#friends-only": "Bare venner"}
    )
    assert ui.t("score", lang, right=0, total=1) in html
    assert 'href="04-prevention.ipynb#friends-only"' in html  # the lesson opens at that part
    assert "Bare venner" in html
    assert "<script" not in html and "&lt;script&gt;" in html


def test_answer_key_markdown(banks, ui, languages):
    for lang in languages:
        for bank in banks.values():
            md = answer_key_markdown(bank, lang, ui)
            for q in bank.questions:
                assert _md_plain(q.prompt[lang]) in _md_plain(md), q.id
                if q.type != "order":
                    for o in q.options:
                        if o.correct and o.text is not None:
                            assert _md_plain(o.text[lang]) in _md_plain(md), (q.id, o.id)
            assert md.count("✔") >= sum(1 for q in bank.questions if q.type != "order")


def _md_plain(text: str) -> str:
    from html import unescape

    return unescape(text.replace("\\", ""))


def test_render_css():
    css = render_css()
    assert ".quiz-feedback" in css and ".fragment" in css
    assert "@import" not in css and "url(" not in css


def test_answer_key_of_the_final_quiz(banks, ui, languages):
    from awareness.quiz.engine import final_quiz

    lang = languages[0]
    md = _md_plain(answer_key_markdown(banks["05-summary"], lang, ui, banks=banks))
    assert ui.t("key_final_note", lang) in md
    for q in final_quiz(banks, 0):
        assert _md_plain(q.prompt[lang]) in md, q.id


def test_a_sensitive_question_is_a_poll_without_an_answer(banks, ui, languages):
    """Blame and feelings questions are never answered on a slide: the question, its
    options and the poll line; no fragment, no verdict, no feedback, no right-answer mark."""
    sensitive = [q for bank in banks.values() for q in bank.questions if q.sensitive]
    assert len(sensitive) >= 3
    for lang in languages:
        for q in sensitive:
            for html in (render_question_html(q, ui, lang), poll_html(q, ui, lang)):
                assert "fragment" not in html and "quiz-answer" not in html, q.id
                assert 'class="quiz-slide quiz-type-' in html and "quiz-poll" in html
                assert _esc(ui.t("poll", lang)) in html
                assert _esc(q.prompt[lang]) in html
                text = _text(html)
                for option in q.options:
                    assert option.feedback[lang] not in text, (q.id, option.id)
                for word in ("right_answer", "not_right", "correct", "warning_sign"):
                    assert ui.t(word, lang) not in text, (q.id, word)


def test_the_answer_key_marks_polls(banks, ui, languages):
    q = banks["01-what-is-sextortion"].question("partly-his-fault")
    assert q.sensitive
    for lang in languages:
        md = _md_plain(answer_key_markdown(banks["01-what-is-sextortion"], lang, ui))
        assert ui.t("key_poll", lang) in md
        assert md.count(ui.t("key_poll", lang)) == sum(
            1 for x in banks["01-what-is-sextortion"].questions if x.sensitive
        )
