"""A picture of the chat's branches for teachers: SVG built from the data, no network.

Decision points, the choices (with their wise/okay/risky icon) and the endings are boxes
in layers, top to bottom; plain messages between them are left out.
``python -m awareness.conversation.branchmap LANG OUT.svg [SCENARIO]`` writes the file
(SCENARIO: a file name in lessons/scenarios/ without .yaml; jonas when left out).
"""

from __future__ import annotations

import sys
import textwrap
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from awareness.conversation.model import Conversation, Node

__all__ = ["branch_map_svg", "main"]

BOX_W = 200
GAP_X = 24
LAYER_H = 96
MARGIN = 24
TOP = 96
LINE_H = 15
KIND_ICONS = {"wise": "✓", "okay": "◐", "risky": "⚠"}
STYLE = {
    "start": ("#e7f0fa", "#0a58a8"),
    "decision": ("#e7f0fa", "#0a58a8"),
    "ending": ("#e8f5ec", "#1b7f3b"),
    "wise": ("#ffffff", "#1b7f3b"),
    "okay": ("#ffffff", "#8a6100"),
    "risky": ("#ffffff", "#b3261e"),
}


@dataclass
class _Box:
    id: str
    kind: str
    caption: str
    lines: list[str]
    parents: list[str] = field(default_factory=list)
    layer: int = 0
    x: float = 0.0
    y: float = 0.0


def _e(text: str) -> str:
    return escape(text, quote=True)


def _wrap(text: str, width: int = 26, lines: int = 3) -> list[str]:
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return wrapped


def _key_node(conv: Conversation, node_id: str) -> Node:
    """Follow plain messages from node_id to the next decision point or ending."""
    node = conv.node(node_id)
    for _ in range(len(conv.nodes)):
        if node.next is None:
            return node
        node = conv.node(node.next)
    return node


def _boxes(conv: Conversation, lang: str) -> dict[str, _Box]:
    ui = conv.ui
    boxes: dict[str, _Box] = {}
    todo = [_key_node(conv, conv.start).id]
    while todo:
        node = conv.node(todo.pop(0))
        if node.id in boxes:
            continue
        label = node.label[lang] if node.label else node.text[lang]
        if node.is_ending:
            boxes[node.id] = _Box(node.id, "ending", "■ " + ui.map_ending[lang], _wrap(label))
            continue
        caption = "◆ " + ui.map_decision[lang]
        boxes[node.id] = _Box(node.id, "decision", caption, _wrap(label))
        for choice in node.choices or []:
            icon = KIND_ICONS[choice.kind]
            word = getattr(ui, choice.kind)[lang]
            box = _Box(choice.id, choice.kind, f"{icon} {word}", _wrap(choice.text[lang]))
            box.parents.append(node.id)
            boxes[choice.id] = box
            target = _key_node(conv, choice.next)
            todo.append(target.id)
    for node in conv.nodes:
        for choice in node.choices or []:
            if choice.id in boxes:
                target = _key_node(conv, choice.next).id
                if target in boxes and choice.id not in boxes[target].parents:
                    boxes[target].parents.append(choice.id)
    return boxes


def _layers(boxes: dict[str, _Box], start: str) -> list[list[str]]:
    """Longest-path layers (edges back up a cycle are ignored), ordered by barycentre."""
    children: dict[str, list[str]] = {b: [] for b in boxes}
    for box in boxes.values():
        for parent in box.parents:
            children[parent].append(box.id)
    order: list[str] = []
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()

    def visit(bid: str) -> None:
        state[bid] = 1
        for child in children[bid]:
            if state.get(child) == 1:
                back.add((bid, child))
            elif child not in state:
                visit(child)
        state[bid] = 2
        order.append(bid)

    visit(start)
    for bid in reversed(order):
        for child in children[bid]:
            if (bid, child) not in back:
                boxes[child].layer = max(boxes[child].layer, boxes[bid].layer + 1)
    depth = max(b.layer for b in boxes.values()) + 1
    layers: list[list[str]] = [[] for _ in range(depth)]
    for bid in boxes:  # data order; the barycentre sort below is stable
        if bid in state:
            layers[boxes[bid].layer].append(bid)
    position: dict[str, float] = {}
    for layer in layers:
        if position:
            def centre(bid: str) -> float:
                ps = [position[p] for p in boxes[bid].parents if p in position]
                return sum(ps) / len(ps) if ps else 0.0

            layer.sort(key=centre)
        for i, bid in enumerate(layer):
            position[bid] = i - (len(layer) - 1) / 2
    return layers


