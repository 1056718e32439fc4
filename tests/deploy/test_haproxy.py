"""The proxy `make replicas` runs, and the script around it, without starting the app:
HAProxy accepts the config it writes and the config says what the app needs; the Redis
hook starts a memory-only redis-server on its own socket; `stop` never stops a process
that is not its own."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "deploy"))
import replicas  # noqa: E402

TEMPLATE = ROOT / "deploy" / "haproxy" / "haproxy.cfg"


def rendered(tmp_path: Path) -> tuple[Path, dict]:
    config = tmp_path / "haproxy.cfg"
    config.write_text(replicas.haproxy_config([9001, 9002, 9003]))
    page = tmp_path / "busy.http"
    page.write_text(replicas.busy_page(15))
    env = {"AWARENESS_PROXY_BIND": "127.0.0.1:9000",
           "AWARENESS_PROXY_CHECK_INTERVAL": "1000ms",
           "AWARENESS_PROXY_CONNECT_TIMEOUT": "2000ms",
           "AWARENESS_PROXY_TUNNEL_TIMEOUT": "3600s",
           "AWARENESS_PROXY_BUSY_PAGE": str(page)}
    return config, env


def test_haproxy_accepts_the_config_and_refuses_a_broken_one(tmp_path):
    config, env = rendered(tmp_path)
    ok = subprocess.run([replicas.HAPROXY, "-c", "-f", str(config)], env=env,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    config.write_text(config.read_text().replace("balance roundrobin", "balance sideways"))
    broken = subprocess.run([replicas.HAPROXY, "-c", "-f", str(config)], env=env,
                            capture_output=True, text=True)
    assert broken.returncode != 0


def test_the_config_routes_by_a_replica_named_cookie_checks_healthz_and_forwards(tmp_path):
    text = replicas.haproxy_config([9001, 9002])
    servers = re.findall(r"^\s*server (\S+) 127\.0\.0\.1:(\d+) cookie (\S+)", text, re.M)
    assert servers == [("r1", "9001", "r1"), ("r2", "9002", "r2")]  # cookie = replica name
    assert re.search(r"^\s*cookie AWARENESS_REPLICA insert indirect nocache httponly", text, re.M)
    assert "maxlife" not in text and "maxidle" not in text  # a browser-session cookie
    assert "http-check send meth GET uri /healthz" in text
    assert "http-check expect status 200" in text
    assert re.search(r"^\s*option forwardfor", text, re.M)
    assert re.search(r"^\s*timeout tunnel", text, re.M)  # websockets
    # A page's websocket follows its cookie even to a replica that takes no new pupils.
    persist = re.search(r"force-persist if \{ path_reg (\S+) \}", text).group(1)
    assert re.search(persist, "/api/kernels/0b5e2e7c-1f6a-4e4b-9b1c-8f0e6b7d9a11/channels")
    assert re.search(persist, "/prefix/api/kernels/0b5e2e7c/channels")  # behind a base URL
    assert not re.search(persist, "/voila/render/nb/02-the-conversation.ipynb")
    assert "option redispatch" in text
    # Nothing about a pupil in a log.
    assert "httplog" not in text and "tcplog" not in text


def test_the_wait_page_is_the_courses_in_every_language():
    from awareness.content.course import load_course

    course = load_course(ROOT)
    page = replicas.busy_page(7)
    head, _, body = page.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 503") and "Retry-After: 7" in head
    assert f"Content-Length: {len(body.encode())}" in head
    for lang in course.languages:
        assert course.t("busy_text", lang) in body or \
            course.t("busy_text", lang).replace("'", "&#x27;") in body


def redis_command(sock: Path, *words: str) -> bytes:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(sock))
        s.sendall(f"*{len(words)}\r\n".encode() + b"".join(
            f"${len(w)}\r\n{w}\r\n".encode() for w in words))
        time.sleep(0.1)
        return s.recv(4096)


def test_the_redis_hook_runs_a_memory_only_redis_on_its_own_socket(tmp_path):
    sock = tmp_path / "redis.sock"
    proc = subprocess.Popen(replicas.redis_argv(sock), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert redis_command(sock, "PING") == b"+PONG\r\n"
        assert redis_command(sock, "CONFIG", "GET", "save").endswith(b"$4\r\nsave\r\n$0\r\n\r\n")
        assert b"127.0.0.1" in redis_command(sock, "CONFIG", "GET", "bind")
        assert redis_command(sock, "CONFIG", "GET", "port").endswith(b"$1\r\n0\r\n")
        assert b"$2\r\nno" in redis_command(sock, "CONFIG", "GET", "appendonly")
    finally:
        proc.terminate()
        proc.wait(10)
    assert not sock.exists()


def test_stop_leaves_alone_a_process_that_took_a_stale_pidfiles_pid(tmp_path):
    other = subprocess.Popen(["sleep", "30"])
    try:
        (tmp_path / "9001.pid").write_text(f"{other.pid}\n")
        (tmp_path / "haproxy-9000.pid").write_text(f"{other.pid}\n")
        assert replicas.main(["stop", "--run-dir", str(tmp_path), "--timeout", "1"]) == 0
        assert other.poll() is None, "stop killed a process that was not its own"
        assert not list(tmp_path.glob("*.pid"))  # the stale pidfiles are gone
    finally:
        other.kill()
        other.wait()


def test_make_passes_the_replicas_on():
    makefile = (ROOT / "Makefile").read_text()
    rule = makefile[makefile.index("\nreplicas:"):]
    rule = rule[:rule.index("\n\n")]
    for words in ("deploy/replicas.py start", "--replicas $(REPLICAS)", "--port $(PORT)",
                  "$(LIMITS_ENV)", "--pool $(POOL)", "$(if $(REPLICAS_REDIS),--redis)"):
        assert words in rule, words
    assert "deploy/replicas.py stop" in makefile[makefile.index("\nreplicas-stop:"):]
    # One apt-get call for every Debian package the tests need.
    test_rule = makefile[makefile.index("\ntest:") + 1:].split("\n", 1)[0]
    assert "debian-test" in test_rule
    assert "$(HAPROXY_PKG) $(REDIS_PKG)" in makefile
