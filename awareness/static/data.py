"""What the serverless copy's script walks: the chat, the quiz and the checklist as data.

Every piece of HTML here comes from the app's own widgets and renderers (built in this
process, without a kernel) or from ``awareness.conversation.render`` and
``awareness.quiz.render``; the engines' rules are written out as data:

- chat: the scenario graph (each message's row as the widget draws it, ``next``, the
  choices with their feedback card, the decision's prompt), the progress line for each
  step, and for the ending's debrief the atoms ``render_signs`` puts together (a tag's
  found/missed mark, an ordinary message's "not a warning sign" mark, a replayed
  message's head, the notes) plus which tags each message carries. static.js follows
  ``next`` as the engine does, and puts the debrief together as ``render_signs`` does;
  the parity test walks every path in both.
- quiz: per question its inputs as the widget draws them and the feedback for every
  possible answer (graded by the engine, rendered by ``feedback_html``), the full answer,
  and the summary's pieces for every combination of right answers within a topic.
- checklist: the counter's line for each number ticked, and the "all done" line.

So the page source holds the answers: fine for self-study, and said so in the README;
the Voilà app keeps grading in the kernel.
"""

from __future__ import annotations

import itertools
import re
from html import escape
from typing import Any

from awareness.content.course import load_course
from awareness.conversation import render
from awareness.conversation.engine import ChatEngine, all_paths, max_decisions
from awareness.conversation.widget import CHOICE_QUIET, ChatWidget, chat_widget, typing_scale
from awareness.quiz.engine import TopicSummary, grade
from awareness.quiz.model import TOPICS
from awareness.quiz.render import (
    SUMMARY_END,
    answer_html,
    feedback_html,
    summary_head_html,
    topic_html,
)
from awareness.quiz.widget import QuizWidget, quiz_widget
from awareness.static.widgets_html import widget_html

__all__ = ["QUIZ_SEED", "chat_part", "checklist_part", "every_answer", "html_links", "quiz_part"]

# The serverless copy shows each quiz in one order (the app draws one per pupil): the
# options' order and the final quiz's questions come from this seed.
QUIZ_SEED = 2024

_IPYNB = re.compile(r'(href=")([^"#:]*?)\.ipynb((?:#[^"]*)?")')


def html_links(html: str) -> str:
    """Links to lesson notebooks as links to the static pages (``x.ipynb`` -> ``x.html``)."""
    return _IPYNB.sub(r"\1\2.html\3", html)


