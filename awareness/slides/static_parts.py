"""The interactive parts of a lesson, and the deck's first and last slides, as static slides.

When the export runs a lesson (AWARENESS_SLIDES=1), ``show_chat``/``show_quiz``/
``show_checklist`` display a list of slides from here instead of a widget. Each slide is
a dict: ``html`` (or a ``flow`` that the export may split over several slides, see
``awareness.slides.flow``), ``type`` ("slide"|"subslide"), ``notes`` (Markdown for the
speaker notes), and for the chat ``id``, ``next`` and ``place`` (see ``chat_deck``).
reveal.js fragments (class ``fragment``) reveal messages one by one and hide answers until
the teacher advances. The HTML comes from the conversation, quiz and help renderers.
"""

from __future__ import annotations

import re
from html import escape

from awareness.slides.chat_deck import md
from awareness.slides.chat_deck import teacher_path as teacher_path
from awareness.slides.flow import compose, make_flow

__all__ = [
    "chat_slides",
    "checklist_slides",
    "first_slide",
    "help_slide",
    "quiz_slides",
    "teacher_path",
]


def _e(text: str) -> str:
    return escape(text, quote=True)


def _div(html: str) -> str:
    # reveal.js takes every <section> under a slide for a slide of its own: the renderers'
    # sections become plain blocks here.
    return html.replace("<section", "<div").replace("</section>", "</div>")


def _slide(html: str = "", kind: str = "subslide", notes: str = "", **extra) -> dict:
    slide = {"type": kind, "notes": notes, **extra}
    if "flow" in slide:
        slide["flow"] = {k: _div(v) if isinstance(v, str) else v for k, v in slide["flow"].items()}
        slide["flow"]["blocks"] = [_div(b) for b in slide["flow"]["blocks"]]
        slide["html"] = compose(slide["flow"])
    else:
        slide["html"] = _div(html)
    return slide


def _words():
    from awareness.content.course import load_course
    from awareness.slides.words import load_words

    course = load_course()
    return course, load_words(course.languages)


def chat_slides(lang: str, scenario: str = "jonas") -> list[dict]:
    """A scenario's chat with every branch (``awareness.slides.chat_deck``)."""
    from awareness.slides.chat_deck import chat_slides as build

    return [
        _slide(s.get("html", ""), notes=s.get("notes", ""), **{
            k: v for k, v in s.items() if k not in ("html", "notes")
        })
        for s in build(lang, scenario)
    ]


_ANSWER = re.compile(r'^(<div class="quiz-answer">.*?<(ul|ol) class="[^"]*">)(.*)(</\2></div>)$',
                     re.S)


def _quiz_notes(question, ui, lang: str, words) -> str:
    from awareness.quiz.render import option_label

    lines = [words.t("notes_quiz", lang), f"**{md(words.t('notes_answer', lang))}**"]
    if question.type == "order":
        lines += [
            "\n".join(
                f"{i}. {md(option_label(question, o, ui, lang))} – {md(o.feedback[lang])}"
                for i, o in enumerate(question.options, 1)
            )
        ]
    else:
        spot = question.type == "spot"
        right = "⚠ " + md(ui.t("warning_sign", lang)) if spot else (
            "✔ " + md(ui.t("right_answer", lang)))
        wrong = "○ " + md(ui.t("no_warning_sign", lang)) if spot else (
            "✘ " + md(ui.t("not_right", lang)))
        lines += [
            "\n".join(
                f"- {right if o.correct else wrong}: "
                f"{md(option_label(question, o, ui, lang))} – {md(o.feedback[lang])}"
                for o in question.options
            )
        ]
    return "\n\n".join(lines)


