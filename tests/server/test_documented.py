"""The README's "Security and limits" section names every setting, and make passes the
ones a school sets on to the app."""

from __future__ import annotations

import re
from pathlib import Path

from awareness.server.limits import Limits

ROOT = Path(__file__).resolve().parents[2]


def section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Security and limits")
    return readme[start: readme.index("\n## ", start + 1)]


def test_every_setting_is_in_the_readme():
    text = section()
    for name in Limits.class_trait_names(config=True):
        assert f"`{name}`" in text or f"`{name}`," in text or name in text, name


def test_the_readme_says_what_to_put_in_front_and_for_shared_addresses():
    text = section()
    for words in ("TLS", "reverse proxy", "TRUSTED_PROXY", "NAT", "per server process",
                  "MALLOC_ARENA_MAX=2", "RLIMIT_AS", "No cookies"):
        assert words in text, words


def test_make_passes_the_settings_as_environment_variables():
    makefile = (ROOT / "Makefile").read_text()
    source = (ROOT / "awareness" / "server" / "limits.py").read_text()
    for env in sorted(set(re.findall(r'"(AWARENESS_[A-Z_]+)"', source))):
        make_name = env.removeprefix("AWARENESS_")
        assert f"{env}=$({make_name})" in makefile, env
        assert f"`{make_name}` / `{env}`" in section(), env


def test_the_kernel_template_and_the_launcher_setting_are_in_the_readme():
    from awareness.server.forks import KernelTemplate

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in KernelTemplate.class_trait_names(config=True):
        assert f"`{name}`" in readme, name
    assert "make app KERNEL_LAUNCHER=local-provisioner" in readme
    makefile = (ROOT / "Makefile").read_text()
    assert "--KernelProvisionerFactory.default_provisioner_name=$(KERNEL_LAUNCHER)" in makefile
