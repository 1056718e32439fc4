"""Every cap, ceiling and grace period of the app, as settings.

Each is a traitlets setting (``--Limits.max_per_client=4`` on ``awareness serve``, or the
``Limits`` section of voila.json) and the most useful ones also read an environment
variable (``AWARENESS_MAX_PER_CLIENT`` …) so that ``make app``, a container and
``make replicas`` pass them the same way. The defaults are for a class on one machine;
the tests run the time-outs in seconds.
"""

from __future__ import annotations

import os
from pathlib import Path

from traitlets import Float, Int, List, Unicode, default
from traitlets.config import Configurable

from awareness.environ import env_number

__all__ = ["Limits", "available_memory_mb", "default_max_kernels"]

MB = 1024 * 1024



def _env_list(name: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()]


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def available_memory_mb(
    meminfo: Path = Path("/proc/meminfo"), cgroup: Path = Path("/sys/fs/cgroup")
) -> int | None:
    """Memory the machine (or the container's cgroup, if smaller) can still give, in MB."""
    found = []
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) // 1024)
    except (OSError, ValueError, IndexError):
        pass
    # cgroup v2, then v1: a container's limit minus what it uses now.
    for limit_file, usage_file in (
        (cgroup / "memory.max", cgroup / "memory.current"),
        (cgroup / "memory" / "memory.limit_in_bytes", cgroup / "memory" / "memory.usage_in_bytes"),
    ):
        limit, usage = _read_int(limit_file), _read_int(usage_file)
        if limit is not None and usage is not None and limit < 1 << 60:
            found.append(max(0, limit - usage) // MB)
            break
    return min(found) if found else None


def default_max_kernels(per_kernel_mb: int, reserve_mb: int, available: int | None) -> int:
    """How many kernels fit in the memory available now, leaving ``reserve_mb`` free."""
    if available is None:
        return 40  # a machine that does not say: a class and its pools
    return max(1, (available - reserve_mb) // max(1, per_kernel_mb))


class Limits(Configurable):
    """Caps on kernels, memory ceilings, websocket limits, hosts and proxies."""

    # ------------------------------------------------------------------ caps
    max_kernels = Int(
        config=True,
        help="Most kernels the server runs at once, pools included (AWARENESS_MAX_KERNELS; "
        "0: from the memory available at start-up, kernel_estimate_mb per kernel, leaving "
        "memory_reserve_mb free). Pools are made smaller to fit it. Per server process: "
        "with several replicas, each has its own.",
    )

    @default("max_kernels")
    def _max_kernels_default(self):
        return env_number("AWARENESS_MAX_KERNELS", 0)

    kernel_estimate_mb = Int(
        80, config=True, help="Memory one lesson kernel takes, for the default total cap (MB)."
    )
    memory_reserve_mb = Int(
        1024, config=True, help="Memory the default total cap leaves free (MB)."
    )

    max_per_client = Int(
        config=True,
        help="Most lesson pages one client (one address) may have open at once "
        "(AWARENESS_MAX_PER_CLIENT; 0: no cap). Counted: pages whose kernel websocket is "
        "open, and pages not yet connected (for up to unconnected_grace). A school whose "
        "pupils share one address (NAT) needs a cap of about the class size.",
    )

    @default("max_per_client")
    def _max_per_client_default(self):
        return env_number("AWARENESS_MAX_PER_CLIENT", 8)

    unconnected_grace = Float(
        60.0,
        config=True,
        help="Seconds a lesson page's kernel waits for the page to connect; then it is shut "
        "down (pool kernels are not affected).",
    )
    closed_grace = Float(
        30.0,
        config=True,
        help="Seconds a kernel is kept after its page's websocket closed (a page that "
        "reconnects keeps it); it stops counting against the client's cap at once.",
    )
    retry_after = Int(
        15, config=True, help="Seconds a refused page asks the browser to wait (Retry-After)."
    )

    trusted_proxy = List(
        Unicode(),
        config=True,
        help="Addresses (or networks, 10.0.0.0/8) of reverse proxies whose X-Forwarded-For "
        "is believed (AWARENESS_TRUSTED_PROXY, comma-separated). Only the rightmost "
        "forwarded address is used: the one the proxy itself saw.",
    )

    @default("trusted_proxy")
    def _trusted_proxy_default(self):
        return _env_list("AWARENESS_TRUSTED_PROXY")

    allowed_hosts = List(
        Unicode(),
        config=True,
        help="Host names (or addresses) the app answers to, besides loopback and this "
        "machine's own names and addresses (AWARENESS_ALLOWED_HOSTS, comma-separated; "
        "'*': any). Other Host headers get 400 (DNS rebinding).",
    )

    @default("allowed_hosts")
    def _allowed_hosts_default(self):
        return _env_list("AWARENESS_ALLOWED_HOSTS")

    # ------------------------------------------------------------------ kernels
    kernel_memory_mb = Int(
        config=True,
        help="Address-space ceiling of each lesson kernel (RLIMIT_AS, MB; "
        "AWARENESS_KERNEL_MEMORY_MB; 0: none). Kernels run with MALLOC_ARENA_MAX=2, "
        "without which a stock kernel reserves about 820 MB of address space at start.",
    )

    @default("kernel_memory_mb")
    def _kernel_memory_default(self):
        return env_number("AWARENESS_KERNEL_MEMORY_MB", 400)

    memory_check_interval = Float(
        5.0,
        config=True,
        help="Seconds between checks of the kernels' memory: a kernel at its ceiling can no "
        "longer work and is stopped, and its page shows the lost-connection message.",
    )

    # ------------------------------------------------------------------ websockets
    ws_max_message_kb = Int(
        64, config=True, help="Largest message a page may send to its kernel (KB)."
    )
    ws_rate_kb = Float(
        32.0,
        config=True,
        help="What a page may send to its kernel over time (KB per second, each message "
        "counted as at least 2 KB); a page that sends more has its connection closed.",
    )
    ws_burst_kb = Int(
        512, config=True, help="What a page may send at once before ws_rate_kb applies (KB)."
    )
    ws_cooldown = Float(
        30.0,
        config=True,
        help="Seconds a kernel refuses new connections after its page was let go for "
        "sending too much or not reading (a page that reloads gets a new kernel).",
    )
    ws_max_pending_kb = Int(
        8192,
        config=True,
        help="Data the server holds for a page that does not read it (KB); beyond it the "
        "page's connection is closed.",
    )

    def max_kernels_now(self) -> int:
        """The total cap: the setting, or what the memory available now allows."""
        if self.max_kernels > 0:
            return self.max_kernels
        return default_max_kernels(
            self.kernel_estimate_mb, self.memory_reserve_mb, available_memory_mb()
        )
