"""Readiness, the click timer, the class pool and the metrics' names, driven directly (the
real server's /healthz, /livez, /metrics and graceful stop: tests/deploy/test_replicas.py)."""

from __future__ import annotations

import json
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from awareness.content.course import load_course
from awareness.server import metrics
from awareness.server.health import Health, readiness
from awareness.server.sizing import class_pool, pool_kernels, replica_memory_mb

ROOT = Path(__file__).resolve().parents[2]


def counts(in_use=0, pool=10, pool_ready=10, max_=20):
    return {"in_use": in_use, "pool": pool, "pool_ready": pool_ready, "pool_size": 10,
            "max": max_}


def test_readiness_503_only_while_warming_at_the_total_cap_or_stopping():
    assert readiness(counts(), warm=True, stopping=False) == "ready"
    assert readiness(counts(pool_ready=3), warm=False, stopping=False) == "warming"
    # Every kernel the cap allows runs and no pool kernel is ready: a new pupil would wait.
    assert readiness(counts(in_use=20, pool=0, pool_ready=0), True, False) == "full"
    # Pools made to fit the cap hold exactly the cap at rest: ready.
    assert readiness(counts(in_use=0, pool=20, pool_ready=20), True, False) == "ready"
    # A class took kernels, the cap is not reached: ready although the pools are empty.
    assert readiness(counts(in_use=15, pool=1, pool_ready=0), True, False) == "ready"
    assert readiness(counts(), warm=True, stopping=True) == "stopping"


def test_the_settings_default_and_come_from_the_environment(monkeypatch):
    assert Health().drain_timeout == 900 and Health().warmup_timeout == 300
    monkeypatch.setenv("AWARENESS_DRAIN_TIMEOUT", "5")
    monkeypatch.setenv("AWARENESS_WARMUP_TIMEOUT", "2.5")
    assert Health().drain_timeout == 5 and Health().warmup_timeout == 2.5


def test_the_click_timer_times_each_click_once_and_forgets_old_ones():
    now = [0.0]
    timer = metrics.ClickTimer(size=3, expire=60, clock=lambda: now[0])
    timer.clicked("a")
    now[0] = 0.04
    assert timer.answered("b") is None
    assert abs(timer.answered("a") - 0.04) < 1e-9
    assert timer.answered("a") is None  # the second update of the same click
    for name in "cdef":
        timer.clicked(name)
    assert list(timer.pending) == ["d", "e", "f"]  # at most `size` waiting
    now[0] = 100
    timer.clicked("g")
    assert list(timer.pending) == ["g"]  # unanswered for a minute: dropped


def test_what_counts_as_a_click_and_as_its_feedback():
    click = {"data": {"method": "custom", "content": {"event": "click"}}}
    assert metrics.is_click({"msg_type": "comm_msg"}, click)
    assert not metrics.is_click({"msg_type": "comm_msg"},
                                {"data": {"method": "update", "state": {"value": 1}}})
    assert not metrics.is_click({"msg_type": "execute_request"}, click)
    assert metrics.is_feedback({"msg_type": "comm_msg"}, {"data": {"method": "update"}})
    assert metrics.is_feedback({"msg_type": "comm_open"}, {})
    assert not metrics.is_feedback({"msg_type": "comm_msg"}, {"data": {"method": "echo_update"}})
    assert not metrics.is_feedback({"msg_type": "status"}, {"execution_state": "busy"})


def test_metrics_parse_and_say_nothing_about_a_pupil():
    metrics.set_gauges(3, 12, 10, 40, True)
    metrics.CLICK_FEEDBACK.observe(0.03)
    text = metrics.generate_latest(metrics.REGISTRY).decode()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for name in ("awareness_kernels", "awareness_pages_served", "awareness_refused",
                 "awareness_click_feedback_seconds", "awareness_ready"):
        assert name in families, name
    kernels = {s.labels["state"]: s.value for s in families["awareness_kernels"].samples}
    assert kernels == {"in_use": 3, "pool": 12}
    labels = {key for f in families.values() for s in f.samples for key in s.labels}
    # Labels name kinds of things, never a pupil, an address, a kernel or a page.
    assert labels <= {"state", "page", "cap", "le"}, labels


def test_the_class_pool_resizes_the_largest_pool_only():
    config = json.loads((ROOT / "voila.json").read_text())
    pools = config["VoilaKernelManager"]["kernel_pools_config"]
    resized = class_pool(pools, 16)
    assert resized["nb/02-the-conversation.ipynb"]["pool_size"] == 16
    assert resized["nn/02-the-conversation.ipynb"] == pools["nn/02-the-conversation.ipynb"]
    assert class_pool(pools, -1) == pools
    full, half = pool_kernels(ROOT), pool_kernels(ROOT, class_size=16)
    largest = max(v["pool_size"] for k, v in pools.items() if k != "default")
    assert full - half == largest - 16
    course = load_course(ROOT)
    assert pool_kernels(ROOT, every_page=1) == len(course.languages) * len(course.lessons)
    assert replica_memory_mb(10) > replica_memory_mb(5) > 0
