"""Kernel pools that refill in turns: the CPU meter, nice values and the pacing rules.

The pacing is driven here through a stand-in for Voilà's pooled manager (the same
methods the real one has); tests/app/test_culling.py and the app tests run the real one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import subprocess
import sys
import time

import pytest

from awareness.kernels import CourseKernelManager, CpuMeter, paced_pools, set_nice


def test_the_meter_reports_idle_cores_from_proc_stat(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text("cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 2 3 4\n")
    meter = CpuMeter(stat, window=0.05)
    assert meter.idle_cores() is None  # one sample says nothing yet
    time.sleep(0.06)
    # 1000 more jiffies, 750 of them idle (+ 50 iowait): 80 % idle.
    stat.write_text("cpu  200 0 200 1550 50 0 0 0 0 0\n")
    cores = os.cpu_count() or 1
    assert meter.idle_cores() == pytest.approx(0.8 * cores)


def test_the_meter_says_nothing_where_the_system_does_not(tmp_path):
    assert CpuMeter(tmp_path / "missing").idle_cores() is None
    assert not CpuMeter(tmp_path / "missing").available
    (tmp_path / "odd").write_text("intr 1 2 3\n")
    assert CpuMeter(tmp_path / "odd").idle_cores() is None
    assert CpuMeter().available  # Linux, where the app runs and CI tests


def test_the_real_meter_gives_a_sane_value():
    meter = CpuMeter(window=0.1)
    meter.idle_cores()
    time.sleep(0.15)
    idle = meter.idle_cores()
    assert idle is not None and 0 <= idle <= (os.cpu_count() or 1) + 0.01


def test_set_nice_lowers_the_priority_of_every_thread():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert set_nice(child.pid, 7)
        assert os.getpriority(os.PRIO_PROCESS, child.pid) == 7
    finally:
        child.kill()
        child.wait()
    assert not set_nice(child.pid, 7)  # gone: refused, not raised
    assert not set_nice(None, 7)


# ------------------------------------------------------------------ pacing


def stand_in_factory(base_class, preheat_kernel, default_pool_size, page_config_hook=None):
    """Voilà's pooled manager, reduced to what the pacing wraps."""

    class StandIn(base_class):
        def __init__(self, render_seconds: float = 0.05, **kwargs):
            super().__init__(**kwargs)
            self._pools: dict[str, list[asyncio.Task]] = {}
            self.render_seconds = render_seconds
            self.running = 0
            self.peak = 0
            self.started: list[str] = []

        async def _render(self):
            await asyncio.sleep(self.render_seconds)
            self.running -= 1
            return [], None

        async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.started.append(notebook_path)
            task = asyncio.get_running_loop().create_task(self._render())
            return {"task": task, "renderer": None, "kernel_id": f"k{len(self.started)}"}

        def fill(self, name: str, n: int) -> None:
            pool = self._pools.setdefault(name, [])
            loop = asyncio.get_running_loop()
            pool.extend(loop.create_task(self._initialize(name)) for _ in range(n))

        async def get_rendered_notebook(self, notebook_name, *args, **kwargs):
            content = await self._pools[notebook_name].pop(0)
            return content["task"], [], content["kernel_id"]

        def kernel_pid(self, kernel_id):
            return None

    return StandIn


