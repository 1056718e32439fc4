"""Class codes, the events a lesson kernel reports, and the totals: pure, no I/O.

A *ballot* is what one pupil page (one browser tab) answered in a class: a dict from
``"<kind>:<item>"`` to the latest answer. Changing an answer replaces it, so a pupil is
counted at most once per item. The totals are only counts; an item is left out until at
least ``threshold`` pupils have answered it, so no single pupil's answer can be read off.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

__all__ = [
    "ALPHABET",
    "CODE_LENGTH",
    "KINDS",
    "ballot_key",
    "chat_item",
    "check_event",
    "new_code",
    "normal_code",
    "tally",
]

# No look-alikes: no 0/O/Q/D, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V.
ALPHABET = "ACEFHJKMNPRTWXY3479"
CODE_LENGTH = 5
KINDS = ("chat", "quiz", "poll", "sign")
ITEM = re.compile(r"^[a-z0-9]+([.:/_-][a-z0-9]+)*$")
MAX_ITEM = 120
MAX_OPTIONS = 12


def new_code(taken: Iterable[str] = (), length: int = CODE_LENGTH) -> str:
    """A random class code no running class has."""
    taken = set(taken)
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if code not in taken:
            return code


def normal_code(text: str | None) -> str | None:
    """A code as typed (any case, spaces or dashes) in its normal form; None if it
    cannot be a code."""
    if not text:
        return None
    code = re.sub(r"[\s-]", "", str(text)).upper()
    if 4 <= len(code) <= 6 and all(c in ALPHABET for c in code):
        return code
    return None


def _id(value) -> bool:
    return isinstance(value, str) and len(value) <= MAX_ITEM and bool(ITEM.match(value))


def check_event(kind, item, value):
    """The event's ballot value if it is well formed (None: not an event; for a sign,
    False means "no longer flagged")."""
    if kind not in KINDS or not _id(item):
        return None
    if kind == "chat":
        return value if _id(value) else None
    if kind == "quiz":
        return bool(value) if isinstance(value, bool) else None
    if kind == "sign":
        return value if isinstance(value, bool) else None
    # poll: the option ids chosen
    if isinstance(value, list) and 0 < len(value) <= MAX_OPTIONS and all(_id(v) for v in value):
        return sorted(set(value))
    return None


def chat_item(scenario: str, node_id: str) -> str:
    """The id a chat decision point or message is reported and counted under."""
    return f"{scenario}.{node_id}"


def ballot_key(kind: str, item: str) -> str:
    return f"{kind}:{item}"


def cast(ballot: dict, key: str, value) -> bool:
    """One pupil's ballot after a vote: the latest answer per item replaces the one
    before; a sign unflagged (False) is taken out. Returns whether the ballot changed."""
    if value is False and key.startswith("sign:"):
        return ballot.pop(key, None) is not None
    if ballot.get(key) == value:
        return False
    ballot[key] = value
    return True


def tally(ballots: Iterable[dict], threshold: int) -> dict:
    """The totals of these ballots: ``chat`` (decision -> choice -> pupils), ``quiz``
    (question -> answered, correct), ``signs`` (sign -> pupils who flagged it), ``polls``
    (question -> option -> pupils). Items fewer than ``threshold`` pupils answered are
    left out."""
    chat: dict[str, dict[str, int]] = {}
    quiz: dict[str, dict[str, int]] = {}
    signs: dict[str, int] = {}
    polls: dict[str, dict[str, int]] = {}
    answered: dict[str, int] = {}
    for ballot in ballots:
        for key, value in ballot.items():
            kind, _, item = key.partition(":")
            if kind == "chat":
                row = chat.setdefault(item, {})
                row[value] = row.get(value, 0) + 1
            elif kind == "quiz":
                row = quiz.setdefault(item, {"answered": 0, "correct": 0})
                row["answered"] += 1
                row["correct"] += 1 if value else 0
            elif kind == "sign" and value:
                signs[item] = signs.get(item, 0) + 1
            elif kind == "poll":
                row = polls.setdefault(item, {})
                for option in value:
                    row[option] = row.get(option, 0) + 1
                answered[item] = answered.get(item, 0) + 1
            else:
                continue
    return {
        "chat": {k: v for k, v in sorted(chat.items()) if sum(v.values()) >= threshold},
        "quiz": {k: v for k, v in sorted(quiz.items()) if v["answered"] >= threshold},
        "signs": {k: v for k, v in sorted(signs.items()) if v >= threshold},
        "polls": {k: v for k, v in sorted(polls.items()) if answered.get(k, 0) >= threshold},
    }
