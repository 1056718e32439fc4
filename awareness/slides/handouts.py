"""Student handouts: one A4 PDF per lesson and language, without any answer.

``build/handouts/<lang>/<lesson-id>.pdf``: the lesson's key points (the notebook's
``key-points`` section), its quiz questions with tick boxes (the final quiz for the last
lesson, drawn as on the slides; no answer, no feedback, steps of an order question
shuffled as on the slides), a checklist (the lesson's own, or the chat's steps "if it
happens") and the help box from course.yaml. The teacher's PDF with the answers stays
in ``build/slides/``.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

__all__ = ["HANDOUT_CSS", "handout_html"]

HANDOUT_CSS = """
@page { size: A4; margin: 14mm 15mm 14mm 15mm; }
html { font-family: var(--aw-font); color: var(--aw-text); font-size: 10.5pt; line-height: 1.38; }
body { margin: 0; }
h1 { font-size: 22pt; margin: 0 0 4pt 0; color: var(--aw-accent-dark); }
h2 { font-size: 14pt; margin: 12pt 0 5pt 0; color: var(--aw-accent-dark);
  break-after: avoid; }
.kicker { font-size: 9pt; font-weight: 700; text-transform: uppercase; letter-spacing: .05em;
  color: var(--aw-accent-dark); margin: 0 0 2pt 0; border-top: 4pt solid var(--aw-accent);
  padding-top: 6pt; }
.summary { color: var(--aw-muted); margin: 0 0 8pt 0; }
.keypoints { background: var(--aw-bg); border-radius: 6pt; padding: 4pt 12pt; }
.keypoints h2 { display: none; }
.keypoints li { margin: 2pt 0; }
ol.questions { padding-left: 16pt; columns: 2; column-gap: 20pt; }
ol.questions > li { margin: 0 0 8pt 0; break-inside: avoid; }
.prompt, .hint { margin: 0 0 2pt 0; }
.prompt { font-weight: 700; }
.hint { font-style: italic; color: var(--aw-muted); font-size: 9.5pt; }
ul.boxes { list-style: none; padding-left: 4pt; margin: 2pt 0; }
ul.boxes li { margin: 1pt 0; }
.box { display: inline-block; width: 9pt; height: 9pt; border: 1pt solid var(--aw-text);
  margin-right: 5pt; vertical-align: -1pt; }
.blank { display: inline-block; width: 16pt; border-bottom: 1pt solid var(--aw-text);
  margin-right: 5pt; }
.checklist li { margin: 2pt 0; break-inside: avoid; }
.checklist .hint { display: block; font-style: normal; margin-left: 15pt; }
.awareness-help { background: var(--aw-help); border-left: 5pt solid var(--aw-help-border);
  border-radius: 6pt; padding: 6pt 12pt; margin-top: 12pt; break-inside: avoid; font-size: 9.5pt; }
.awareness-help h2 { margin-top: 2pt; }
.awareness-help li { margin: 2pt 0; }
.awareness-help a { color: var(--aw-text); text-decoration: none; }
.awareness-tell-adult q { font-weight: 700; }
.awareness-source { color: var(--aw-muted); font-size: 8.5pt; }
"""


def _e(text: str) -> str:
    return escape(text, quote=True)


def _notebook_parts(path: Path) -> tuple[str, list[str]]:
    """The key-points section's Markdown, and the checklists the lesson shows."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    markdown, section, checklists = [], None, []
    for cell in nb.get("cells", []):
        source = "".join(cell.get("source", []))
        section = cell.get("metadata", {}).get("awareness", {}).get("section", section)
        if cell.get("cell_type") == "code":
            checklists += re.findall(r"show_checklist\(\s*[\"']([a-z0-9-]+)[\"']", source)
        elif section == "key-points" and cell.get("cell_type") == "markdown":
            markdown.append(source)
    return "\n\n".join(markdown), checklists


def _question(question, ui, lang: str) -> str:
    from awareness.quiz.engine import shuffled_options
    from awareness.quiz.render import option_label

    key = {"single": "choose_one", "true_false": "choose_one", "multiple": "choose_all",
           "spot": "choose_spot", "order": "choose_order"}[question.type]
    hint = ui.t("poll", lang) if question.sensitive else ui.t(key, lang)
    mark = '<span class="blank"></span>' if question.type == "order" else (
        '<span class="box"></span>')
    options = "".join(
        f"<li>{mark}{_e(option_label(question, o, ui, lang))}</li>"
        for o in shuffled_options(question, 0)
    )
    return (
        f'<li><p class="prompt">{_e(question.prompt[lang])}</p>'
        f'<p class="hint">{_e(hint)}</p><ul class="boxes">{options}</ul></li>'
    )


def handout_html(lesson_id: str, lang: str, root: Path, palette_css: str) -> str:
    """The handout of one lesson as a self-contained HTML page (A4, for printing)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from awareness.checklist import load_checklists
    from awareness.content.course import load_course
    from awareness.conversation.model import DEFAULT_SCENARIO, load_conversation
    from awareness.html_parts import help_box
    from awareness.quiz.engine import final_quiz
    from awareness.quiz.model import load_bank, load_banks, load_ui
    from awareness.slides.emoji import inline_emoji
    from awareness.slides.words import load_words

    course = load_course(root)
    words = load_words(course.languages)
    lesson = course.lesson(lesson_id)
    key_md, names = _notebook_parts(root / "lessons" / lang / f"{lesson_id}.ipynb")
    key_title = next((s.title[lang] for s in lesson.sections if s.id == "key-points"), "")
    ui = load_ui()
    bank = load_bank(lesson_id)
    questions = final_quiz(load_banks(), seed=0) if bank.final is not None else bank.questions
    if names:
        model, _ = load_checklists(root, course.languages)
        lists = [model.get(name) for name in names]
        checklist = "".join(
            f"<h2>{_e(c.ui.heading[lang])}</h2><ul class=\"boxes checklist\">"
            + "".join(
                f'<li><span class="box"></span><strong>{_e(i.label[lang])}</strong>'
                f'<span class="hint">{_e(i.hint[lang])}</span></li>'
                for i in c.items
            )
            + "</ul>"
            for c in lists
        )
    else:
        conv = load_conversation(scenario=DEFAULT_SCENARIO)
        checklist = (
            f"<h2>{_e(conv.ui.steps[lang])}</h2><ul class=\"boxes checklist\">"
            + "".join(f'<li><span class="box"></span>{_e(s.text[lang])}</li>' for s in conv.steps)
            + "</ul>"
        )
    body = (
        f'<p class="kicker">{_e(course.title[lang])} · {_e(words.t("handout_kicker", lang))}</p>'
        f"<h1>{_e(lesson.title[lang])}</h1>"
        f'<p class="summary">{_e(lesson.summary[lang])}</p>'
        + (f"<h2>{_e(key_title)}</h2><div class=\"keypoints\">"
           f"{markdown2html_mistune(key_md)}</div>" if key_md else "")
        + f"<h2>{_e(words.t('handout_questions', lang))}</h2>"
        f'<ol class="questions">{"".join(_question(q, ui, lang) for q in questions)}</ol>'
        f"{checklist}{help_box(lang)}"
        f'<p class="awareness-source">{_e(course.source[lang])}</p>'
    )
    html = (
        f'<!DOCTYPE html><html lang="{_e(lang)}"><head><meta charset="utf-8">'
        f"<title>{_e(lesson.title[lang])}</title>"
        f"<style>{palette_css}{HANDOUT_CSS}</style></head><body>{body}</body></html>"
    )
    return inline_emoji(html, root)
