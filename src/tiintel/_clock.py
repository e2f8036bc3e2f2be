"""Time, injectable: every wait in tiintel goes through a Clock, so tests never sleep for real."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "SystemClock", "get_default_clock", "set_default_clock"]


@runtime_checkable
class Clock(Protocol):
    """What tiintel needs of time: a monotonic reading, a wall-clock reading and two ways to sleep."""

    def monotonic(self) -> float:
        """Seconds on a monotonic clock (limiter windows, deadlines)."""
        ...

    def time(self) -> float:
        """Seconds since the epoch (Retry-After HTTP dates)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread."""
        ...

    async def asleep(self, seconds: float) -> None:
        """Suspend the calling task."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """Seconds on ``time.monotonic``."""
        return time.monotonic()

    def time(self) -> float:
        """Seconds on ``time.time``."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """``time.sleep``."""
        if seconds > 0:
            time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """``asyncio.sleep``."""
        await asyncio.sleep(max(seconds, 0.0))


_default_clock: Clock = SystemClock()


def get_default_clock() -> Clock:
    """The clock used by clients that were not given one."""
    return _default_clock


def set_default_clock(clock: Clock) -> Clock:
    """Replace the default clock (``tiintel.testing.instant_sleep`` does this); returns the previous one."""
    global _default_clock
    previous, _default_clock = _default_clock, clock
    return previous
