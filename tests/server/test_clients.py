"""Who a request comes from (behind a trusted proxy too), and the Host allow-list."""

from __future__ import annotations

import socket

from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

from awareness.app import clip_pools
from awareness.server.clients import HostAllowList, client_address


def request(peer: str, forwarded: list[str] | None = None) -> HTTPServerRequest:
    headers = HTTPHeaders({"Host": "127.0.0.1"})
    for value in forwarded or []:
        headers.add("X-Forwarded-For", value)
    req = HTTPServerRequest(start_line=RequestStartLine("GET", "/", "HTTP/1.1"), headers=headers)
    req.remote_ip = peer
    return req


def test_the_peer_address_is_the_client():
    assert client_address(request("10.1.2.3")) == "10.1.2.3"
    assert client_address(request("127.0.0.1")) == "127.0.0.1"  # loopback counts too
    # A header from anyone but the trusted proxy is ignored.
    assert client_address(request("10.1.2.3", ["9.9.9.9"]), ["10.0.0.1"]) == "10.1.2.3"


def test_behind_the_trusted_proxy_the_rightmost_forwarded_address_counts():
    proxy = ["10.0.0.1"]
    assert client_address(request("10.0.0.1", ["1.1.1.1, 2.2.2.2"]), proxy) == "2.2.2.2"
    assert client_address(request("10.0.0.1", ["1.1.1.1", "3.3.3.3"]), proxy) == "3.3.3.3"
    assert client_address(request("10.0.0.1", ["junk"]), proxy) == "10.0.0.1"
    assert client_address(request("10.0.0.1"), proxy) == "10.0.0.1"
    # A network of proxies (an ingress controller's pods): any address in it.
    pods = ["10.42.0.0/16"]
    assert client_address(request("10.42.7.9", ["1.1.1.1, 2.2.2.2"]), pods) == "2.2.2.2"
    assert client_address(request("10.43.0.1", ["2.2.2.2"]), pods) == "10.43.0.1"


def test_ipv6_clients_are_counted_per_64():
    a = client_address(request("2001:db8:1:2::10"))
    b = client_address(request("2001:db8:1:2:ffff::1"))
    assert a == b == "2001:db8:1:2::/64"
    assert client_address(request("::ffff:10.1.2.3")) == "10.1.2.3"


def test_hosts_loopback_this_machine_and_the_setting():
    allow = HostAllowList(["kurs.skole.no"])
    for host in ("localhost", "localhost:8866", "127.0.0.1:8866", "127.0.0.5", "[::1]:8866",
                 "kurs.skole.no", "KURS.skole.no.", socket.gethostname()):
        assert allow.allows(host), host
    for host in ("evil.example", "evil.example:8866", "8.8.8.8", "kurs.skole.no.evil.example",
                 ""):
        assert not allow.allows(host), host
    assert HostAllowList(["*"]).allows("anything.example")
    assert HostAllowList([], bound="192.0.2.10").allows("192.0.2.10:8866")


def test_pools_are_clipped_to_the_total_cap_largest_first():
    pools = {"default": {"pool_size": 1}, "nb/02.ipynb": {"pool_size": 32},
             "nb/01.ipynb": {"pool_size": 2}}
    notebooks = ["nb/01.ipynb", "nb/02.ipynb", "en/01.ipynb", "en/02.ipynb"]
    clipped, before, after = clip_pools(pools, notebooks, 20)
    assert (before, after) == (36, 20)
    assert clipped["nb/02.ipynb"]["pool_size"] == 16
    assert clipped["nb/01.ipynb"]["pool_size"] == 2 and clipped["en/01.ipynb"]["pool_size"] == 1
    _, before, after = clip_pools(pools, notebooks, 100)
    assert before == after == 36
    clipped, _, after = clip_pools(pools, notebooks, 2)
    assert after == 2 and sum(c["pool_size"] for k, c in clipped.items() if k != "default") == 2
