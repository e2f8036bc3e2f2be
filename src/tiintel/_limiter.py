"""The client-side rate limiter: the pure window math of ``_core.quota`` behind a lock."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from ._clock import Clock
from ._constants import QUOTA_SAFETY_MARGIN
from ._core.quota import QuotaState, RateLimit, Reservation

__all__ = ["VT_PUBLIC_LIMITS", "RateLimit", "RateLimiter"]

VT_PUBLIC_LIMITS: tuple[RateLimit, ...] = (
    RateLimit(4, 60),
    RateLimit(500, 86400),
    RateLimit(15500, 31 * 86400),
)
"""VirusTotal's public tier: 4 requests a minute, 500 a day, 15,500 a month."""


class RateLimiter:
    """Several RateLimits enforced together, shareable between clients, threads and tasks.

    Pass the same ``RateLimiter`` as ``rate_limits=`` to several clients (sync or async) that use one
    API key, so that together they stay within the key's quota. Reserving a slot only books it; the
    client then waits for it (so ``max_quota_wait`` can refuse a wait that is too long before sleeping).

    Example::

        limiter = RateLimiter([RateLimit(4, 60), RateLimit(500, 86400)])
        vt1 = VirusTotalClient(rate_limits=limiter)
        vt2 = AsyncVirusTotalClient(rate_limits=limiter)
    """

    def __init__(self, limits: Iterable[RateLimit], *, margin: float = QUOTA_SAFETY_MARGIN) -> None:
        self._limits = tuple(limits)
        for limit in self._limits:
            if not isinstance(limit, RateLimit):
                raise TypeError(f"expected RateLimit objects, got {limit!r}")
        self._state = QuotaState(self._limits, margin)
        # A plain lock is right for async callers too: the critical section never awaits.
        self._lock = threading.Lock()

    @classmethod
    def virustotal_public(cls) -> RateLimiter:
        """A limiter for VirusTotal's public tier (4/minute, 500/day, 15,500/month)."""
        return cls(VT_PUBLIC_LIMITS)

    @property
    def limits(self) -> tuple[RateLimit, ...]:
        """The enforced limits."""
        return self._limits

    def reserve(self, clock: Clock, cost: int = 1) -> Reservation:
        """Book the earliest allowed slot for a request costing ``cost`` units."""
        with self._lock:
            return self._state.reserve(clock.monotonic(), clock.time(), cost)

    def release(self, reservation: Reservation) -> None:
        """Give back a slot that will not be used."""
        with self._lock:
            self._state.release(reservation)

    def __repr__(self) -> str:
        inner = ", ".join(f"RateLimit({lim.max_requests}, {lim.period:g})" for lim in self._limits)
        return f"RateLimiter([{inner}])"
