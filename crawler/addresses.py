"""Keep the crawler off private networks: no request to a loopback, private, link-local or
otherwise non-public address unless a source itself is there.

Two places, because an address arrives two ways. A URL can name an IP address outright:
:func:`refused_address` checks it before the request is sent (SourceScopeMiddleware). A URL
can name a host that resolves to such an address (a discovered feed on ``localhost``, a
redirect to an internal name): :class:`GuardedResolver` checks what the name resolved to,
so the connection is never opened. The sources' own host names are exempt: a blog on the
local network (or the tests' 127.0.0.1) is crawled because the user asked for it.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

logger = logging.getLogger(__name__)


class AddressRefused(IgnoreRequest):
    """A request to a non-public address that is not a source's: never sent."""


def is_public(address: str) -> bool:
    """Tell whether ``address`` (an IP address) is on the public internet."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return True  # a name, not an address: the resolver checks what it resolves to
    return ip.is_global and not ip.is_multicast


def hostname(netloc: str) -> str:
    """Return the host part of ``host[:port]`` (IPv6 brackets kept off), lowercased."""
    host = netloc.lower()
    if host.startswith("["):
        return host[1 : host.index("]")]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def refused_address(netloc: str, allowed: Iterable[str]) -> str | None:
    """Say why a request to ``netloc`` is refused for its address, or return None."""
    host = hostname(netloc)
    if is_public(host) or host in allowed:
        return None
    return f"{host} is a non-public address (only a source's own hosts may be)"


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing names that resolve to a non-public address.

    The spider names the sources' hosts with :meth:`allow` before its first request; those
    may resolve anywhere. Set as ``TWISTED_DNS_RESOLVER``.
    """

    def __init__(self, reactor: Any, cache_size: int, timeout: float) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.allowed: set[str] = set()

    def allow(self, hosts: Iterable[str]) -> None:
        """Let these host names (``host[:port]`` accepted) resolve to any address."""
        self.allowed |= {hostname(host) for host in hosts}

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        """Resolve ``name``; fail with DNSLookupError if it is not public and not allowed."""
        resolved = super().getHostByName(name, timeout)
        resolved.addCallback(self._check, name)
        return resolved

    def _check(self, address: str, name: str) -> str:
        if name.lower() in self.allowed or is_public(address):
            return address
        # Said here: Twisted reports any failed lookup as "no results" to the request.
        logger.warning("Refused %s: it resolves to the non-public address %s", name, address)
        raise DNSLookupError(f"{name} resolves to the non-public address {address}: refused")
