"""One sync pass of a PulseStore: bookkeeping shared by the sync and async twins."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tiintel.hunt._models import SyncResult
from tiintel.hunt._rows import from_iso, iso

if TYPE_CHECKING:
    from tiintel.hunt._store import PulseStore
    from tiintel.models.otx import Pulse
    from tiintel.models.otx_sections import PulseEvent

_ERROR_CHARS = 500
# Subscription events that take a pulse out of the subscribed feed ("remove_pulse" is an older name).
_GONE = frozenset({"unsubscribe", "delete", "remove_pulse"})
_SKEW = timedelta(hours=1)


class SyncRun:
    """The state of one pass: counts, the newest ``modified`` seen, and the sync_state record.

    A pass reads the pulses modified since the last one, then the subscription events since
    the last one (``events_since``; None on a first pass, whose full feed is already current):
    a pulse unsubscribed from or deleted leaves the store, and one subscribed to again is
    fetched, since ``modified_since`` would not bring back a pulse that did not change.

    Every method touches SQLite, so the async twin calls them through ``asyncio.to_thread``.
    """

    def __init__(self, store: PulseStore) -> None:
        self._store = store
        self.started = store._now()
        self.before, self.events_since = store._watermarks()
        self.seen = self.new = self.updated = self.stale = self.indicators = self.removed = 0
        self.newest: datetime | None = None
        self.newest_event: datetime | None = None
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

    def event(self, event: PulseEvent) -> str | None:
        """What a subscription event asks of the store: "remove", "fetch" (resubscribed) or None."""
        if event.created is not None and (
            self.newest_event is None or event.created > self.newest_event
        ):
            self.newest_event = event.created
        if event.object_type != "pulse" or not event.object_id:
            return None  # user and group subscriptions: the pulse feed itself reflects them
        if event.action in _GONE:
            return "remove"
        return "fetch" if event.action == "subscribe" else None

    def remove(self, pulse_id: str) -> None:
        """Drop a pulse that left the subscribed feed."""
        if self._store.remove(pulse_id):
            self.removed += 1

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
        # A first pass follows events from when it began, less an hour for clock skew against
        # OTX's (replaying an event is harmless); later passes from the newest event seen.
        events = self.started - _SKEW if self.events_since is None else self.newest_event
        events = max((e for e in (self.events_since, events) if e is not None), default=None)
        self._store._state(
            watermark=iso(after),
            events_watermark=iso(events),
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
            pulses_removed=self.removed,
            indicators_written=self.indicators,
            watermark_before=self.before,
            watermark_after=after,
            started=self.started,
            completed=completed,
        )
