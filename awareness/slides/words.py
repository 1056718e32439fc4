"""The words only the slides and handouts use (``awareness/slides/words.yaml``).

One entry per course language, checked by ``make check`` like every other text; a
placeholder in braces is filled in with ``t(key, lang, **values)``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from awareness.content.load import read_yaml
from awareness.content.problems import ContentError, Problem
from awareness.paths import PACKAGE

__all__ = ["WORDS_FILE", "Words", "load_words", "problems"]

WORDS_FILE = PACKAGE / "slides" / "words.yaml"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_FILE = "awareness/slides/words.yaml"


class Words:
    """The slide words for the course's languages."""

    def __init__(self, data: dict[str, dict[str, str]]):
        self._data = data

    def t(self, key: str, lang: str, **values: object) -> str:
        text = self._data[key][lang]
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    def keys(self) -> list[str]:
        return list(self._data)


def _problems(data: object, languages: list[str]) -> list[Problem]:
    if not isinstance(data, dict) or not data:
        return [Problem(_FILE, "-", "-", "expected a mapping of words")]
    found = []
    for key, texts in data.items():
        if not isinstance(texts, dict):
            found.append(Problem(_FILE, str(key), "-", "expected one text per language"))
            continue
        for lang in languages:
            text = texts.get(lang)
            if not isinstance(text, str) or not text.strip():
                found.append(Problem(_FILE, str(key), lang, "missing translation"))
        for lang in texts:
            if lang not in languages:
                found.append(
                    Problem(_FILE, str(key), str(lang),
                            f"unknown language (the course has: {', '.join(languages)})")
                )
        names = {lang: set(_PLACEHOLDER.findall(str(t))) for lang, t in texts.items()}
        if len({frozenset(n) for n in names.values()}) > 1:
            found.append(
                Problem(_FILE, str(key), "-", "the languages use different {placeholders}")
            )
    return found


def problems(root: Path, course) -> list[Problem]:
    """For `make check`: every slide word in every course language."""
    data, found = read_yaml(WORDS_FILE)
    if data is None:
        return found
    return found + _problems(data, course.languages)


@lru_cache(maxsize=4)
def _load(languages: tuple[str, ...], mtime: int) -> Words:
    data, found = read_yaml(WORDS_FILE)
    if data is not None:
        found += _problems(data, list(languages))
    if found:
        raise ContentError(found)
    return Words(data)


def load_words(languages: list[str]) -> Words:
    """The words, checked for these languages; raises ContentError naming what is missing."""
    return _load(tuple(languages), WORDS_FILE.stat().st_mtime_ns)
