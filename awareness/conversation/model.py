"""The simulated chat as data: the models for ``lessons/conversation.yaml`` and its checks.

The file holds speakers, warning-sign tags (each naming its guide point), the shared
debrief, the widget's words and the nodes. A node is one message; it goes on by exactly
one of ``next`` (the next message), ``choices`` (a decision point) or ``ending``.
Pydantic checks each field; ``graph_problems`` checks what pydantic cannot: dangling
``next``, unreachable nodes, cycles without an exit, unknown tags and speakers.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from awareness.content.course import load_course
from awareness.content.load import read_yaml, validation_problems
from awareness.content.models import Course, Strict, Text
from awareness.content.problems import ContentError, Problem
from awareness.paths import content_root, display_path

__all__ = [
    "CONVERSATION_FILE",
    "ChatUI",
    "Choice",
    "Conversation",
    "Debrief",
    "DebriefStep",
    "Ending",
    "Image",
    "Node",
    "Speaker",
    "Tag",
    "conversation_problems",
    "graph_problems",
    "load_conversation",
    "problems",
]

CONVERSATION_FILE = Path("lessons") / "conversation.yaml"

Id = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
GuidePoint = Annotated[str, Field(pattern=r"^(1[0-9]|[1-9])$")]
Clock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class Speaker(Strict):
    """Someone in the chat. ``left`` is the other side (the fake profile), ``right`` is
    Jonas, ``center`` is the narrator's short notes."""

    id: Id
    name: Text
    side: Literal["left", "right", "center"]


class Tag(Strict):
    """A warning sign a message can show, with the guide point that teaches it."""

    id: Id
    guide_point: GuidePoint
    label: Text
    explanation: Text


class Image(Strict):
    """A placeholder tile standing in for a picture: never a picture of a person."""

    kind: Literal["blurred", "friend-list", "sent", "gift-card"]
    alt: Text


class Choice(Strict):
    """One thing Jonas can do at a decision point, with feedback on why it is wise or risky."""

    id: Id
    text: Text
    kind: Literal["wise", "okay", "risky"]
    feedback: Text
    next: Id


class Ending(Strict):
    """How this path ends; every ending is followed by the shared debrief."""

    title: Text
    debrief: Text


class Node(Strict):
    """One message in the chat; goes on by exactly one of next, choices or ending."""

    id: Id
    speaker: Id
    text: Text
    time: Clock | None = None
    image: Image | None = None
    typing: float = Field(default=0.0, ge=0.0, le=1.5)
    tags: list[Id] = Field(default_factory=list)
    label: Text | None = None
    prompt: Text | None = None
    next: Id | None = None
    choices: list[Choice] | None = Field(default=None, min_length=2, max_length=4)
    ending: Ending | None = None

    @model_validator(mode="after")
    def _one_way_on(self) -> Node:
        ways = [name for name in ("next", "choices", "ending") if getattr(self, name) is not None]
        if len(ways) != 1:
            found = ", ".join(ways) or "none"
            raise ValueError(
                f"a node needs exactly one of next, choices or ending (found: {found})"
            )
        if self.label is None and ways[0] != "next":
            raise ValueError("a decision point or ending needs a short `label` (for the map)")
        if self.prompt is not None and self.choices is None:
            raise ValueError("`prompt` only belongs on a node with choices")
        return self

    @property
    def is_decision(self) -> bool:
        return self.choices is not None

    @property
    def is_ending(self) -> bool:
        return self.ending is not None

    def successors(self) -> list[str]:
        """The node ids this node can go on to."""
        if self.choices is not None:
            return [choice.next for choice in self.choices]
        return [self.next] if self.next is not None else []


class DebriefStep(Strict):
    """One thing to do if it happens (guide points 9-14; telling an adult has none)."""

    id: Id
    guide_point: GuidePoint | None = None
    text: Text


class Debrief(Strict):
    """What every ending closes with, besides its own text and the signs."""

    not_your_fault: Text
    steps: list[DebriefStep] = Field(min_length=1)


class ChatUI(Strict):
    """Every word the chat widget, the static view and the branch map use."""

    typing: Text
    choose: Text
    you_chose: Text
    wise: Text
    okay: Text
    risky: Text
    flag: Text
    flagged: Text
    warning_sign: Text
    flag_hint: Text
    back: Text
    restart: Text
    progress: Text
    ending: Text
    signs: Text
    found: Text
    missed: Text
    none_found: Text
    none_missed: Text
    not_your_fault: Text
    steps: Text
    help: Text
    error: Text
    fiction: Text
    map_title: Text
    map_start: Text
    map_decision: Text
    map_choice: Text
    map_ending: Text


