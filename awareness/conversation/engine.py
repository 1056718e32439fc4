"""The chat as a pure state machine: no widgets, no HTML.

The state is the list of choice ids made so far (``path``) and the set of flagged
message ids. Everything else (messages shown, the current node, progress, the ending's
summary) is worked out from the conversation by following ``next`` links from the start
until a decision point or an ending.

The warning-sign game needs judgement: a sign is found when one of its messages is
flagged, and a flag on an ordinary message (one with no tags) is a wrong flag. Only a
summary with nothing missed and no wrong flag is ``perfect``, so flagging every message
never is (every path shows at least one ordinary message; the tests keep it so).
"""

from __future__ import annotations

from dataclasses import dataclass

from awareness.content.models import Text
from awareness.conversation.model import Choice, Conversation, DebriefStep, Node, Tag

__all__ = [
    "ChatEngine",
    "Entry",
    "Progress",
    "Sign",
    "Summary",
    "WrongFlag",
    "all_paths",
    "max_decisions",
]


@dataclass(frozen=True)
class Entry:
    """One message shown; ``choice`` is what Jonas chose there (decision points passed)."""

    node: Node
    choice: Choice | None = None


@dataclass(frozen=True)
class Progress:
    """Decision point ``step`` of ``total``. The total is the chat's longest way from its
    start, so it never changes while the chat is played."""

    step: int
    total: int


@dataclass(frozen=True)
class Sign:
    """A warning sign seen on the path: found when one of its messages was flagged."""

    tag: Tag
    found: bool
    node_ids: tuple[str, ...]


@dataclass(frozen=True)
class WrongFlag:
    """An ordinary message that was flagged, and why it is no warning sign."""

    node: Node
    explanation: Text | None  # the message's own `ordinary` text; None: the shared words


@dataclass(frozen=True)
class Summary:
    """What the ending shows: the signs found and missed, the wrong flags, the debrief."""

    ending: Node | None
    found: tuple[Sign, ...]
    missed: tuple[Sign, ...]
    wrong: tuple[WrongFlag, ...]
    heading: Text
    not_your_fault: Text
    steps: tuple[DebriefStep, ...]
    transcript: tuple[str, ...] = ()  # the ids of the messages shown, oldest first
    flagged: frozenset[str] = frozenset()  # the ids of the messages flagged

    @property
    def total(self) -> int:
        """The warning signs seen on this path."""
        return len(self.found) + len(self.missed)

    @property
    def perfect(self) -> bool:
        """Every sign found and no ordinary message flagged."""
        return not self.missed and not self.wrong


def _run(conv: Conversation, node_id: str) -> list[Node]:
    """The nodes from node_id on, following ``next`` up to a decision or an ending."""
    nodes = []
    for _ in range(len(conv.nodes) + 1):
        node = conv.node(node_id)
        nodes.append(node)
        if node.next is None:
            return nodes
        node_id = node.next
    raise ValueError(f"node {node_id!r}: `next` goes round in a circle")


def max_decisions(conv: Conversation, node_id: str) -> int:
    """The most decision points on any way from node_id to an ending (node_id included)."""
    memo: dict[str, int] = {}

    def visit(nid: str, stack: frozenset[str]) -> int:
        if nid in memo:
            return memo[nid]
        if nid in stack:
            return 0
        node = conv.node(nid)
        inner = stack | {nid}
        if node.choices:
            best = 1 + max(visit(c.next, inner) for c in node.choices)
        elif node.next is not None:
            best = visit(node.next, inner)
        else:
            best = 0
        memo[nid] = best
        return best

    return visit(node_id, frozenset())


def all_paths(conv: Conversation) -> list[tuple[str, ...]]:
    """Every way from the start to an ending, as choice ids (each choice at most once)."""
    paths: list[tuple[str, ...]] = []

    def walk(node_id: str, path: tuple[str, ...]) -> None:
        last = _run(conv, node_id)[-1]
        if last.is_ending:
            paths.append(path)
            return
        for choice in last.choices or []:
            if choice.id not in path:
                walk(choice.next, (*path, choice.id))

    walk(conv.start, ())
    return paths


