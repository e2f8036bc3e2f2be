"""PulseStore: a local SQLite index of synced OTX pulses and their indicators."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from tiintel._core.indicators import Indicator, IndicatorType
from tiintel._exceptions import InvalidIndicatorError, NotFoundError, PermissionDeniedError
from tiintel.hunt import _schema
from tiintel.hunt._models import StoreStats, SyncResult
from tiintel.hunt._rows import epoch, from_iso, pulse_rows

if TYPE_CHECKING:
    from tiintel.hunt._protocols import AsyncPulseSource, PulseSource
    from tiintel.models.otx import Pulse

__all__ = ["PulseStore"]

UpsertOutcome = Literal["new", "updated", "stale"]

_ACTIVE = "(i.is_active = 1 AND (i.expiration IS NULL OR i.expiration > ?))"
_CACHE_SIZE = 4096


def _utcnow() -> datetime:
    return datetime.now(UTC)


class PulseStore:
    """A local, queryable index of OTX pulses, kept up to date by incremental sync.

    One SQLite file (``":memory:"`` for a private in-memory store) holds each pulse's JSON and
    its indicators, normalised and indexed by value. ``sync(otx)`` streams only the pulses
    modified since the last complete pass; ``lookup(indicator)`` answers offline from the index.
    The store is safe to share between threads (each thread gets its own connection) and stands
    in for the OTX client in ``correlate(..., otx=store)``. ``now`` injects the clock used to
    decide which indicators have expired and to stamp sync records.
    """

    has_validation = False
    """The store holds no OTX whitelist data: correlate reports ``whitelisted=None``."""

    def __init__(
        self, path: str | os.PathLike[str], *, now: Callable[[], datetime] | None = None
    ) -> None:
        self._path = os.fspath(path)
        self._now = now or _utcnow
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        self._cache: dict[tuple[str, str], Pulse] = {}
        if self._path == ":memory:":
            # A named shared-cache database, so every thread's connection sees the same data.
            self._target, self._uri = (
                f"file:tiintel-{uuid.uuid4().hex}?mode=memory&cache=shared",
                True,
            )
        else:
            self._target, self._uri = self._path, False
        conn = self._connection()
        _schema.create(conn)

    @property
    def path(self) -> str:
        """The database file as given."""
        return self._path

    @property
    def journal_mode(self) -> str:
        """The SQLite journal mode in force: ``wal``, or the fallback the filesystem allowed."""
        return str(self._connection().execute("PRAGMA journal_mode").fetchone()[0]).lower()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise RuntimeError("this PulseStore is closed")
            conn, _mode = _schema.connect(self._target, uri=self._uri)
            with self._lock:
                self._connections.append(conn)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close every thread's connection; the store cannot be used afterwards."""
        self._closed = True
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
        self._local = threading.local()

    def __enter__(self) -> PulseStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PulseStore({self._path!r})"

    # -- writing -------------------------------------------------------------------------------

    def upsert(self, pulse: Pulse) -> UpsertOutcome:
        """Write one pulse and replace its indicators, in one transaction.

        A pulse already stored with a newer ``modified`` is left alone (``"stale"``), so pulses
        arriving out of order never roll the store back. Writing the same pulse twice leaves
        the store as it was after the first write.
        """
        pulse_row, indicator_rows = pulse_rows(pulse)
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            found = conn.execute("SELECT modified FROM pulses WHERE id = ?", (pulse.id,)).fetchone()
            if found is not None and found[0] and pulse_row[2] and found[0] > pulse_row[2]:
                conn.execute("ROLLBACK")
                return "stale"
            conn.execute(
                "INSERT INTO pulses (id, name, modified, indicator_count, payload) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
                "modified = excluded.modified, indicator_count = excluded.indicator_count, "
                "payload = excluded.payload",
                pulse_row,
            )
            conn.execute("DELETE FROM indicators WHERE pulse_id = ?", (pulse.id,))
            conn.executemany(
                "INSERT INTO indicators (pulse_id, value, type, otx_type, expiration, is_active, "
                "payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
                indicator_rows,
            )
            conn.execute("COMMIT")
            self._cache.pop((pulse.id, pulse_row[2] or ""), None)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return "new" if found is None else "updated"

    def _state(self, **values: Any) -> None:
        columns = ", ".join(f"{name} = ?" for name in values)
        self._connection().execute(
            f"UPDATE sync_state SET {columns} WHERE id = 1",  # noqa: S608 (names are ours)
            tuple(values.values()),
        )

    def _watermarks(self) -> tuple[datetime | None, datetime | None]:
        """(newest pulse modification, newest subscription event) of the last complete sync."""
        row = (
            self._connection()
            .execute("SELECT watermark, events_watermark FROM sync_state WHERE id = 1")
            .fetchone()
        )
        return from_iso(row[0]), from_iso(row[1])

    def remove(self, pulse_id: str) -> bool:
        """Drop a pulse and its indicators; True when the store held it."""
        conn = self._connection()
        removed = conn.execute("DELETE FROM pulses WHERE id = ?", (pulse_id,)).rowcount > 0
        for key in [key for key in list(self._cache) if key[0] == pulse_id]:
            self._cache.pop(key, None)
        return removed

    # -- syncing -------------------------------------------------------------------------------

    def sync(
        self, otx: PulseSource, *, page_size: int | None = None, limit: int | None = None
    ) -> SyncResult:
        """Pull the subscribed pulses modified since the last complete sync and store them.

        Pulses are written one by one as they stream in, so memory holds one page. Then the
        subscription events since the last sync are applied: a pulse you unsubscribed from (or
        that was deleted) is dropped, one you subscribed to again is fetched. The watermarks
        advance only when both complete: after a crash or an error (which is re-raised, and
        recorded in ``stats().last_error``) nothing written is lost, and the next sync asks
        again from the old watermarks, rewriting what it already has idempotently.
        """
        from tiintel.hunt._sync import SyncRun

        run = SyncRun(self)
        stream = otx.pulses.subscribed(**run.arguments(page_size=page_size, limit=limit))
        try:
            for pulse in stream:
                run.add(pulse)
            if run.events_since is not None:
                for event in otx.pulses.events(since=run.events_since):
                    action = run.event(event)
                    if action == "fetch":
                        try:
                            run.add(otx.pulses.get(str(event.object_id)))
                        except (NotFoundError, PermissionDeniedError):  # gone, or private now
                            action = "remove"
                    if action == "remove":
                        run.remove(str(event.object_id))
        except BaseException as exc:
            run.fail(exc)
            raise
        return run.finish(getattr(stream, "watermark", None))

    async def async_sync(
        self, otx: AsyncPulseSource, *, page_size: int | None = None, limit: int | None = None
    ) -> SyncResult:
        """Async twin of ``sync``: same semantics, SQLite work runs in worker threads."""
        from tiintel.hunt._sync import SyncRun

        run = await asyncio.to_thread(SyncRun, self)
        stream = otx.pulses.subscribed(**run.arguments(page_size=page_size, limit=limit))
        try:
            async for pulse in stream:
                await asyncio.to_thread(run.add, pulse)
            if run.events_since is not None:
                async for event in otx.pulses.events(since=run.events_since):
                    action = run.event(event)
                    if action == "fetch":
                        try:
                            pulse = await otx.pulses.get(str(event.object_id))
                        except (NotFoundError, PermissionDeniedError):  # gone, or private now
                            action = "remove"
                        else:
                            await asyncio.to_thread(run.add, pulse)
                    if action == "remove":
                        await asyncio.to_thread(run.remove, str(event.object_id))
        except BaseException as exc:
            await asyncio.to_thread(run.fail, exc)
            raise
        return await asyncio.to_thread(run.finish, getattr(stream, "watermark", None))

    # -- reading -------------------------------------------------------------------------------

    def lookup(
        self,
        indicator: Indicator | str,
        *,
        include_expired: bool = False,
        now: datetime | None = None,
    ) -> list[Pulse]:
        """The stored pulses carrying ``indicator``, newest first; offline, from the index.

        Strings are refanged and normalised like ``Indicator.parse`` (a string it rejects, such
        as a CIDR or an e-mail address, is looked up lower-cased as OTX gave it). Inactive or
        expired indicators do not count unless ``include_expired`` is true.
        """
        values = _keys(indicator)
        sql = (
            "SELECT p.id, p.modified, p.payload FROM pulses p WHERE p.id IN "
            "(SELECT i.pulse_id FROM indicators i WHERE i.value IN (?, ?)"
        )
        params: tuple[Any, ...] = values
        if not include_expired:
            sql += f" AND {_ACTIVE}"
            params += (epoch(now or self._now()),)
        sql += ") ORDER BY p.modified DESC, p.id"
        rows = self._connection().execute(sql, params).fetchall()
        return [self._pulse(pulse_id, modified, payload) for pulse_id, modified, payload in rows]

    async def alookup(
        self,
        indicator: Indicator | str,
        *,
        include_expired: bool = False,
        now: datetime | None = None,
    ) -> list[Pulse]:
        """Async twin of ``lookup`` (runs in a worker thread)."""
        return await asyncio.to_thread(
            self.lookup, indicator, include_expired=include_expired, now=now
        )

    def _pulse(self, pulse_id: str, modified: str | None, payload: str) -> Pulse:
        from tiintel.models.otx import Pulse

        key = (pulse_id, modified or "")
        cached = self._cache.get(key)
        if cached is None:
            cached = Pulse.from_api(json.loads(payload))
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = cached
        return cached

    def pulse(self, pulse_id: str, *, with_indicators: bool = False) -> Pulse | None:
        """One stored pulse by id (with its stored indicators when asked), or None."""
        from tiintel.models.otx import Pulse

        conn = self._connection()
        row = conn.execute("SELECT payload FROM pulses WHERE id = ?", (pulse_id,)).fetchone()
        if row is None:
            return None
        body = json.loads(row[0])
        if with_indicators:
            items = conn.execute(
                "SELECT payload FROM indicators WHERE pulse_id = ? ORDER BY rowid", (pulse_id,)
            ).fetchall()
            body["indicators"] = [json.loads(item[0]) for item in items]
        return Pulse.from_api(body)

    def indicators(
        self, *, include_expired: bool = False, now: datetime | None = None
    ) -> Iterator[Indicator]:
        """Every distinct typed indicator in the store (untyped raw values are left out)."""
        sql = "SELECT DISTINCT i.value, i.type FROM indicators i WHERE i.type IS NOT NULL"
        params: tuple[Any, ...] = ()
        if not include_expired:
            sql += f" AND {_ACTIVE}"
            params = (epoch(now or self._now()),)
        for value, kind in self._connection().execute(sql, params):
            yield Indicator(type=IndicatorType(kind), value=value)

    def stats(self) -> StoreStats:
        """Counts and the state of the last sync."""
        conn = self._connection()
        pulses = conn.execute("SELECT count(*) FROM pulses").fetchone()[0]
        indicators, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT value) FROM indicators"
        ).fetchone()
        active = conn.execute(
            f"SELECT count(*) FROM indicators i WHERE {_ACTIVE}",  # noqa: S608 (constant)
            (epoch(self._now()),),
        ).fetchone()[0]
        state = conn.execute(
            "SELECT watermark, last_started, last_completed, status, last_error "
            "FROM sync_state WHERE id = 1"
        ).fetchone()
        return StoreStats(
            path=self._path,
            journal_mode=self.journal_mode,
            pulses=pulses,
            indicators=indicators,
            distinct_values=distinct,
            active_indicators=active,
            watermark=from_iso(state[0]),
            last_started=from_iso(state[1]),
            last_completed=from_iso(state[2]),
            last_status=state[3],
            last_error=state[4],
        )


def _keys(indicator: Indicator | str) -> tuple[str, str]:
    """The stored forms to look for: the normalised value, and the raw lower-cased text.

    The second covers values the store kept raw because their OTX type has no counterpart
    (a CIDR such as ``10.0.0.0/8`` would otherwise be read as a URL).
    """
    if isinstance(indicator, Indicator):
        return indicator.value, indicator.value
    raw = indicator.strip().lower()
    try:
        return Indicator.parse(indicator).value, raw
    except InvalidIndicatorError:
        return raw, raw
