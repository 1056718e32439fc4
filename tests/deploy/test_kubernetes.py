"""deploy/kubernetes/: valid for Kubernetes (kubernetes-validate, its schemas shipped with
the package: no network), and saying what the app needs: readiness on /healthz, liveness
on /livez, resources derived from the pool sizes, a graceful stop that lets pupils
finish, a Service, an Ingress with cookie affinity and a long websocket time-out, and an
HPA on CPU."""

from __future__ import annotations

import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from awareness.server.sizing import (
    KERNEL_LIMIT_MB,
    SERVER_MB,
    pool_kernels,
    replica_memory_mb,
)
from tests.conftest import ROOT
from tests.deploy.test_image import image_env, instructions

FOLDER = ROOT / "deploy" / "kubernetes"
HAPROXY = ROOT / "deploy" / "haproxy" / "haproxy.cfg"


def manifests() -> dict[str, dict]:
    found = {}
    for path in sorted(FOLDER.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            found[doc["kind"]] = doc
    return found


KINDS = manifests()


@pytest.mark.parametrize("path", sorted(FOLDER.glob("*.yaml")), ids=lambda p: p.name)
def test_each_manifest_is_valid_kubernetes(path: Path):
    for doc in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)


def test_the_validator_can_fail():
    broken = yaml.safe_load((FOLDER / "service.yaml").read_text())
    broken["spec"]["ports"][0]["port"] = "eighty"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, kubernetes_validate.latest_version(), strict=True)


def container() -> dict:
    return KINDS["Deployment"]["spec"]["template"]["spec"]["containers"][0]


def env() -> dict[str, str]:
    return {e["name"]: e["value"] for e in container()["env"]}


def mebibytes(quantity: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()
    return int(number) * (1024 if unit == "Gi" else 1)


def test_readiness_is_healthz_and_liveness_is_another_check():
    c = container()
    assert c["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert c["livenessProbe"]["httpGet"]["path"] == "/livez"
    port = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert port == {"http": int(image_env()["AWARENESS_PORT"])}
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert c[probe]["httpGet"]["port"] == "http", probe


def test_resources_are_derived_from_the_pool_sizes():
    e = env()
    pupils = int(KINDS["Deployment"]["metadata"]["annotations"]["awareness/pupils-per-replica"])
    pools = pool_kernels(ROOT, class_size=int(e["AWARENESS_CLASS_POOL"]))
    cap = int(e["AWARENESS_MAX_KERNELS"])
    assert cap >= pools + pupils, (cap, pools, pupils)
    resources = container()["resources"]
    assert mebibytes(resources["requests"]["memory"]) == replica_memory_mb(pools + pupils)
    assert mebibytes(resources["limits"]["memory"]) == SERVER_MB + cap * KERNEL_LIMIT_MB
    assert resources["requests"]["cpu"] and resources["limits"]["cpu"]
    # The comment at the top says the same numbers.
    text = (FOLDER / "deployment.yaml").read_text()
    assert f"AWARENESS_MAX_KERNELS={cap}" in text and f"{pools} ready kernels" in text


def test_the_pods_stop_gracefully_and_let_pupils_finish():
    spec = KINDS["Deployment"]["spec"]["template"]["spec"]
    pre_stop = container()["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    drain = float(env()["AWARENESS_DRAIN_TIMEOUT"])
    assert drain >= 600, "a lesson takes 10-15 minutes"
    assert spec["terminationGracePeriodSeconds"] >= int(pre_stop[1]) + drain + 10
    strategy = KINDS["Deployment"]["spec"]["strategy"]["rollingUpdate"]
    assert strategy["maxUnavailable"] == 0


def test_the_pods_run_unprivileged_as_the_image_does():
    spec = KINDS["Deployment"]["spec"]["template"]["spec"]
    user = [r for w, r in instructions() if w == "USER"][-1].split(":")[0]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert str(spec["securityContext"]["runAsUser"]) == user
    security = container()["securityContext"]
    assert security["readOnlyRootFilesystem"] and not security["allowPrivilegeEscalation"]
    assert {m["mountPath"] for m in container()["volumeMounts"]} == {"/tmp"}


def test_the_service_and_ingress_reach_the_pods_with_cookie_affinity():
    labels = KINDS["Deployment"]["spec"]["template"]["metadata"]["labels"]
    service = KINDS["Service"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert "sessionAffinity" not in service["spec"]
    ingress = KINDS["Ingress"]
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    # The same routing cookie as `make replicas`' HAProxy; a session cookie, no expiry.
    name = notes["nginx.ingress.kubernetes.io/session-cookie-name"]
    assert re.search(rf"^\s*cookie {name} insert", HAPROXY.read_text(), re.M)
    assert not any("max-age" in k or "expires" in k for k in notes)
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] == service["spec"]["ports"][0]["name"]
    assert ingress["spec"]["tls"]
    host = ingress["spec"]["rules"][0]["host"]
    assert host in env()["AWARENESS_ALLOWED_HOSTS"].split(",")
    text = (FOLDER / "ingress.yaml").read_text()
    for controller in ("Traefik", "HAProxy", "GKE", "AWS"):
        assert controller in text, f"no note for {controller}"


def test_the_autoscaler_scales_the_deployment_on_cpu():
    hpa = KINDS["HorizontalPodAutoscaler"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == KINDS["Deployment"]["metadata"]["name"]
    assert hpa["metrics"][0]["resource"]["name"] == "cpu"
    assert hpa["minReplicas"] >= 2
    # A pod that goes waits for its pupils: scale down slowly.
    assert hpa["behavior"]["scaleDown"]["stabilizationWindowSeconds"] >= 300
