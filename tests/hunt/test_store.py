from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tiintel._core.indicators import Indicator
from tiintel.hunt import PulseStore, StoreStats, SyncResult

from .conftest import NOW, FakeOTX, pulse_payload

A, B, C = "a" * 24, "b" * 24, "c" * 24


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with PulseStore(tmp_path / "pulses.db", now=lambda: NOW) as opened:
        yield opened


def dump(path: Path) -> tuple[list[Any], list[Any]]:
    with sqlite3.connect(path) as conn:
        pulses = conn.execute("SELECT * FROM pulses ORDER BY id").fetchall()
        indicators = conn.execute(
            "SELECT pulse_id, value, type, otx_type, expiration, is_active, payload "
            "FROM indicators ORDER BY pulse_id, value"
        ).fetchall()
    return pulses, indicators


def test_sync_stores_pulses_and_normalised_indicators(store: PulseStore, payloads: Any) -> None:
    result = store.sync(FakeOTX(payloads))
    assert isinstance(result, SyncResult)
    assert (result.pulses_seen, result.pulses_new, result.pulses_updated) == (3, 3, 0)
    assert result.watermark_before is None
    assert result.watermark_after == datetime(2024, 5, 3, 10, tzinfo=UTC)
    assert [p.id for p in store.lookup("1.2.3.4")] == [B, A]  # newest first
    assert [p.id for p in store.lookup("44d88612fea8a8f36de82e1278abb02f")] == [A]
    assert [p.id for p in store.lookup("http://bad.example/x.php")] == [B]
    assert [p.id for p in store.lookup("hxxp://bad[.]example/x.php")] == [B]
    assert [p.id for p in store.lookup("EVIL.example")] == [A]
    assert [p.id for p in store.lookup(Indicator.parse("cve-2021-44228"))] == [C]
    assert [p.id for p in store.lookup("10.0.0.0/8")] == [A]  # unparseable: kept raw
    assert store.lookup("unknown.example") == []
    pulse = store.lookup("evil.example")[0]
    assert pulse.adversary == "APT Test"
    assert pulse.modified == datetime(2024, 5, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "include_expired", "found"),
    [
        ("old.example", False, False),  # expired 2024-01-01, now is 2024-06-01
        ("old.example", True, True),
        ("gone.example", False, False),  # is_active = 0
        ("gone.example", True, True),
        ("evil.example", False, True),
    ],
)
def test_expired_and_inactive_are_excluded_by_default(
    store: PulseStore, payloads: Any, value: str, include_expired: bool, found: bool
) -> None:
    store.sync(FakeOTX(payloads))
    assert bool(store.lookup(value, include_expired=include_expired)) is found


def test_expiry_uses_the_given_now(store: PulseStore, payloads: Any) -> None:
    store.sync(FakeOTX(payloads))
    assert store.lookup("old.example", now=datetime(2023, 12, 1, tzinfo=UTC))


def test_store_synced_twice_is_identical(tmp_path: Path, payloads: Any) -> None:
    path = tmp_path / "twice.db"
    otx = FakeOTX(payloads)
    with PulseStore(path, now=lambda: NOW) as store:
        store.sync(otx)
        first = dump(path)
        again = store.sync(otx)
        assert dump(path) == first
    # The second pass asked from the watermark and rewrote only the boundary pulse.
    assert otx.pulses.calls == [None, datetime(2024, 5, 3, 10, tzinfo=UTC)]
    assert (again.pulses_seen, again.pulses_new, again.pulses_updated) == (1, 0, 1)


def test_interrupted_sync_resumes_without_losing_anything(store: PulseStore, payloads: Any) -> None:
    otx = FakeOTX(payloads)
    otx.pulses.fail_after = 2
    with pytest.raises(ConnectionError):
        store.sync(otx)
    stats = store.stats()
    assert stats.pulses == 2  # written before the crash: kept
    assert stats.watermark is None  # but the watermark did not move
    assert stats.last_status == "failed"
    assert "504" in (stats.last_error or "")
    otx.pulses.fail_after = None
    result = store.sync(otx)
    assert otx.pulses.calls == [None, None]  # resumed from the old watermark
    assert (result.pulses_new, result.pulses_updated) == (1, 2)
    stats = store.stats()
    assert (stats.pulses, stats.last_status, stats.last_error) == (3, "completed", None)
    assert stats.watermark == datetime(2024, 5, 3, 10, tzinfo=UTC)


