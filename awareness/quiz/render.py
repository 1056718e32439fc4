"""Quiz questions as HTML: static slides (reveal.js), feedback and summary fragments.

Every text goes through ``html.escape``. Meaning is never carried by colour alone: each
mark has an icon and a word. The slide puts the question and its options first and the
answer with its feedback in an element with class ``fragment`` (revealed on the next
step of the slide show). A ``sensitive`` question (blame or feelings) is an anonymous poll
in class: its slide has the question and options and a line asking for anonymous answers,
and no answer or feedback at all. ``answer_key_markdown`` writes the facilitator's answer
key, where a sensitive question is marked as a poll.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from awareness.quiz.engine import Result, Summary, TopicSummary, shuffled_options
from awareness.quiz.model import Bank, Option, Question, QuizUi

__all__ = [
    "CSS_FILE",
    "ICONS",
    "answer_html",
    "answer_key_markdown",
    "feedback_html",
    "option_label",
    "render_bank_html",
    "poll_html",
    "render_css",
    "render_question_html",
    "summary_head_html",
    "summary_html",
    "topic_html",
]

CSS_FILE = Path(__file__).with_name("quiz.css")
ICONS = {"correct": "✔", "partly": "◐", "wrong": "✘", "info": "ℹ", "sign": "⚠"}


def render_css() -> str:
    """The quiz's stylesheet (quiz.css)."""
    return CSS_FILE.read_text(encoding="utf-8")


def option_label(question: Question, option: Option, ui: QuizUi, lang: str) -> str:
    """An option's plain text (not escaped): true/false words, chat sender names."""
    if question.type == "true_false" and option.text is None:
        return ui.t(option.id, lang)
    text = option.text[lang] if option.text is not None else option.id
    if question.type == "spot" and question.people is not None and option.sender:
        name = getattr(question.people, option.sender)[lang]
        return f"{name}: {text}"
    return text


def _mark(kind: str, word: str) -> str:
    return (
        f'<span class="quiz-mark quiz-mark-{kind}"><span class="quiz-icon" aria-hidden="true">'
        f"{ICONS[kind]}</span> {escape(word)}</span>"
    )


def _item(kind: str, word: str, label: str, feedback: str) -> str:
    return (
        f'<li class="quiz-fb-item quiz-fb-{kind}">{_mark(kind, word)} '
        f'<strong class="quiz-fb-option">{escape(label)}</strong> '
        f'<span class="quiz-fb-text">{escape(feedback)}</span></li>'
    )


def _truth_item(question: Question, option: Option, ui: QuizUi, lang: str) -> str:
    """An option marked by what it is (right answer / warning sign or not), with its reason."""
    spot = question.type == "spot"
    if option.correct:
        kind, word = ("sign", ui.t("warning_sign", lang)) if spot else (
            "correct", ui.t("right_answer", lang))
    else:
        kind, word = "info", ui.t("no_warning_sign" if spot else "not_right", lang)
    return _item(kind, word, option_label(question, option, ui, lang), option.feedback[lang])


def feedback_html(question: Question, result: Result, ui: QuizUi, lang: str) -> str:
    """Feedback after a check: verdict (icon + words), counts, and the relevant reasons.

    A right answer explains every option (single choice: the one picked). A wrong or
    partial one explains only the student's own picks that were not right, so that
    trying again still makes sense; ``answer_html`` shows the whole answer.
    """
    if result.correct:
        kind, verdict = "correct", ui.t("correct", lang)
    elif result.partly:
        kind, verdict = "partly", ui.t("partly", lang)
    else:
        kind, verdict = "wrong", ui.t("wrong", lang)
    parts = [f'<div class="quiz-feedback quiz-feedback-{kind}" role="status">']
    parts.append(f'<p class="quiz-verdict">{_mark(kind, verdict)}</p>')
    if question.type == "order":
        line = ui.t("steps_right", lang, right=result.right, total=result.total)
        parts.append(f'<p class="quiz-count">{escape(line)}</p>')
    elif question.type in ("multiple", "spot"):
        line = ui.t("right_of", lang, right=result.right, total=result.total)
        if result.wrong_picks:
            line += " " + ui.t("wrong_picks", lang, count=len(result.wrong_picks))
        parts.append(f'<p class="quiz-count">{escape(line)}</p>')
    items = []
    if question.type == "order":
        if result.correct:
            items = [
                _item("correct", f"{n}.", option_label(question, o, ui, lang), o.feedback[lang])
                for n, o in enumerate(question.options, 1)
            ]
    elif result.correct and question.type in ("single", "true_false"):
        items = [_truth_item(question, question.option(i), ui, lang) for i in result.chosen]
    elif result.correct:
        items = [_truth_item(question, o, ui, lang) for o in question.options]
    else:
        for option_id in result.chosen:
            if option_id in result.wrong_picks:
                option = question.option(option_id)
                label = option_label(question, option, ui, lang)
                items.append(_item("wrong", ui.t("not_right", lang), label, option.feedback[lang]))
    if items:
        parts.append('<ul class="quiz-fb-list">' + "".join(items) + "</ul>")
    parts.append("</div>")
    return "".join(parts)


