"""SSRF guard: resolve each host once, refuse private addresses, connect to the checked address."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Iterable, Sequence
from typing import Any

import httpcore
import httpx

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# IPv6 forms that carry an IPv4 address in their low 32 bits (RFC 6052 NAT64) or bits 16-48
# (RFC 3056 6to4): a gateway delivers them to that IPv4 address, so that address is the one judged.
NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
# Refused outright: local-use NAT64 (RFC 8215), deprecated site-local (RFC 3879), and the
# deprecated IPv4-compatible ::a.b.c.d (RFC 4291), which Python counts as global.
REFUSED_V6 = (
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("fec0::/10"),
    ipaddress.IPv6Network("::/96"),
)


def effective_address(ip: IPAddress) -> IPAddress:
    """Return the IPv4 address an IPv4-mapped, NAT64 or 6to4 address reaches, else the address."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    return ip


class BlockedAddressError(httpcore.ConnectError):
    """The host resolves to an address the policy refuses."""


class DnsError(httpcore.ConnectError):
    """The host name does not resolve."""


class AddressPolicy:
    """Decide which IP addresses may be connected to."""

    def __init__(self, allow_private: bool = False, allowed: Sequence[IPNetwork] = ()) -> None:
        self.allow_private = allow_private
        self.allowed = tuple(allowed)

    def allows(self, address: str | IPAddress) -> bool:
        """Return True if the address is public, or private but explicitly allowed."""
        ip = effective_address(ipaddress.ip_address(str(address).split("%", 1)[0]))
        if any(ip.version == net.version and ip in net for net in self.allowed):
            return True
        if self.allow_private:
            return True
        if isinstance(ip, ipaddress.IPv6Address) and any(ip in net for net in REFUSED_V6):
            return False
        return ip.is_global and not ip.is_multicast


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Network backend that checks every resolved address before connecting to it."""

    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve, refuse if any address is disallowed, then connect to a checked address."""
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout
            )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        except OSError as exc:
            raise DnsError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            # Refusing when any address is private defeats DNS answers mixing public and private.
            if not self._policy.allows(address):
                raise BlockedAddressError(f"{host} resolves to non-public address {address}")
        error: Exception = DnsError(f"no address for {host}")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refuse Unix sockets: capture only speaks TCP."""
        raise BlockedAddressError(f"unix socket {path} refused")

    async def sleep(self, seconds: float) -> None:
        """Sleep on the inner backend."""
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx transport whose connection pool connects only through the address guard."""

    def __init__(self, policy: AddressPolicy, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        # httpx offers no hook for the network backend, so its pool is rebuilt with ours; TLS
        # still verifies the original host name because httpcore passes it as server_hostname.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(policy),
        )
