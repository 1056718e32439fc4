"""The interactive parts of a lesson as static slides, for the slide export.

When the export runs a lesson (AWARENESS_SLIDES=1), ``show_chat``/``show_quiz``/
``show_checklist`` display a list of slides from here instead of a widget. Each slide is
``{"html": ..., "type": "slide"|"subslide", "notes": Markdown}``; reveal.js fragments
(class ``fragment``) reveal messages one by one and hide answers until the teacher
advances. The HTML itself comes from the conversation and quiz renderers.
"""

from __future__ import annotations

from html import escape

__all__ = ["chat_slides", "checklist_slides", "quiz_slides", "teacher_path"]

MESSAGES_PER_SLIDE = 5


def _slide(html: str, kind: str = "subslide", notes: str = "") -> dict:
    # reveal.js takes every <section> under a slide for a slide of its own: the renderers'
    # sections become plain blocks here.
    html = html.replace("<section", "<div").replace("</section>", "</div>")
    return {"html": html, "type": kind, "notes": notes}


def teacher_path(conv) -> tuple[str, ...]:
    """The path shown on the slides: the one that tells the most of the story.

    At each decision it takes the choice with the most decision points after it (so
    the class sees every stage: the turn, the picture, the threat, the demand, the
    claim), preferring the wise choice when two tell as much.
    """
    from awareness.conversation.engine import ChatEngine, max_decisions

    rank = {"wise": 0, "okay": 1, "risky": 2}
    engine = ChatEngine(conv)
    for _ in range(len(conv.nodes)):
        if engine.finished:
            break
        best = min(engine.choices, key=lambda c: (-max_decisions(conv, c.next), rank[c.kind]))
        engine.choose(best.id)
    return engine.path


def _chat_frame(conv, lang: str, inner: str) -> str:
    return (
        f'<div class="awareness-chat aw-static aw-slide" lang="{escape(lang)}">'
        f'<div class="aw-messages">{inner}</div></div>'
    )


def chat_slides(lang: str, scenario: str = "jonas") -> list[dict]:
    """A scenario's chat: messages revealed one by one, each decision as its own slide.

    The ending's debrief shows the warning signs as found: the teacher path flags every
    message that carries one, and no ordinary message.
    """
    from awareness.conversation.engine import ChatEngine
    from awareness.conversation.model import load_conversation
    from awareness.conversation.render import KIND_ICONS, render_ending, render_message

    conv = load_conversation(scenario=scenario)
    path = teacher_path(conv)
    engine = ChatEngine(conv, path)
    for entry in engine.entries:
        if entry.node.tags and engine.can_flag(entry.node.id):
            engine.flag(entry.node.id)
    ui = conv.ui
    slides = [
        _slide(
            f'<h2>{escape(conv.title[lang])}</h2><p class="aw-fiction">'
            f"{escape(conv.fiction[lang])}</p>",
            kind="slide",
        )
    ]
    pending: list[str] = []

    def flush() -> None:
        for start in range(0, len(pending), MESSAGES_PER_SLIDE):
            chunk = pending[start : start + MESSAGES_PER_SLIDE]
            inner = "".join(
                m if i == 0 else f'<div class="fragment">{m}</div>' for i, m in enumerate(chunk)
            )
            slides.append(_slide(_chat_frame(conv, lang, inner)))
        pending.clear()

    for entry in engine.entries:
        pending.append(render_message(conv, entry.node, lang, flagged=False))
        node = entry.node
        if node.is_decision:
            flush()
            prompt = node.prompt[lang] if node.prompt else ui.choose[lang]
            options = "".join(f"<li>{escape(c.text[lang])}</li>" for c in node.choices)
            feedback = "".join(
                f'<div class="fragment aw-feedback aw-{c.kind}"><strong>{escape(c.text[lang])}'
                f'</strong><br><span aria-hidden="true">{KIND_ICONS[c.kind]}</span> '
                f"<strong>{escape(getattr(ui, c.kind)[lang])}</strong>: "
                f"{escape(c.feedback[lang])}</div>"
                for c in node.choices
            )
            slides.append(
                _slide(
                    f'<h3 class="aw-prompt">{escape(prompt)}</h3>'
                    f'<ol class="aw-choice-list">{options}</ol>{feedback}'
                )
            )
            if entry.choice is not None:
                pending.append(
                    f'<p class="aw-chose">{escape(ui.you_chose[lang])} '
                    f"<em>{escape(entry.choice.text[lang])}</em></p>"
                )
    flush()
    if engine.finished:
        slides.append(_slide(render_ending(conv, engine.summary(), lang)))
    return slides


def quiz_slides(lesson_id: str, lang: str) -> list[dict]:
    """One slide per question; the answer and its explanation are a fragment.

    A sensitive question (blame or feelings) is an anonymous poll: its slide shows the
    question and options only, never an answer or feedback, and its speaker notes say
    how to run the poll.
    """
    from awareness.quiz.engine import final_quiz
    from awareness.quiz.model import load_bank, load_banks, load_ui
    from awareness.quiz.render import poll_html, render_question_html

    bank = load_bank(lesson_id)
    ui = load_ui()
    questions = final_quiz(load_banks(), seed=0) if bank.final is not None else bank.questions
    return [
        _slide(poll_html(q, ui, lang, seed=0), notes=ui.t("poll_notes", lang))
        if q.sensitive
        else _slide(render_question_html(q, ui, lang, seed=0))
        for q in questions
    ]


def checklist_slides(name: str, lang: str) -> list[dict]:
    """A checklist as one slide: the items with where to find them."""
    from awareness.checklist import load_checklists
    from awareness.content.course import load_course
    from awareness.content.problems import ContentError
    from awareness.paths import content_root

    root = content_root()
    model, problems = load_checklists(root, load_course(root).languages)
    if model is None:
        raise ContentError(problems)
    checklist = model.get(name)
    items = "".join(
        f'<li><span aria-hidden="true">☐</span> <strong>{escape(item.label[lang])}</strong>'
        f'<br><span class="aw-hint">{escape(item.hint[lang])}</span></li>'
        for item in checklist.items
    )
    heading = escape(checklist.ui.heading[lang])
    return [_slide(f'<h3>{heading}</h3><ul class="aw-checklist">{items}</ul>')]