class Conversation(Strict):
    """lessons/conversation.yaml."""

    title: Text
    intro: Text
    start: Id
    speakers: list[Speaker] = Field(min_length=1)
    tags: list[Tag] = Field(min_length=1)
    debrief: Debrief
    ui: ChatUI
    nodes: list[Node] = Field(min_length=1)

    @cached_property
    def _nodes(self) -> dict[str, Node]:
        return {node.id: node for node in self.nodes}

    @cached_property
    def _choices(self) -> dict[str, tuple[Node, Choice]]:
        return {c.id: (node, c) for node in self.nodes for c in node.choices or []}

    def node(self, node_id: str) -> Node:
        return self._nodes[node_id]

    def choice(self, choice_id: str) -> tuple[Node, Choice]:
        """The decision node a choice belongs to, and the choice."""
        return self._choices[choice_id]

    def speaker(self, speaker_id: str) -> Speaker:
        for speaker in self.speakers:
            if speaker.id == speaker_id:
                return speaker
        raise KeyError(speaker_id)

    def tag(self, tag_id: str) -> Tag:
        for tag in self.tags:
            if tag.id == tag_id:
                return tag
        raise KeyError(tag_id)

    def side(self, node: Node) -> str:
        return self.speaker(node.speaker).side

    def decisions(self) -> list[Node]:
        return [node for node in self.nodes if node.is_decision]

    def endings(self) -> list[Node]:
        return [node for node in self.nodes if node.is_ending]


# --- problems -------------------------------------------------------------------------


def _node_location(data: Any, loc: tuple[Any, ...]) -> tuple[str, str] | None:
    """(node id, field) for an error inside ``nodes``; choices are named by their id."""
    if len(loc) < 2 or loc[0] != "nodes" or not isinstance(loc[1], int):
        return None
    try:
        raw = data["nodes"][loc[1]]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        return f"nodes[{loc[1]}]", ".".join(str(p) for p in loc[2:]) or "-"
    parts = [str(p) for p in loc[2:]]
    if len(loc) >= 4 and loc[2] == "choices" and isinstance(loc[3], int):
        try:
            choice_id = raw["choices"][loc[3]]["id"]
        except (KeyError, IndexError, TypeError):
            choice_id = None
        if isinstance(choice_id, str):
            parts[1] = choice_id
    return raw["id"], ".".join(parts) or "-"


def _validate(path: Path, data: Any, languages: list[str]) -> tuple[Conversation | None, list]:
    try:
        return Conversation.model_validate(data, context={"languages": languages}), []
    except ValidationError as exc:
        found = validation_problems(path, data, exc)
        result = []
        for problem, err in zip(found, exc.errors(include_url=False), strict=True):
            where = _node_location(data, tuple(err["loc"]))
            if where:
                problem = Problem(problem.file, where[0], where[1], problem.message)
            result.append(problem)
        return None, result


def _duplicates(ids: list[str]) -> list[str]:
    seen: set[str] = set()
    dupes: list[str] = []
    for i in ids:
        if i in seen and i not in dupes:
            dupes.append(i)
        seen.add(i)
    return dupes


