"""The app's kernel manager: Voilà's, starting one kernel at a time.

With preheating (voila.json), Voilà keeps kernels ready that have already run a lesson
and refills a pool as soon as students take kernels from it. When a class takes 30 at
once, Voilà would start 30 kernels at the same moment; on a 2-core machine they starve
the students' own kernels. Here kernels start one at a time. (Voilà itself keeps pooled
kernels from being culled: tests/app/test_culling.py checks both.)
"""

from __future__ import annotations

import asyncio

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Int

__all__ = ["CourseKernelManager"]


class CourseKernelManager(AsyncMappingKernelManager):
    """AsyncMappingKernelManager that starts at most ``concurrent_starts`` kernels at once."""

    concurrent_starts = Int(
        1, config=True, help="How many kernels may be starting at the same time (at least 1)."
    )

    def _start_gate(self) -> asyncio.Semaphore:
        gate = getattr(self, "_awareness_gate", None)
        if gate is None:
            gate = self._awareness_gate = asyncio.Semaphore(max(1, self.concurrent_starts))
        return gate

    async def start_kernel(self, *args, **kwargs):
        async with self._start_gate():
            return await super().start_kernel(*args, **kwargs)
