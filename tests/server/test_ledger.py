"""The caps' bookkeeping, driven directly: counts, grace periods, fair turns, budgets."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest

from awareness.server.ledger import Budget, FairGate, KernelLedger
from awareness.server.limits import Limits, available_memory_mb, default_max_kernels


def run(coro):
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=30)


def ledger(**settings):
    stopped: list[str] = []
    kernels = {"n": 0}
    limits = Limits(**{"max_per_client": 2, "unconnected_grace": 0.2, "closed_grace": 0.2,
                       "max_kernels": 5, **settings})
    book = KernelLedger(limits, stopped.append, lambda: kernels["n"], limits.max_kernels)
    return book, stopped, kernels


def test_a_client_counts_pages_waiting_for_a_kernel_unconnected_and_open():
    async def scenario():
        book, stopped, _ = ledger()
        first = book.admit("10.0.0.1", "nb")
        assert book.client_count("10.0.0.1") == 1  # admitted, no kernel yet
        book.assign("k1", first)
        book.finished(first)
        assert book.client_count("10.0.0.1") == 1  # not connected yet
        book.opened("k1")
        second = book.admit("10.0.0.1", "nb")
        assert book.refusal("10.0.0.1", pool_ready=True) == "client"
        assert book.refusal("10.0.0.2", pool_ready=True) is None
        book.closed("k1")  # stops counting at once; the kernel stays for the grace
        assert book.client_count("10.0.0.1") == 1 and stopped == []
        book.opened("k1")  # a reconnect within the grace keeps it
        await asyncio.sleep(0.3)
        assert stopped == []
        book.closed("k1")
        await asyncio.sleep(0.3)
        book.finished(second)
        return stopped

    assert run(scenario()) == ["k1"]


def test_a_page_that_never_connects_is_let_go_and_a_hung_up_one_when_its_request_ends():
    async def scenario():
        book, stopped, _ = ledger(unconnected_grace=0.2)
        quiet = book.admit("a", "nb")
        book.assign("k1", quiet)
        gone = book.admit("b", "en")
        book.assign("k2", gone)
        book.hung_up(gone)
        assert stopped == []  # not while its page is still being rendered
        book.finished(gone)
        assert stopped == ["k2"]
        await asyncio.sleep(0.3)
        return stopped

    assert run(scenario()) == ["k2", "k1"]


def test_the_total_cap_refuses_new_kernels_but_not_ready_pool_kernels():
    book, _, kernels = ledger()
    kernels["n"] = 5
    assert book.refusal("a", pool_ready=False) == "total"
    assert book.refusal("a", pool_ready=True) is None


def test_a_client_with_starts_under_way_goes_after_one_with_none():
    async def scenario():
        gate = FairGate(1)
        order: list[str] = []
        await gate.acquire((0, 0))  # a start under way

        async def start(name, key):
            await gate.acquire(key)
            order.append(name)
            gate.release()

        tasks = [asyncio.create_task(start(n, k)) for n, k in (
            ("flood-2", (0, 1)), ("pool", (1, 0)), ("flood-3", (0, 2)), ("pupil", (0, 0)))]
        await asyncio.sleep(0.01)
        gate.release()
        await asyncio.gather(*tasks)
        return order

    assert run(scenario()) == ["pupil", "flood-2", "flood-3", "pool"]


def test_a_start_whose_client_hung_up_leaves_the_queue_at_once():
    async def scenario():
        book, _, _ = ledger()
        gate = FairGate(1)
        await gate.acquire((0, 0))
        admission = book.admit("a", "nb")
        waiting = asyncio.create_task(gate.acquire((0, 1), admission))
        await asyncio.sleep(0.01)
        book.hung_up(admission)
        with pytest.raises(asyncio.CancelledError):
            await waiting
        gate.release()
        return gate.busy, gate.waiting()

    assert run(scenario()) == (0, 0)


def test_a_budget_allows_a_burst_then_a_rate():
    now = [0.0]
    budget = Budget(rate=100, burst=1000, clock=lambda: now[0])
    assert budget.spend(900)
    assert not budget.spend(200)  # the burst is spent: refused, and the rest is gone
    now[0] = 1.0
    assert budget.spend(100) and not budget.spend(1)


def test_the_default_total_cap_comes_from_the_memory_available(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal: 8000000 kB\nMemAvailable: 4194304 kB\n")
    assert available_memory_mb(meminfo, tmp_path / "no-cgroup") == 4096
    (tmp_path / "cg").mkdir()
    (tmp_path / "cg" / "memory.max").write_text(str(3 * 1024**3))
    (tmp_path / "cg" / "memory.current").write_text(str(1024**3))
    assert available_memory_mb(meminfo, tmp_path / "cg") == 2048  # the container's is less
    assert default_max_kernels(80, 1024, 4096) == 38  # (4096 - 1024) / 80
    assert default_max_kernels(80, 1024, 512) == 1
    assert default_max_kernels(80, 1024, None) == 40


def test_limits_read_the_environment(monkeypatch):
    monkeypatch.setenv("AWARENESS_MAX_PER_CLIENT", "30")
    monkeypatch.setenv("AWARENESS_MAX_KERNELS", "60")
    monkeypatch.setenv("AWARENESS_TRUSTED_PROXY", "10.0.0.1, 10.0.0.2")
    monkeypatch.setenv("AWARENESS_ALLOWED_HOSTS", "kurs.skole.no")
    monkeypatch.setenv("AWARENESS_KERNEL_MEMORY_MB", "500")
    limits = Limits()
    assert (limits.max_per_client, limits.max_kernels, limits.kernel_memory_mb) == (30, 60, 500)
    assert limits.trusted_proxy == ["10.0.0.1", "10.0.0.2"]
    assert limits.allowed_hosts == ["kurs.skole.no"]
    monkeypatch.setenv("AWARENESS_MAX_PER_CLIENT", "many")
    with pytest.raises(SystemExit, match="AWARENESS_MAX_PER_CLIENT"):
        Limits().max_per_client  # noqa: B018 - read when first used
