"""A chat scenario as slides a class can vote through: every branch, every ending.

The story graph is the conversation model's (``lessons/scenarios/<id>.yaml``): nothing
here knows Jonas or Sara. The nodes are cut into *segments*: a segment starts at the
scenario's first node, at every choice's target and at every node two ways lead to,
and runs on by ``next`` until a decision point, an ending or the next segment.

Slides, each with an id the others link to (reveal.js internal links ``#/<id>``):

- messages: the segment's messages, revealed one by one; next to each message from the
  other side, revealed after it, whether it is a warning sign (and why) or small talk;
- decision: the last message, the prompt and the choices as big lettered links A, B, C
  to each choice's slide (the class votes, the teacher clicks or presses the letter);
- choice: what the main character chose, then (a fragment) the feedback and why, with a
  link back to the decision;
- ending: how it ended, not their fault, not in trouble; then the warning signs on the
  way there; then the steps (one slide the endings share) and on with the lesson.

Each slide names its story successor (``next``), so the deck's own script follows the
class's path whatever the order of the slides. The order: the teacher path (the one that
tells the most, ``teacher_path``) in the lesson, every other branch in an appendix at
the end of the deck whose first slide lists, for a printout, the page of every choice.
Page numbers are placeholders (``{{page:<id>}}``) the export fills in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from awareness.slides.flow import make_flow

__all__ = ["AFTER", "HEAVY_POINTS", "ChatDeck", "chat_slides", "md", "page_ref", "teacher_path"]

# The story successor of the last chat slide: the slide after the chat in the lesson.
AFTER = "@after"
# Guide points of the heavy part of the story (saved and recorded, threat, published):
# slides that show them carry the safeguarding cue in their notes.
HEAVY_POINTS = {"6", "7", "8"}
LETTERS = "ABCDEFGH"


def _e(text: str) -> str:
    return escape(text, quote=True)


def md(text: str) -> str:
    """Plain text made safe for the speaker notes' Markdown."""
    text = escape(text, quote=False)
    for ch in "\\`*_[]#":
        text = text.replace(ch, "\\" + ch)
    return text


def page_ref(words, lang: str, target: str, arrow: bool = True) -> str:
    """"→ page N" (or "(page N)" after a link's own words) for a printout, shown in the
    PDF only; N is filled in by the export."""
    text = _e(words.t("page", lang, page="\x00")).replace("\x00", f"{{{{page:{target}}}}}")
    text = f" → {text}" if arrow else f" ({text})"
    return f'<span class="aw-pageref">{text}</span>'


