"""Fault soak: thousands of lookups through ``acorrelate``/``correlate`` against seeded, misbehaving fakes.

Random 5xx, 429 bursts (the fakes' quota windows, on one virtual clock per provider), connection resets,
timeouts and garbage bodies. Every result must be present, in input order, and for each provider
carry either data or a typed error; nothing may escape, no task or connection may be left behind.
Back-off and quota waits run on a ``VirtualClock``: nothing sleeps for real.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from typing import Any

import pytest

import tiintel
from tiintel import (
    AsyncOTXClient,
    AsyncVirusTotalClient,
    OTXClient,
    VirusTotalClient,
    acorrelate,
    correlate,
)
from tiintel.testing import FakeOTX, FakeVirusTotal, VirtualClock, serve

KEY = "k3y-SOAK-0123456789abcdef"
FAULTS = {"fail_rate": 0.08, "reset_rate": 0.04, "timeout_rate": 0.04, "garbage_rate": 0.03}


def inputs(count: int) -> list[str]:
    """Distinct indicators of every kind the fakes answer (global addresses only)."""
    out: list[str] = []
    for i in range(count):
        kind = i % 5
        if kind == 0:
            out.append(f"host{i}.example.com")
        elif kind == 1:
            out.append(f"45.{(i // 250) % 250}.{i % 250}.{1 + i % 200}")
        elif kind == 2:
            out.append(hashlib.sha256(str(i).encode()).hexdigest())
        elif kind == 3:
            out.append(f"http://site{i}.example.net/path?q={i}")
        else:
            out.append(hashlib.md5(str(i).encode()).hexdigest())
    return out


def drained(server: Any, within: float = 3.0) -> int:
    """Open connections once the server threads saw the closes."""
    deadline = time.monotonic() + within
    while server.open_connections and time.monotonic() < deadline:
        time.sleep(0.01)
    return int(server.open_connections)


def fakes(seed: int, clocks: tuple[VirtualClock, VirtualClock]) -> tuple[FakeVirusTotal, FakeOTX]:
    """Each provider has its own virtual clock (shared with its client): concurrent waits add up."""
    vt = FakeVirusTotal(seed=seed, rate_limits=[(20, 60.0)], clock=clocks[0], **FAULTS)
    otx = FakeOTX(seed=seed + 1, rate_limits=[(20, 60.0)], clock=clocks[1], **FAULTS)
    return vt, otx


def check(results: Any, values: list[str]) -> dict[str, int]:
    assert [r.input for r in results] == values
    tally = {"data": 0, "errors": 0}
    for result in results:
        assert result.indicator is not None
        for provider, data in (("virustotal", result.vt), ("otx", result.otx)):
            error = result.errors.get(provider)
            assert (data is None) != (error is None), (result, provider)
            if error is not None:
                assert isinstance(error, tiintel.TiIntelError)
                assert type(error) is not tiintel.TiIntelError
                tally["errors"] += 1
            else:
                tally["data"] += 1
    return tally


async def run_async(count: int, seed: int) -> dict[str, int]:
    clocks = (VirtualClock(), VirtualClock())
    fake_vt, fake_otx = fakes(seed, clocks)
    values = inputs(count)
    before = asyncio.all_tasks()
    async with (
        AsyncVirusTotalClient(KEY, transport=fake_vt, clock=clocks[0], max_retries=2) as vt,
        AsyncOTXClient(KEY, transport=fake_otx, clock=clocks[1], max_retries=2) as otx,
    ):
        results = await acorrelate(values, vt=vt, otx=otx, concurrency=16)
    assert asyncio.all_tasks() == before  # no task left behind
    tally = check(results, values)
    # every kind of fault really happened
    for fake in (fake_vt, fake_otx):
        kinds = {r.fault for r in fake.requests}
        assert {"fail", "reset", "timeout", "garbage"} <= kinds
        assert fake.status_counts[429] > 0
    return tally


async def test_fault_soak_1000_lookups_async() -> None:
    started = time.monotonic()
    tally = await run_async(1000, seed=1234)
    assert tally["data"] > tally["errors"] > 0
    assert time.monotonic() - started < 15


@pytest.mark.soak
async def test_fault_soak_10000_lookups_async() -> None:
    tally = await run_async(10_000, seed=99)
    assert tally["data"] > tally["errors"] > 0


async def test_same_seed_same_outcome() -> None:
    # the fakes are seeded; the clients' back-off jitter draws from the global random module
    random.seed(5)
    first = await run_async(200, seed=5)
    random.seed(5)
    assert await run_async(200, seed=5) == first


def test_fault_soak_sync_correlate() -> None:
    clocks = (VirtualClock(), VirtualClock())
    fake_vt, fake_otx = fakes(77, clocks)
    values = inputs(300)
    with (
        VirusTotalClient(KEY, transport=fake_vt, clock=clocks[0], max_retries=2) as vt,
        OTXClient(KEY, transport=fake_otx, clock=clocks[1], max_retries=2) as otx,
    ):
        results = correlate(values, vt=vt, otx=otx, concurrency=8)
    tally = check(results, values)
    assert tally["data"] > tally["errors"] > 0


async def test_fault_soak_over_real_sockets_leaves_no_connection() -> None:
    clocks = (VirtualClock(), VirtualClock())
    fake_vt, fake_otx = fakes(4321, clocks)
    values = inputs(200)
    with serve(fake_vt, fake_otx) as server:
        async with (
            AsyncVirusTotalClient(
                KEY, base_url=server.vt_url, clock=clocks[0], max_retries=2, timeout=5.0
            ) as vt,
            AsyncOTXClient(
                KEY, base_url=server.otx_url, clock=clocks[1], max_retries=2, timeout=5.0
            ) as otx,
        ):
            results = await acorrelate(values, vt=vt, otx=otx, concurrency=8)
            assert server.open_connections >= 1
        check(results, values)
        assert drained(server) == 0


async def test_cancelled_batch_leaves_no_task_or_connection() -> None:
    clock = VirtualClock()
    fake_vt, fake_otx = FakeVirusTotal(latency=0.05), FakeOTX(latency=0.05)
    with serve(fake_vt, fake_otx) as server:
        vt = AsyncVirusTotalClient(KEY, base_url=server.vt_url, clock=clock)
        otx = AsyncOTXClient(KEY, base_url=server.otx_url, clock=clock)
        before = asyncio.all_tasks()
        batch = asyncio.create_task(acorrelate(inputs(100), vt=vt, otx=otx, concurrency=8))
        await asyncio.sleep(0.2)
        batch.cancel()
        with pytest.raises(asyncio.CancelledError):
            await batch
        await asyncio.sleep(0)
        assert asyncio.all_tasks() == before
        await vt.aclose()
        await otx.aclose()
        assert drained(server) == 0
