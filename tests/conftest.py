"""Suite-wide fixtures: no test may see a real API key or reach the internet."""

from __future__ import annotations

import asyncio

import pytest


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


class StepClock:
    """A virtual clock: sleeping advances time at once and is recorded (thread-safe enough for tests)."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def clock() -> StepClock:
    return StepClock()
