"""Instant time for tests: a virtual clock and a switch that makes clients skip back-off sleeps."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tiintel._clock import Clock, set_default_clock

__all__ = ["VirtualClock", "instant_sleep"]


class VirtualClock:
    """A ``tiintel._clock.Clock`` whose sleeps return at once and move virtual time forward.

    ``monotonic()`` starts at ``start``, ``time()`` at ``epoch``; every ``sleep``/``asleep``
    appends its duration to ``sleeps`` and advances both. ``advance(s)`` moves time by hand.
    Safe to share between threads.
    """

    def __init__(self, start: float = 0.0, *, epoch: float = 1_735_689_600.0) -> None:
        self._offset = 0.0
        self._start = start
        self._epoch = epoch
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        """Virtual monotonic seconds."""
        return self._start + self._offset

    def time(self) -> float:
        """Virtual seconds since the epoch."""
        return self._epoch + self._offset

    def advance(self, seconds: float) -> None:
        """Move virtual time forward without recording a sleep."""
        with self._lock:
            self._offset += max(0.0, seconds)

    def sleep(self, seconds: float) -> None:
        """Record the sleep and advance time; returns at once."""
        with self._lock:
            self.sleeps.append(seconds)
            self._offset += max(0.0, seconds)

    async def asleep(self, seconds: float) -> None:
        """Record the sleep, advance time and yield to the loop once (other tasks still run)."""
        self.sleep(seconds)
        await asyncio.sleep(0)

    @property
    def total_slept(self) -> float:
        """The sum of all recorded sleeps."""
        return sum(self.sleeps)


@contextmanager
def instant_sleep(clock: VirtualClock | None = None) -> Iterator[VirtualClock]:
    """Install a ``VirtualClock`` as tiintel's default clock for the duration of the block.

    Clients created without an explicit clock then wait out back-offs and quota windows
    instantly; the clock is yielded so a test can assert on ``clock.sleeps``.
    """
    virtual = clock or VirtualClock()
    previous: Clock = set_default_clock(virtual)
    try:
        yield virtual
    finally:
        set_default_clock(previous)