class ChatEngine:
    """Where the student is in the chat, and what they flagged."""

    def __init__(self, conversation: Conversation, path: tuple[str, ...] = ()):
        self.conversation = conversation
        self._path: list[str] = []
        self._flags: set[str] = set()
        self._entries: list[Entry] = [Entry(n) for n in _run(conversation, conversation.start)]
        for choice_id in path:
            self.choose(choice_id)

    # --- state -----------------------------------------------------------------------------
    @property
    def path(self) -> tuple[str, ...]:
        """The choice ids made so far."""
        return tuple(self._path)

    @property
    def entries(self) -> list[Entry]:
        """Every message shown so far, with the choice made at each decision passed."""
        return list(self._entries)

    @property
    def transcript(self) -> list[Node]:
        """The messages shown so far, oldest first."""
        return [entry.node for entry in self._entries]

    @property
    def current(self) -> Node:
        """The newest node: a decision point or an ending."""
        return self._entries[-1].node

    @property
    def choices(self) -> list[Choice]:
        """What Jonas can do now (empty at an ending)."""
        return list(self.current.choices or [])

    @property
    def finished(self) -> bool:
        return self.current.is_ending

    @property
    def last_choice(self) -> Choice | None:
        """The most recent choice made, for its feedback."""
        return self.conversation.choice(self._path[-1])[1] if self._path else None

    @property
    def flags(self) -> frozenset[str]:
        return frozenset(self._flags)

    # --- moves -----------------------------------------------------------------------------
    def choose(self, choice_id: str) -> Choice:
        """Make a choice at the current decision point; the chat runs on to the next one."""
        for choice in self.choices:
            if choice.id == choice_id:
                break
        else:
            available = ", ".join(c.id for c in self.choices) or "none: this is an ending"
            raise ValueError(f"choice {choice_id!r} is not available here ({available})")
        self._entries[-1] = Entry(self.current, choice)
        self._entries.extend(Entry(n) for n in _run(self.conversation, choice.next))
        self._path.append(choice_id)
        return choice

    def back(self) -> bool:
        """Undo the last choice; False when there is none. Flags on hidden messages go."""
        if not self._path:
            return False
        path = self._path[:-1]
        flags = set(self._flags)
        self.restart()
        for choice_id in path:
            self.choose(choice_id)
        shown = {node.id for node in self.transcript}
        self._flags = flags & shown
        return True

    def restart(self) -> None:
        """Back to the first message, nothing chosen, nothing flagged."""
        self._path = []
        self._flags = set()
        self._entries = [Entry(n) for n in _run(self.conversation, self.conversation.start)]

    # --- flags -----------------------------------------------------------------------------
    def can_flag(self, node_id: str) -> bool:
        """Only messages from the other side that are on screen can be flagged."""
        return any(
            node.id == node_id and self.conversation.side(node) == "left"
            for node in self.transcript
        )

    def flag(self, node_id: str) -> None:
        if not self.can_flag(node_id):
            raise ValueError(f"message {node_id!r} cannot be flagged now")
        self._flags.add(node_id)

    def unflag(self, node_id: str) -> None:
        self._flags.discard(node_id)

    def toggle_flag(self, node_id: str) -> bool:
        """Flag or unflag; returns whether the message is flagged now."""
        if node_id in self._flags:
            self.unflag(node_id)
            return False
        self.flag(node_id)
        return True

    def is_flagged(self, node_id: str) -> bool:
        return node_id in self._flags

    # --- reports ---------------------------------------------------------------------------
    def progress(self) -> Progress:
        """Decision point k of n: n is the most decisions on any way through the chat
        (fixed for the whole chat); at an ending k is the decisions made."""
        total = max(max_decisions(self.conversation, self.conversation.start), 1)
        made = len(self._path)
        if self.finished:
            return Progress(min(max(made, 1), total), total)
        return Progress(min(made + 1, total), total)

    def summary(self) -> Summary:
        """The warning signs seen so far, found or missed, the wrong flags, the debrief."""
        by_tag: dict[str, list[str]] = {}
        for node in self.transcript:
            for tag_id in node.tags:
                ids = by_tag.setdefault(tag_id, [])
                if node.id not in ids:
                    ids.append(node.id)
        found, missed = [], []
        for tag_id, node_ids in by_tag.items():
            hit = any(n in self._flags for n in node_ids)
            sign = Sign(self.conversation.tag(tag_id), hit, tuple(node_ids))
            (found if hit else missed).append(sign)
        wrong: dict[str, WrongFlag] = {}
        for node in self.transcript:
            if node.id in self._flags and not node.tags and node.id not in wrong:
                wrong[node.id] = WrongFlag(node, node.ordinary)
        conv = self.conversation
        return Summary(
            ending=self.current if self.finished else None,
            found=tuple(found),
            missed=tuple(missed),
            wrong=tuple(wrong.values()),
            heading=conv.debrief.heading,
            not_your_fault=conv.debrief.not_your_fault,
            steps=tuple(conv.steps),
            transcript=tuple(node.id for node in self.transcript),
            flagged=frozenset(self._flags),
        )
