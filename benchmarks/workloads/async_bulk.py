"""Scenario 2: N concurrent lookups (a fixed number in flight) against a server with latency."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from benchmarks._data import cycle, known_hashes

KEY = "bench-key"
Call = Callable[[str], Awaitable[Any]]


async def _client(client: str, root: str, concurrency: int) -> tuple[Call, Callable[[], Any]]:
    vt_url = root + "/api/v3"
    if client in ("tiintel", "tiintel-aiohttp"):
        import tiintel

        transport: Literal["aiohttp"] | None = "aiohttp" if client == "tiintel-aiohttp" else None
        vt = tiintel.AsyncVirusTotalClient(KEY, base_url=vt_url, transport=transport)
        return vt.files.get, vt.aclose
    if client == "vt-py":
        import vt as vtpy

        c = vtpy.Client(KEY, host=root)
        return (lambda h: c.get_object_async(f"/files/{h}")), c.close_async
    if client == "httpx":
        import httpx

        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        http = httpx.AsyncClient(headers={"x-apikey": KEY}, limits=limits)

        async def get_httpx(h: str) -> Any:
            return (await http.get(f"{vt_url}/files/{h}")).json()

        return get_httpx, http.aclose
    if client == "aiohttp":
        import aiohttp

        session = aiohttp.ClientSession(headers={"x-apikey": KEY})

        async def get_aiohttp(h: str) -> Any:
            async with session.get(f"{vt_url}/files/{h}") as response:
                return await response.json()

        return get_aiohttp, session.close
    raise ValueError(client)


async def _drive(call: Call, values: list[str], concurrency: int) -> int:
    """``concurrency`` workers pulling from one list: exactly that many requests in flight."""
    todo = iter(values)
    failures = 0

    async def worker() -> None:
        nonlocal failures
        for value in todo:
            try:
                await call(value)
            except Exception:
                failures += 1

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    return failures


async def _main(client: str, url: str, n: int, concurrency: int) -> dict[str, Any]:
    call, close = await _client(client, url, concurrency)
    hashes = known_hashes(200)
    await _drive(call, cycle(hashes, concurrency * 2), concurrency)  # open the connections
    values = cycle(hashes, n)
    cpu, wall = time.process_time(), time.perf_counter()
    failures = await _drive(call, values, concurrency)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await close()
    return {"wall_s": wall, "cpu_ms": cpu * 1000 / n, "failures": failures}


def run(client: str, url: str, n: int, concurrency: int) -> dict[str, Any]:
    """Wall time for ``n`` lookups with ``concurrency`` in flight, and client CPU per request."""
    return asyncio.run(_main(client, url, n, concurrency))
