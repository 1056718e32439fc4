"""Reading YAML content files and validating them against the models.

Every function here returns problems instead of raising, so that `check` can report
all of them at once. Data flows one way: bytes -> YAML -> pydantic model.

Before a file is built into Python objects, its YAML events are scanned (without
recursion): nesting deeper than ``MAX_DEPTH`` levels, an alias inside its own anchor
and aliases that would expand to more than ``MAX_VALUES`` values are one line each,
not a RecursionError or a machine that runs out of memory. A mapping key that is a list
or mapping is one line too.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from awareness.content.problems import Problem
from awareness.paths import display_path

__all__ = ["MAX_DEPTH", "MAX_VALUES", "read_yaml", "validate", "load_model"]

M = TypeVar("M", bound=BaseModel)
MAX_DEPTH = 64  # the course's files nest about 8 levels deep
MAX_VALUES = 1_000_000  # values a file may expand to through aliases


def shape_problem(text: str) -> str | None:
    """Too deep, a recursive alias, or too many values through aliases (None: fine).
    Reads YAML events only: no objects are built and nothing recurses."""
    depth = 0
    open_anchors: list[str | None] = []
    sizes: dict[str, int] = {}
    counts = [0]  # values inside each open collection (the document at the bottom)
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return f"nested more than {MAX_DEPTH} levels deep (line {line})"
            open_anchors.append(event.anchor)
            counts.append(1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            anchor = open_anchors.pop()
            size = counts.pop()
            if anchor:
                sizes[anchor] = size
            counts[-1] += size
        elif isinstance(event, yaml.ScalarEvent):
            counts[-1] += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                return f"the alias *{event.anchor} is inside its own anchor (line {line})"
            counts[-1] += sizes.get(event.anchor, 1)
        if counts[-1] > MAX_VALUES or sum(counts) > MAX_VALUES:
            return f"expands to more than {MAX_VALUES:,} values through aliases (line {line})"
    return None


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping with the same key twice."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a key must be plain text or a number, not a {type(key).__name__}",
                key_node.start_mark,
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"the key {key!r} appears twice in one mapping",
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_utf8(path: Path) -> tuple[str | None, str]:
    """A content file's text, or None and why it cannot be read (one line)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    try:
        return raw.decode("utf-8"), ""
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, (
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} on line {line}); save the file as UTF-8"
        )


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """Read one YAML file. Returns (data, problems); data is None when unusable."""
    name = display_path(path)

    def fail(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(name, "-", "-", message)]

    if not path.exists():
        return fail("file not found")
    if path.is_dir():
        return fail("is a folder, expected a YAML file")
    text, why = read_utf8(path)
    if text is None:
        return fail(why)
    if not text.strip():
        return fail("file is empty")
    try:
        shape = shape_problem(text)
        if shape:
            return fail(shape)
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return fail(f"YAML syntax error{where}: {what}")
    except RecursionError:
        return fail(f"nested more than {MAX_DEPTH} levels deep")
    if data is None:
        return fail("file is empty")
    if not isinstance(data, dict):
        return fail(f"expected a mapping of fields at the top, found {type(data).__name__}")
    return data, []


def _locate(data: Any, loc: tuple[Any, ...]) -> tuple[str, str]:
    """Split a pydantic error location into (nearest item id, field path inside it)."""
    item = "-"
    field_start = 0
    node = data
    for i, part in enumerate(loc):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str | int):
            item = str(node["id"])
            field_start = i + 1
    parts = [str(p) for p in loc[field_start:]]
    return item, ".".join(parts) or "-"


def validation_problems(path: Path, data: Any, exc: ValidationError) -> list[Problem]:
    """Turn a pydantic ValidationError into one Problem per error."""
    name = display_path(path)
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        item, field = _locate(data, loc)
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field (check the spelling)"
        elif err["type"] == "missing":
            message = "missing field"
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        problems.append(Problem(name, item, field, message))
    return problems


def validate(
    model: type[M], data: Any, path: Path, languages: list[str]
) -> tuple[M | None, list[Problem]]:
    """Validate data against a model, with the course's languages as context."""
    try:
        return model.model_validate(data, context={"languages": languages}), []
    except ValidationError as exc:
        return None, validation_problems(path, data, exc)
    except RecursionError:
        return None, [Problem(display_path(path), "-", "-", "nested too deeply to check")]


def load_model(model: type[M], path: Path, languages: list[str]) -> tuple[M | None, list[Problem]]:
    """read_yaml + validate."""
    data, problems = read_yaml(path)
    if problems:
        return None, problems
    return validate(model, data, path, languages)
