"""environment.yml (conda, Binder) and pyproject.toml (pip) name the same runtime packages."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def pip_packages() -> dict[str, str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    out = {}
    for dep in deps:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==([\w.]+)", dep).groups()
        out[name.lower().replace("_", "-")] = version
    return out


def conda_packages() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if not isinstance(dep, str) or dep.split("=")[0] in ("python", "pip"):
            continue
        name, version = dep.split("=", 1)
        out[name.lower().replace("_", "-")] = version.lstrip("=")
    return out


def test_same_runtime_packages_and_versions():
    assert conda_packages() == pip_packages()


def test_every_runtime_package_is_pinned():
    assert pip_packages(), "pyproject.toml lists no runtime packages"
    assert all(re.fullmatch(r"[\d.]+", v) for v in pip_packages().values())


def test_binder_installs_the_package():
    assert "pip install --no-deps -e ." in (ROOT / "postBuild").read_text()
