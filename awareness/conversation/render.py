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
from awareness.conversation.engine import ChatEngine, Summary
from awareness.conversation.model import Choice, Conversation, Image, Node
from awareness.html_parts import help_item, help_numbers

__all__ = [
    "CSS_FILE",
    "initials",
    "KIND_ICONS",
    "mark_chip",
    "replay_head",
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


def initials(name: str) -> str:
    """A speaker's avatar letter: the first letter of the name (Emma_17 -> E)."""
    for char in name:
        if char.isalpha():
            return char.upper()
    return "?"


def render_message(
    conv: Conversation,
    node: Node,
    lang: str,
    flagged: bool = False,
    badge: bool = True,
    *,
    avatar: bool = False,
    typing: float | None = None,
    pause: float = 0.0,
) -> str:
    """One chat bubble: name and time, the text, an image tile; narrator notes centred.

    A flagged message gets an outline and (with ``badge``) the words "flagged as a warning
    sign"; the widget leaves the words to its flag button. ``avatar``: the other side's
    messages get a round avatar with the speaker's initial (the messenger look).
    ``typing``/``pause``: seconds of "… is typing" and of silence before it, for the page
    to play (``data-typing``, ``data-pause``).
    """
    side = conv.side(node)
    speaker = conv.speaker(node.speaker)
    classes = f"aw-msg aw-{side}" + (" aw-flagged" if flagged else "")
    attrs = f'data-node="{_e(node.id)}" data-speaker="{_e(speaker.id)}"'
    if typing is not None:
        attrs += f' data-typing="{typing:g}" data-pause="{pause:g}"'
    if side == "center":
        note = f'<p class="aw-note">{_e(node.text[lang])}</p>'
        return f'<div class="{classes}" {attrs}>{note}</div>'
    meta = f'<span class="aw-name">{_e(speaker.name[lang])}</span>'
    if node.time:
        meta += f' <span class="aw-time">{_e(node.time)}</span>'
    body = render_image(node.image, lang) if node.image else ""
    body += f'<p class="aw-text"{lang_attr(node, lang)}>{_e(node.text[lang])}</p>'
    words = ""
    if flagged and badge:
        words = (
            f'<p class="aw-flag-badge"><span aria-hidden="true">⚑</span> '
            f"{_e(conv.ui.warning_sign[lang])}</p>"
        )
    face = ""
    if avatar and side == "left":
        number = conv.speakers.index(speaker)
        face = (
            f'<span class="aw-avatar aw-av-{number}" aria-hidden="true">'
            f"{_e(initials(speaker.name[lang]))}</span>"
        )
    return (
        f'<div class="{classes}" {attrs}>{face}<div class="aw-msg-body">'
        f'<div class="aw-meta">{meta}</div>'
        f'<div class="aw-bubble">{body}</div>{words}</div></div>'
    )


def render_typing(conv: Conversation, speaker_id: str, lang: str, hidden: bool = False) -> str:
    """The short "… skriver" bubble shown before the other side's message (``hidden``:
    drawn ahead, for the page to show while it plays the new messages)."""
    speaker = conv.speaker(speaker_id)
    name = _e(speaker.name[lang])
    number = conv.speakers.index(speaker)
    return (
        f'<div class="aw-msg aw-left aw-typing" data-speaker="{_e(speaker_id)}"'
        + (" hidden" if hidden else "")
        + f'><span class="aw-avatar aw-av-{number}" aria-hidden="true">'
        f"{_e(initials(speaker.name[lang]))}</span>"
        f'<div class="aw-bubble"><span class="aw-dots" aria-hidden="true">'
        f"<i></i><i></i><i></i></span> {name} {_e(conv.ui.typing[lang])}</div></div>"
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


def _excerpt(text: str, words: int = 10) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def mark_chip(kind: str, icon: str, word: str, text: str, attr: str) -> str:
    """One mark in the debrief's replay: a sign found or missed, or a wrong flag."""
    return (
        f'<li class="aw-mark aw-mark-{kind}" {attr}><span aria-hidden="true">{icon}</span> '
        f'<span class="aw-sr">{_e(word)}: </span>{text}</li>'
    )


def lang_attr(node: Node, lang: str) -> str:
    """` lang="…"` for a message written in another language than the page's."""
    if node.written_in and node.written_in != lang:
        return f' lang="{_e(node.written_in)}"'
    return ""


def replay_head(conv: Conversation, node: Node, lang: str, flagged: bool) -> str:
    """A replayed message in the debrief, up to its list of marks (``</ul></li>`` ends it)."""
    speaker = conv.speaker(node.speaker)
    mark = " aw-flagged" if flagged else ""
    quote = _e(_excerpt(node.text[lang]))
    if lang_attr(node, lang):
        quote = f"<span{lang_attr(node, lang)}>{quote}</span>"
    return (
        f'<li class="aw-replay-item" data-node="{_e(node.id)}">'
        f'<div class="aw-replay-msg{mark}"><span class="aw-name">'
        f"{_e(speaker.name[lang])}</span> {quote}</div>"
        '<ul class="aw-marks">'
    )


def render_signs(conv: Conversation, summary: Summary, lang: str) -> str:
    """The warning signs on this path, replayed: the counts, then the pupil's own chat,
    only the messages that matter, each marked: a sign found (✓), a sign missed (○), an
    ordinary message flagged (✗, with why it is ordinary). Why each sign is one is a tap
    away, so the debrief stays short."""
    ui = conv.ui
    marks: dict[str, list[str]] = {}

    def mark(node_id: str, html: str) -> None:
        marks.setdefault(node_id, []).append(html)

    chip = mark_chip

    for sign in summary.found:
        hit = next((n for n in sign.node_ids if n in summary.flagged), sign.node_ids[0])
        mark(hit, chip("found", "✓", ui.mark_found[lang], _e(sign.tag.label[lang]),
                       f'data-tag="{_e(sign.tag.id)}"'))
    for sign in summary.missed:
        mark(sign.node_ids[0], chip("missed", "○", ui.mark_missed[lang],
                                    _e(sign.tag.label[lang]), f'data-tag="{_e(sign.tag.id)}"'))
    for flag in summary.wrong:
        why = flag.explanation[lang] if flag.explanation else ui.small_talk[lang]
        text = f"<strong>{_e(ui.mark_wrong[lang])}:</strong> {_e(why)}"
        mark(flag.node.id, chip("wrong", "✗", ui.mark_wrong[lang], text,
                                f'data-node="{_e(flag.node.id)}"'))
    order = {node_id: i for i, node_id in enumerate(summary.transcript)}
    items = []
    for node_id in sorted(marks, key=lambda n: order.get(n, len(order))):
        head = replay_head(conv, conv.node(node_id), lang, node_id in summary.flagged)
        items.append(f'{head}{"".join(marks[node_id])}</ul></li>')
    if summary.perfect and summary.found:
        note = f'<p class="aw-none aw-perfect">{_e(ui.perfect[lang])}</p>'
    elif not summary.found:
        note = f'<p class="aw-none">{_e(ui.none_found[lang])}</p>'
    elif not summary.missed:
        note = f'<p class="aw-none">{_e(ui.none_missed[lang])}</p>'
    else:
        note = ""
    if summary.wrong:
        note += f'<p class="aw-none aw-wrong-note">{_e(ui.wrong[lang])}.</p>'
    legend = (
        f'<p class="aw-legend"><span><span aria-hidden="true">✓</span> {_e(ui.mark_found[lang])}'
        f'</span> <span><span aria-hidden="true">○</span> {_e(ui.mark_missed[lang])}</span></p>'
    )
    signs = [*summary.found, *summary.missed]
    signs.sort(key=lambda s: order.get(s.node_ids[0], len(order)))
    why = "".join(
        f'<li data-tag="{_e(s.tag.id)}"><strong>{_e(s.tag.label[lang])}</strong> – '
        f"{_e(s.tag.explanation[lang])}</li>"
        for s in signs
    )
    details = (
        f'<details class="aw-why"><summary>{_e(ui.why_signs[lang])}</summary><ul>{why}</ul>'
        "</details>"
        if signs
        else ""
    )
    return (
        f'<section class="aw-signs"><h4>{_e(ui.replay[lang])}</h4>'
        f"{render_score(conv, summary, lang)}{note}{legend if items else ''}"
        f'<ol class="aw-replay">{"".join(items)}</ol>{details}</section>'
    )


def render_help(conv: Conversation, services: Iterable[HelpService], lang: str) -> str:
    """Where to get help: the numbers to call as big buttons, then every service from
    course.yaml (numbers and addresses as links) behind one tap."""
    services = list(services)
    items = "".join(f"<li>{help_item(s, lang)}</li>" for s in services)
    calls = [s for s in services if s.phones]
    return (
        f'<section class="aw-help"><h4>{_e(conv.ui.help[lang])}</h4>'
        f"{help_numbers(calls, lang) if calls else ''}"
        f'<details class="aw-more-help"><summary>{_e(conv.ui.more_help[lang])}</summary>'
        f"<ul>{items}</ul></details></section>"
    )


def render_ending(
    conv: Conversation,
    summary: Summary,
    lang: str,
    services: Iterable[HelpService] | None = None,
    source: str | None = None,
) -> str:
    """The ending's debrief, short and about this ending: what happened, the pupil's own
    chat replayed with the signs marked, not their fault, not in trouble, the steps (one
    tap away) and help.

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
    parts.append(
        f'<details class="aw-steps"><summary>{_e(ui.steps[lang])}</summary><ol>{steps}</ol>'
        "</details>"
    )
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