def test_updated_pulse_replaces_its_indicators(store: PulseStore, payloads: Any) -> None:
    otx = FakeOTX(payloads)
    store.sync(otx)
    otx.pulses.payloads = [pulse_payload(A, "2024-05-04T00:00:00", [("new.example", "domain")])]
    result = store.sync(otx)
    assert result.pulses_updated == 1
    assert store.lookup("evil.example") == []
    assert [p.id for p in store.lookup("new.example")] == [A]
    assert [p.id for p in store.lookup("1.2.3.4")] == [B]


def test_older_revision_never_overwrites_a_newer_one(store: PulseStore) -> None:
    from tiintel.models.otx import Pulse

    newer = Pulse.from_api(pulse_payload(A, "2024-05-02T00:00:00", [("new.example", "domain")]))
    older = Pulse.from_api(pulse_payload(A, "2024-05-01T00:00:00", [("old.example", "domain")]))
    assert store.upsert(newer) == "new"
    assert store.upsert(older) == "stale"
    assert store.lookup("new.example")
    assert not store.lookup("old.example", include_expired=True)


def test_pulse_rebuilds_with_its_indicators(store: PulseStore, payloads: Any) -> None:
    store.sync(FakeOTX(payloads))
    bare = store.pulse(A)
    full = store.pulse(A, with_indicators=True)
    assert bare is not None
    assert bare.indicators is None
    assert full is not None
    assert full.indicators is not None
    assert [i.indicator for i in full.indicators][:2] == ["evil.example", "1.2.3.4"]
    assert store.pulse("f" * 24) is None


def test_stats_and_indicators(store: PulseStore, payloads: Any) -> None:
    store.sync(FakeOTX(payloads))
    stats = store.stats()
    assert isinstance(stats, StoreStats)
    assert (stats.pulses, stats.indicators, stats.distinct_values) == (3, 9, 8)
    assert stats.active_indicators == 7
    assert stats.last_completed == NOW
    assert stats.last_started == NOW
    values = {i.value for i in store.indicators()}
    assert values == {
        "evil.example",
        "1.2.3.4",
        "44d88612fea8a8f36de82e1278abb02f",
        "http://bad.example/x.php",
        "CVE-2021-44228",
    }


def test_journal_mode_is_wal_on_a_file_and_memory_works(tmp_path: Path, payloads: Any) -> None:
    with PulseStore(tmp_path / "wal.db") as on_disk:
        assert on_disk.journal_mode == "wal"
    with PulseStore(":memory:", now=lambda: NOW) as in_memory:
        in_memory.sync(FakeOTX(payloads))
        seen: list[int] = []
        worker = threading.Thread(target=lambda: seen.append(len(in_memory.lookup("1.2.3.4"))))
        worker.start()
        worker.join()
        assert seen == [2]  # another thread's connection sees the same in-memory data


def test_lookups_from_a_thread_pool(store: PulseStore, payloads: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store.sync(FakeOTX(payloads))
    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda v: len(store.lookup(v)), ["1.2.3.4"] * 40))
    assert counts == [2] * 40


def test_closed_store_refuses_work(tmp_path: Path) -> None:
    store = PulseStore(tmp_path / "closed.db")
    store.close()
    with pytest.raises(RuntimeError, match="closed"):
        store.lookup("1.2.3.4")


def test_has_no_validation_data(store: PulseStore) -> None:
    assert PulseStore.has_validation is False


async def test_async_sync_and_lookup(store: PulseStore, payloads: Any) -> None:
    otx = FakeOTX(payloads, asynchronous=True)
    otx.pulses.fail_after = 1
    with pytest.raises(ConnectionError):
        await store.async_sync(otx)
    otx.pulses.fail_after = None
    result = await store.async_sync(otx)
    assert (result.pulses_new, result.pulses_updated) == (2, 1)
    assert [p.id for p in await store.alookup("1.2.3.4")] == [B, A]


def test_import_does_not_load_sqlite3() -> None:
    code = "import sys, tiintel.hunt; print('sqlite3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_store_stands_in_for_otx_in_correlate(store: PulseStore, payloads: Any) -> None:
    from tiintel import correlate

    store.sync(FakeOTX(payloads))
    hit, miss = correlate(["1.2.3.4", "8.8.8.8"], otx=store)
    assert hit.otx is not None
    assert (hit.otx.pulse_count, hit.otx.whitelisted) == (2, None)
    assert hit.otx.adversaries == ("APT Test",)
    assert miss.otx is not None
    assert miss.otx.pulse_count == 0
    assert not hit.errors
