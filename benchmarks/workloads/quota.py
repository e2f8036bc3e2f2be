"""Scenario 3: N lookups through correlate() against a server enforcing a per-key rate limit."""

from __future__ import annotations

import time
from typing import Any

from benchmarks._data import known_hashes

KEY = "bench-key"


def run(url: str, n: int, max_requests: int, period: float) -> dict[str, Any]:
    """Wall time of ``correlate`` over ``n`` distinct hashes with matching client rate limits."""
    import tiintel

    limits = [tiintel.RateLimit(max_requests, period)]
    with tiintel.VirusTotalClient(KEY, base_url=url + "/api/v3", rate_limits=limits) as vt:
        wall = time.perf_counter()
        results = tiintel.correlate(known_hashes(n), vt=vt)
        wall = time.perf_counter() - wall
    completed = sum(1 for r in results if r.vt is not None and not r.errors)
    return {"wall_s": wall, "results": len(results), "completed": completed}
