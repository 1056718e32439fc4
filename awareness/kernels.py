"""The app's kernel manager: Voilà's, except that preheated kernels are never culled.

Culling (voila.json: ``MappingKernelManager.cull_idle_timeout``) stops kernels whose
student closed the tab. A preheated kernel waiting in a pool is idle by design: culling
it would empty the pools before the class arrives, so it is skipped until a student
takes it.
"""

from __future__ import annotations

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

__all__ = ["CourseKernelManager"]


class CourseKernelManager(AsyncMappingKernelManager):
    """AsyncMappingKernelManager that leaves kernels in Voilà's preheat pools alone."""

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