def quiz_slides(lesson_id: str, lang: str) -> list[dict]:
    """One slide per question: the question and options, the answer and why a fragment
    beside them (a long answer runs on to the next slide).

    A sensitive question (blame or feelings) is an anonymous poll: its slide shows the
    question and options only, never an answer or feedback, and its speaker notes say
    how to run the poll.
    """
    from awareness.quiz.engine import final_quiz
    from awareness.quiz.model import load_bank, load_banks, load_ui
    from awareness.quiz.render import answer_html, poll_html, render_question_html

    course, words = _words()
    bank = load_bank(lesson_id)
    ui = load_ui()
    questions = final_quiz(load_banks(), seed=0) if bank.final is not None else bank.questions
    slides = []
    for q in questions:
        if q.sensitive:
            slides.append(_slide(poll_html(q, ui, lang, seed=0), notes=ui.t("poll_notes", lang),
                                 kind_of="quiz-poll", heavy=True))
            continue
        full = render_question_html(q, ui, lang, seed=0)
        answer = answer_html(q, ui, lang)
        cut = full.index('<div class="fragment">')
        parts = _ANSWER.match(answer)
        if parts is None:  # an answer of another shape: one slide, as rendered
            slides.append(_slide(full, notes=_quiz_notes(q, ui, lang, words)))
            continue
        items = re.split(r"(?=<li[ >])", parts.group(3))
        items = [i for i in items if i.strip()]
        opener = parts.group(1).replace(f'<{parts.group(2)} class="', f'<{parts.group(2)} '
                                        'data-aw-flow="1" class="', 1)
        head = full[:cut] + '<div class="fragment">' + opener
        cont_head = (
            f'<section class="quiz-slide quiz-cont" data-question="{_e(q.id)}">'
            f'<h3 class="quiz-prompt">{_e(q.prompt[lang])}</h3><div class="aw-quiz-cont">'
            + opener.replace(
                f"{_e(ui.t('answer', lang))}</p>",
                f"{_e(ui.t('answer', lang))} ({_e(words.t('continued', lang))})</p>", 1,
            ).replace(
                f"{_e(ui.t('correct_order', lang))}</p>",
                f"{_e(ui.t('correct_order', lang))} ({_e(words.t('continued', lang))})</p>", 1,
            )
        )
        flow = make_flow(head, items, parts.group(4) + "</div>", "", "</section>", cont_head)
        flow["numbered"] = q.type == "order"
        # When the question itself is too long to share a slide with its answer: the
        # question alone, then the answer on the next slide.
        alone = full[:cut].replace('class="quiz-slide ', 'class="quiz-slide quiz-alone ', 1)
        answer_head = (
            f'<section class="quiz-slide quiz-cont" data-question="{_e(q.id)}">'
            f'<h3 class="quiz-prompt">{_e(q.prompt[lang])}</h3><div class="aw-quiz-cont">'
            + opener
        )
        answer = make_flow(answer_head, items, flow["close"], "", "</section>", cont_head)
        answer["numbered"] = flow["numbered"]
        flow["alt"] = [
            {"html": _div(alone + "</section>")},
            {"flow": {k: _div(v) if isinstance(v, str) else v for k, v in answer.items()}
             | {"blocks": [_div(b) for b in items]}, "suffix": "-answer"},
        ]
        slides.append(_slide(flow=flow, notes=_quiz_notes(q, ui, lang, words), kind_of="quiz"))
    return slides


def checklist_slides(name: str, lang: str) -> list[dict]:
    """A checklist: the items with where to find them (a long list runs on)."""
    from awareness.checklist import load_checklists
    from awareness.content.problems import ContentError
    from awareness.paths import content_root

    course, words = _words()
    root = content_root()
    model, problems = load_checklists(root, course.languages)
    if model is None:
        raise ContentError(problems)
    checklist = model.get(name)
    items = [
        f'<li><span aria-hidden="true">☐</span> <strong>{_e(item.label[lang])}</strong>'
        f'<br><span class="aw-hint">{_e(item.hint[lang])}</span></li>'
        for item in checklist.items
    ]
    heading = _e(checklist.ui.heading[lang])
    head = (f'<div class="aw-checklist-slide"><h2>{heading}</h2>'
            '<ul class="aw-check-list" data-aw-flow="1">')
    head_cont = head.replace("</h2>", f" ({_e(words.t('continued', lang))})</h2>", 1)
    flow = make_flow(head, items, "</ul>", "", "</div>", head_cont)
    flow["notes_head"] = words.t("notes_checklist", lang)
    flow["block_notes"] = [f"- {md(item.label[lang])}" for item in checklist.items]
    return [_slide(flow=flow, kind_of="checklist")]


