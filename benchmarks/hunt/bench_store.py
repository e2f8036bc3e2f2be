"""Benchmark: PulseStore sync throughput and offline lookup latency.

    python benchmarks/hunt/bench_store.py --pulses 2000 --per-pulse 50

Syncs generated pulses (from Pulse.from_api payloads, as the OTX client yields them) into a
temporary SQLite store, then times lookups of present and absent indicators.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from tiintel.hunt import PulseStore
from tiintel.models.otx import Pulse


class _Stream:
    def __init__(self, pulses: int, per_pulse: int) -> None:
        self.pulses, self.per_pulse = pulses, per_pulse
        self.watermark: datetime | None = None

    def __iter__(self) -> Iterator[Pulse]:
        rng = random.Random(5)
        for n in range(self.pulses):
            items = [
                {
                    "id": i,
                    "indicator": f"h{rng.getrandbits(40):x}.example",
                    "type": "domain",
                    "created": "2024-01-01T00:00:00",
                    "expiration": None,
                    "is_active": 1,
                }
                for i in range(self.per_pulse)
            ]
            pulse = Pulse.from_api(
                {
                    "id": f"{n:024x}",
                    "name": f"pulse {n}",
                    "modified": f"2024-05-01T{n % 24:02d}:00:00",
                    "tags": ["bench"],
                    "indicators": items,
                }
            )
            self.watermark = pulse.modified
            yield pulse


class _Pulses:
    def __init__(self, pulses: int, per_pulse: int) -> None:
        self.stream = _Stream(pulses, per_pulse)

    def subscribed(self, **_: Any) -> _Stream:
        return self.stream


class _OTX:
    def __init__(self, pulses: int, per_pulse: int) -> None:
        self.pulses = _Pulses(pulses, per_pulse)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pulses", type=int, default=2000)
    parser.add_argument("--per-pulse", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, PulseStore(Path(tmp) / "bench.db") as store:
        started = time.perf_counter()
        result = store.sync(_OTX(args.pulses, args.per_pulse))
        took = time.perf_counter() - started
        print(
            f"sync: {result.pulses_seen} pulses, {result.indicators_written} indicators "
            f"in {took:.2f} s ({result.indicators_written / took:,.0f} indicators/s), "
            f"journal {store.journal_mode}"
        )
        present = [i.value for _, i in zip(range(1000), store.indicators(), strict=False)]
        for label, values in (
            ("present", present),
            ("absent", [f"x{n}.example" for n in range(1000)]),
        ):
            times = []
            for value in values:
                t = time.perf_counter()
                store.lookup(value)
                times.append(time.perf_counter() - t)
            print(
                f"lookup {label}: median {statistics.median(times) * 1e6:.0f} us, "
                f"p99 {sorted(times)[int(len(times) * 0.99)] * 1e6:.0f} us"
            )


if __name__ == "__main__":
    main()
