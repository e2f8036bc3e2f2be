"""Subscription events: pulses unsubscribed from or deleted leave the store, resubscribed ones return."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

from tiintel.hunt import PulseStore

from .conftest import NOW, FakeOTX

A, B, C = "a" * 24, "b" * 24, "c" * 24
LATER, LATEST = "2024-06-02T00:00:00", "2024-06-03T00:00:00"  # after the first sync (NOW)


def synced(path: Path, otx: FakeOTX) -> PulseStore:
    store = PulseStore(path, now=lambda: NOW)
    store.sync(otx)
    return store


def test_a_first_sync_does_not_replay_old_events(tmp_path: Path, payloads: Any) -> None:
    otx = FakeOTX(payloads)
    otx.pulses.event("unsubscribe", A, "2024-01-01T00:00:00")  # before the store existed
    with synced(tmp_path / "p.db", otx) as store:
        assert otx.pulses.event_calls == []
        assert store.stats().pulses == 3


def test_unsubscribed_and_deleted_pulses_leave_the_store(tmp_path: Path, payloads: Any) -> None:
    otx = FakeOTX(payloads)
    with synced(tmp_path / "p.db", otx) as store:
        assert [p.id for p in store.lookup("1.2.3.4")] == [B, A]
        otx.pulses.event("unsubscribe", A, LATER)
        otx.pulses.event("delete", C, LATER)
        result = store.sync(otx)
        assert otx.pulses.event_calls[-1] == NOW - timedelta(
            hours=1
        )  # first sync's start, less skew
        assert result.pulses_removed == 2
        assert [p.id for p in store.lookup("1.2.3.4")] == [B]
        assert store.lookup("evil.example") == []
        assert store.pulse(A) is None
        assert store.stats().pulses == 1
        store.sync(otx)  # the same events are not applied twice
        assert otx.pulses.event_calls[-1].isoformat().startswith("2024-06-02")


def test_a_pulse_subscribed_to_again_is_fetched(tmp_path: Path, payloads: Any) -> None:
    otx = FakeOTX(payloads)
    with synced(tmp_path / "p.db", otx) as store:
        otx.pulses.event("unsubscribe", A, LATER)
        otx.pulses.event("subscribe", A, LATEST)  # unchanged: modified_since would not bring it
        otx.pulses.event("subscribe", "f" * 24, LATEST)  # gone upstream: nothing to fetch
        result = store.sync(otx)
        assert (result.pulses_removed, result.pulses_new) == (1, 1)  # dropped, then back
        assert [p.id for p in store.lookup("evil.example")] == [A]
        assert store.pulse("f" * 24) is None


async def test_async_sync_applies_events_too(tmp_path: Path, payloads: Any) -> None:
    otx = FakeOTX(payloads, asynchronous=True)
    with PulseStore(tmp_path / "p.db", now=lambda: NOW) as store:
        await store.async_sync(otx)
        otx.pulses.event("unsubscribe", A, LATER)
        otx.pulses.event("subscribe", A, LATEST)
        otx.pulses.event("unsubscribe", B, LATEST)
        result = await store.async_sync(otx)
        assert (result.pulses_removed, result.pulses_new) == (2, 1)
        assert [p.id for p in await store.alookup("1.2.3.4")] == [A]


V1_SYNC_STATE = """
CREATE TABLE sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1), watermark TEXT, last_started TEXT,
    last_completed TEXT, status TEXT, last_error TEXT,
    pulses_seen INTEGER NOT NULL DEFAULT 0, pulses_written INTEGER NOT NULL DEFAULT 0,
    indicators_written INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sync_state (id, watermark) VALUES (1, '2024-05-03T10:00:00+00:00');
PRAGMA user_version = 1;
"""


def test_a_version_1_store_is_upgraded(tmp_path: Path, payloads: Any) -> None:
    path = tmp_path / "p.db"
    with sqlite3.connect(path) as conn:  # the sync state tiintel's first schema wrote
        conn.executescript(V1_SYNC_STATE)
    otx = FakeOTX(payloads)
    otx.pulses.event("unsubscribe", A, LATER)
    with PulseStore(path, now=lambda: NOW) as store:
        assert store.stats().watermark is not None  # kept
        store.sync(otx)  # no events watermark yet: follows events from now on
        assert otx.pulses.event_calls == []
        assert otx.pulses.calls == [store.stats().watermark]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
