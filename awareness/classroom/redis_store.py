"""``RedisStore``: the classes in a Redis that every replica reaches (``make replicas
REPLICAS_REDIS=1`` runs Debian's redis-server, memory only, on a socket of its own, and
passes it as AWARENESS_REDIS_URL).

The same data as ``MemoryStore``, under keys that expire with the class (Redis forgets
them by itself after the class's lifetime; ending a class deletes them at once):

- ``awareness:class:<code>`` a hash: ``started`` (the server's clock, seconds), ``shown``,
  ``round``, ``version``, ``polls`` (JSON);
- ``awareness:voters:<code>`` a set of voter keys;
- ``awareness:ballots:<code>`` a hash, voter key -> that voter's ballot (JSON);
- ``awareness:salt`` the voter keys' secret, shared by the replicas.

Redis must keep nothing on disk (``--save ''``, no append-only file): it holds the
class's counts only while the class runs.
"""

from __future__ import annotations

import json
import secrets
import time

from awareness.classroom.model import cast, new_code
from awareness.classroom.store import ClassState, ClassStore

__all__ = ["RedisStore"]

PREFIX = "awareness:"


class RedisStore(ClassStore):
    def __init__(self, url: str, lifetime: float = 3 * 3600, client=None):
        import redis

        self.lifetime = lifetime
        self.redis = client or redis.Redis.from_url(url, decode_responses=True,
                                                    socket_timeout=5)
        self._salt: bytes | None = None

    # ----------------------------------------------------------------- keys
    @staticmethod
    def _keys(code: str) -> tuple[str, str, str]:
        return (f"{PREFIX}class:{code}", f"{PREFIX}voters:{code}", f"{PREFIX}ballots:{code}")

    def _ttl(self) -> int:
        return max(1, int(self.lifetime))

    def _alive(self, code: str) -> dict | None:
        data = self.redis.hgetall(self._keys(code)[0])
        return data or None

    def _expire_with_class(self, pipe, code: str) -> None:
        """The voters' and ballots' keys expire when the class's key does."""
        klass, voters, ballots = self._keys(code)
        ttl = self.redis.pttl(klass)
        if ttl and ttl > 0:
            pipe.pexpire(voters, ttl)
            pipe.pexpire(ballots, ttl)

    def _changed(self, pipe, code: str) -> None:
        pipe.hincrby(self._keys(code)[0], "version", 1)

    # ----------------------------------------------------------------- ClassStore
    def salt(self) -> bytes:
        if self._salt is None:
            self.redis.set(f"{PREFIX}salt", secrets.token_hex(32), nx=True)
            self._salt = bytes.fromhex(self.redis.get(f"{PREFIX}salt"))
        return self._salt

    def create(self) -> str:
        while True:
            code = new_code()
            klass = self._keys(code)[0]
            if self.redis.hsetnx(klass, "started", str(time.time())):
                pipe = self.redis.pipeline()
                pipe.hset(klass, mapping={"shown": "1", "round": "1", "version": "0",
                                          "polls": "[]"})
                pipe.expire(klass, self._ttl())
                pipe.execute()
                return code

    def state(self, code: str) -> ClassState | None:
        data = self._alive(code)
        if data is None or "round" not in data:
            return None
        return ClassState(
            code=code,
            shown=data.get("shown") == "1",
            round=int(data.get("round", 1)),
            version=int(data.get("version", 0)),
            students=int(self.redis.scard(self._keys(code)[1])),
            polls=json.loads(data.get("polls") or "[]"),
        )

    def codes(self) -> list[str]:
        found = [key.removeprefix(f"{PREFIX}class:")
                 for key in self.redis.scan_iter(match=f"{PREFIX}class:*", count=200)]
        return sorted(found)

    def join(self, code: str, voter: str) -> bool:
        if self._alive(code) is None:
            return False
        klass, voters, _ = self._keys(code)
        if self.redis.sadd(voters, voter):
            pipe = self.redis.pipeline()
            self._expire_with_class(pipe, code)
            self._changed(pipe, code)
            pipe.execute()
        return True

    def vote(self, code: str, voter: str, key: str, value) -> bool:
        klass, voters, ballots = self._keys(code)
        if self._alive(code) is None or not self.redis.sismember(voters, voter):
            return False
        ballot = json.loads(self.redis.hget(ballots, voter) or "{}")
        if not cast(ballot, key, value):
            return True
        pipe = self.redis.pipeline()
        pipe.hset(ballots, voter, json.dumps(ballot))
        self._expire_with_class(pipe, code)
        self._changed(pipe, code)
        pipe.execute()
        return True

    def ballots(self, code: str) -> list[dict] | None:
        if self._alive(code) is None:
            return None
        return [json.loads(b) for b in self.redis.hvals(self._keys(code)[2])]

    def show(self, code: str, shown: bool) -> bool:
        if self._alive(code) is None:
            return False
        pipe = self.redis.pipeline()
        pipe.hset(self._keys(code)[0], "shown", "1" if shown else "0")
        self._changed(pipe, code)
        pipe.execute()
        return True

    def open_poll(self, code: str, poll: str, is_open: bool) -> bool:
        data = self._alive(code)
        if data is None:
            return False
        polls = [p for p in json.loads(data.get("polls") or "[]") if p != poll]
        polls = [*polls, poll] if is_open else polls
        pipe = self.redis.pipeline()
        pipe.hset(self._keys(code)[0], "polls", json.dumps(polls))
        self._changed(pipe, code)
        pipe.execute()
        return True

    def new_round(self, code: str) -> bool:
        if self._alive(code) is None:
            return False
        klass, _, ballots = self._keys(code)
        pipe = self.redis.pipeline()
        pipe.delete(ballots)
        pipe.hincrby(klass, "round", 1)
        self._changed(pipe, code)
        pipe.execute()
        return True

    def end(self, code: str) -> bool:
        return bool(self.redis.delete(*self._keys(code)))
