"""The sign-in limiter, and who the client is.

Failed credentials (a wrong token at ``POST /signin``, a wrong ``Authorization: Bearer``) are counted per client
address in the database (``store.add_failure``), so several workers, or several machines behind one proxy,
count the same attempts. After ``limit`` failures in ``window`` seconds, further wrong tokens from that address
get 429 until the oldest failure leaves the window; a right token is never refused, so a neighbour behind the
same NAT, or someone who mistyped five times, is not locked out. (Tokens are 256-bit random: the limiter bounds
the noise of guessing, not its odds.)

The client address is the TCP peer. ``X-Forwarded-For`` is believed only when the peer is one of the configured
``trusted_proxies``, and then only up to the first address (from the right) that is not a trusted proxy: a client
cannot choose its own address by sending the header.
"""
from __future__ import annotations

import ipaddress
import time
from functools import lru_cache

from ..auth import TooManyAttempts

LIMIT, WINDOW_SECONDS = 5, 300.0


class AttemptLimiter:
    def __init__(self, store, limit: int = LIMIT, window: float = WINDOW_SECONDS, clock=time.time):
        self.store, self.limit, self.window, self.clock = store, limit, window, clock

    def check(self, key: str) -> None:
        """Raise :class:`TooManyAttempts` if ``key`` has used up its failures in the window."""
        now = self.clock()
        count, oldest = self.store.failures(key, now - self.window)
        if count >= self.limit:
            raise TooManyAttempts(seconds=int(oldest + self.window - now) + 1)

    def fail(self, key: str) -> None:
        """Count one failure; raise :class:`TooManyAttempts` instead if ``key`` is already over the limit
        (those are not stored: at most ``limit`` rows per key and window)."""
        self.check(key)
        now = self.clock()
        self.store.add_failure(key, now, now - self.window)


def client_key(scope, trusted_proxies: str) -> str:
    """The limiter key of a request: ``ip:<client address>``."""
    return "ip:" + client_address(scope, trusted_proxies)


def client_address(scope, trusted_proxies: str) -> str:
    peer = (scope.get("client") or ("?", 0))[0]
    networks = _networks(trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = [h.decode("latin-1") for k, h in scope.get("headers", []) if k.lower() == b"x-forwarded-for"]
    hops = [a.strip() for a in ",".join(forwarded).split(",") if a.strip()]
    for address in reversed(hops):  # the nearest hop first; each trusted proxy appended the one before it
        if not _trusted(address, networks):
            return address
    return hops[0] if hops else peer


@lru_cache(maxsize=8)
def _networks(trusted_proxies: str) -> tuple:
    return tuple(ipaddress.ip_network(n.strip(), strict=False) for n in trusted_proxies.split(",") if n.strip())


def _trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


__all__ = ["AttemptLimiter", "client_key", "client_address", "LIMIT", "WINDOW_SECONDS"]
