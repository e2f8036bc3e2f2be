"""Bulk enrichment with the async clients: many indicators, bounded concurrency, one verdict each.

    python examples/bulk_async.py -f iocs.txt
    python examples/bulk_async.py --offline --count 500

Live with VT_API_KEY and OTX_API_KEY set (on the public VirusTotal tier a batch simply takes its
time: 4 lookups a minute). This is a demo: without both keys (or with --offline) it runs against
tiintel's built-in fakes with generated indicators, and says so.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import Counter

from tiintel import AsyncOTXClient, AsyncVirusTotalClient, acorrelate


def open_clients(offline: bool) -> tuple[AsyncVirusTotalClient, AsyncOTXClient]:
    """Live clients from the environment, or clients on the fakes (with a banner)."""
    if offline or not (os.environ.get("VT_API_KEY") and os.environ.get("OTX_API_KEY")):
        from tiintel.testing import TEST_API_KEY, FakeOTX, FakeVirusTotal

        print("offline demo: built-in fakes and generated data, not real verdicts", file=sys.stderr)
        return (
            AsyncVirusTotalClient(TEST_API_KEY, transport=FakeVirusTotal()),
            AsyncOTXClient(TEST_API_KEY, transport=FakeOTX()),
        )
    return AsyncVirusTotalClient(rate_limits="public"), AsyncOTXClient()


def demo_indicators(count: int) -> list[str]:
    """Distinct global IPv4 addresses (the fakes answer any valid indicator deterministically)."""
    return [f"45.{n // 256 % 256}.{n % 256}.{n % 200 + 1}" for n in range(count)]


async def enrich(indicators: list[str], offline: bool, concurrency: int) -> Counter[str]:
    vt, otx = open_clients(offline)
    async with vt, otx:
        results = await acorrelate(
            indicators, vt=vt, otx=otx, concurrency=concurrency, errors="collect"
        )
    for result in results:
        if result.errors:
            print(f"{result.input}: failed ({', '.join(result.errors)})", file=sys.stderr)
    return Counter(result.verdict.value for result in results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--file", help="one indicator a line")
    parser.add_argument("--count", type=int, default=200, help="offline: how many to generate")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--offline", action="store_true", help="use the built-in fakes")
    args = parser.parse_args(argv)

    if args.file:
        with open(args.file, encoding="utf-8") as fp:
            indicators = [line.strip() for line in fp if line.strip() and not line.startswith("#")]
    else:
        indicators = demo_indicators(args.count)
    started = time.perf_counter()
    verdicts = asyncio.run(enrich(indicators, args.offline, args.concurrency))
    elapsed = time.perf_counter() - started
    print(
        f"{len(indicators)} indicators in {elapsed:.2f}s: "
        + ", ".join(f"{v} {n}" for v, n in verdicts.most_common())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
