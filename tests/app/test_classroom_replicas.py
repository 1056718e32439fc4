"""The live class mode across replicas: two app processes on one Redis (Debian's
redis-server, memory only, as `make replicas REPLICAS_REDIS=1` runs it) count one class.
The class is started on one, pupils open the lesson on the other (and one on each),
and both give the same totals."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import pytest

from tests.app.conftest import CLASS_KEY
from tests.app.test_classroom import CHOICES, ITEM, api, pupil_session, run, wait_for
from tests.conftest import ROOT, AppServer, free_port

sys.path.insert(0, str(ROOT / "deploy"))
import replicas as deploy  # noqa: E402


@pytest.fixture(scope="module")
def two_replicas(tmp_path_factory):
    folder = tmp_path_factory.mktemp("redis")
    sock = folder / "redis.sock"
    redis = subprocess.Popen(deploy.redis_argv(sock), cwd=folder, stdout=subprocess.DEVNULL,
                             stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    env = {"TEACHER_KEY": CLASS_KEY, "AWARENESS_CLASS_THRESHOLD": "3",
           "AWARENESS_REDIS_URL": f"unix://{sock}"}
    servers = [AppServer(free_port(), folder / f"replica{i}.log", extra_env=env,
                         args=("--pool", "0")) for i in (1, 2)]
    try:
        yield [s.start() for s in servers]
    finally:
        for s in servers:
            s.stop()
        redis.terminate()
        redis.wait(10)
    assert not (folder / "dump.rdb").exists()


def test_a_class_counts_the_same_on_every_replica(two_replicas):
    one, two = two_replicas
    status, body = api(one, "POST", "classes")
    code = body["code"]
    assert status == 200 and api(two, "GET", f"classes/{code}/results")[0] == 200

    async def pupils():
        return await asyncio.gather(
            pupil_session(two.url, f"?class={code}&tab=replicapupil01", [("choose", 0)]),
            pupil_session(two.url, f"?class={code}&tab=replicapupil02", [("choose", 0)]),
            pupil_session(one.url, f"?class={code}&tab=replicapupil03", [("choose", 1)]),
        )

    run(pupils())
    expected = {ITEM: {CHOICES[0].id: 2, CHOICES[1].id: 1}}
    first = wait_for(one, code, lambda r: r["chat"] == expected)
    assert first["chat"] == expected and first["students"] == 3
    second = api(two, "GET", f"classes/{code}/results")[1]
    assert second["chat"] == expected and second["students"] == 3
    assert api(two, "POST", f"classes/{code}/end")[0] == 200
    assert api(one, "GET", f"classes/{code}/results")[0] == 404
