"""Shared clients under load: the limiter holds across 32 threads and 500 tasks, cancellation gives
slots and connections back, and closed or foreign-loop clients fail clearly.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest

import tiintel
from tiintel import (
    AsyncOTXClient,
    AsyncVirusTotalClient,
    OTXClient,
    RateLimit,
    RateLimiter,
    VirusTotalClient,
)
from tiintel.testing import FakeOTX, FakeVirusTotal, seeded, serve

KEY = "k3y-CONCURRENCY-0123456789"


class FrozenClock:
    """Real threads and tasks, frozen time: bookings pile up into the future, which is what we check."""

    def __init__(self, block: bool = False) -> None:
        self.now, self.block = 10_000.0, block

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return 1_735_689_600.0 + self.now

    def sleep(self, seconds: float) -> None:
        pass

    async def asleep(self, seconds: float) -> None:
        # ``block``: a wait that outlives the test unless cancelled (a quota or back-off wait)
        await asyncio.sleep(3600 if self.block and seconds > 0 else 0)


def test_32_threads_share_one_sync_client_within_the_rate(recording_limiter: Any) -> None:
    limiter = recording_limiter([RateLimit(10, 1.0), RateLimit(100_000, 86_400)])
    fake = FakeVirusTotal()
    vt = VirusTotalClient(
        KEY, transport=fake, rate_limits=limiter, clock=FrozenClock(), max_quota_wait=1e9
    )
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(8):
                assert vt.domains.get(seeded.C2_DOMAIN).id == seeded.C2_DOMAIN
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    vt.close()
    assert errors == []
    assert fake.count("/domains/") == 256 == len(limiter.slots)
    assert limiter.max_in_window(1.0) <= 10
    assert len(set(limiter.slots)) == 256  # every request had its own slot


async def test_500_tasks_share_one_async_client_within_the_rate(recording_limiter: Any) -> None:
    limiter = recording_limiter([RateLimit(20, 1.0)])
    fake = FakeOTX()
    async with AsyncOTXClient(
        KEY, transport=fake, rate_limits=limiter, clock=FrozenClock(), max_quota_wait=1e9
    ) as otx:
        results = await asyncio.gather(*(otx.indicators.get(seeded.C2_IP) for _ in range(500)))
    assert len(results) == 500 and all(r.pulse_info.count >= 1 for r in results)
    assert len(limiter.slots) == 500 == fake.count("/indicators/")
    assert limiter.max_in_window(1.0) <= 20


def _drained(server: Any, within: float = 2.0) -> int:
    """Open connections once the server threads saw the closes (they run on their own threads)."""
    deadline = time.monotonic() + within
    while server.open_connections and time.monotonic() < deadline:
        time.sleep(0.01)
    return int(server.open_connections)


async def test_cancelling_tasks_mid_retry_releases_slots_and_connections() -> None:
    limiter = RateLimiter([RateLimit(1, 60)])
    clock = FrozenClock(block=True)
    fake = FakeVirusTotal(fail_rate=1.0, fail_statuses=(503,))
    with serve(vt=fake) as server:
        vt = AsyncVirusTotalClient(
            KEY, base_url=server.vt_url, rate_limits=limiter, clock=clock, max_quota_wait=1e9
        )
        tasks = [asyncio.create_task(vt.domains.get(f"d{i}.example")) for i in range(20)]
        for _ in range(200):  # until the first answer (a 503) put its task into back-off
            await asyncio.sleep(0.01)
            if fake.count("/domains/"):
                break
        await asyncio.sleep(0.05)
        assert fake.count("/domains/") == 1  # one sent; nineteen wait for a slot; one backs off
        for task in tasks:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(o, asyncio.CancelledError) for o in outcomes)
        # only the slot that was used stays booked: the next request may go one interval later
        assert limiter.reserve(clock).delay == pytest.approx(60 * 1.05)
        await vt.aclose()
        assert _drained(server) == 0


async def test_cancelling_an_in_flight_request_leaves_the_client_usable() -> None:
    fake = FakeVirusTotal(latency=0.3)
    with serve(vt=fake) as server:
        async with AsyncVirusTotalClient(KEY, base_url=server.vt_url) as vt:
            task = asyncio.create_task(vt.domains.get(seeded.C2_DOMAIN))
            await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            fake.latency = 0.0
            assert (await vt.domains.get(seeded.C2_DOMAIN)).id == seeded.C2_DOMAIN
        assert _drained(server) == 0


def test_sync_clients_leave_no_connection_behind() -> None:
    with serve() as server:
        with (
            VirusTotalClient(KEY, base_url=server.vt_url) as vt,
            OTXClient(KEY, base_url=server.otx_url) as otx,
        ):
            threads = [
                threading.Thread(
                    target=lambda: [
                        vt.domains.get(seeded.C2_DOMAIN),
                        otx.indicators.get(seeded.C2_IP),
                    ]
                )
                for _ in range(8)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert server.open_connections >= 1
        assert _drained(server) == 0


# -- lifecycle --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [VirusTotalClient, OTXClient])
def test_close_twice_and_use_after_close_sync(cls: Any) -> None:
    client = cls(KEY, transport=FakeVirusTotal() if cls is VirusTotalClient else FakeOTX())
    client.close()
    client.close()
    assert client.closed
    with pytest.raises(tiintel.TiIntelError, match="closed"):
        client.get_json("users/me")
    copy = client.with_options(max_retries=0)
    with pytest.raises(tiintel.TiIntelError, match="closed"):
        copy.get_json("users/me")


@pytest.mark.parametrize("cls", [AsyncVirusTotalClient, AsyncOTXClient])
async def test_close_twice_and_use_after_close_async(cls: Any) -> None:
    client = cls(KEY, transport=FakeVirusTotal() if cls is AsyncVirusTotalClient else FakeOTX())
    async with client:
        pass
    await client.aclose()
    with pytest.raises(tiintel.TiIntelError, match="closed"):
        await client.get_json("users/me")


async def test_close_while_requests_wait_for_a_slot() -> None:
    limiter = RateLimiter([RateLimit(1, 60)])
    clock = FrozenClock(block=True)
    vt = AsyncVirusTotalClient(
        KEY, transport=FakeVirusTotal(), rate_limits=limiter, clock=clock, max_quota_wait=1e9
    )
    await vt.domains.get(seeded.C2_DOMAIN)
    waiting = asyncio.create_task(vt.domains.get(seeded.C2_DOMAIN))
    await asyncio.sleep(0.02)
    await vt.aclose()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting


async def test_async_client_from_a_second_event_loop_fails_clearly() -> None:
    vt = AsyncVirusTotalClient(KEY, transport=FakeVirusTotal())
    await vt.domains.get(seeded.C2_DOMAIN)
    caught: list[BaseException] = []

    def elsewhere() -> None:
        try:
            asyncio.run(vt.domains.get(seeded.C2_DOMAIN))
        except BaseException as exc:
            caught.append(exc)

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert len(caught) == 1 and isinstance(caught[0], tiintel.TiIntelError)
    assert "event loop" in str(caught[0])
    assert (await vt.domains.get(seeded.C2_DOMAIN)).id == seeded.C2_DOMAIN  # still fine at home
    await vt.aclose()


def test_sync_client_inside_threads_and_a_running_loop() -> None:
    vt = VirusTotalClient(KEY, transport=FakeVirusTotal())

    async def main() -> Any:
        return await asyncio.gather(
            *(asyncio.to_thread(vt.domains.get, seeded.C2_DOMAIN) for _ in range(8))
        )

    assert len(asyncio.run(main())) == 8
    vt.close()


def test_shared_limiter_between_sync_and_async_clients(recording_limiter: Any) -> None:
    limiter = recording_limiter([RateLimit(5, 1.0)])
    clock = FrozenClock()
    sync = VirusTotalClient(
        KEY, transport=FakeVirusTotal(), rate_limits=limiter, clock=clock, max_quota_wait=1e9
    )
    aclient = AsyncVirusTotalClient(
        KEY, transport=FakeVirusTotal(), rate_limits=limiter, clock=clock, max_quota_wait=1e9
    )

    async def main() -> None:
        async with aclient:
            await asyncio.gather(
                *(aclient.domains.get(seeded.C2_DOMAIN) for _ in range(20)),
                *(asyncio.to_thread(sync.domains.get, seeded.C2_DOMAIN) for _ in range(20)),
            )

    asyncio.run(main())
    sync.close()
    assert len(limiter.slots) == 40
    assert limiter.max_in_window(1.0) <= 5


def test_transport_errors_in_threads_are_typed() -> None:
    fake = FakeVirusTotal(reset_rate=0.5, timeout_rate=0.3, seed=7)
    vt = VirusTotalClient(KEY, transport=fake, clock=FrozenClock(), max_retries=1)
    outcomes: list[object] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(10):
            try:
                result: object = vt.domains.get(seeded.C2_DOMAIN)
            except tiintel.TiIntelError as exc:
                result = exc
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 160
    assert all(isinstance(o, tiintel.DomainReport | tiintel.APIConnectionError) for o in outcomes)
    assert any(isinstance(o, tiintel.APIConnectionError) for o in outcomes)
    _ = httpx


@pytest.mark.parametrize("order", ["forward", "backward", "shuffled"])
def test_released_slots_roll_back_in_any_order(order: str) -> None:
    from tiintel._core.quota import QuotaState

    state = QuotaState((RateLimit(1, 10.0),), margin=0.0)
    used = state.reserve(100.0, 0.0)
    waiting = [state.reserve(100.0, 0.0) for _ in range(10)]
    assert [w.delay for w in waiting] == [10.0 * i for i in range(1, 11)]
    if order == "backward":
        waiting.reverse()
    elif order == "shuffled":
        __import__("random").Random(3).shuffle(waiting)
    for reservation in waiting:
        state.release(reservation)
    assert used.delay == 0.0
    assert state.reserve(100.0, 0.0).delay == 10.0  # right after the one slot that was used


def test_a_used_slot_in_the_middle_stops_the_roll_back() -> None:
    from tiintel._core.quota import QuotaState

    state = QuotaState((RateLimit(1, 10.0),), margin=0.0)
    first, _second, third = (state.reserve(0.0, 0.0) for _ in range(3))
    state.release(first)
    state.release(third)  # ``second`` is still booked: the next slot follows it
    assert state.reserve(0.0, 0.0).delay == 20.0
