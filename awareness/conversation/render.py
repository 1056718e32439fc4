"""Static HTML for the chat: bubbles, decision points with feedback, the ending's debrief.

Used by the chat widget for each bubble, and by the slide export and the text-only view
for a whole path (``render_path``). Every text from the data goes through ``html.escape``.
Plain HTML with classes; the look is in chat.css (``render_css``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from awareness.content.course import load_course
from awareness.content.models import HelpService
from awareness.conversation.engine import ChatEngine, Sign, Summary, WrongFlag
from awareness.conversation.model import Choice, Conversation, Image, Node
from awareness.html_parts import help_item

__all__ = [
    "CSS_FILE",
    "KIND_ICONS",
    "render_choice_feedback",
    "render_css",
    "render_decision",
    "render_ending",
    "render_help",
    "render_image",
    "render_message",
    "render_path",
    "render_progress",
    "render_score",
    "render_signs",
    "render_typing",
]

CSS_FILE = Path(__file__).with_name("chat.css")

# Feedback is never colour alone: an icon and a word go with every kind.
KIND_ICONS = {"wise": "✓", "okay": "◐", "risky": "⚠"}
_PICTURE = (
    '<svg viewBox="0 0 24 24" width="32" height="32" aria-hidden="true" focusable="false">'
    '<rect x="2" y="4" width="20" height="16" rx="2" fill="#ffffff" stroke="#1b1f24"/>'
    '<circle cx="8" cy="9" r="2" fill="#1b1f24"/>'
    '<path d="M3 18l6-6 4 4 3-3 5 5z" fill="#1b1f24"/></svg>'
)
_LIST = (
    '<svg viewBox="0 0 24 24" width="32" height="32" aria-hidden="true" focusable="false">'
    '<rect x="2" y="3" width="20" height="18" rx="2" fill="#ffffff" stroke="#1b1f24"/>'
    '<circle cx="6" cy="8" r="1.5" fill="#1b1f24"/><path d="M9 8h10" stroke="#1b1f24"/>'
    '<circle cx="6" cy="12" r="1.5" fill="#1b1f24"/><path d="M9 12h10" stroke="#1b1f24"/>'
    '<circle cx="6" cy="16" r="1.5" fill="#1b1f24"/><path d="M9 16h10" stroke="#1b1f24"/></svg>'
)
_CARD = (
    '<svg viewBox="0 0 24 24" width="32" height="32" aria-hidden="true" focusable="false">'
    '<rect x="2" y="6" width="20" height="13" rx="2" fill="#ffffff" stroke="#1b1f24"/>'
    '<path d="M2 10h20M12 6v13" stroke="#1b1f24"/></svg>'
)
# Placeholder icons (inline SVG, nothing loaded from anywhere): never a picture of a person.
IMAGE_ICONS = {
    "blurred": _PICTURE,
    "friend-list": _LIST,
    "sent": _PICTURE,
    "gift-card": _CARD,
    "payment": _CARD,
    "ai-fake": _PICTURE,
}


def _e(text: str) -> str:
    return escape(text, quote=True)


def render_css() -> str:
    """The chat's CSS (chat.css)."""
    return CSS_FILE.read_text(encoding="utf-8")


def render_image(image: Image, lang: str) -> str:
    """A placeholder tile with its text alternative, e.g. ``[Bilde: uskarpt bilde]``."""
    alt = _e(image.alt[lang])
    icon = IMAGE_ICONS.get(image.kind, _PICTURE)
    return (
        f'<div class="aw-img aw-img-{_e(image.kind)}" role="img" aria-label="{alt}">'
        f'<span class="aw-img-icon">{icon}</span>'
        f'<span class="aw-img-alt">[{alt}]</span></div>'
    )


def render_message(
    conv: Conversation, node: Node, lang: str, flagged: bool = False, badge: bool = True
) -> str:
    """One chat bubble: name and time, the text, an image tile; narrator notes centred.

    A flagged message gets an outline and (with ``badge``) the words "flagged as a warning
    sign"; the widget leaves the words to its flag button.
    """
    side = conv.side(node)
    speaker = conv.speaker(node.speaker)
    classes = f"aw-msg aw-{side}" + (" aw-flagged" if flagged else "")
    node_attr = f'data-node="{_e(node.id)}"'
    if side == "center":
        note = f'<p class="aw-note">{_e(node.text[lang])}</p>'
        return f'<div class="{classes}" {node_attr}>{note}</div>'
    meta = f'<span class="aw-name">{_e(speaker.name[lang])}</span>'
    if node.time:
        meta += f' <span class="aw-time">{_e(node.time)}</span>'
    body = render_image(node.image, lang) if node.image else ""
    body += f'<p class="aw-text">{_e(node.text[lang])}</p>'
    words = ""
    if flagged and badge:
        words = (
            f'<p class="aw-flag-badge"><span aria-hidden="true">⚑</span> '
            f"{_e(conv.ui.warning_sign[lang])}</p>"
        )
    return (
        f'<div class="{classes}" {node_attr}><div class="aw-meta">{meta}</div>'
        f'<div class="aw-bubble">{body}</div>{words}</div>'
    )