def teacher_path(conv) -> tuple[str, ...]:
    """The path shown in the lesson itself: the one that tells the most of the story.

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


@dataclass
class Segment:
    start: str
    messages: list = field(default_factory=list)
    end: object | None = None  # the decision or ending node it stops at
    cont: str | None = None  # else the segment it runs on into


class ChatDeck:
    """The slides of one scenario in one language."""

    def __init__(self, conv, course, words, lang: str):
        self.conv, self.course, self.words, self.lang = conv, course, words, lang
        self.ui = conv.ui
        self.p = f"aw-{conv.id}"
        preds: dict[str, list[str]] = {}
        for node in conv.nodes:
            for succ in node.successors():
                preds.setdefault(succ, []).append(node.id)
        self.preds = preds
        starts = {conv.start} | {c.next for n in conv.nodes for c in n.choices or []}
        starts |= {node_id for node_id, ps in preds.items() if len(ps) > 1}
        self.segments = {s: self._segment(s, starts) for s in starts}
        self.path = teacher_path(conv)
        self.main_choices = set(self.path)

    # --- the graph ------------------------------------------------------------------------
    def _segment(self, start: str, starts: set[str]) -> Segment:
        seg = Segment(start)
        node = self.conv.node(start)
        for _ in range(len(self.conv.nodes)):
            if node.is_decision:
                seg.end = node
                break
            seg.messages.append(node)
            if node.is_ending:
                seg.end = node
                break
            if node.next in starts:
                seg.cont = node.next
                break
            node = self.conv.node(node.next)
        return seg

    def msg_id(self, start: str) -> str:
        return f"{self.p}-m-{start}"

    def dec_id(self, node_id: str) -> str:
        return f"{self.p}-d-{node_id}"

    def choice_id(self, choice_id: str) -> str:
        return f"{self.p}-c-{choice_id}"

    def end_id(self, node_id: str, part: str = "") -> str:
        return f"{self.p}-e-{node_id}{part}"

    @property
    def steps_id(self) -> str:
        return f"{self.p}-steps"

    @property
    def appendix_id(self) -> str:
        return f"{self.p}-appendix"

    def entry(self, start: str) -> str:
        """The first slide of the segment that starts at this node."""
        seg = self.segments[start]
        if seg.messages:
            return self.msg_id(start)
        return self.dec_id(seg.end.id)

    def after(self, seg: Segment) -> str:
        """Where the story goes after the segment's messages."""
        if seg.end is not None:
            return self.dec_id(seg.end.id) if seg.end.is_decision else self.end_id(seg.end.id)
        return self.entry(seg.cont)

    def parent_decision(self, node_id: str) -> str:
        """A decision point before this node (the nearest, in story order)."""
        seen, todo = set(), [node_id]
        while todo:
            current = todo.pop(0)
            for pred in self.preds.get(current, []):
                if pred in seen:
                    continue
                seen.add(pred)
                if self.conv.node(pred).is_decision:
                    return self.dec_id(pred)
                todo.append(pred)
        return self.entry(self.conv.start)

    def ending_tags(self, node_id: str) -> list:
        """The warning signs on the messages that can come before this ending."""
        seen, todo = {node_id}, [node_id]
        while todo:
            for pred in self.preds.get(todo.pop(), []):
                if pred not in seen:
                    seen.add(pred)
                    todo.append(pred)
        tags: list[str] = []
        for node in self.conv.nodes:
            if node.id in seen:
                tags += [t for t in node.tags if t not in tags]
        return [self.conv.tag(t) for t in tags]

    # --- pieces -----------------------------------------------------------------------------
    def t(self, key: str, **values) -> str:
        return self.words.t(key, self.lang, **values)

    def kicker(self) -> str:
        return f'<p class="aw-kicker">{_e(self.conv.title[self.lang])}</p>'

    def link(self, target: str, text: str, cls: str = "", back: bool = False) -> str:
        extra = ' data-aw-back="1"' if back else ""
        pref = "" if back else page_ref(self.words, self.lang, target, arrow=False)
        return f'<a class="aw-link {cls}" href="#/{target}"{extra}>{_e(text)}{pref}</a>'

    def links(self, *parts: str) -> str:
        return f'<p class="aw-links">{"".join(parts)}</p>'

    def heavy(self, nodes) -> bool:
        return any(
            self.conv.tag(tag).guide_point in HEAVY_POINTS for node in nodes for tag in node.tags
        )

    def _row(self, node) -> tuple[str, str]:
        from awareness.conversation.render import render_message

        lang, ui = self.lang, self.ui
        message = render_message(self.conv, node, lang, flagged=False)
        side = self.conv.side(node)
        excerpt = self.t("quote", text=md(node.text[lang]))
        if node.tags:
            tags = [self.conv.tag(t) for t in node.tags]
            card = (
                '<div class="aw-sign"><p class="aw-sign-head"><span aria-hidden="true">⚑</span> '
                f"<strong>{_e(ui.warning_sign[lang])}:</strong> "
                f"{_e(', '.join(t.label[lang] for t in tags))}</p>"
                + "".join(f'<p class="aw-sign-why">{_e(t.explanation[lang])}</p>' for t in tags)
                + "</div>"
            )
            note = f"- {excerpt} – **{md(ui.warning_sign[lang])}:** " + " ".join(
                f"*{md(t.label[lang])}:* {md(t.explanation[lang])}" for t in tags
            )
        elif side == "left":
            why = node.ordinary[lang] if node.ordinary else ui.small_talk[lang]
            card = (
                f'<div class="aw-ordinary"><p><span aria-hidden="true">○</span> '
                f"{_e(why)}</p></div>"
            )
            note = f"- {excerpt} – {md(why)}"
        else:
            card, note = "", ""
        sign = f'<div class="fragment aw-row-sign">{card}</div>' if card else ""
        row = (
            f'<div class="aw-row aw-row-{side}"><div class="fragment aw-lead aw-row-msg">'
            f"{message}</div>{sign}</div>"
        )
        return row, note

    # --- slides -----------------------------------------------------------------------------
    def messages_slide(self, seg: Segment, first: bool) -> dict:
        rows, notes = zip(*(self._row(n) for n in seg.messages), strict=True)
        head = (f'<div class="awareness-chat aw-deck aw-chatslide">{self.kicker()}'
                '<div class="aw-rows" data-aw-flow="1">')
        fiction = (
            f'<p class="aw-fiction-line">{_e(self.conv.fiction[self.lang])}</p>' if first else ""
        )
        target = self.after(seg)
        tail = fiction + self.links(self.link(target, self.t("continue") + " →", "aw-next"))
        flow = make_flow(head, list(rows), "</div>", tail, "</div>")
        flow["notes_head"] = self.t("notes_read")
        flow["block_notes"] = list(notes)
        return {
            "id": self.msg_id(seg.start),
            "kind_of": "chat-messages",
            "flow": flow,
            "next": target,
            "heavy": self.heavy(seg.messages),
        }

    def decision_slide(self, node) -> dict:
        from awareness.conversation.render import KIND_ICONS, render_message

        lang, ui = self.lang, self.ui
        prompt = node.prompt[lang] if node.prompt else ui.choose[lang]
        options, notes = [], []
        default = self.choice_id(node.choices[0].id)
        for letter, choice in zip(LETTERS, node.choices, strict=False):
            target = self.choice_id(choice.id)
            if choice.id in self.main_choices:
                default = target
            options.append(
                f'<li><a class="aw-option" href="#/{target}" data-aw-key="{letter}">'
                f'<span class="aw-letter">{letter}</span>'
                f'<span class="aw-option-text">{_e(choice.text[lang])}</span>'
                f"{page_ref(self.words, lang, target)}</a></li>"
            )
            leads = self.conv.node(choice.next)
            notes.append(
                f"- **{letter}: {md(choice.text[lang])}** – {KIND_ICONS[choice.kind]} "
                f"{md(getattr(ui, choice.kind)[lang])}: {md(choice.feedback[lang])}"
                + (f" ({md(self.t('notes_leads_to'))}: {md(leads.label[lang])})"
                   if leads.label else "")
            )
        fiction = (
            f'<p class="aw-fiction-line">{_e(self.conv.fiction[lang])}</p>'
            if node.id == self.conv.start else ""
        )
        html = (
            '<div class="awareness-chat aw-deck aw-decision-slide">'
            f'<div class="aw-decision-context">{self.kicker()}'
            f"{render_message(self.conv, node, lang)}{fiction}</div>"
            f'<div class="aw-decision-main"><h2 class="aw-prompt-big">{_e(prompt)}</h2>'
            f'<p class="aw-vote">{_e(self.t("vote"))}</p>'
            f'<ol class="aw-options">{"".join(options)}</ol></div></div>'
        )
        note = "\n\n".join(
            [self.t("notes_vote"), f"**{md(self.t('notes_choices'))}**", "\n".join(notes)]
        )
        return {
            "id": self.dec_id(node.id),
            "kind_of": "chat-decision",
            "html": html,
            "notes": note,
            "next": default,
            "heavy": self.heavy([node]),
        }

    def exclusive(self, choice) -> Segment | None:
        """The segment only this choice leads to, when it has messages: they go on the
        choice's own slide, after the feedback."""
        seg = self.segments[choice.next]
        if len(self.preds.get(choice.next, [])) == 1 and seg.messages:
            return seg
        return None

    def choice_slide(self, node, letter: str, choice) -> dict:
        from awareness.conversation.render import KIND_ICONS

        lang, ui = self.lang, self.ui
        kind = getattr(ui, choice.kind)[lang]
        seg = self.exclusive(choice)
        target = self.after(seg) if seg else self.entry(choice.next)
        top = (
            f"{self.kicker()}<p class=\"aw-chose-line\">{_e(ui.you_chose[lang])}</p>"
            f'<div class="aw-choice-big"><span class="aw-letter">{letter}</span>'
            f"<h2>{_e(choice.text[lang])}</h2></div>"
            f'<div class="fragment aw-feedback aw-{choice.kind}">'
            f'<p class="aw-feedback-kind"><span aria-hidden="true">{KIND_ICONS[choice.kind]}</span>'
            f" <strong>{_e(kind)}</strong></p><p>{_e(choice.feedback[lang])}</p></div>"
        )
        links = self.links(
            self.link(self.dec_id(node.id), "↩ " + self.t("back_to_decision"), "aw-back"),
            self.link(target, self.t("continue") + " →", "aw-next"),
        )
        note = (
            f"{self.t('notes_choice')}\n\n**{letter}: {md(choice.text[lang])}** – "
            f"{KIND_ICONS[choice.kind]} {md(kind)}: {md(choice.feedback[lang])}"
        )
        slide = {"id": self.choice_id(choice.id), "kind_of": "chat-choice", "next": target}
        if seg is None:
            slide["html"] = (f'<div class="awareness-chat aw-deck aw-choice-slide">{top}{links}'
                             "</div>")
            slide["notes"] = note
            return slide
        rows, notes = zip(*(self._row(n) for n in seg.messages), strict=True)
        back = self.links(
            self.link(self.dec_id(node.id), "↩ " + self.t("back_to_decision"), "aw-back"))
        head = (f'<div class="awareness-chat aw-deck aw-choice-slide">{top}{back}'
                '<div class="aw-rows" data-aw-flow="1">')
        head_cont = (f'<div class="awareness-chat aw-deck aw-chatslide">{self.kicker()}'
                     '<div class="aw-rows" data-aw-flow="1">')
        tail = self.links(self.link(target, self.t("continue") + " →", "aw-next"))
        flow = make_flow(head, list(rows), "</div>", tail, "</div>", head_cont)
        flow["lead_later"] = True
        flow["notes_head"] = f"{note}\n\n{self.t('notes_read')}"
        flow["block_notes"] = list(notes)
        slide["flow"] = flow
        slide["heavy"] = self.heavy(seg.messages)
        return slide

    def ending_slides(self, node) -> list[dict]:
        lang, ui, conv = self.lang, self.ui, self.conv
        ending = node.ending
        name = conv.speaker(conv.protagonist).name[lang]
        back = self.parent_decision(node.id)
        signs_id = self.end_id(node.id, "-signs")
        first = (
            '<div class="awareness-chat aw-deck aw-ending-slide"><div class="aw-ending-main">'
            f'<p class="aw-kicker">{_e(ui.ending[lang])}</p>'
            f"<h2>{_e(ending.title[lang])}</h2><p>{_e(ending.debrief[lang])}</p></div>"
            '<div class="aw-ending-side">'
            f'<div class="aw-not-your-fault"><h3><span aria-hidden="true">♥</span> '
            f"{_e(conv.debrief.heading[lang])}</h3><p>{_e(conv.debrief.not_your_fault[lang])}</p></div>"
            f'<div class="aw-not-in-trouble"><h3>{_e(self.course.t("not_in_trouble", lang))}</h3>'
            f"<p>{_e(self.course.t('not_in_trouble_why', lang))}</p></div></div>"
            + self.links(
                self.link(back, "↩ " + self.t("back_to_decision"), "aw-back", back=True),
                self.link(signs_id, self.t("continue") + " →", "aw-next"),
            )
            + "</div>"
        )
        note_first = "\n\n".join(
            [
                f"**{md(ending.title[lang])}** – {md(ending.debrief[lang])}",
                self.t("notes_ending", name=name),
                f"**{md(conv.debrief.heading[lang])}** {md(conv.debrief.not_your_fault[lang])}",
            ]
        )
        tags = self.ending_tags(node.id)
        items = [
            f'<li><span aria-hidden="true">⚑</span> <strong>{_e(t.label[lang])}</strong> – '
            f"{_e(t.explanation[lang])}</li>"
            for t in tags
        ]
        title = f"{_e(ui.signs[lang])}"
        head = (
            '<div class="awareness-chat aw-deck aw-signs-slide">'
            f'<p class="aw-kicker">{_e(ending.title[lang])}</p>'
            f'<h2>{title}</h2><ul class="aw-sign-list" data-aw-flow="1">'
        )
        head_cont = head.replace("</h2>", f" ({_e(self.t('continued'))})</h2>", 1)
        tail = self.links(
            self.link(back, "↩ " + self.t("back_to_decision"), "aw-back", back=True),
            self.link(self.steps_id, self.t("continue") + " →", "aw-next"),
        )
        flow = make_flow(head, items, "</ul>", tail, "</div>", head_cont)
        flow["notes_head"] = f"**{title}**"
        flow["block_notes"] = [f"- {md(t.label[lang])}" for t in tags]
        return [
            {
                "id": self.end_id(node.id),
                "kind_of": "chat-ending",
                "html": first,
                "notes": note_first,
                "next": signs_id,
                "heavy": True,
            },
            {"id": signs_id, "kind_of": "chat-signs", "flow": flow, "next": self.steps_id},
        ]

    def steps_slide(self, last_decision: str) -> dict:
        lang, ui = self.lang, self.ui
        items = [f'<li data-step="{_e(s.id)}">{_e(s.text[lang])}</li>' for s in self.conv.steps]
        head = (
            f'<div class="awareness-chat aw-deck aw-steps-slide">{self.kicker()}'
            f"<h2>{_e(ui.steps[lang])}</h2>"
            '<ol class="aw-step-list" data-aw-flow="1">'
        )
        head_cont = head.replace("</h2>", f" ({_e(self.t('continued'))})</h2>", 1)
        tail = self.links(
            self.link(last_decision, "↩ " + self.t("back_to_decision"), "aw-back", back=True),
            self.link(self.entry(self.conv.start), "↺ " + ui.restart[lang], "aw-restart"),
            self.link(AFTER, self.t("continue_lesson") + " →", "aw-next"),
        )
        flow = make_flow(head, items, "</ol>", tail, "</div>", head_cont)
        flow["notes_head"] = f"**{md(ui.steps[lang])}**"
        flow["block_notes"] = [f"{i}. {md(s.text[lang])}" for i, s in
                               enumerate(self.conv.steps, 1)]
        flow["numbered"] = True
        return {"id": self.steps_id, "kind_of": "chat-steps", "flow": flow, "next": AFTER,
                "heavy": True}

    def appendix_slide(self) -> dict:
        lang, ui = self.lang, self.ui
        blocks, notes = [], []
        for node in self.conv.decisions():
            prompt = node.prompt[lang] if node.prompt else ui.choose[lang]
            label = node.label[lang] if node.label else ""
            rows = "".join(
                f'<li><a href="#/{self.choice_id(c.id)}">'
                + _e(self.t("appendix_row", letter=letter, page="\x00")).replace(
                    "\x00", f"{{{{page:{self.choice_id(c.id)}}}}}"
                )
                + f"</a> <span class=\"aw-app-choice\">{_e(c.text[lang])}</span></li>"
                for letter, c in zip(LETTERS, node.choices, strict=False)
            )
            dec = self.dec_id(node.id)
            blocks.append(
                f'<div class="aw-app-block"><p class="aw-app-head"><a href="#/{dec}">'
                f"{_e(label)}: {_e(prompt)}</a>{page_ref(self.words, lang, dec)}</p>"
                f"<ul>{rows}</ul></div>"
            )
            notes.append(f"- {md(label)}")
        head = (
            f'<div class="awareness-chat aw-deck aw-appendix-slide">{self.kicker()}'
            f'<h2>{_e(self.t("appendix_heading"))}</h2>'
            f'<p class="aw-app-intro">{_e(self.t("appendix_intro"))}</p>'
            '<div class="aw-app-grid" data-aw-flow="1">'
        )
        head_cont = head.replace("</h2>", f" ({_e(self.t('continued'))})</h2>", 1)
        flow = make_flow(head, blocks, "</div>", "", "</div>", head_cont)
        flow["notes_head"] = self.t("notes_appendix")
        flow["block_notes"] = notes
        return {"id": self.appendix_id, "kind_of": "chat-appendix", "flow": flow}

    # --- the order ----------------------------------------------------------------------------
    def slides(self) -> list[dict]:
        placed: set[str] = set()  # segments (by first node) and choices placed
        ends: set[str] = set()  # decisions and endings placed
        main: list[dict] = []
        appendix: list[dict] = []
        queue: list = []

        def place_segment(start: str, out: list[dict]) -> None:
            """The segment, and the ones it runs into, up to a decision or an ending."""
            for _ in range(len(self.segments)):
                if start in placed:
                    return
                placed.add(start)
                seg = self.segments[start]
                if seg.messages:
                    out.append(self.messages_slide(seg, start == self.conv.start))
                if seg.end is None:
                    start = seg.cont
                    continue
                if seg.end.id in ends:
                    return
                ends.add(seg.end.id)
                if seg.end.is_decision:
                    out.append(self.decision_slide(seg.end))
                    queue.append(seg.end)
                else:
                    ending = self.ending_slides(seg.end)
                    out.extend(ending)
                return

        def place_choice(node, choice, out: list[dict]) -> None:
            letter = LETTERS[node.choices.index(choice)]
            placed.add(choice.id)
            out.append(self.choice_slide(node, letter, choice))
            seg = self.exclusive(choice)
            if seg is None:
                place_segment(choice.next, out)
                return
            placed.add(seg.start)  # its messages are on the choice's slide
            if seg.end is None:
                place_segment(seg.cont, out)
            elif seg.end.id not in ends:
                ends.add(seg.end.id)
                if seg.end.is_decision:
                    out.append(self.decision_slide(seg.end))
                    queue.append(seg.end)
                else:
                    out.extend(self.ending_slides(seg.end))

        # The teacher path, in the lesson.
        place_segment(self.conv.start, main)
        last_decision = self.entry(self.conv.start)
        for choice_id in self.path:
            node, choice = self.conv.choice(choice_id)
            last_decision = self.dec_id(node.id)
            place_choice(node, choice, main)
        main.append(self.steps_slide(last_decision))
        # Every other choice, decision by decision in story order, in the appendix.
        done = 0
        while done < len(queue):
            node = queue[done]
            done += 1
            for choice in node.choices:
                if choice.id not in placed:
                    place_choice(node, choice, appendix)
        for slide in main:
            slide["place"] = "main"
        for slide in [self.appendix_slide(), *appendix]:
            slide["place"] = "appendix"
            main.append(slide)
        return main


def chat_slides(lang: str, scenario: str = "jonas") -> list[dict]:
    """A scenario's chat as slides (see the module's docstring)."""
    from awareness.content.course import load_course
    from awareness.conversation.model import load_conversation
    from awareness.slides.words import load_words

    course = load_course()
    conv = load_conversation(scenario=scenario)
    return ChatDeck(conv, course, load_words(course.languages), lang).slides()
