"""Replicas on one machine behind HAProxy: ``make replicas REPLICAS=N`` and ``make replicas-stop``.

``start`` runs N app processes (``python -m awareness serve``) on 127.0.0.1:PORT+1 ...
PORT+N, each with its pidfile ``build/replicas/<port>.pid`` and log
``build/replicas/<port>.log``, and Debian's HAProxy on HOST:PORT with the config in
deploy/haproxy/haproxy.cfg (sticky cookie, websockets, health checks on /healthz,
X-Forwarded-For; the replicas trust it from 127.0.0.1). It stays in the foreground: Ctrl+C
(or SIGTERM) stops everything it started. A replica that dies is reported, not restarted:
HAProxy sends new pupils to the others.

``stop`` stops what a ``start`` started (the one on ``--port``, or every one whose pidfiles
are in build/replicas/), also when that ``start`` is gone.

``--redis`` (``make replicas REPLICAS_REDIS=1``) also runs Debian's redis-server for the
replicas to share state: on a socket of its own (build/replicas/redis-<PORT>.sock, no TCP
port, bound to 127.0.0.1 in any case), memory only (``--save ''``, no append-only file),
its address passed to each replica as AWARENESS_REDIS_URL: the live class mode keeps its
classes there, so a class's totals are right whichever replica a pupil lands on. The
replicas share one teacher key (TEACHER_KEY, random if unset) and the join address the
teacher page shows is the proxy's (AWARENESS_JOIN_URL, unless set).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "haproxy" / "haproxy.cfg"
RUN_DIR = ROOT / "build" / "replicas"
HAPROXY = "/usr/sbin/haproxy"
REDIS = "/usr/bin/redis-server"
COOKIE = "AWARENESS_REPLICA"
SERVERS_MARK = "# @servers"


def replica_name(index: int) -> str:
    """The name HAProxy gives a replica, and the value of its routing cookie."""
    return f"r{index}"


# ----------------------------------------------------------------------------- config


def busy_page(retry_after: int) -> str:
    """HAProxy's answer while no replica takes pupils (all warming up): a raw HTTP
    response, the course's own short page in every course language (HAProxy cannot
    tell which the pupil reads), which asks again by itself."""
    sys.path.insert(0, str(ROOT))
    from html import escape

    from awareness.content.course import load_course

    course = load_course(ROOT)
    parts = []
    for lang in course.languages:
        parts.append(
            f'<section lang="{escape(lang)}"><h1>{escape(course.t("busy_title", lang))}</h1>'
            f'<p role="status">{escape(course.t("busy_text", lang))}</p></section>'
        )
    body = (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(course.default_language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="refresh" content="{int(retry_after)}">'
        f"<title>{escape(course.t('busy_title', course.default_language))}</title>"
        '<link rel="icon" href="data:,">'
        "</head><body><main>" + "".join(parts) + "</main></body></html>\n"
    ).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Retry-After: {int(retry_after)}\r\n"
        "Cache-Control: no-store\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Referrer-Policy: no-referrer\r\n"
        "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; "
        "frame-ancestors 'self'\r\n"
        "Connection: close\r\n\r\n"
    )
    return head + body.decode()


def haproxy_config(ports: list[int], template: Path = TEMPLATE) -> str:
    """The committed template with one server line per replica where it says so."""
    lines = template.read_text().splitlines()
    marks = [n for n, line in enumerate(lines) if line.strip().startswith(SERVERS_MARK)]
    if len(marks) != 1:
        raise SystemExit(f"{template}: expected one line '{SERVERS_MARK}: ...'")
    after = lines[marks[0] + 1:]
    while after and after[0].strip().startswith("#"):
        after.pop(0)  # the example under the mark
    servers = [
        f"    server {replica_name(i)} 127.0.0.1:{port} cookie {replica_name(i)}"
        for i, port in enumerate(ports, start=1)
    ]
    return "\n".join(lines[:marks[0]] + servers + after) + "\n"


# ----------------------------------------------------------------------------- processes


def port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            errors="replace")
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    state = ""
    with contextlib.suppress(OSError, IndexError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


def read_pid(pidfile: Path, expect: str) -> int | None:
    """The pid in a pidfile, if that process is still the one it names (pids are reused)."""
    try:
        pid = int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if alive(pid) and expect in cmdline(pid) else None


class Started:
    """What one ``start`` runs: its processes, pidfiles and logs."""

    def __init__(self, run_dir: Path, port: int):
        self.run_dir = run_dir
        self.port = port
        self.procs: list[tuple[str, subprocess.Popen, Path]] = []
        self.manifest = run_dir / f"proxy-{port}.json"

    def spawn(self, name: str, argv: list[str], pidfile: Path, log: Path,
              env: dict | None = None) -> subprocess.Popen:
        with open(log, "w") as out:
            proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        pidfile.write_text(f"{proc.pid}\n")
        self.procs.append((name, proc, pidfile))
        self.save()
        return proc

    def save(self) -> None:
        self.manifest.write_text(json.dumps(
            {"port": self.port, "pidfiles": [str(p) for _, _, p in self.procs]}, indent=1))

    def stop(self, timeout: float = 20.0) -> None:
        """Everything, the proxy first (no new requests), then the replicas (at once, as
        Ctrl+C does: their kernels are shut down), then Redis."""
        order = sorted(self.procs, key=lambda t: {"haproxy": 0, "redis": 2}.get(t[0], 1))
        for name, proc, _ in order:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM if name in ("haproxy", "redis") else
                                 signal.SIGINT)
        deadline = time.monotonic() + timeout
        for _, proc, _ in order:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for _, _, pidfile in self.procs:
            pidfile.unlink(missing_ok=True)
        self.manifest.unlink(missing_ok=True)


def redis_argv(sock: Path) -> list[str]:
    """Debian's redis-server for the replicas: on its own socket (no TCP port; bound to
    127.0.0.1 should one be given), memory only (no snapshots, no append-only file)."""
    return [
        REDIS, "--port", "0", "--bind", "127.0.0.1", "--unixsocket", str(sock),
        "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
        "--daemonize", "no", "--loglevel", "warning",
    ]


def start(args: argparse.Namespace) -> int:
    run_dir = Path(args.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    if not Path(HAPROXY).exists():
        print(f"HAProxy is needed at {HAPROXY}: `make replicas` installs Debian's haproxy "
              "(as root), or run 'sudo apt-get install haproxy'.", file=sys.stderr)
        return 1
    if args.redis and not Path(REDIS).exists():
        print(f"Redis is needed at {REDIS}: `make replicas REPLICAS_REDIS=1` installs "
              "Debian's redis-server (as root), or run 'sudo apt-get install redis-server'.",
              file=sys.stderr)
        return 1
    if args.replicas < 1:
        print("--replicas: at least 1", file=sys.stderr)
        return 1
    ports = [args.port + i for i in range(1, args.replicas + 1)]
    busy = [p for p in ports if not port_free("127.0.0.1", p)]
    if not port_free(args.host, args.port):
        busy.insert(0, args.port)
    if busy:
        print(f"Port(s) {', '.join(map(str, busy))} in use: stop what runs there "
              "(`make replicas-stop`) or choose another PORT.", file=sys.stderr)
        return 1

    started = Started(run_dir, args.port)
    stopping = {"now": False}

    def on_signal(signum, frame):
        stopping["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        env = {**os.environ}
        # The replicas are reached only through the proxy, on loopback: they believe its
        # X-Forwarded-For (and the addresses a school adds with TRUSTED_PROXY).
        trusted = [a for a in env.get("AWARENESS_TRUSTED_PROXY", "").split(",") if a.strip()]
        env["AWARENESS_TRUSTED_PROXY"] = ",".join(dict.fromkeys(["127.0.0.1", *trusted]))
        # The live class mode: one teacher key for every replica, and pupils join through
        # the proxy, not a replica's own port.
        env["TEACHER_KEY"] = env.get("TEACHER_KEY", "").strip() or secrets.token_urlsafe(12)
        if not env.get("AWARENESS_JOIN_URL", "").strip():
            from awareness.classroom.server import join_address

            env["AWARENESS_JOIN_URL"] = join_address("", args.host, args.port)
        if args.redis:
            sock = (run_dir / f"redis-{args.port}.sock").resolve()
            started.spawn("redis", redis_argv(sock), run_dir / f"redis-{args.port}.pid",
                          run_dir / f"redis-{args.port}.log")
            env["AWARENESS_REDIS_URL"] = f"unix://{sock}"
        for port in ports:
            argv = [sys.executable, "-m", "awareness", "serve", "--host", "127.0.0.1",
                    "--port", str(port), *args.serve]
            started.spawn(f"replica {port}", argv, run_dir / f"{port}.pid",
                          run_dir / f"{port}.log", env=env)
        config = run_dir / f"haproxy-{args.port}.cfg"
        config.write_text(haproxy_config(ports))
        page = run_dir / f"busy-{args.port}.http"
        page.write_text(busy_page(args.retry_after))
        proxy_env = {
            **os.environ,
            "AWARENESS_PROXY_BIND": f"{args.host}:{args.port}",
            "AWARENESS_PROXY_CHECK_INTERVAL": f"{int(args.check_interval * 1000)}ms",
            "AWARENESS_PROXY_CONNECT_TIMEOUT": f"{int(args.connect_timeout * 1000)}ms",
            "AWARENESS_PROXY_TUNNEL_TIMEOUT": f"{int(args.tunnel_timeout)}s",
            "AWARENESS_PROXY_BUSY_PAGE": str(page.resolve()),
        }
        check = subprocess.run([HAPROXY, "-c", "-q", "-f", str(config)], env=proxy_env,
                               capture_output=True, text=True)
        if check.returncode != 0:
            print(f"HAProxy refused {config}:\n{check.stdout}{check.stderr}", file=sys.stderr)
            return 1
        proxy = started.spawn("haproxy", [HAPROXY, "-db", "-f", str(config)],
                              run_dir / f"haproxy-{args.port}.pid",
                              run_dir / f"haproxy-{args.port}.log", env=proxy_env)
        shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        print(f"{args.replicas} replica(s) on 127.0.0.1:{ports[0]}-{ports[-1]} behind "
              f"HAProxy: http://{shown}:{args.port}/  (stop with Ctrl+C or "
              "`make replicas-stop`; logs in build/replicas/)", flush=True)
        print(f"Teacher page: http://{shown}:{args.port}/teacher?key={env['TEACHER_KEY']}"
              + ("" if args.redis else "  (classes are per replica: REPLICAS_REDIS=1 shares "
                 "them)"), flush=True)
        waiting = set(ports)
        reported: set[str] = set()
        while not stopping["now"]:
            if proxy.poll() is not None:
                print(f"HAProxy exited (code {proxy.returncode}): stopping the replicas",
                      file=sys.stderr)
                break
            for name, proc, _ in started.procs:
                if name not in reported and proc.poll() is not None:
                    reported.add(name)
                    print(f"{name} exited (code {proc.returncode}); HAProxy sends its "
                          "pupils to the others", file=sys.stderr, flush=True)
            for port in sorted(waiting):
                with contextlib.suppress(OSError), urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        waiting.discard(port)
                        print(f"replica {port} is ready", flush=True)
            if not any(proc.poll() is None for name, proc, _ in started.procs
                       if name.startswith("replica")):
                print("No replica is running: stopping", file=sys.stderr)
                break
            time.sleep(0.5)
    finally:
        started.stop()
    return 0


def stop(args: argparse.Namespace) -> int:
    """Stop the processes a start left pidfiles for (the one on --port, or all)."""
    run_dir = Path(args.run_dir)
    if args.port:
        manifests = [run_dir / f"proxy-{args.port}.json"]
    else:
        manifests = sorted(run_dir.glob("proxy-*.json"))
    pidfiles: list[Path] = []
    for manifest in manifests:
        with contextlib.suppress(OSError, ValueError):
            pidfiles += [Path(p) for p in json.loads(manifest.read_text())["pidfiles"]]
    if not args.port:  # also pidfiles whose manifest is gone
        pidfiles += [p for p in sorted(run_dir.glob("*.pid")) if p not in pidfiles]
    found = []
    for pidfile in pidfiles:
        name = pidfile.name
        expect = "haproxy" if name.startswith("haproxy") else (
            "redis-server" if name.startswith("redis") else "awareness")
        pid = read_pid(pidfile, expect)
        if pid is not None:
            # The replicas stop at once, as with Ctrl+C (SIGTERM would let them wait for
            # their pupils: kill -TERM one replica for that).
            os.kill(pid, signal.SIGINT if expect == "awareness" else signal.SIGTERM)
            found.append((pid, pidfile))
        else:
            pidfile.unlink(missing_ok=True)
    deadline = time.monotonic() + args.timeout
    for pid, pidfile in found:
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
        pidfile.unlink(missing_ok=True)
    for manifest in manifests:
        manifest.unlink(missing_ok=True)
    print(f"Stopped {len(found)} process(es)." if found else "Nothing was running.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("start", help="N replicas behind HAProxy, in the foreground")
    run.add_argument("--replicas", type=int, default=2)
    run.add_argument("--host", default="127.0.0.1", help="the proxy's address")
    run.add_argument("--port", type=int, default=8866,
                     help="the proxy's port; the replicas use the next N ports")
    run.add_argument("--redis", action="store_true",
                     help="also run a memory-only redis-server for the replicas")
    run.add_argument("--check-interval", type=float, default=1.0,
                     help="seconds between HAProxy's health checks of each replica")
    run.add_argument("--connect-timeout", type=float, default=2.0,
                     help="seconds HAProxy waits to connect to a replica")
    run.add_argument("--tunnel-timeout", type=float, default=3600,
                     help="seconds an idle websocket is kept open")
    run.add_argument("--retry-after", type=int, default=15,
                     help="seconds the proxy's wait page waits before it asks again")
    run.add_argument("--run-dir", default=str(RUN_DIR), help="pidfiles and logs")
    run.add_argument("serve", nargs="*", help="after --: options for `awareness serve`")
    run.set_defaults(func=start)
    halt = sub.add_parser("stop", help="stop what `start` started")
    halt.add_argument("--port", type=int, default=0, help="the proxy's port (default: all)")
    halt.add_argument("--run-dir", default=str(RUN_DIR))
    halt.add_argument("--timeout", type=float, default=20.0,
                      help="seconds to wait before a process is killed")
    halt.set_defaults(func=stop)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
