"""Where classes and their votes live, behind one small interface (``ClassStore``).

``MemoryStore`` keeps them in the server process's memory only (nothing is written to
disk); a class and everything in it is gone when the teacher ends it, after
``lifetime`` seconds, or when the server stops. A store shared by several server
processes (replicas) implements the same methods.

What a class holds: its code, when it started (to end it after its lifetime), whether
the projector shows the totals, which polls are open, the round number, a change
counter, the voters who joined (opaque keys made from a random per-tab token, never a
name, address or kernel id) and each voter's ballot (``model``). Nothing else.
"""

from __future__ import annotations

import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from awareness.classroom.model import cast, new_code

__all__ = ["ClassState", "ClassStore", "MemoryStore", "store_from_url"]


@dataclass
class ClassState:
    """A class as the teacher page sees it (no ballots)."""

    code: str
    shown: bool = True
    round: int = 1
    version: int = 0
    students: int = 0
    polls: list[str] = field(default_factory=list)  # polls the teacher opened


class ClassStore(ABC):
    """Classes and their ballots. Every method answers for an unknown or expired class
    as if it never existed (None or False)."""

    @abstractmethod
    def create(self) -> str:
        """Start a class; its new code."""

    @abstractmethod
    def state(self, code: str) -> ClassState | None: ...

    @abstractmethod
    def codes(self) -> list[str]:
        """The running classes."""

    @abstractmethod
    def join(self, code: str, voter: str) -> bool:
        """A pupil page joins (counted once per voter in ``students``)."""

    @abstractmethod
    def vote(self, code: str, voter: str, key: str, value) -> bool:
        """Set (or with ``value`` False for a sign, clear) one answer of a voter."""

    @abstractmethod
    def ballots(self, code: str) -> list[dict] | None: ...

    @abstractmethod
    def show(self, code: str, shown: bool) -> bool: ...

    @abstractmethod
    def open_poll(self, code: str, poll: str, is_open: bool) -> bool: ...

    @abstractmethod
    def new_round(self, code: str) -> bool:
        """Zero the counts (the pupils stay joined)."""

    @abstractmethod
    def end(self, code: str) -> bool:
        """End the class: it and its counts are gone."""

    @abstractmethod
    def salt(self) -> bytes:
        """The secret that voter keys are made with (the same for every server process
        that shares this store, so a tab is one voter whichever replica it reaches)."""


@dataclass
class _Class:
    state: ClassState
    started: float
    voters: set[str] = field(default_factory=set)
    ballots: dict[str, dict] = field(default_factory=dict)


class MemoryStore(ClassStore):
    """Classes in this process's memory only."""

    def __init__(self, lifetime: float = 3 * 3600, clock: Callable[[], float] = time.monotonic):
        self.lifetime = lifetime
        self.clock = clock
        self._classes: dict[str, _Class] = {}
        self._salt = secrets.token_bytes(32)

    def salt(self) -> bytes:
        return self._salt

    def _get(self, code: str) -> _Class | None:
        self._expire()
        return self._classes.get(code)

    def _expire(self) -> None:
        now = self.clock()
        for code in [c for c, k in self._classes.items() if now - k.started >= self.lifetime]:
            del self._classes[code]

    def _changed(self, klass: _Class) -> None:
        klass.state.version += 1
        klass.state.students = len(klass.voters)

    def create(self) -> str:
        self._expire()
        code = new_code(self._classes)
        self._classes[code] = _Class(ClassState(code), self.clock())
        return code

    def state(self, code: str) -> ClassState | None:
        klass = self._get(code)
        if klass is None:
            return None
        s = klass.state
        return ClassState(s.code, s.shown, s.round, s.version, s.students, list(s.polls))

    def codes(self) -> list[str]:
        self._expire()
        return sorted(self._classes)

    def join(self, code: str, voter: str) -> bool:
        klass = self._get(code)
        if klass is None:
            return False
        if voter not in klass.voters:
            klass.voters.add(voter)
            self._changed(klass)
        return True

    def vote(self, code: str, voter: str, key: str, value) -> bool:
        klass = self._get(code)
        if klass is None or voter not in klass.voters:
            return False
        if cast(klass.ballots.setdefault(voter, {}), key, value):
            self._changed(klass)
        return True

    def ballots(self, code: str) -> list[dict] | None:
        klass = self._get(code)
        return None if klass is None else [dict(b) for b in klass.ballots.values()]

    def show(self, code: str, shown: bool) -> bool:
        klass = self._get(code)
        if klass is None:
            return False
        klass.state.shown = bool(shown)
        self._changed(klass)
        return True

    def open_poll(self, code: str, poll: str, is_open: bool) -> bool:
        klass = self._get(code)
        if klass is None:
            return False
        polls = [p for p in klass.state.polls if p != poll]
        klass.state.polls = [*polls, poll] if is_open else polls
        self._changed(klass)
        return True

    def new_round(self, code: str) -> bool:
        klass = self._get(code)
        if klass is None:
            return False
        klass.ballots.clear()
        klass.state.round += 1
        self._changed(klass)
        return True

    def end(self, code: str) -> bool:
        self._expire()
        return self._classes.pop(code, None) is not None


def store_from_url(url: str, lifetime: float) -> ClassStore:
    """The store for this server: Redis at ``url`` (AWARENESS_REDIS_URL: replicas share
    their classes), else this process's memory."""
    if not url:
        return MemoryStore(lifetime)
    from awareness.classroom.redis_store import RedisStore

    return RedisStore(url, lifetime)
