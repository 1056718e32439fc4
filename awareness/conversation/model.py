"""The simulated chats as data: one scenario file each, plus the words and steps they share.

``lessons/scenarios/<id>.yaml`` is one chat (Jonas, Sara, …): speakers, warning-sign tags
(each naming its guide point), the scenario's own debrief, and the nodes. A node is one
message; it goes on by exactly one of ``next``, ``choices`` or ``ending``.
``lessons/chat.yaml`` holds what every scenario shares: the widget's words (``{name}``
stands for the scenario's main character) and the debrief's steps and "you are not in
trouble" text, so the right advice is written once.
Pydantic checks each field; ``graph_problems`` checks what pydantic cannot: dangling
``next``, unreachable nodes, cycles without an exit, unknown tags and speakers.
"""

from __future__ import annotations

import json
import re
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
    "CHAT_FILE",
    "DEFAULT_SCENARIO",
    "OLD_FILE",
    "SCENARIO_DIR",
    "ChatShared",
    "ChatUI",
    "Choice",
    "Conversation",
    "DebriefStep",
    "Ending",
    "Image",
    "Node",
    "ScenarioDebrief",
    "ScenarioFile",
    "Speaker",
    "Tag",
    "conversation_problems",
    "graph_problems",
    "load_conversation",
    "problems",
    "scenario_file",
    "scenario_ids",
    "shared_problems",
]

SCENARIO_DIR = Path("lessons") / "scenarios"
CHAT_FILE = Path("lessons") / "chat.yaml"
# Where the one chat used to be; `make check` says where it went if it turns up again.
OLD_FILE = Path("lessons") / "conversation.yaml"
DEFAULT_SCENARIO = "jonas"

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Id = Annotated[str, Field(pattern=ID_PATTERN)]
GuidePoint = Annotated[str, Field(pattern=r"^(1[0-9]|[1-9])$")]
Clock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


def scenario_file(scenario: str) -> Path:
    """The file of a scenario, relative to the content root."""
    return SCENARIO_DIR / f"{scenario}.yaml"


class Speaker(Strict):
    """Someone in the chat. ``left`` is the other side (the one who writes first),
    ``right`` is the main character, ``center`` is the narrator's short notes."""

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

    kind: Literal["blurred", "friend-list", "sent", "gift-card", "payment", "ai-fake"]
    alt: Text


class Choice(Strict):
    """One thing the main character can do at a decision point, with feedback on why."""

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
    """One message in the chat; goes on by exactly one of next, choices or ending.

    ``ordinary``: for a message from the other side that is NOT a warning sign, why it is
    just an ordinary message (shown, kindly, when a student flags it anyway).
    ``typing``: seconds of "… is typing" before the message, when it should not follow
    the message's length (the widget's ``typing_seconds``). ``pause``: seconds of silence
    before the other side starts typing (before a threat: the tone turns).
    ``written_in``: the language the message is written in whatever the course's language
    (a blackmailer who writes English to a Norwegian pupil); pages mark it with ``lang``
    so a screen reader reads it in that language (WCAG 3.1.2).
    """

    id: Id
    speaker: Id
    text: Text
    written_in: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    time: Clock | None = None
    image: Image | None = None
    typing: float | None = Field(default=None, ge=0.0, le=1.5)
    pause: float = Field(default=0.0, ge=0.0, le=3.0)
    tags: list[Id] = Field(default_factory=list)
    ordinary: Text | None = None
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
        if self.ordinary is not None and self.tags:
            raise ValueError("a message with warning signs (`tags`) is not `ordinary`")
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


class ScenarioDebrief(Strict):
    """A scenario's own words after every one of its endings: whose fault it is not."""

    heading: Text
    not_your_fault: Text


class ChatUI(Strict):
    """Every word the chat widget, the static view and the branch map use.

    ``{name}`` is the scenario's main character; ``progress`` has ``{step}`` and
    ``{total}``; ``score`` has ``{found}``, ``{total}`` and ``{wrong}``.
    """

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
    score: Text
    found: Text
    missed: Text
    none_found: Text
    none_missed: Text
    perfect: Text
    wrong: Text
    small_talk: Text
    steps: Text
    help: Text
    replay: Text
    mark_found: Text
    mark_missed: Text
    mark_wrong: Text
    why_signs: Text
    more_help: Text
    error: Text
    map_title: Text
    map_start: Text
    map_decision: Text
    map_choice: Text
    map_ending: Text


