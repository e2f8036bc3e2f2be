"""Quota windows and injected faults: the two knobs that make a fake misbehave on purpose."""

from __future__ import annotations

import bisect
import random
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["FaultPlan", "QuotaBook"]

# Usage history kept for overall_quotas / api_usage even without a configured monthly limit.
_HISTORY_SECONDS = 31 * 86_400


class QuotaBook:
    """Per-key sliding windows: ``charge`` says whether one more request fits every limit."""

    def __init__(self, limits: Sequence[tuple[int, float]], clock: Callable[[], float]) -> None:
        self.limits = [(int(n), float(period)) for n, period in limits]
        self._clock = clock
        self._history: dict[str, deque[float]] = {}

    def charge(self, key: str) -> bool:
        """Record one request for ``key`` and return True, or return False when a window is full."""
        now = self._clock()
        history = self._history.setdefault(key, deque())
        keep = max([p for _, p in self.limits] + [_HISTORY_SECONDS])
        while history and history[0] <= now - keep:
            history.popleft()
        for allowed, period in self.limits:
            if self._count(history, now, period) >= allowed:
                return False
        history.append(now)
        return True

    def used(self, key: str, period: float) -> int:
        """How many accepted requests ``key`` made in the last ``period`` seconds."""
        history = self._history.get(key)
        return self._count(history, self._clock(), period) if history else 0

    @staticmethod
    def _count(history: deque[float], now: float, period: float) -> int:
        # history is sorted (monotonic clock), so the window start is a bisection away
        start = bisect.bisect_right(history, now - period)
        return len(history) - start


@dataclass(frozen=True)
class Fault:
    """What the shell must do instead of answering: ``reset``, ``timeout``, ``garbage`` or ``fail``."""

    kind: str
    status: int = 0


class FaultPlan:
    """Seeded fault draws: one random number per request, so a seed replays the same faults."""

    def __init__(
        self,
        *,
        fail_rate: float = 0.0,
        fail_statuses: Sequence[int] = (500, 502, 503, 504),
        reset_rate: float = 0.0,
        timeout_rate: float = 0.0,
        garbage_rate: float = 0.0,
        seed: int | None = None,
    ) -> None:
        rates = (reset_rate, timeout_rate, garbage_rate, fail_rate)
        if any(not 0.0 <= r <= 1.0 for r in rates) or sum(rates) > 1.0:
            raise ValueError("fault rates must be within 0..1 and add up to at most 1")
        if fail_rate and not fail_statuses:
            raise ValueError("fail_statuses must not be empty when fail_rate is set")
        self._bands = (
            ("reset", reset_rate),
            ("timeout", timeout_rate),
            ("garbage", garbage_rate),
            ("fail", fail_rate),
        )
        self.fail_statuses = tuple(fail_statuses)
        self._random = random.Random(seed)
        self.active = any(rates)

    def draw(self) -> Fault | None:
        """The fault for the next request, or None for a normal answer."""
        if not self.active:
            return None
        roll = self._random.random()
        edge = 0.0
        for kind, rate in self._bands:
            edge += rate
            if roll < edge:
                status = self._random.choice(self.fail_statuses) if kind == "fail" else 0
                return Fault(kind, status)
        return None
