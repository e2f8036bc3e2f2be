"""Phishing investigation: is this URL bad, what serves it, and which campaigns know it?

    python examples/phishing_investigation.py "hxxp://phish[.]example/login"
    python examples/phishing_investigation.py --offline

Live with VT_API_KEY and OTX_API_KEY set. This is a demo: without both keys (or with
--offline) it runs against tiintel's built-in fakes and their seeded dataset, and says so.
"""

from __future__ import annotations

import argparse
import os
import sys

from tiintel import Indicator, NotFoundError, OTXClient, VirusTotalClient, correlate

DEMO_URL = "hxxp://phish[.]example/login"


def open_clients(offline: bool) -> tuple[VirusTotalClient, OTXClient]:
    """Live clients from the environment, or clients on the fakes (with a banner)."""
    if offline or not (os.environ.get("VT_API_KEY") and os.environ.get("OTX_API_KEY")):
        from tiintel.testing import TEST_API_KEY, FakeOTX, FakeVirusTotal

        print("offline demo: built-in fakes and seeded data, not real verdicts", file=sys.stderr)
        return (
            VirusTotalClient(TEST_API_KEY, transport=FakeVirusTotal()),
            OTXClient(TEST_API_KEY, transport=FakeOTX()),
        )
    return VirusTotalClient(rate_limits="public"), OTXClient()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEMO_URL, help="the URL (defanged is fine)")
    parser.add_argument("--offline", action="store_true", help="use the built-in fakes")
    parser.add_argument("--scan", action="store_true", help="submit the URL if VirusTotal lacks it")
    args = parser.parse_args(argv)

    url = Indicator.parse(args.url)  # refangs hxxp and [.]
    vt, otx = open_clients(args.offline)
    with vt, otx:
        try:
            report = vt.urls.get(url.value, relationships="last_serving_ip_address")
            stats = report.last_analysis_stats
            print(f"VirusTotal: {stats.malicious} malicious, {stats.suspicious} suspicious")
            print(f"  final URL: {report.last_final_url or url.value}")
            served_by = (report.relationships or {}).get("last_serving_ip_address", {})
            ip = (served_by.get("data") or {}).get("id")
            if ip:
                print(f"  served by: {ip}")
        except NotFoundError:
            print("VirusTotal does not know this URL yet")
            if args.scan:
                analysis = vt.urls.scan(url.value)
                print(f"  scanned: {analysis.stats.malicious} malicious")

        # one verdict, with the URL's host and serving IP checked in OTX too
        (result,) = correlate([args.url], vt=vt, otx=otx, pivot=True)
        print(f"\nverdict: {result.verdict.value} (score {result.score}, TLP {result.tlp or '-'})")
        for reason in result.reasons:
            print(f"  - {reason}")
        if result.otx is not None:
            for pulse in (*result.otx.pulses, *result.otx.pivot_hits):
                via = f" via {pulse.via}" if pulse.via else ""
                print(f"  pulse: {pulse.name}{via}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