# The placeholders each UI word may use; every other word may use {name}.
PLACEHOLDERS = {"progress": ("step", "total"), "score": ("found", "total", "wrong")}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class ChatShared(Strict):
    """lessons/chat.yaml: what every scenario shares."""

    ui: ChatUI
    steps: list[DebriefStep] = Field(min_length=1)

    def ui_for(self, names: dict[str, str]) -> ChatUI:
        """The words with ``{name}`` filled in, per language."""
        data = {
            field: {lang: text.replace("{name}", names.get(lang, "")) for lang, text in words}
            for field, value in self.ui
            for words in [value.root.items()]
        }
        return ChatUI.model_validate(data)


class ScenarioFile(Strict):
    """lessons/scenarios/<id>.yaml: one simulated chat."""

    title: Text
    intro: Text
    fiction: Text
    protagonist: Id
    start: Id
    speakers: list[Speaker] = Field(min_length=1)
    tags: list[Tag] = Field(min_length=1)
    debrief: ScenarioDebrief
    nodes: list[Node] = Field(min_length=1)


class Conversation(ScenarioFile):
    """One scenario, ready to play: its file plus the shared words and steps."""

    id: Id
    ui: ChatUI
    steps: list[DebriefStep] = Field(min_length=1)

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

    @classmethod
    def build(cls, scenario_id: str, scenario: ScenarioFile, shared: ChatShared) -> Conversation:
        """Join a scenario with the shared words (names filled in) and steps."""
        hero = next(s for s in scenario.speakers if s.id == scenario.protagonist)
        fields = {name: getattr(scenario, name) for name in ScenarioFile.model_fields}
        return cls(
            **fields,
            id=scenario_id,
            ui=shared.ui_for(hero.name.root),
            steps=list(shared.steps),
        )


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


def _validate(path: Path, data: Any, languages: list[str]) -> tuple[ScenarioFile | None, list]:
    try:
        return ScenarioFile.model_validate(data, context={"languages": languages}), []
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


def graph_problems(conv: ScenarioFile, file: str) -> list[Problem]:
    """Cross-field checks: ids, references, reachability, endings, cycles, tags."""
    out: list[Problem] = []
    for kind, ids in (
        ("node", [n.id for n in conv.nodes]),
        ("choice", [c.id for n in conv.nodes for c in n.choices or []]),
        ("tag", [t.id for t in conv.tags]),
        ("speaker", [s.id for s in conv.speakers]),
    ):
        for dupe in _duplicates(ids):
            out.append(Problem(file, dupe, "id", f"duplicate {kind} id (ids must be unique)"))

    nodes = {n.id: n for n in conv.nodes}
    speakers = {s.id: s for s in conv.speakers}
    tags = [t.id for t in conv.tags]
    if conv.start not in nodes:
        out.append(Problem(file, "-", "start", f"start node {conv.start!r} does not exist"))
    hero = speakers.get(conv.protagonist)
    if hero is None or hero.side != "right":
        rights = ", ".join(s.id for s in conv.speakers if s.side == "right") or "none"
        out.append(
            Problem(
                file,
                "-",
                "protagonist",
                f"{conv.protagonist!r} is not a speaker on the right side (right: {rights})",
            )
        )

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
        elif node.ordinary is not None and speakers[node.speaker].side != "left":
            message = "only the other side's messages can be flagged, so only they are `ordinary`"
            out.append(Problem(file, node.id, "ordinary", message))
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


def _placeholder_problems(shared: ChatShared, file: str) -> list[Problem]:
    out = []
    for field, value in shared.ui:
        allowed = PLACEHOLDERS.get(field, ("name",))
        for lang, text in value.root.items():
            for name in _PLACEHOLDER.findall(text):
                if name not in allowed:
                    use = ", ".join("{" + a + "}" for a in allowed)
                    out.append(
                        Problem(
                            file,
                            "-",
                            f"ui.{field}.{lang}",
                            f"unknown placeholder {{{name}}} (use {use})",
                        )
                    )
    return out


def shared_problems(path: Path, languages: list[str]) -> tuple[ChatShared | None, list]:
    """Read and validate lessons/chat.yaml (the words and steps every scenario shares)."""
    data, found = read_yaml(path)
    if found:
        return None, found
    try:
        shared = ChatShared.model_validate(data, context={"languages": languages})
    except ValidationError as exc:
        return None, validation_problems(path, data, exc)
    name = display_path(path)
    found = _placeholder_problems(shared, name)
    for dupe in _duplicates([step.id for step in shared.steps]):
        found.append(Problem(name, dupe, "id", "duplicate debrief step id (ids must be unique)"))
    return (None if found else shared), found


@lru_cache(maxsize=4)
def _shared(root: Path, languages: tuple[str, ...], mtime_ns: int) -> ChatShared:
    shared, found = shared_problems(root / CHAT_FILE, list(languages))
    if shared is None:
        raise ContentError(found)
    return shared


