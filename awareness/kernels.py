"""The app's kernel manager: Voilà's, with two changes for a classroom.

- Preheated kernels are never culled. Culling (voila.json:
  ``MappingKernelManager.cull_idle_timeout``) stops kernels whose student closed the tab;
  a kernel waiting in a pool is idle by design, and culling it would empty the pools
  before the class arrives.
- Kernels start one at a time. When a class takes 30 kernels from a pool, Voilà refills
  it with 30 kernel starts at once; on a 2-core machine they would starve the students'
  own kernels. One at a time, the students' clicks keep getting the processor.
"""

from __future__ import annotations

import asyncio

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Int

__all__ = ["CourseKernelManager"]


class CourseKernelManager(AsyncMappingKernelManager):
    """AsyncMappingKernelManager that leaves pooled kernels alone and starts one at a time."""

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

    def pooled_kernel_ids(self) -> set[str]:
        ids = set()
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                if task.done() and not task.cancelled() and task.exception() is None:
                    kernel_id = task.result().get("kernel_id")
                    if kernel_id:
                        ids.add(kernel_id)
        return ids

    async def cull_kernel_if_idle(self, kernel_id: str):
        if kernel_id in self.pooled_kernel_ids():
            return None
        return await super().cull_kernel_if_idle(kernel_id)
