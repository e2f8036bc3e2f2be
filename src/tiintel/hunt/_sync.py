"""One sync pass of a PulseStore: bookkeeping shared by the sync and async twins."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from tiintel.hunt._models import SyncResult
from tiintel.hunt._rows import from_iso, iso

if TYPE_CHECKING:
    from tiintel.hunt._store import PulseStore
    from tiintel.models.otx import Pulse

_ERROR_CHARS = 500


class SyncRun:
    """The state of one pass: counts, the newest ``modified`` seen, and the sync_state record.

    Every method touches SQLite, so the async twin calls them through ``asyncio.to_thread``.
    """

    def __init__(self, store: PulseStore) -> None:
        self._store = store
        self.started = store._now()
        self.before = store._watermark()
        self.seen = self.new = self.updated = self.stale = self.indicators = 0
        self.newest: datetime | None = None
        store._state(last_started=iso(self.started), status="running", last_error=None)

    def arguments(self, *, page_size: int | None, limit: int | None) -> dict[str, Any]:
        """The keyword arguments for ``pulses.subscribed``: only the ones that were given."""
        arguments: dict[str, Any] = {"modified_since": self.before}
        if page_size is not None:
            arguments["page_size"] = page_size
        if limit is not None:
            arguments["limit"] = limit
        return arguments

    def add(self, pulse: Pulse) -> None:
        """Write one pulse as soon as it arrives (a crash later loses nothing written)."""
        outcome = self._store.upsert(pulse)
        self.seen += 1
        if outcome == "new":
            self.new += 1
        elif outcome == "updated":
            self.updated += 1
        else:
            self.stale += 1
        if outcome != "stale":
            self.indicators += len(pulse.indicators or ())
        if pulse.modified is not None and (self.newest is None or pulse.modified > self.newest):
            self.newest = pulse.modified

    def fail(self, exc: BaseException) -> None:
        """Record an incomplete pass; the watermark stays where it was."""
        message = f"{type(exc).__name__}: {exc}"[:_ERROR_CHARS]
        self._store._state(status="failed", last_error=message, pulses_seen=self.seen)

    def finish(self, reported: datetime | None) -> SyncResult:
        """Advance the watermark (never backwards) and record the completed pass."""
        # Through iso() first: a naive datetime from a fake source is taken as UTC, not compared.
        candidates = [from_iso(iso(m)) for m in (self.before, reported, self.newest) if m]
        after = max((m for m in candidates if m is not None), default=None)
        completed = self._store._now()
        self._store._state(
            watermark=iso(after),
            last_completed=iso(completed),
            status="completed",
            last_error=None,
            pulses_seen=self.seen,
            pulses_written=self.new + self.updated,
            indicators_written=self.indicators,
        )
        return SyncResult(
            pulses_seen=self.seen,
            pulses_new=self.new,
            pulses_updated=self.updated,
            pulses_stale=self.stale,
            indicators_written=self.indicators,
            watermark_before=self.before,
            watermark_after=after,
            started=self.started,
            completed=completed,
        )
