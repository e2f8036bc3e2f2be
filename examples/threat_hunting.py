"""Threat hunting: sync your subscribed OTX pulses into a local store, then hunt logs offline.

    python examples/threat_hunting.py --store pulses.db /var/log/proxy.log /var/log/dns.log.gz
    python examples/threat_hunting.py --offline

Live with OTX_API_KEY set (the sync is incremental: later runs fetch only what changed). This is
a demo: without the key (or with --offline) it syncs from tiintel's built-in fake and hunts a
small sample log, and says so. The hunt itself never touches the network.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter

from tiintel import OTXClient
from tiintel.hunt import PulseStore, hunt

SAMPLE_LOG = """\
2025-01-02T10:00:01Z GET http://phish.example/login 200 client=10.1.2.3
2025-01-02T10:00:02Z CONNECT www.google.com:443 200 client=10.1.2.4
2025-01-02T10:00:05Z dns query=cdn.c2.badcorp.example answer=185.220.101.47
2025-01-02T10:00:09Z GET http://intranet.local/ 200 client=10.1.2.5
"""


def open_otx(offline: bool) -> OTXClient:
    """A live client from the environment, or one on the fake (with a banner)."""
    if offline or not os.environ.get("OTX_API_KEY"):
        from tiintel.testing import TEST_API_KEY, FakeOTX

        print("offline demo: built-in fake and seeded pulses, not real data", file=sys.stderr)
        return OTXClient(TEST_API_KEY, transport=FakeOTX())
    return OTXClient()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs", nargs="*", help="log files (plain or gzip)")
    parser.add_argument("--store", default=":memory:", help="the SQLite pulse store")
    parser.add_argument("--offline", action="store_true", help="use the built-in fake")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        logs = args.logs
        if not logs:
            sample = os.path.join(tmp, "sample.log")
            with open(sample, "w", encoding="utf-8") as fp:
                fp.write(SAMPLE_LOG)
            logs = [sample]
        with open_otx(args.offline) as otx, PulseStore(args.store) as store:
            result = store.sync(otx)
            print(f"synced {result.pulses_seen} pulses ({result.pulses_new} new)")
            hits: Counter[str] = Counter()
            for match in hunt(logs, store):
                names = ", ".join(pulse.name or pulse.id for pulse in match.pulses)
                print(
                    f"{os.path.basename(match.source)}:{match.line_no}  {match.indicator.value}  [{names}]"
                )
                hits[match.indicator.value] += 1
        print(f"{sum(hits.values())} matches, {len(hits)} distinct indicators")
    return 0


if __name__ == "__main__":
    sys.exit(main())