def render_typing(conv: Conversation, speaker_id: str, lang: str) -> str:
    """The short "… skriver" bubble shown before the other side's message."""
    name = _e(conv.speaker(speaker_id).name[lang])
    return (
        f'<div class="aw-msg aw-left aw-typing"><div class="aw-bubble">'
        f'<span class="aw-dots" aria-hidden="true">•••</span> '
        f"{name} {_e(conv.ui.typing[lang])}</div></div>"
    )


def _kind_label(conv: Conversation, choice: Choice, lang: str) -> str:
    word = getattr(conv.ui, choice.kind)[lang]
    return (
        f'<span class="aw-icon" aria-hidden="true">{KIND_ICONS[choice.kind]}</span> '
        f'<strong class="aw-kind">{_e(word)}</strong>'
    )


def render_choice_feedback(conv: Conversation, choice: Choice, lang: str) -> str:
    """The feedback card after a choice: what Jonas chose, icon + word, why."""
    return (
        f'<div class="aw-feedback aw-{choice.kind}" data-choice="{_e(choice.id)}">'
        f'<p class="aw-chose">{_e(conv.ui.you_chose[lang])} '
        f"<em>{_e(choice.text[lang])}</em></p>"
        f"<p>{_kind_label(conv, choice, lang)}: {_e(choice.feedback[lang])}</p></div>"
    )


def render_decision(conv: Conversation, node: Node, lang: str, chosen: str | None = None) -> str:
    """A decision point for the static view: the prompt, every choice and its feedback."""
    prompt = node.prompt[lang] if node.prompt else conv.ui.choose[lang]
    items = []
    for choice in node.choices or []:
        mark = ' class="aw-chosen"' if choice.id == chosen else ""
        picked = (
            f'<span class="aw-chose">{_e(conv.ui.you_chose[lang])}</span> '
            if choice.id == chosen
            else ""
        )
        items.append(
            f'<li{mark} data-choice="{_e(choice.id)}">{picked}'
            f"<strong>{_e(choice.text[lang])}</strong>"
            f'<div class="aw-feedback aw-{choice.kind}">{_kind_label(conv, choice, lang)}: '
            f"{_e(choice.feedback[lang])}</div></li>"
        )
    return (
        f'<section class="aw-decision" data-node="{_e(node.id)}">'
        f'<h4 class="aw-prompt">{_e(prompt)}</h4><ul class="aw-choice-list">{"".join(items)}</ul>'
        "</section>"
    )


def render_progress(conv: Conversation, step: int, total: int, lang: str) -> str:
    text = conv.ui.progress[lang].replace("{step}", str(step)).replace("{total}", str(total))
    return f'<p class="aw-progress">{_e(text)}</p>'


def _sign_items(signs: Sequence[Sign], lang: str, icon: str) -> str:
    return "".join(
        f'<li data-tag="{_e(s.tag.id)}"><span aria-hidden="true">{icon}</span> '
        f"<strong>{_e(s.tag.label[lang])}</strong> – {_e(s.tag.explanation[lang])}</li>"
        for s in signs
    )


