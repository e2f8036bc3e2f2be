"""The small result types of the hunt package: sync results, store statistics, matches."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from tiintel._core.indicators import Indicator
    from tiintel.models.otx import Pulse

__all__ = ["Match", "StoreStats", "SyncResult"]


@attrs.frozen(kw_only=True)
class SyncResult:
    """What one completed ``PulseStore.sync()`` pass did.

    ``watermark_before`` is the ``modified_since`` that was asked for; ``watermark_after`` the
    newest pulse modification the store now holds a complete view up to (the next sync starts
    there). ``pulses_new`` and ``pulses_updated`` count writes; ``pulses_stale`` counts pulses
    the store already held in a newer revision and left alone; ``pulses_removed`` counts pulses
    dropped because you unsubscribed from them or they were deleted.
    """

    pulses_seen: int
    pulses_new: int
    pulses_updated: int
    pulses_stale: int
    pulses_removed: int
    indicators_written: int
    watermark_before: datetime | None
    watermark_after: datetime | None
    started: datetime
    completed: datetime


@attrs.frozen(kw_only=True)
class StoreStats:
    """A snapshot of a PulseStore: sizes and the state of the last sync."""

    path: str
    journal_mode: str
    pulses: int
    indicators: int
    distinct_values: int
    active_indicators: int
    watermark: datetime | None
    last_started: datetime | None
    last_completed: datetime | None
    last_status: str | None
    last_error: str | None


@attrs.frozen(kw_only=True)
class Match:
    """One indicator found on one line of one source.

    ``source`` names the file or stream, ``line_no`` counts from 1, ``indicator`` is the IoC
    that matched (for a subdomain match, the parent domain IoC), ``matched`` is the text as
    normalised from the line (``www.evil.example`` for the IoC ``evil.example``), ``context``
    the whole line without its line break, and ``pulses`` the store's pulses carrying the
    indicator (empty when hunting with a plain IoC list).
    """

    source: str
    line_no: int
    indicator: Indicator
    matched: str
    context: str
    pulses: tuple[Pulse, ...] = ()
