"""Who a request comes from, and whether it asked for this server by a name it answers to.

The client is the peer address of the connection. Behind a reverse proxy every request
comes from the proxy, so requests whose peer is a configured trusted proxy are counted
by the rightmost address in ``X-Forwarded-For``: the one the proxy itself saw (the
addresses to its left are whatever the browser claimed). A trusted proxy is an address,
or a network (``10.0.0.0/8``) where the proxy's address changes, as an ingress
controller's pod address does in Kubernetes. IPv6 clients are counted per
/64 network, the block one household or school is given.

The Host allow-list stops DNS rebinding (a web page on another site whose name is
pointed at this server's address): loopback, this machine's own addresses and names,
and the names in ``Limits.allowed_hosts``.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Iterable

from tornado.httputil import HTTPServerRequest, split_host_and_port

__all__ = ["HostAllowList", "client_address", "machine_names"]


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip("[]")
    if "%" in text:  # an IPv6 zone
        text = text.split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _key(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip().strip("[]"), strict=False)
    except ValueError:
        return None


@functools.lru_cache(maxsize=16)
def _trusted(proxies: tuple[str, ...]) -> tuple:
    return tuple(n for n in (_network(p) for p in proxies) if n is not None)


def client_address(request: HTTPServerRequest, trusted_proxies: Iterable[str] = ()) -> str:
    """The address a request is counted under."""
    peer = _ip(request.remote_ip or "")
    if peer is None:
        return request.remote_ip or "?"
    if peer.version == 6 and peer.ipv4_mapped is not None:
        peer = peer.ipv4_mapped
    if any(peer in net for net in _trusted(tuple(trusted_proxies))
           if net.version == peer.version):
        forwarded = ",".join(request.headers.get_list("X-Forwarded-For"))
        hops = [h for h in forwarded.split(",") if h.strip()]
        if hops:
            last = _ip(hops[-1])
            if last is not None:
                return _key(last)
    return _key(peer)


@functools.cache
def machine_names() -> frozenset[str]:
    """This machine's host names and addresses (looked up once)."""
    names: set[str] = set()
    try:
        hostname = socket.gethostname()
        names.update({hostname, socket.getfqdn(), f"{hostname}.local"})
        for info in socket.getaddrinfo(hostname, None):
            names.add(str(info[4][0]))
    except OSError:
        pass
    try:
        from jupyter_client.localinterfaces import local_ips

        names.update(local_ips())
    except Exception:  # noqa: BLE001 - the interfaces are a bonus; names still work
        pass
    return frozenset(n.lower() for n in names if n)


class HostAllowList:
    """Does a request's Host header name this server?"""

    def __init__(self, extra: Iterable[str] = (), bound: str = ""):
        extra = [e.strip().lower() for e in extra if e.strip()]
        self.any = "*" in extra
        self.names = {"localhost", *machine_names(), *extra}
        if bound and bound not in ("0.0.0.0", "::", ""):
            self.names.add(bound.lower())
        self.addresses = {a for a in (_ip(n) for n in self.names) if a is not None}

    def allows(self, host_header: str) -> bool:
        if self.any:
            return True
        host, _ = split_host_and_port((host_header or "").lower())
        host = host.strip("[]").rstrip(".")
        if host in self.names or host.endswith(".localhost"):
            return True
        address = _ip(host)
        if address is None:
            return False
        return address.is_loopback or address in self.addresses