def _excerpt(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _wrong_items(conv: Conversation, wrong: Sequence[WrongFlag], lang: str) -> str:
    items = []
    for flag in wrong:
        why = flag.explanation[lang] if flag.explanation else conv.ui.small_talk[lang]
        items.append(
            f'<li data-node="{_e(flag.node.id)}"><span aria-hidden="true">○</span> '
            f"<q>{_e(_excerpt(flag.node.text[lang]))}</q> – {_e(why)}</li>"
        )
    return "".join(items)


def render_score(conv: Conversation, summary: Summary, lang: str) -> str:
    """One line with the counts: signs found of those seen, and ordinary messages flagged."""
    text = (
        conv.ui.score[lang]
        .replace("{found}", str(len(summary.found)))
        .replace("{total}", str(summary.total))
        .replace("{wrong}", str(len(summary.wrong)))
    )
    return (
        f'<p class="aw-score" data-found="{len(summary.found)}" data-total="{summary.total}" '
        f'data-wrong="{len(summary.wrong)}">{_e(text)}</p>'
    )


def render_signs(conv: Conversation, summary: Summary, lang: str) -> str:
    """The warning signs on this path: the counts, found and missed signs one line each,
    and, kindly, the ordinary messages that were flagged."""
    ui = conv.ui
    found = (
        f'<ul class="aw-found">{_sign_items(summary.found, lang, "✓")}</ul>'
        if summary.found
        else f'<p class="aw-none">{_e(ui.none_found[lang])}</p>'
    )
    if summary.missed:
        missed = f'<ul class="aw-missed">{_sign_items(summary.missed, lang, "○")}</ul>'
    elif summary.perfect:
        missed = f'<p class="aw-none aw-perfect">{_e(ui.perfect[lang])}</p>'
    else:
        missed = f'<p class="aw-none">{_e(ui.none_missed[lang])}</p>'
    wrong = ""
    if summary.wrong:
        wrong = (
            f"<h5>{_e(ui.wrong[lang])}</h5>"
            f'<ul class="aw-wrong">{_wrong_items(conv, summary.wrong, lang)}</ul>'
        )
    return (
        f'<section class="aw-signs"><h4>{_e(ui.signs[lang])}</h4>'
        f"{render_score(conv, summary, lang)}"
        f"<h5>{_e(ui.found[lang])}</h5>{found}<h5>{_e(ui.missed[lang])}</h5>{missed}"
        f"{wrong}</section>"
    )


def render_help(conv: Conversation, services: Iterable[HelpService], lang: str) -> str:
    """Where to get help: the services from course.yaml."""
    items = "".join(f"<li>{help_item(s, lang)}</li>" for s in services)
    return f'<section class="aw-help"><h4>{_e(conv.ui.help[lang])}</h4><ul>{items}</ul></section>'


def render_ending(
    conv: Conversation,
    summary: Summary,
    lang: str,
    services: Iterable[HelpService] | None = None,
    source: str | None = None,
) -> str:
    """The ending's debrief: what happened, the signs, not their fault, not in trouble,
    the steps, help.

    ``services`` default to course.yaml's help; ``source`` is the line naming the source.
    """
    course = load_course()
    if services is None:
        services = course.help
    ui = conv.ui
    parts = ['<section class="aw-ending">']
    if summary.ending is not None and summary.ending.ending is not None:
        ending = summary.ending.ending
        parts.append(
            f'<p class="aw-ending-kicker">{_e(ui.ending[lang])}</p>'
            f"<h3>{_e(ending.title[lang])}</h3><p>{_e(ending.debrief[lang])}</p>"
        )
    parts.append(render_signs(conv, summary, lang))
    parts.append(
        f'<section class="aw-not-your-fault"><h4><span aria-hidden="true">♥</span> '
        f"{_e(summary.heading[lang])}</h4><p>{_e(summary.not_your_fault[lang])}</p></section>"
    )
    parts.append(
        f'<section class="aw-not-in-trouble"><h4>{_e(course.t("not_in_trouble", lang))}</h4>'
        f"<p>{_e(course.t('not_in_trouble_why', lang))}</p></section>"
    )
    steps = "".join(
        f'<li data-step="{_e(s.id)}">{_e(s.text[lang])}</li>' for s in summary.steps
    )
    heading = f"<h4>{_e(ui.steps[lang])}</h4>"
    parts.append(f'<section class="aw-steps">{heading}<ol>{steps}</ol></section>')
    parts.append(render_help(conv, services, lang))
    if source:
        parts.append(f'<p class="aw-source">{_e(source)}</p>')
    parts.append("</section>")
    return "".join(parts)


def render_path(
    conv: Conversation,
    path: Sequence[str],
    lang: str,
    flags: Iterable[str] = (),
    services: Iterable[HelpService] | None = None,
) -> str:
    """A whole path through the chat as static HTML (choice ids; flags: flagged node ids)."""
    engine = ChatEngine(conv, tuple(path))
    for node_id in flags:
        if engine.can_flag(node_id):
            engine.flag(node_id)
    parts = [
        f'<div class="awareness-chat aw-static" lang="{_e(lang)}">',
        f'<h3 class="aw-title">{_e(conv.title[lang])}</h3>',
        f'<p class="aw-fiction">{_e(conv.fiction[lang])}</p>',
        '<div class="aw-messages">',
    ]
    for entry in engine.entries:
        parts.append(render_message(conv, entry.node, lang, engine.is_flagged(entry.node.id)))
        if entry.node.is_decision:
            chosen = entry.choice.id if entry.choice else None
            parts.append(render_decision(conv, entry.node, lang, chosen))
    parts.append("</div>")
    if engine.finished:
        parts.append(render_ending(conv, engine.summary(), lang, services))
    parts.append("</div>")
    return "".join(parts)