def run(coro_fn):
    """asyncio.run in a thread of its own (Playwright's sync API may hold this thread's loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn())).result(timeout=60)


def manager(**settings):
    """The paced stand-in on CourseKernelManager's settings (by default: never waiting for
    idle CPU, no nice values)."""
    cls = paced_pools(stand_in_factory)(CourseKernelManager, True, 1)
    return cls(**{"refill_idle_cores": 0.0, "refill_nice": 0, **settings})


def test_only_course_kernel_managers_are_paced():
    assert paced_pools(stand_in_factory)(CourseKernelManager, False, 1).__name__ == "StandIn"
    assert paced_pools(stand_in_factory)(object, True, 1).__name__ == "StandIn"


def test_at_start_up_one_kernel_per_core_is_prepared_at_once(monkeypatch):
    # As many cores as the test says, whatever the machine has (it once asked for 6
    # kernels and expected one per core: on more than 6 cores, it failed).
    monkeypatch.setattr(os, "cpu_count", lambda: 3)

    async def scenario():
        km = manager()
        km.fill("a", 7)
        await asyncio.gather(*km._pools["a"])
        while km.running:
            await asyncio.sleep(0.01)
        return km.peak

    assert run(scenario) == 3


def test_once_students_came_refills_go_one_at_a_time_and_ready_kernels_come_first():
    async def scenario():
        km = manager(warmup_parallel=4)
        km.fill("a", 2)
        await asyncio.gather(*km._pools["a"])
        while km.running:
            await asyncio.sleep(0.01)
        km.fill("a", 3)  # pending refills queued behind the two ready kernels
        pool = km._pools["a"]
        pool.insert(0, pool.pop())  # a pending one first: the ready one is still found
        _, _, kernel = await km.get_rendered_notebook("a")
        km.peak = km.running
        await asyncio.gather(*km._pools["a"])
        while km.running:
            await asyncio.sleep(0.01)
        return kernel, km.peak

    kernel, peak = run(scenario)
    assert kernel in ("k1", "k2")
    assert peak <= 1


def test_a_waiting_student_is_served_even_when_the_machine_is_never_quiet():
    async def scenario():
        km = manager(refill_idle_cores=10_000.0)  # more idle CPU than any machine has
        km._students = True
        km.fill("a", 2)
        await asyncio.sleep(0.6)
        nothing_yet = list(km.started)
        t0 = time.monotonic()
        _, _, kernel = await asyncio.wait_for(km.get_rendered_notebook("a"), 5)
        return nothing_yet, kernel, time.monotonic() - t0, len(km.started)

    nothing_yet, kernel, waited, started = run(scenario)
    assert nothing_yet == []  # no refill while the machine is busy
    assert kernel == "k1" and started == 1  # the student's kernel, and only that one
    assert waited < 1.0


# ------------------------------------------------------------------ shared templates


def test_compiled_templates_are_shared_between_page_renders_and_follow_edits(tmp_path):
    import jinja2

    from awareness.kernels import SharedBytecode

    cache = SharedBytecode()
    (tmp_path / "page.j2").write_text("Hei {{ name }}")
    compiled: list[str] = []

    class Counting(jinja2.Environment):
        def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
            compiled.append(name)
            return super().compile(source, name, filename, raw, defer_init)

    def fresh():  # what Voilà does for every kernel it prepares: a new environment
        env = Counting(loader=jinja2.FileSystemLoader(str(tmp_path)))
        env.bytecode_cache = cache
        return env

    assert fresh().get_template("page.j2").render(name="Ola") == "Hei Ola"
    assert fresh().get_template("page.j2").render(name="Kari") == "Hei Kari"
    assert compiled == ["page.j2"]  # compiled once, then loaded from the cache
    (tmp_path / "page.j2").write_text("Hallo {{ name }}")
    assert fresh().get_template("page.j2").render(name="Ola") == "Hallo Ola"
    assert compiled == ["page.j2", "page.j2"]


def test_markdown_cells_are_rendered_once_unless_they_have_images():
    import jinja2

    from awareness.kernels import SharedMarkdown

    calls: list[str] = []

    @jinja2.pass_context
    def render(context, source):  # stands in for Voilà's markdown2html
        calls.append(source)
        return f"<p>{source}</p>"

    def fresh():  # what Voilà does for every kernel it prepares: a new environment
        env = jinja2.Environment()
        env.filters["markdown2html"] = shared.wrap(render)
        return env.from_string("{{ cell.source | markdown2html }}")

    shared = SharedMarkdown(size=2)
    plain = {"source": "Hei"}
    assert fresh().render(cell=plain) == "<p>Hei</p>"
    assert fresh().render(cell=plain) == "<p>Hei</p>"
    assert calls == ["Hei"]
    with_image = {"source": "![bilde](a.png)"}
    attached = {"source": "Se", "attachments": {"a.png": {}}}
    for cell in (with_image, with_image, attached, attached):
        fresh().render(cell=cell)
    assert calls == ["Hei", "![bilde](a.png)", "![bilde](a.png)", "Se", "Se"]
    for text in ("a", "b", "c"):  # the cache is bounded
        fresh().render(cell={"source": text})
    assert len(shared._html) <= 2


def test_the_pools_name_real_pages_and_hold_a_class_within_the_memory_budget():
    """voila.json's pools are keyed by real notebooks; a class opens lesson 02 together in
    the first language: a pool for a class of 30 arriving within a second (all but the
    last find a kernel ready; the last one's is forked and run while the others load).
    The other pages keep none (a forked kernel is ready in about half a second): every
    pooled kernel is memory at rest and after a class (README)."""
    import json
    from pathlib import Path

    from awareness.content.course import load_course

    root = Path(__file__).resolve().parents[1]
    config = json.loads((root / "voila.json").read_text(encoding="utf-8"))
    pools = config["VoilaKernelManager"]["kernel_pools_config"]
    for key in pools:
        assert key == "default" or (root / "lessons" / key).is_file(), key
    course = load_course(root)
    first = course.default_language
    assert pools[f"{first}/02-the-conversation.ipynb"]["pool_size"] >= 29  # a class
    default = pools["default"]["pool_size"]
    pages = [p.relative_to(root / "lessons").as_posix()
             for p in (root / "lessons").glob("*/*.ipynb") if not p.name.startswith("00-")]
    total = sum(pools.get(page, {"pool_size": default})["pool_size"] for page in pages)
    # At rest 29 x 21 MB with the server and the template: 0.75 GB (target 0.8); after a
    # class, its 30 kernels and the refilled pool: about 1.45 GB (target 1.5).
    assert total <= 29, total
    assert config["KernelProvisionerFactory"]["default_provisioner_name"] == "awareness-fork"


def test_a_class_in_another_language_gets_the_class_pools():
    """`make app CLASS_LANG=nn`: the pages of the first language and of the class's
    language swap their pools; the others keep theirs."""
    import json
    from pathlib import Path

    from awareness.app import pools_for_class
    from awareness.content.course import load_course

    root = Path(__file__).resolve().parents[1]
    pools = json.loads((root / "voila.json").read_text(encoding="utf-8"))
    pools = pools["VoilaKernelManager"]["kernel_pools_config"]
    first = load_course(root).default_language
    assert pools_for_class(pools, first, first) == pools
    toy = {"default": {"pool_size": 1}, "nb/01-a.ipynb": {"pool_size": 2},
           "nb/02-b.ipynb": {"pool_size": 32}, "nn/02-b.ipynb": {"pool_size": 4},
           "en/03-c.ipynb": {"pool_size": 3}}  # fmt: skip
    assert pools_for_class(toy, "nb", "nn") == {
        "default": {"pool_size": 1}, "nn/01-a.ipynb": {"pool_size": 2},
        "nn/02-b.ipynb": {"pool_size": 32}, "nb/02-b.ipynb": {"pool_size": 4},
        "en/03-c.ipynb": {"pool_size": 3},
    }  # fmt: skip
    assert pools_for_class(toy, "nb", "en")["en/02-b.ipynb"] == {"pool_size": 32}
    assert "nb/02-b.ipynb" not in pools_for_class(toy, "nb", "en")  # the default then


def test_an_unknown_class_language_is_one_line_and_no_server():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    run = subprocess.run(
        [sys.executable, "-m", "awareness", "serve", "--port", "1", "--class-lang", "xx"],
        cwd=root, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 1
    assert "--class-lang: unknown language 'xx' (the course has: " in run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_the_app_applies_the_class_language_to_its_pools():
    """The real CourseVoila, set up as `make app CLASS_LANG=nn` does (not started)."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = (
        "import json, sys\n"
        "from awareness.app import CourseVoila\n"
        "app = CourseVoila()\n"
        "app.initialize(['lessons', '--CourseVoila.class_language=nn'])\n"
        "print(json.dumps(app.config.VoilaKernelManager.kernel_pools_config))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120,
        env={**os.environ, "AWARENESS_ROOT": str(root)},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    pools = json.loads(run.stdout.strip().splitlines()[-1])
    assert pools["nn/02-the-conversation.ipynb"]["pool_size"] >= 29
    assert pools.get("nb/02-the-conversation.ipynb", {"pool_size": 0})["pool_size"] < 29