def answer_html(question: Question, ui: QuizUi, lang: str) -> str:
    """The full answer: every option marked right or not, with its reason; order as a list."""
    parts = ['<div class="quiz-answer">']
    if question.type == "order":
        parts.append(f'<p class="quiz-answer-head">{escape(ui.t("correct_order", lang))}</p>')
        parts.append('<ol class="quiz-answer-list">')
        for option in question.options:
            parts.append(
                f'<li><strong class="quiz-fb-option">'
                f"{escape(option_label(question, option, ui, lang))}</strong> "
                f'<span class="quiz-fb-text">{escape(option.feedback[lang])}</span></li>'
            )
        parts.append("</ol>")
    else:
        parts.append(f'<p class="quiz-answer-head">{escape(ui.t("answer", lang))}</p>')
        parts.append('<ul class="quiz-fb-list">')
        parts.extend(_truth_item(question, o, ui, lang) for o in question.options)
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def _hint(question: Question, ui: QuizUi, lang: str) -> str:
    key = {
        "single": "choose_one",
        "true_false": "choose_one",
        "multiple": "choose_all",
        "spot": "choose_spot",
        "order": "choose_order",
    }[question.type]
    return ui.t(key, lang)


def render_question_html(
    question: Question, ui: QuizUi, lang: str, seed: int | str | None = 0
) -> str:
    """One question as a slide: prompt and options, then the answer as a fragment.

    A sensitive question is an anonymous poll (``poll_html``): no answer, no feedback.
    """
    if question.sensitive:
        return poll_html(question, ui, lang, seed)
    parts = _question_head(question, ui, lang, seed, _hint(question, ui, lang))
    parts.append(f'<div class="fragment">{answer_html(question, ui, lang)}</div>')
    parts.append("</section>")
    return "".join(parts)


def poll_html(question: Question, ui: QuizUi, lang: str, seed: int | str | None = 0) -> str:
    """A blame or feelings question as a class poll: the question and its options and a
    line asking for anonymous answers. Nothing says which option is right."""
    parts = _question_head(question, ui, lang, seed, ui.t("poll", lang), poll=True)
    parts.append("</section>")
    return "".join(parts)


def _question_head(
    question: Question, ui: QuizUi, lang: str, seed: int | str | None, hint: str, poll=False
) -> list[str]:
    options = shuffled_options(question, seed)
    css = f"quiz-slide quiz-type-{question.type.replace('_', '-')}"
    css += " quiz-poll" if poll else ""
    parts = [f'<section class="{css}" data-question="{escape(question.id)}">']
    parts.append(f'<h3 class="quiz-prompt">{escape(question.prompt[lang])}</h3>')
    hint_css = "quiz-hint quiz-poll-hint" if poll else "quiz-hint"
    parts.append(f'<p class="{hint_css}">{escape(hint)}</p>')
    tag = "ol" if question.type in ("order",) else "ul"
    parts.append(f'<{tag} class="quiz-options">')
    for option in options:
        sender = f" quiz-msg quiz-msg-{option.sender}" if question.type == "spot" else ""
        label = escape(option_label(question, option, ui, lang))
        parts.append(f'<li class="quiz-option{sender}">{label}</li>')
    parts.append(f"</{tag}>")
    return parts


def render_bank_html(bank: Bank, ui: QuizUi, lang: str, seed: int | str | None = 0) -> str:
    """Every question of a bank, one slide section each."""
    return "\n".join(render_question_html(q, ui, lang, seed) for q in bank.questions)


def summary_html(
    summary: Summary,
    ui: QuizUi,
    lang: str,
    titles: dict[str, str] | None = None,
) -> str:
    """The end of a quiz, as a friendly card: the score on the first try, and per topic
    what went well or a link straight to the part to read again (``<lesson>.ipynb#<part>``:
    the lesson page opens at that part)."""
    parts = [summary_head_html(summary.right, summary.total, ui, lang)]
    parts.extend(topic_html(topic, ui, lang, titles) for topic in summary.topics)
    parts.append(SUMMARY_END)
    return "".join(parts)


