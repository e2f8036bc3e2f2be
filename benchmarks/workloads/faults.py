"""Scenario 4: N lookups through correlate()/acorrelate() while the server fails and drops."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Literal

from benchmarks._data import known_hashes

KEY = "bench-key"


def _count(results: Any, n: int) -> dict[str, Any]:
    data = sum(1 for r in results if r.vt is not None)
    errors = sum(1 for r in results if r.vt is None and "virustotal" in r.errors)
    return {
        "results": len(results),
        "data": data,
        "typed_errors": errors,
        "lost": n - data - errors,
    }


async def _async(url: str, values: list[str], transport: Literal["aiohttp"] | None) -> Any:
    import tiintel

    vt_url = url + "/api/v3"
    async with tiintel.AsyncVirusTotalClient(KEY, base_url=vt_url, transport=transport) as vt:
        return await tiintel.acorrelate(values, vt=vt, concurrency=16)


def run(url: str, n: int, mode: str) -> dict[str, Any]:
    """``mode``: "sync" (correlate) or "async" (acorrelate, default transport)."""
    import tiintel

    values = known_hashes(n)
    wall = time.perf_counter()
    if mode == "sync":
        with tiintel.VirusTotalClient(KEY, base_url=url + "/api/v3") as vt:
            results = tiintel.correlate(values, vt=vt, concurrency=16)
    else:
        results = asyncio.run(_async(url, values, "aiohttp" if mode == "aiohttp" else None))
    out = _count(results, n)
    out["wall_s"] = time.perf_counter() - wall
    return out
