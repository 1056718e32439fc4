"""constraints.txt pins every installed package, the indirect ones the server wraps included;
it agrees with pyproject.toml and with what is installed, and make installs with it."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The packages whose internals awareness/server wraps or relies on (hooks.py checks them).
WRAPPED = ("voila", "jupyter_server", "jupyter_client", "tornado", "jinja2", "traitlets",
           "mistune", "nbconvert", "pyzmq", "ipykernel", "ipywidgets")


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==([\w.+!-]+)", line).groups()
            pins[norm(name)] = version
    return pins


def test_the_wrapped_packages_are_pinned():
    pins = constraints()
    assert {norm(n) for n in WRAPPED} <= set(pins), sorted({norm(n) for n in WRAPPED} - set(pins))


def test_constraints_agree_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    named = project["dependencies"] + project["optional-dependencies"]["test"]
    pins = constraints()
    for dep in named:
        name, version = dep.split("==")
        assert pins.get(norm(name)) == version, dep


def test_what_is_installed_is_what_is_pinned():
    pins = constraints()
    for name in WRAPPED:
        assert metadata.version(name) == pins[norm(name)], name


def test_make_installs_with_the_constraints():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"pip install [^\n]*-c constraints\.txt", makefile)
    assert re.search(r"^\$\(STAMP\):[^\n]*constraints\.txt", makefile, re.M)
