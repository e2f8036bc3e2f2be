"""The fakes' loopback server in its own process, so its CPU never counts against a client.

``python -m benchmarks._server '<json config>'`` prints the server root URL on one line, then
answers commands on stdin, one per line: ``stats`` (a JSON line with status counts and faults),
``reset`` (forget the request logs); end of input stops the server.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from tiintel.testing import FakeOTX, FakeVirusTotal, OTXDataset, serve


def feed_dataset(pages: int, per_page: int, indicators: int) -> OTXDataset:
    """``pages * per_page`` subscribed pulses of ``indicators`` indicators each (types given: fast)."""
    data = OTXDataset(seed=False)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for p in range(pages * per_page):
        items = [
            {
                "indicator": f"bench{p}-{i}.example.com",
                "type": "hostname",
                "id": 4_000_000_000 + p * indicators + i,
            }
            for i in range(indicators)
        ]
        when = start + timedelta(minutes=p)
        data.add_pulse(
            f"bench pulse {p}",
            items,
            tags=["bench", "feed"],
            malware_families=["BenchLoader"],
            attack_ids=["T1059"],
            created=when,
            modified=when,
        )
    return data


def build(config: dict[str, Any]) -> tuple[FakeVirusTotal, FakeOTX]:
    """The two fakes a scenario asks for."""
    vt = FakeVirusTotal(**config.get("vt", {}))
    otx_kwargs = dict(config.get("otx", {}))
    feed = config.get("feed")
    if feed:
        otx_kwargs["dataset"] = feed_dataset(feed["pages"], feed["per_page"], feed["indicators"])
    return vt, FakeOTX(**otx_kwargs)


def _stats(vt: FakeVirusTotal, otx: FakeOTX) -> dict[str, Any]:
    def one(fake: FakeVirusTotal | FakeOTX) -> dict[str, Any]:
        faults: dict[str, int] = {}
        for r in list(fake.requests):
            if r.fault:
                faults[r.fault] = faults.get(r.fault, 0) + 1
        return {
            "requests": len(fake.requests),
            "status_counts": {str(k): v for k, v in fake.status_counts.items()},
            "faults": faults,
        }

    return {"vt": one(vt), "otx": one(otx)}


def main() -> None:
    """Serve until stdin closes."""
    config = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    vt, otx = build(config)
    with serve(vt, otx) as server:
        print(server.url, flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                print(json.dumps(_stats(vt, otx)), flush=True)
            elif command == "reset":
                vt.reset_log()
                otx.reset_log()
                print("{}", flush=True)


if __name__ == "__main__":
    main()