def _default_shared(path: Path, languages: list[str]) -> ChatShared | None:
    """The shared words next to a scenario file (…/lessons/chat.yaml), else the course's."""
    for root in (path.resolve().parent.parent.parent, content_root()):
        file = root / CHAT_FILE
        if file.is_file():
            try:
                return _shared(root.resolve(), tuple(languages), file.stat().st_mtime_ns)
            except ContentError:
                return None
    return None


def conversation_problems(
    path: Path, languages: list[str], shared: ChatShared | None = None
) -> tuple[Conversation | None, list]:
    """Read, validate and graph-check one scenario file; join it with the shared words.

    ``shared`` defaults to the lessons/chat.yaml next to the scenario's folder (or the
    course's); when there is none that works, the scenario is checked on its own and
    no Conversation is returned.
    """
    data, found = read_yaml(path)
    if found:
        return None, found
    scenario, found = _validate(path, data, languages)
    name = display_path(path)
    if not re.match(ID_PATTERN, path.stem):
        found.append(
            Problem(name, "-", "-", "the file name is the scenario id: use a-z, 0-9 and -")
        )
    if scenario is None:
        return None, found
    found = found + graph_problems(scenario, name)
    if found:
        return None, found
    if shared is None:
        shared = _default_shared(path, languages)
    if shared is None:
        return None, []
    return Conversation.build(path.stem, scenario, shared), []


def scenario_ids(root: Path | None = None) -> list[str]:
    """The ids of the scenario files in lessons/scenarios/, sorted."""
    folder = (root or content_root()) / SCENARIO_DIR
    return sorted(p.stem for p in folder.glob("*.yaml") if p.is_file())


_SHOW_CHAT = re.compile(r"\bshow_chat\(([^)]*)\)")
_SCENARIO_ARG = re.compile(r"""scenario\s*=\s*["']([^"']*)["']""")


def _notebook_problems(root: Path, course: Course, known: list[str]) -> list[Problem]:
    """Every show_chat(...) in a lesson notebook names a scenario that exists."""
    out = []
    for lang in course.languages:
        for nb in sorted((root / "lessons" / lang).glob("*.ipynb")):
            try:
                cells = json.loads(nb.read_text(encoding="utf-8")).get("cells", [])
            except (OSError, ValueError):
                continue  # the lesson check reports a notebook it cannot read
            for cell in cells:
                if cell.get("cell_type") != "code":
                    continue
                source = "".join(cell.get("source", []))
                for call in _SHOW_CHAT.finditer(source):
                    arg = _SCENARIO_ARG.search(call.group(1))
                    wanted = arg.group(1) if arg else DEFAULT_SCENARIO
                    if wanted not in known:
                        out.append(
                            Problem(
                                display_path(nb),
                                nb.stem,
                                "show_chat",
                                f"no scenario {wanted!r} in {SCENARIO_DIR.as_posix()}/ "
                                f"(there are: {', '.join(known) or 'none'})",
                            )
                        )
    return out


def problems(root: Path, course: Course) -> list[Problem]:
    """The `make check` entry: lessons/chat.yaml, every scenario file, the show_chat calls."""
    shared, found = shared_problems(root / CHAT_FILE, course.languages)
    known = scenario_ids(root)
    if not known:
        folder = display_path(root / SCENARIO_DIR)
        found.append(Problem(folder, "-", "-", "no scenario files (<id>.yaml) in this folder"))
    for scenario in known:
        path = root / scenario_file(scenario)
        found.extend(conversation_problems(path, course.languages, shared)[1])
    if (root / OLD_FILE).exists():
        found.append(
            Problem(
                display_path(root / OLD_FILE),
                "-",
                "-",
                f"no longer read: each chat is a file in {SCENARIO_DIR.as_posix()}/ "
                f"(e.g. {scenario_file(DEFAULT_SCENARIO).as_posix()})",
            )
        )
    found.extend(_notebook_problems(root, course, known))
    return found


@lru_cache(maxsize=8)
def _load(root: Path, scenario: str) -> Conversation:
    course = load_course(root)
    shared, found = shared_problems(root / CHAT_FILE, course.languages)
    path = root / scenario_file(scenario)
    if not re.match(ID_PATTERN, scenario):
        path = root / SCENARIO_DIR / "-"
    if shared is not None:
        conv, more = conversation_problems(path, course.languages, shared)
        found = found + more
    if found or shared is None:
        raise ContentError(found)
    assert conv is not None
    return conv


def load_conversation(root: Path | None = None, scenario: str = DEFAULT_SCENARIO) -> Conversation:
    """One scenario, validated and joined with the shared words; raises ContentError
    listing every problem (an unknown scenario is a "file not found")."""
    return _load((root or content_root()).resolve(), scenario)