SUMMARY_END = "</ul></div>"


def summary_head_html(right: int, total: int, ui: QuizUi, lang: str) -> str:
    """The summary card up to its list of topics (``SUMMARY_END`` closes it)."""
    from awareness.illustrations import STAR

    parts = [f'<div class="quiz-summary">{STAR}']
    parts.append(f'<h3 class="quiz-summary-head">{escape(ui.t("summary_heading", lang))}</h3>')
    score = ui.t("score", lang, right=right, total=total)
    parts.append(f'<p class="quiz-score">{escape(score)}</p>')
    if right < total:
        parts.append(f'<p class="quiz-kind">{escape(ui.t("summary_kind", lang))}</p>')
    parts.append('<ul class="quiz-topics">')
    return "".join(parts)


def topic_html(
    topic: TopicSummary, ui: QuizUi, lang: str, titles: dict[str, str] | None = None
) -> str:
    """One topic of the summary: how it went, or links to the parts to read again."""
    titles = titles or {}
    parts = []
    name = ui.t(f"topic_{topic.topic}", lang)
    count = ui.t("topic_score", lang, right=topic.right, total=topic.total)
    all_right = topic.right == topic.total
    kind = "correct" if all_right else ("partly" if topic.right else "wrong")
    parts.append(
        f'<li class="quiz-topic quiz-topic-{kind}">{_mark(kind, name)}: {escape(count)}'
    )
    if all_right:
        parts.append(f' <span class="quiz-all-right">{escape(ui.t("all_right", lang))}</span>')
    else:
        parts.append(f' <span class="quiz-revisit-head">{escape(ui.t("revisit", lang))}</span>')
        parts.append('<ul class="quiz-revisit">')
        for ref in topic.revisit:
            lesson_id, _, section_id = ref.partition("#")
            title = titles.get(lesson_id, lesson_id)
            section = titles.get(ref, ref)
            href = f"{lesson_id}.ipynb" + (f"#{section_id}" if section_id else "")
            parts.append(
                f'<li><a href="{escape(href)}">{escape(title)} – {escape(section)}</a></li>'
            )
        parts.append("</ul>")
    parts.append("</li>")
    return "".join(parts)


def answer_key_markdown(
    bank: Bank,
    lang: str,
    ui: QuizUi | None = None,
    *,
    banks: dict[str, Bank] | None = None,
    seed: int | str = 0,
) -> str:
    """The answer key for the facilitator notes: question, right answer(s), short why.

    For the last lesson's bank (it has ``final``) the key is the final quiz as the slides
    show it (drawn from all banks with ``seed``), then the bank's own questions.
    """
    from awareness.quiz.engine import final_quiz
    from awareness.quiz.model import load_banks, load_ui

    if ui is None:
        ui = load_ui()
    questions = list(bank.questions)
    lines: list[str] = []
    if bank.final is not None:
        drawn = final_quiz(banks if banks is not None else load_banks(), seed)
        lines += [f"*{_md(ui.t('key_final_note', lang))}*", ""]
        own = [q for q in questions if q not in drawn]
        lines += _key_items(drawn, ui, lang)
        if own:
            lines += ["---", ""]
        questions = own
    lines += _key_items(questions, ui, lang)
    return "\n".join(lines)


def _key_items(questions: list[Question], ui: QuizUi, lang: str) -> list[str]:
    lines: list[str] = []
    for n, q in enumerate(questions, 1):
        lines.append(f"{n}. **{_md(q.prompt[lang])}**")
        if q.sensitive:
            lines.append(f"   - *{_md(ui.t('key_poll', lang))}*")
        if q.type == "order":
            lines.append(f"   - {_md(ui.t('correct_order', lang))}:")
            for i, o in enumerate(q.options, 1):
                lines.append(f"     {i}. {_md(option_label(q, o, ui, lang))}")
            why = " ".join(o.feedback[lang] for o in q.options)
            lines.append(f"   - {_md(why)}")
        else:
            for o in q.options:
                if o.correct:
                    lines.append(
                        f"   - ✔ {_md(option_label(q, o, ui, lang))} — {_md(o.feedback[lang])}"
                    )
        lines.append("")
    return lines


def _md(text: str) -> str:
    """Plain text made safe for Markdown: no HTML, no stray emphasis."""
    text = escape(text, quote=False)
    for ch in "\\`*_[]":
        text = text.replace(ch, "\\" + ch)
    return text