def _box_svg(box: _Box) -> str:
    fill, stroke = STYLE[box.kind]
    height = LINE_H * (len(box.lines) + 1) + 12
    rx = 18 if box.kind in KIND_ICONS else 6
    width = 3 if box.kind in ("ending", "decision") else 2
    x, y = box.x - BOX_W / 2, box.y
    text = [
        f'<text x="{box.x:.0f}" y="{y + 16:.0f}" class="cap" fill="{stroke}">'
        f"{_e(box.caption)}</text>"
    ]
    for i, line in enumerate(box.lines):
        text.append(
            f'<text x="{box.x:.0f}" y="{y + 16 + LINE_H * (i + 1):.0f}">{_e(line)}</text>'
        )
    return (
        f'<g class="box {box.kind}" data-id="{_e(box.id)}">'
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{height}" rx="{rx}" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>{"".join(text)}</g>'
    )


def _height(box: _Box) -> int:
    return LINE_H * (len(box.lines) + 1) + 12


def branch_map_svg(conversation: Conversation, lang: str) -> str:
    """The branch map as an SVG document (a string)."""
    conv = conversation
    start = _key_node(conv, conv.start).id
    boxes = _boxes(conv, lang)
    layers = _layers(boxes, start)
    widest = max(len(layer) for layer in layers)
    width = max(widest * (BOX_W + GAP_X) - GAP_X + 2 * MARGIN, 560)
    for index, layer in enumerate(layers):
        span = len(layer) * (BOX_W + GAP_X) - GAP_X
        left = (width - span) / 2 + BOX_W / 2
        for i, bid in enumerate(layer):
            boxes[bid].x = left + i * (BOX_W + GAP_X)
            boxes[bid].y = TOP + index * LAYER_H
    height = TOP + (len(layers) - 1) * LAYER_H + max(map(_height, boxes.values())) + MARGIN
    edges = []
    for box in boxes.values():
        for parent_id in box.parents:
            parent = boxes[parent_id]
            x1, y1 = parent.x, parent.y + _height(parent)
            x2, y2 = box.x, box.y
            bend = max(abs(y2 - y1) / 2, 30)
            edges.append(
                f'<path d="M{x1:.0f},{y1:.0f} C{x1:.0f},{y1 + bend:.0f} {x2:.0f},{y2 - bend:.0f} '
                f'{x2:.0f},{y2:.0f}" class="edge" marker-end="url(#arrow)"/>'
            )
    ui = conv.ui
    title = f"{ui.map_title[lang]}: {conv.title[lang]}"
    legend = " · ".join(
        [
            "◆ " + ui.map_decision[lang],
            "✓ ◐ ⚠ " + ui.map_choice[lang],
            "■ " + ui.map_ending[lang],
        ]
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-labelledby="aw-map-title" '
        f'lang="{_e(lang)}" font-family="sans-serif">',
        f'<title id="aw-map-title">{_e(title)}</title>',
        "<style>text{font-size:12px;fill:#1b1f24;text-anchor:middle}"
        "text.cap{font-size:11px;font-weight:700}text.head{font-size:16px;font-weight:700;"
        "text-anchor:start}text.legend{text-anchor:start;fill:#4b5563}"
        ".edge{fill:none;stroke:#6b7280;stroke-width:1.5}</style>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#6b7280"/></marker></defs>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="32" class="head">{_e(title)}</text>',
        f'<text x="{MARGIN}" y="56" class="legend">{_e(legend)}</text>',
        *edges,
        *(_box_svg(box) for box in boxes.values()),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    """CLI: ``python -m awareness.conversation.branchmap LANG OUT.svg [SCENARIO]``."""
    from awareness.content.course import load_course
    from awareness.content.problems import ContentError
    from awareness.conversation.model import DEFAULT_SCENARIO, load_conversation

    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3):
        print(
            "usage: python -m awareness.conversation.branchmap LANG OUT.svg [SCENARIO]",
            file=sys.stderr,
        )
        return 2
    lang, out = args[:2]
    scenario = args[2] if len(args) == 3 else DEFAULT_SCENARIO
    try:
        course = load_course()
        conversation = load_conversation(scenario=scenario)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    if lang not in course.languages:
        print(f"unknown language {lang!r} (the course has: {', '.join(course.languages)})",
              file=sys.stderr)
        return 2
    Path(out).write_text(branch_map_svg(conversation, lang), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