def _phone_links(text: str, phones) -> str:
    from awareness.html_parts import spaced_number

    html = _e(text)
    for phone in phones:
        spaced = spaced_number(phone)
        if spaced in html:
            html = html.replace(spaced, f'<a href="tel:{phone}">{spaced}</a>', 1)
    return html


def first_slide(lesson_id: str, lang: str) -> dict:
    """The deck's first slide: the lesson, a content note and where to get help."""
    from awareness.html_parts import tell_adult

    course, words = _words()
    lesson = course.lesson(lesson_id)
    services = "".join(
        f'<li><strong>{_e(s.name[lang])}</strong>: {_phone_links(s.contact[lang], s.phones)}</li>'
        for s in course.help
    )
    html = (
        '<div class="aw-first-slide"><div class="aw-first-main">'
        f'<p class="aw-kicker">{_e(course.title[lang])}</p>'
        f"<h1>{_e(lesson.title[lang])}</h1>"
        f'<p class="aw-summary">{_e(lesson.summary[lang])}</p>'
        f'<div class="aw-content-note"><h2>{_e(words.t("content_note_heading", lang))}</h2>'
        f"<p>{_e(words.t('content_note', lang))}</p>"
        f"<p>{_e(course.t('fiction_note', lang))}</p></div></div>"
        f'<div class="awareness-help aw-help-compact" role="region" '
        f'aria-labelledby="aw-help-first">'
        f'<h2 id="aw-help-first">{_e(course.t("help_heading", lang))}</h2>'
        f"<p>{_e(course.t('help_intro', lang))}</p><ul>{services}</ul>"
        f"{tell_adult(lang)}</div></div>"
    )
    return _slide(html, kind="slide", id="aw-start", kind_of="first", heavy=True)


def help_slide(lang: str) -> dict:
    """The deck's last slide: every help service from course.yaml, whom it is for, and
    that the pupil is not in trouble (a long list runs on to a second help slide)."""
    from awareness.html_parts import help_item, not_in_trouble, tell_adult

    course, words = _words()
    heading = _e(course.t("help_heading", lang))
    intro = (
        f"{not_in_trouble(lang)}<p>{_e(course.t('help_intro', lang))}</p>{tell_adult(lang)}"
    )
    head = (
        '<div class="awareness-help aw-help-slide" role="region" aria-labelledby="aw-help-last">'
        f'<div class="aw-help-intro"><h2 id="aw-help-last">{heading}</h2>{intro}</div>'
        '<ul class="aw-help-list" data-aw-flow="1">'
    )
    head_cont = head.replace('"aw-help-last"', '"aw-help-last-2"').replace(
        "</h2>", f" ({_e(words.t('continued', lang))})</h2>", 1
    )
    items = [f'<li data-help="{_e(s.id)}">{help_item(s, lang)}</li>' for s in course.help]
    source = f'<p class="awareness-source">{_e(course.source[lang])}</p>'
    flow = make_flow(head, items, "</ul>", source, "</div>", head_cont)
    flow["notes_head"] = (
        f"{words.t('notes_last', lang)} "
        f"{words.t('quote', lang, text=md(course.t('tell_adult', lang)))}\n\n"
        f"**{md(course.t('not_in_trouble', lang))}.** {md(course.t('not_in_trouble_why', lang))}"
    )
    flow["block_notes"] = [f"- {md(s.name[lang])}: {md(s.contact[lang])}" for s in course.help]
    return _slide(flow=flow, kind="slide", id="aw-help", kind_of="help", heavy=True)
