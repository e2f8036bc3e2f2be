"""Suite-wide fixtures: no test may see a real API key or reach the internet."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tiintel import RateLimit, RateLimiter
from tiintel.testing import VirtualClock


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # Older pytest-asyncio (the newest that accepts typing-extensions 4.7, our lower bound) asks
    # for "the current loop" before each test and, with none set, leaks a new one whose
    # ResourceWarning then fails an unrelated test. Marking the loop as unset avoids that.
    asyncio.set_event_loop(None)


@pytest.fixture(autouse=True)
def _no_real_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VT_API_KEY", raising=False)
    monkeypatch.delenv("OTX_API_KEY", raising=False)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


class Twin:
    """Builds the sync or the async client of one provider and runs calls on either the same way.

    A test directory names its provider's clients by overriding the ``twin_clients`` fixture.
    """

    def __init__(self, kind: str, clients: tuple[type, type, str], clock: VirtualClock) -> None:
        self.kind = kind
        self.clock = clock
        sync_cls, async_cls, self._key = clients
        self._cls = sync_cls if kind == "sync" else async_cls
        self._clients: list[Any] = []

    def make(self, transport: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("clock", self.clock)
        client = self._cls(kwargs.pop("api_key", self._key), transport=transport, **kwargs)
        self._clients.append(client)
        return client

    async def run(self, value: Any) -> Any:
        """Await a coroutine, drain a page iterator into a list, or return the value."""
        if inspect.isawaitable(value):
            value = await value
        if hasattr(value, "__anext__"):
            return [item async for item in value]
        if hasattr(value, "__next__"):
            return list(value)
        return value

    async def next(self, iterator: Any) -> Any:
        """One item of a sync or async iterator."""
        if hasattr(iterator, "__anext__"):
            return await iterator.__anext__()
        return next(iterator)

    async def close(self) -> None:
        for client in self._clients:
            if hasattr(client, "aclose"):
                await client.aclose()
            else:
                client.close()


@pytest.fixture(params=["sync", "async"])
async def twin(
    request: pytest.FixtureRequest, twin_clients: tuple[type, type, str], clock: VirtualClock
) -> AsyncIterator[Twin]:
    pair = Twin(request.param, twin_clients, clock)
    yield pair
    await pair.close()


class RecordingLimiter(RateLimiter):
    """A limiter that keeps its reservation schedule (the moment each booked slot may send)."""

    def __init__(self, limits: list[RateLimit]) -> None:
        super().__init__(limits)
        self.slots: list[float] = []
        self._record = threading.Lock()

    def reserve(self, clock: Any, cost: int = 1) -> Any:
        reservation = super().reserve(clock, cost)
        with self._record:
            self.slots.append(clock.monotonic() + reservation.delay)
        return reservation

    def max_in_window(self, window: float) -> int:
        """The most slots any ``window`` seconds of the schedule holds."""
        ordered, best, j = sorted(self.slots), 0, 0
        for i, start in enumerate(ordered):
            while ordered[j] <= start - window + 1e-9:
                j += 1
            best = max(best, i - j + 1)
        return best


@pytest.fixture
def recording_limiter() -> type[RecordingLimiter]:
    """The class of a limiter that records its schedule: ``recording_limiter([RateLimit(...)])``."""
    return RecordingLimiter
