"""SOAR enrichment step: JSON in, JSON out, and an exit code a playbook can branch on.

    echo '{"indicators": ["hxxp://phish[.]example/login", "8.8.8.8"]}' | python examples/soar_enrichment.py
    python examples/soar_enrichment.py --input alert.json --fail-on suspicious

Input: a JSON object with "indicators" (a list of strings; defanged is fine). Output on stdout:
{"verdict": worst verdict, "results": [Correlation.to_dict(), ...], "failed": [...]}.
Exit codes: 0 done, 1 a result reached --fail-on (default malicious), 2 bad input,
3 missing keys, 4 some lookups failed (the output is still complete).

Unlike the other examples, this one NEVER falls back to demo data: a playbook whose secret is
missing must fail (exit 3), not get made-up verdicts. Pass --offline explicitly for a demo.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from tiintel import InvalidIndicatorError, OTXClient, Verdict, VirusTotalClient, correlate

SEVERITY = {"unknown": 0, "harmless": 1, "suspicious": 2, "malicious": 3}


def open_clients(offline: bool) -> tuple[VirusTotalClient, OTXClient] | None:
    """Live clients from the environment, clients on the fakes with --offline, else None."""
    if offline:
        from tiintel.testing import TEST_API_KEY, FakeOTX, FakeVirusTotal

        print("offline demo: built-in fakes and seeded data, not real verdicts", file=sys.stderr)
        return (
            VirusTotalClient(TEST_API_KEY, transport=FakeVirusTotal()),
            OTXClient(TEST_API_KEY, transport=FakeOTX()),
        )
    if not (os.environ.get("VT_API_KEY") and os.environ.get("OTX_API_KEY")):
        return None
    return VirusTotalClient(rate_limits="public"), OTXClient()


def read_request(path: str | None) -> list[str]:
    text = sys.stdin.read() if path in (None, "-") else open(path, encoding="utf-8").read()  # noqa: SIM115
    payload: Any = json.loads(text)
    indicators = payload.get("indicators") if isinstance(payload, dict) else None
    if not isinstance(indicators, list) or not all(isinstance(i, str) for i in indicators):
        raise ValueError('expected {"indicators": ["...", ...]}')
    return indicators


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", help="a JSON file (default: stdin)")
    parser.add_argument("--fail-on", choices=("malicious", "suspicious"), default="malicious")
    parser.add_argument("--offline", action="store_true", help="demo on the built-in fakes")
    args = parser.parse_args(argv)

    try:
        indicators = read_request(args.input)
    except (OSError, ValueError) as exc:
        print(json.dumps({"error": f"bad input: {exc}"}))
        return 2
    clients = open_clients(args.offline)
    if clients is None:
        print(
            json.dumps({"error": "set VT_API_KEY and OTX_API_KEY (or pass --offline for a demo)"})
        )
        return 3
    vt, otx = clients
    with vt, otx:
        try:
            results = correlate(indicators, vt=vt, otx=otx)
        except InvalidIndicatorError as exc:
            print(json.dumps({"error": f"bad indicator: {exc}"}))
            return 2
    worst = max(
        (r.verdict for r in results), key=lambda v: SEVERITY[v.value], default=Verdict.UNKNOWN
    )
    failed = [r.input for r in results if r.errors]
    print(
        json.dumps(
            {"verdict": worst.value, "results": results.to_dicts(), "failed": failed}, indent=2
        )
    )
    if SEVERITY[worst.value] >= SEVERITY[args.fail_on]:
        return 1
    return 4 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
