"""The README's "Beyond one machine" says what an IT department needs: every setting and
environment variable of the health checks, the image and the replicas, and the same
sizes as deploy/kubernetes/."""

from __future__ import annotations

import re

import yaml

from awareness.server.health import Health
from tests.conftest import ROOT
from tests.deploy.test_image import image_env

FOLDER = ROOT / "deploy" / "kubernetes"


def section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Beyond one machine")
    return readme[start: readme.index("\n## ", start + 1)]


def test_every_health_setting_and_serving_variable_is_described():
    text = section()
    for name in Health.class_trait_names(config=True):
        assert f"`{name}`" in text, name
    # What the image and `awareness serve` read from the environment (the proxy's own
    # values are deploy/replicas.py's business; caps: "Security and limits").
    for name in image_env():
        if name.startswith("AWARENESS_"):
            assert name in text, name
    for name in ("AWARENESS_CLASS_LANG", "AWARENESS_REDIS_URL", "AWARENESS_REPLICA",
                 "REPLICAS_REDIS", "make replicas-stop", "build/replicas/<port>.pid"):
        assert name in text, name


def test_the_sizes_are_the_deployments():
    text = section()
    deployment = yaml.safe_load((FOLDER / "deployment.yaml").read_text())
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    for value in (container["resources"]["requests"]["memory"].removesuffix("Mi"),
                  container["resources"]["limits"]["memory"].removesuffix("Mi"),
                  env["AWARENESS_MAX_KERNELS"], env["AWARENESS_CLASS_POOL"]):
        assert re.search(rf"\b{value}\b", text), value
    grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert f"{grace} s grace period" in text
    assert "@@" not in text  # the measured figures are filled in
