"""Both stores behind the one interface: the memory store, and the Redis store on
Debian's redis-server (memory only, on a socket of its own, started here); two server
processes sharing one Redis count a class as one."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from awareness.classroom.server import Classroom, ClassroomSettings
from awareness.classroom.store import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
import replicas  # noqa: E402  (deploy/replicas.py: the redis-server make replicas runs)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if not Path(replicas.REDIS).exists():
        pytest.fail(f"Debian's redis-server is needed at {replicas.REDIS}: `make test` "
                    "installs it (as root), or run 'sudo apt-get install redis-server'")
    folder = tmp_path_factory.mktemp("redis")
    sock = folder / "redis.sock"
    proc = subprocess.Popen(replicas.redis_argv(sock), cwd=folder, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"unix://{sock}"
    proc.terminate()
    proc.wait(10)
    assert sorted(p.name for p in folder.iterdir()) == []  # nothing on disk


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return MemoryStore(lifetime=60)
    from awareness.classroom.redis_store import RedisStore

    return RedisStore(request.getfixturevalue("redis_url"), lifetime=60)


def test_a_store_keeps_one_answer_per_voter(store):
    code = store.create()
    assert code in store.codes() and store.state(code).round == 1
    assert store.join(code, "v1") and store.join(code, "v1") and store.join(code, "v2")
    assert not store.join("NOPE9", "v1")
    assert not store.vote(code, "stranger", "chat:j.d1", "a")
    store.vote(code, "v1", "chat:j.d1", "a")
    store.vote(code, "v1", "chat:j.d1", "b")
    store.vote(code, "v2", "poll:p1", ["false"])
    store.vote(code, "v1", "sign:j.e1", True)
    store.vote(code, "v1", "sign:j.e1", False)
    assert sorted(store.ballots(code), key=len) == [{"chat:j.d1": "b"}, {"poll:p1": ["false"]}]
    state = store.state(code)
    assert state.students == 2 and state.shown and state.version > 0
    assert store.show(code, False) and not store.state(code).shown
    assert store.open_poll(code, "p1", True) and store.state(code).polls == ["p1"]
    assert store.open_poll(code, "p1", False) and store.state(code).polls == []
    assert store.new_round(code) and store.ballots(code) == []
    assert store.state(code).round == 2 and store.state(code).students == 2
    assert store.end(code) and store.state(code) is None and store.ballots(code) is None
    assert not store.end(code) and code not in store.codes()
    assert store.salt() == store.salt() and len(store.salt()) >= 16


def test_a_redis_class_is_gone_after_its_lifetime(redis_url):
    from awareness.classroom.redis_store import RedisStore

    store = RedisStore(redis_url, lifetime=1)
    code = store.create()
    store.join(code, "v1")
    store.vote(code, "v1", "chat:j.d1", "a")
    time.sleep(1.3)
    assert store.state(code) is None and store.ballots(code) is None
    assert not [k for k in store.redis.scan_iter(match=f"*{code}*")]


def test_two_replicas_sharing_redis_count_one_class(redis_url):
    """Two server processes' class modes on one Redis: a class started on one, pupils on
    both (the same tab on both is one voter), totals alike on both."""
    from awareness.classroom.redis_store import RedisStore

    settings = ClassroomSettings(threshold=1)
    one = Classroom(settings, RedisStore(redis_url))
    two = Classroom(settings, RedisStore(redis_url))
    code = one.store.create()
    one.bind("k1", one.joining(code, "tab-aaaaaaaa"))
    two.bind("k2", two.joining(code, "tab-bbbbbbbb"))
    two.bind("k3", two.joining(code, "tab-aaaaaaaa"))  # tab a, reloaded on the other replica
    assert one.report("k1", "chat", "j.d1", "x")["counted"]
    assert two.report("k2", "chat", "j.d1", "y")["counted"]
    assert two.report("k3", "chat", "j.d1", "y")["counted"]  # replaces tab a's answer
    assert one.results(code)["chat"] == two.results(code)["chat"] == {"j.d1": {"y": 2}}
    assert one.results(code)["students"] == 2
    assert two.store.end(code) and one.results(code) is None
