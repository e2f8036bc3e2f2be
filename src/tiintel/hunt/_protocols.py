"""What the store and the hunter need of their collaborators, as structural types.

The OTX clients satisfy these without knowing about them; tests use small fakes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from tiintel._core.indicators import Indicator
    from tiintel.models.otx import Pulse
    from tiintel.models.otx_sections import PulseEvent

__all__ = ["AsyncPulseSource", "IndicatorStore", "PulseSource"]


class PulsesResource(Protocol):
    """The ``pulses`` resource of a synchronous OTX client."""

    def subscribed(
        self,
        *,
        modified_since: datetime | str | None = ...,
        limit: int | None = ...,
        page_size: int | None = ...,
    ) -> Iterator[Pulse]:
        """Stream subscribed pulses; the iterator carries ``watermark`` once exhausted."""
        ...

    def events(self, *, since: datetime | str | None = ...) -> Iterator[PulseEvent]:
        """Stream subscription events (subscribe, unsubscribe, delete), oldest first."""
        ...

    def get(self, pulse_id: str) -> Pulse:
        """One pulse with its indicators."""
        ...


class AsyncPulsesResource(Protocol):
    """The ``pulses`` resource of an asynchronous OTX client."""

    def subscribed(
        self,
        *,
        modified_since: datetime | str | None = ...,
        limit: int | None = ...,
        page_size: int | None = ...,
    ) -> AsyncIterator[Pulse]:
        """Stream subscribed pulses; the iterator carries ``watermark`` once exhausted."""
        ...

    def events(self, *, since: datetime | str | None = ...) -> AsyncIterator[PulseEvent]:
        """Stream subscription events (subscribe, unsubscribe, delete), oldest first."""
        ...

    async def get(self, pulse_id: str) -> Pulse:
        """One pulse with its indicators."""
        ...


class PulseSource(Protocol):
    """Anything with a synchronous ``pulses.subscribed()``: the OTX client or a fake."""

    @property
    def pulses(self) -> PulsesResource:
        """The pulses resource."""
        ...


class AsyncPulseSource(Protocol):
    """Anything with an asynchronous ``pulses.subscribed()``: the async OTX client or a fake."""

    @property
    def pulses(self) -> AsyncPulsesResource:
        """The pulses resource."""
        ...


@runtime_checkable
class IndicatorStore(Protocol):
    """A local indicator index the hunter can read: ``PulseStore`` is one."""

    def indicators(
        self, *, include_expired: bool = False, now: datetime | None = None
    ) -> Iterator[Indicator]:
        """Every distinct typed indicator in the store."""
        ...

    def lookup(
        self,
        indicator: Indicator | str,
        *,
        include_expired: bool = False,
        now: datetime | None = None,
    ) -> list[Pulse]:
        """The pulses that carry ``indicator``."""
        ...