def _strongly_connected(nodes: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components in no particular order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            succ = edges.get(v, [])
            if i < len(succ):
                work.append((v, i + 1))
                w = succ[i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                result.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return result


def _cycle_text(start: str, members: set[str], edges: dict[str, list[str]]) -> str:
    """A shortest way round from start back to start inside one cycle, as ``a → b → a``."""
    came: dict[str, str] = {}
    todo = [start]
    while todo:
        current = todo.pop(0)
        for succ in edges[current]:
            if succ not in members:
                continue
            if succ == start:
                way = [current]
                while way[-1] != start:
                    way.append(came[way[-1]])
                way.reverse()
                if len(way) > 6:
                    way = [*way[:3], "…", *way[-2:]]
                return " → ".join([*way, start])
            if succ not in came:
                came[succ] = current
                todo.append(succ)
    return start


def graph_problems(conv: Conversation, file: str) -> list[Problem]:
    """Cross-field checks: ids, references, reachability, endings, cycles, tags."""
    out: list[Problem] = []
    for kind, ids in (
        ("node", [n.id for n in conv.nodes]),
        ("choice", [c.id for n in conv.nodes for c in n.choices or []]),
        ("tag", [t.id for t in conv.tags]),
        ("speaker", [s.id for s in conv.speakers]),
        ("debrief step", [s.id for s in conv.debrief.steps]),
    ):
        for dupe in _duplicates(ids):
            out.append(Problem(file, dupe, "id", f"duplicate {kind} id (ids must be unique)"))

    nodes = {n.id: n for n in conv.nodes}
    speakers = {s.id: s for s in conv.speakers}
    tags = [t.id for t in conv.tags]
    if conv.start not in nodes:
        out.append(Problem(file, "-", "start", f"start node {conv.start!r} does not exist"))

    edges: dict[str, list[str]] = {}
    for node in conv.nodes:
        if node.speaker not in speakers:
            known = ", ".join(speakers)
            out.append(
                Problem(file, node.id, "speaker", f"unknown speaker {node.speaker!r} ({known})")
            )
        elif node.tags and speakers[node.speaker].side != "left":
            out.append(
                Problem(file, node.id, "tags", "only the other side's messages carry warning signs")
            )
        for tag in node.tags:
            if tag not in tags:
                known = ", ".join(tags)
                out.append(Problem(file, node.id, "tags", f"unknown tag {tag!r} (known: {known})"))
        if node.next is not None and node.next not in nodes:
            out.append(Problem(file, node.id, "next", f"next node {node.next!r} does not exist"))
        for choice in node.choices or []:
            if choice.next not in nodes:
                out.append(
                    Problem(
                        file,
                        node.id,
                        f"choices.{choice.id}.next",
                        f"next node {choice.next!r} does not exist",
                    )
                )
        edges[node.id] = [s for s in node.successors() if s in nodes]

    if conv.start not in nodes:
        return out

    reachable: list[str] = []
    seen = {conv.start}
    todo = [conv.start]
    while todo:
        current = todo.pop()
        reachable.append(current)
        for succ in edges[current]:
            if succ not in seen:
                seen.add(succ)
                todo.append(succ)
    for node in conv.nodes:
        if node.id not in seen and node.id in nodes:
            out.append(
                Problem(file, node.id, "-", f"not reachable from the start node {conv.start!r}")
            )

    endings = [n.id for n in conv.nodes if n.is_ending]
    if not endings:
        message = "no node has an ending; every path needs one"
        out.append(Problem(file, conv.start, "ending", message))
        return out
    reverse: dict[str, list[str]] = {n: [] for n in nodes}
    for source, targets in edges.items():
        for target in targets:
            reverse[target].append(source)
    finishes = set(endings)
    todo = list(endings)
    while todo:
        current = todo.pop()
        for source in reverse[current]:
            if source not in finishes:
                finishes.add(source)
                todo.append(source)
    stuck = [n.id for n in conv.nodes if n.id in seen and n.id not in finishes]
    dangling = {n.id for n in conv.nodes if len(edges[n.id]) < len(n.successors())}
    order = {n.id: i for i, n in enumerate(conv.nodes)}
    for comp in _strongly_connected(stuck, {n: [s for s in edges[n] if s in stuck] for n in stuck}):
        is_cycle = len(comp) > 1 or comp[0] in edges[comp[0]]
        if not is_cycle or any(n in dangling for n in comp):
            continue
        comp.sort(key=order.__getitem__)
        first = nodes[comp[0]]
        field = "choices" if first.is_decision else "next"
        loop = _cycle_text(comp[0], set(comp), edges)
        out.append(
            Problem(file, first.id, field, f"cycle without exit: {loop} never reaches an ending")
        )
    return out


def conversation_problems(path: Path, languages: list[str]) -> tuple[Conversation | None, list]:
    """Read, validate and graph-check one conversation file."""
    data, found = read_yaml(path)
    if found:
        return None, found
    conv, found = _validate(path, data, languages)
    if conv is None:
        return None, found
    found = graph_problems(conv, display_path(path))
    return (None if found else conv), found


def problems(root: Path, course: Course) -> list[Problem]:
    """The `make check` entry: every problem in lessons/conversation.yaml."""
    return conversation_problems(root / CONVERSATION_FILE, course.languages)[1]


@lru_cache(maxsize=4)
def _load(root: Path) -> Conversation:
    course = load_course(root)
    conv, found = conversation_problems(root / CONVERSATION_FILE, course.languages)
    if found or conv is None:
        raise ContentError(found)
    return conv


def load_conversation(root: Path | None = None) -> Conversation:
    """The conversation, validated; raises ContentError listing every problem."""
    return _load((root or content_root()).resolve())
