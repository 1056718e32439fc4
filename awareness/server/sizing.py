"""How big one replica's pools are, and what memory it needs for them: one rule for the
server (``AWARENESS_CLASS_POOL``), the container image and the Kubernetes manifests
(tests/deploy checks that deploy/kubernetes/ asks for what this computes).

voila.json sizes the pools for one server that takes a whole class: the lesson the
class opens together (the page with the largest pool: ``largest_pool``; 29 kernels for
bokmål lesson 02)
and small pools for the other pages. A replica behind a load balancer takes a share of
each class, so its class pool can be smaller: ``AWARENESS_CLASS_POOL=16`` gives the
class lesson's page(s) 16 ready kernels and leaves the other pools as they are.
"""

from __future__ import annotations

import json
from pathlib import Path

from awareness.environ import env_number

__all__ = [
    "KERNEL_LIMIT_MB",
    "KERNEL_RSS_MB",
    "SERVER_MB",
    "class_pool",
    "env_class_pool",
    "largest_pool",
    "pool_kernels",
    "replica_memory_mb",
]

# Measured (README "A class at once", bench/results): a lesson kernel holds 63-70 MB,
# the server process itself about 115 MB at rest and up to 300 MB with a class.
KERNEL_RSS_MB = 70
# What the default total cap reserves per kernel (Limits.kernel_estimate_mb).
KERNEL_LIMIT_MB = 80
SERVER_MB = 300


def env_class_pool() -> int:
    """AWARENESS_CLASS_POOL as a number (-1: not set, voila.json's pools as they are)."""
    return env_number("AWARENESS_CLASS_POOL", -1)


def class_pool(pools: dict, size: int) -> dict:
    """voila.json's pools with the class lesson's page(s), those with the largest pool,
    set to ``size`` kernels (size < 0: unchanged)."""
    if size < 0:
        return dict(pools)
    pages = {k: dict(v) for k, v in pools.items() if k != "default"}
    if not pages:
        return dict(pools)
    largest = max(int(v.get("pool_size", 0)) for v in pages.values())
    out = dict(pools)
    for key, value in pages.items():
        if int(value.get("pool_size", 0)) == largest:
            out[key] = {**value, "pool_size": size}
    return out


def largest_pool(root: Path) -> int:
    """The class lesson's pool in the committed voila.json (its largest)."""
    config = json.loads((Path(root) / "voila.json").read_text())
    pools = config.get("VoilaKernelManager", {}).get("kernel_pools_config", {})
    return max((int(v.get("pool_size", 0)) for k, v in pools.items() if k != "default"),
               default=0)


def pool_kernels(root: Path, class_size: int = -1, every_page: int = -1) -> int:
    """The pool kernels one server holds at rest with the committed voila.json, for
    ``AWARENESS_CLASS_POOL=class_size`` or ``AWARENESS_POOL=every_page``."""
    from awareness.app import preheated_notebooks

    config = json.loads((Path(root) / "voila.json").read_text())
    section = config.get("VoilaKernelManager", {})
    notebooks = preheated_notebooks(Path(root) / "lessons", section.get("preheat_denylist", []))
    if every_page >= 0:
        return every_page * len(notebooks)
    pools = class_pool(section.get("kernel_pools_config", {}), class_size)
    default = pools.get("default", {}).get(
        "pool_size", config.get("VoilaConfiguration", {}).get("default_pool_size", 1))
    return sum(int(pools.get(nb, {}).get("pool_size", default)) for nb in notebooks)


def replica_memory_mb(kernels: int, per_kernel_mb: int = KERNEL_RSS_MB) -> int:
    """Memory for a server that holds ``kernels`` kernels (pools and pupils' together)."""
    return SERVER_MB + kernels * per_kernel_mb