def _fix(value: Any) -> Any:
    if isinstance(value, str):
        return html_links(value)
    if isinstance(value, dict):
        return {k: _fix(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fix(v) for v in value]
    return value


# ------------------------------------------------------------------------------ chat


def chat_part(lang: str, scenario: str) -> tuple[str, dict]:
    """The chat's first view (the widget as lite.js draws it) and its data."""
    course = load_course()
    widget = chat_widget(lang, scenario=scenario)  # the app's chat
    if not isinstance(widget, ChatWidget):
        raise ValueError(f"the chat {scenario!r} ({lang}) could not be built")
    conv = widget.conversation
    roles = {
        id(widget.progress_label): "progress",
        id(widget.message_list): "messages",
        id(widget.prompt): "prompt",
        id(widget.choice_box): "choices",
        id(widget.ending_panel): "ending",
        id(widget.back_button): "back",
        id(widget.restart_button): "restart",
    }
    first = widget_html(widget, roles)
    ui = conv.ui

    nodes: dict[str, dict] = {}
    for node in conv.nodes:
        left = conv.side(node) == "left"
        item: dict[str, Any] = {
            "row": widget_html(widget._message(node)),
            "next": node.next,
            "tags": list(node.tags),
        }
        if left:
            item["bubble"] = [widget._bubble(node, False), widget._bubble(node, True)]
            item["replay"] = [
                render.replay_head(conv, node, lang, False),
                render.replay_head(conv, node, lang, True),
            ]
            if not node.tags:
                why = node.ordinary[lang] if node.ordinary else ui.small_talk[lang]
                text = f"<strong>{render._e(ui.mark_wrong[lang])}:</strong> {render._e(why)}"
                item["wrong"] = render.mark_chip(
                    "wrong", "✗", ui.mark_wrong[lang], text, f'data-node="{render._e(node.id)}"'
                )
        if node.is_ending:
            item["ending"] = True
        if node.is_decision:
            item["choices"] = [c.id for c in node.choices or []]
            text = node.prompt[lang] if node.prompt else ui.choose[lang]
            item["prompt"] = f'<p class="aw-prompt">{render._e(text)}</p>'
        nodes[node.id] = item

    choices = {}
    for node in conv.decisions():
        for choice in node.choices or []:
            choices[choice.id] = {
                "text": choice.text[lang],
                "next": choice.next,
                "card": widget_html(widget._feedback_card(choice)),
            }

    # The progress line at each step, as the widget shows it: along the longest way.
    total = max(max_decisions(conv, conv.start), 1)
    longest = max(all_paths(conv), key=len)
    progress: list[str] = []
    probe = chat_widget(lang, scenario=scenario)
    for choice_id in (None, *longest):
        if choice_id is not None:
            probe.engine.choose(choice_id)
        if probe.engine.finished:
            break
        probe._show_progress()
        step = probe.engine.progress().step
        if step == len(progress) + 1:
            progress.append(probe.progress_label.value)
    if len(progress) != total:
        raise ValueError(f"{scenario}: the progress line for {len(progress)} of {total} steps")
    probe._show_progress()
    progress_end = probe.progress_label.value

    # The ending: its own part before the debrief's signs, and what follows them.
    before: dict[str, str] = {}
    after = None
    for path in all_paths(conv):
        engine = ChatEngine(conv, path)
        summary = engine.summary()
        full = render.render_ending(conv, summary, lang, course.help, course.source[lang])
        signs = render.render_signs(conv, summary, lang)
        head, _, tail = full.partition(signs)
        before.setdefault(engine.current.id, head)
        if after is None:
            after = tail
        elif tail != after:
            raise ValueError(f"{scenario}: the debrief after the signs differs between endings")

    tags = {}
    for tag in conv.tags:
        attr = f'data-tag="{render._e(tag.id)}"'
        label = render._e(tag.label[lang])
        tags[tag.id] = {
            "found": render.mark_chip("found", "✓", ui.mark_found[lang], label, attr),
            "missed": render.mark_chip("missed", "○", ui.mark_missed[lang], label, attr),
            "why": f"<li {attr}><strong>{label}</strong> – {render._e(tag.explanation[lang])}</li>",
        }
    e = render._e
    legend = (
        f'<p class="aw-legend"><span><span aria-hidden="true">✓</span> {e(ui.mark_found[lang])}'
        f'</span> <span><span aria-hidden="true">○</span> {e(ui.mark_missed[lang])}</span></p>'
    )
    data = {
        "kind": "chat",
        "start": conv.start,
        "total": total,
        "nodes": nodes,
        "choices": choices,
        "progress": progress,
        "progressEnd": progress_end,
        "flag": [ui.flag[lang], "⚑ " + ui.flagged[lang]],
        # Seconds after a choice in which another press is a double tap (the widget's).
        "quiet": CHOICE_QUIET * typing_scale(),
        "ending": {
            "before": before,
            "after": after or "",
            "tags": tags,
            "signsHead": f'<section class="aw-signs"><h4>{e(ui.replay[lang])}</h4>',
            "score": e(ui.score[lang]),
            "perfect": f'<p class="aw-none aw-perfect">{e(ui.perfect[lang])}</p>',
            "noneFound": f'<p class="aw-none">{e(ui.none_found[lang])}</p>',
            "noneMissed": f'<p class="aw-none">{e(ui.none_missed[lang])}</p>',
            "wrongNote": f'<p class="aw-none aw-wrong-note">{e(ui.wrong[lang])}.</p>',
            "legend": legend,
            "whyHead": f'<details class="aw-why"><summary>{e(ui.why_signs[lang])}</summary><ul>',
        },
    }
    return html_links(first), _fix(data)


# ------------------------------------------------------------------------------ quiz


def every_answer(question, shown: list[str]) -> list[list[str]]:
    """Every answer a pupil can give, as option ids in the order shown (empty: none)."""
    if question.type in ("single", "true_false"):
        return [[i] for i in shown]
    if question.type in ("multiple", "spot"):
        return [
            [i for i, on in zip(shown, mask, strict=True) if on]
            for mask in itertools.product((False, True), repeat=len(shown))
            if any(mask)
        ]
    return [list(p) for p in itertools.permutations(shown)]


def quiz_part(lesson_id: str, lang: str, seed: int = QUIZ_SEED) -> tuple[str, dict]:
    """The quiz's first view (the widget as lite.js draws it) and its data."""
    widget = quiz_widget(lesson_id, lang, seed=seed)  # the app's quiz, with this seed
    if not isinstance(widget, QuizWidget):
        raise ValueError(f"the quiz of {lesson_id} ({lang}) could not be built")
    ui, titles = widget.ui, widget.titles
    questions = widget.session.questions
    roles = {
        id(widget.progress): "progress",
        id(widget.prompt): "prompt",
        id(widget.hint): "hint",
        id(widget.inputs): "inputs",
        id(widget.feedback): "feedback",
        id(widget.summary): "summary",
        id(widget.check_button): "check",
        id(widget.try_again_button): "try_again",
        id(widget.show_answer_button): "show_answer",
        id(widget.next_button): "next",
        id(widget.restart_button): "restart",
    }
    first = widget_html(widget, roles)

    items = []
    for index, question in enumerate(questions):
        widget.session.index = index
        widget.session.checked = False
        widget._show_question()
        shown = list(widget._shown_ids)
        table: dict[str, int] = {}
        feedback: list[str] = []
        answers: dict[str, list] = {}
        for answer in every_answer(question, shown):
            result = grade(question, answer)
            html = feedback_html(question, result, ui, lang)
            if html not in table:
                table[html] = len(feedback)
                feedback.append(html)
            answers[",".join(answer)] = [table[html], 1 if result.correct else 0]
        item = {
            "id": question.id,
            "type": question.type,
            "topic": question.topic,
            "shown": shown,
            "progress": widget.progress.value,
            "prompt": widget.prompt.value,
            "hint": widget.hint.value,
            "inputs": widget_html(widget.inputs),
            "feedback": feedback,
            "answers": answers,
            "answer": answer_html(question, ui, lang),
        }
        if question.type == "order":
            item["steps"] = {
                step: {
                    "label": widget._step_label(step),
                    "up": ui.t("move_up", lang, step=widget._step_label(step)),
                    "down": ui.t("move_down", lang, step=widget._step_label(step)),
                }
                for step in shown
            }
        items.append(item)

    # The summary: its head for each number right, and each topic's line for every
    # combination of its questions right (a bit per question, in quiz order).
    count = len(questions)
    head = [summary_head_html(right, count, ui, lang) for right in range(count + 1)]
    topics = []
    for topic in TOPICS:
        indices = [i for i, q in enumerate(questions) if q.topic == topic]
        if not indices:
            continue
        lines = []
        for mask in range(2 ** len(indices)):
            right = [bool(mask >> k & 1) for k in range(len(indices))]
            revisit = [questions[i].revisit for i, ok in zip(indices, right, strict=True) if not ok]
            summary = TopicSummary(
                topic, right=sum(right), total=len(indices), score=float(sum(right)),
                revisit=tuple(dict.fromkeys(revisit)),
            )
            lines.append(topic_html(summary, ui, lang, titles))
        topics.append({"questions": indices, "lines": lines})
    data = {
        "kind": "quiz",
        "lesson": lesson_id,
        "questions": items,
        "nudge": (
            '<p class="quiz-feedback quiz-nudge" role="status">'
            '<span class="quiz-icon" aria-hidden="true">ℹ</span> '
            f"{escape(ui.t('nothing_chosen', lang))}</p>"
        ),
        "next": ui.t("next", lang),
        "finish": ui.t("finish", lang),
        "summary": {"head": head, "topics": topics, "end": SUMMARY_END},
    }
    return html_links(first), _fix(data)


# ------------------------------------------------------------------------------ checklist


def checklist_part(name: str, lang: str) -> tuple[str, dict]:
    """The checklist as lite.js draws it, and its counter's line for each number ticked."""
    from awareness.checklist import checklist_widget

    widget = checklist_widget(name, lang)
    roles = {id(widget.counter): "counter", id(widget.done): "done"}
    for box in widget.checkboxes.values():
        roles[id(box)] = "item"
    first = widget_html(widget, roles)
    counter, done = [], ""
    boxes = list(widget.checkboxes.values())
    for ticked in range(len(boxes) + 1):
        for i, box in enumerate(boxes):
            box.value = i < ticked
        counter.append(widget.counter.value)
        done = widget.done.value or done
    for box in boxes:
        box.value = False
    return html_links(first), _fix({"kind": "checklist", "counter": counter, "done": done})
