"""Slides whose content can run on to the next slide: a *flow*.

A generated slide that may be long (chat messages, a debrief, the help list, a quiz
answer, a checklist) keeps its parts apart: ``head`` (heading and the flow's opening
tags), ``blocks`` (the pieces that may move on), ``close`` (the flow's closing tags),
``tail`` (links that belong after the last piece) and ``end`` (the slide's closing tags).
``compose`` joins them; the export's fit step
(``awareness.slides.measure``) measures the slide in Chromium and, when it runs past the
slide, keeps the blocks that fit and moves the rest to a continuation slide that starts
with ``head_cont`` (the heading with "continued").

A block may start with an element of class ``fragment aw-lead``: the first block of each
slide shows it at once (its ``fragment`` class is dropped), later blocks reveal it; with
``lead_later`` the first slide reveals its first block too (something comes before it).
"""

from __future__ import annotations

__all__ = ["LEAD", "Flow", "compose", "flow_notes", "make_flow", "split"]

LEAD = 'class="fragment aw-lead'

Flow = dict  # {"head", "head_cont", "blocks", "close", "tail", "end", "first", "last"}


def make_flow(head: str, blocks: list[str], close: str, tail: str = "", end: str = "",
              head_cont: str | None = None) -> Flow:
    return {
        "head": head,
        "head_cont": head if head_cont is None else head_cont,
        "blocks": list(blocks),
        "close": close,
        "tail": tail,
        "end": end,
    }


def compose(flow: Flow) -> str:
    """The HTML of one slide of a flow: its first slide, or a continuation (``first``
    false) that starts with ``head_cont``; only the last slide (``last``) has the tail."""
    first, last = flow.get("first", True), flow.get("last", True)
    blocks = list(flow["blocks"])
    if blocks and not (first and flow.get("lead_later")):
        blocks[0] = blocks[0].replace(LEAD, 'class="aw-lead', 1)
    head = flow["head"] if first else flow["head_cont"]
    if flow.get("numbered") and flow.get("offset"):
        head = head.replace('data-aw-flow="1"', f'data-aw-flow="1" start="{flow["offset"] + 1}"', 1)
    tail = flow["tail"] if last else ""
    return head + "".join(blocks) + flow["close"] + tail + flow.get("end", "")


def split(flow: Flow, keep: int) -> tuple[Flow, Flow]:
    """The flow as two slides: the first ``keep`` blocks, and the rest as a continuation."""
    if not 0 < keep < len(flow["blocks"]):
        raise ValueError(f"cannot keep {keep} of {len(flow['blocks'])} blocks")
    offset = flow.get("offset", 0)
    notes = flow.get("block_notes")
    one = {**flow, "blocks": flow["blocks"][:keep], "last": False}
    two = {**flow, "blocks": flow["blocks"][keep:], "first": False,
           "last": flow.get("last", True), "offset": offset + keep}
    if notes is not None:
        one["block_notes"], two["block_notes"] = notes[:keep], notes[keep:]
    return one, two


def flow_notes(flow: Flow) -> str:
    """The speaker notes for the blocks on this slide: the head's, then one per block."""
    parts = [flow.get("notes_head", "")]
    lines = [n for n in flow.get("block_notes", []) if n]
    if lines:
        parts.append("\n".join(lines))
    return "\n\n".join(p for p in parts if p)
