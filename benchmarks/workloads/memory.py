"""Scenario 5: peak RSS growth while reading the whole subscribed-pulse feed."""

from __future__ import annotations

import gc
import resource
from typing import Any

KEY = "bench-key"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(client: str, url: str, page_size: int) -> dict[str, Any]:
    """Peak RSS growth (MB) over a baseline taken after imports and client construction.

    ``first_page_mb`` is the growth after the first page: a streaming reader stays near it.
    """
    pulses = indicators = 0
    first_page = 0.0
    if client == "tiintel":
        import tiintel

        otx = tiintel.OTXClient(KEY, base_url=url + "/api/v1")
        gc.collect()
        baseline = _peak_mb()
        for pulse in otx.pulses.subscribed(page_size=page_size):
            pulses += 1
            indicators += len(pulse.indicators or ())
            if pulses == page_size:
                first_page = _peak_mb() - baseline
        otx.close()
    else:
        from OTXv2 import OTXv2

        o = OTXv2(KEY, server=url)
        gc.collect()
        baseline = _peak_mb()
        every = o.getall(limit=page_size)
        pulses = len(every)
        indicators = sum(len(p.get("indicators", ())) for p in every)
    return {
        "peak_growth_mb": _peak_mb() - baseline,
        "first_page_mb": first_page,
        "pulses": pulses,
        "indicators": indicators,
    }
