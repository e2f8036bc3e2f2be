# %% [markdown]
# # tiintel in a notebook
#
# Percent-format cells (`# %%`): open this file in Jupyter (with jupytext), VS Code or PyCharm,
# or run it as a script: `python examples/notebook.py --offline`.
#
# Live with VT_API_KEY and OTX_API_KEY set. This is a demo: without both keys (or with
# `--offline`) it runs against tiintel's built-in fakes and their seeded dataset, and says so.
# The sync clients work unchanged inside Jupyter's running event loop.

# %%
from __future__ import annotations

import os
import sys

from tiintel import OTXClient, VirusTotalClient, correlate


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


INDICATORS = [
    "44d88612fea8a8f36de82e1278abb02f",
    "hxxp://phish[.]example/login",
    "185.220.101.47",
    "8.8.8.8",
    "CVE-2021-44228",
]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    vt, otx = open_clients("--offline" in args)

    # %% One report: in Jupyter, a bare `report` renders as an HTML table
    with vt, otx:
        report = vt.files.get(INDICATORS[0])
        print(report.meaningful_name, report.last_analysis_stats.malicious, report.link)

        # %% Correlate: a CorrelationList renders as an HTML table in Jupyter
        results = correlate(INDICATORS, vt=vt, otx=otx)
    for result in results:
        print(
            f"{result.input:40} {result.verdict.value:10} {result.score:3}  {result.reasons[0] if result.reasons else ''}"
        )

    # %% A DataFrame (pip install 'tiintel[pandas]')
    try:
        from tiintel.export import to_dataframe

        frame = to_dataframe(results)
        print(frame[["input", "verdict", "score"]].to_string(index=False))
    except Exception as exc:  # pandas is optional
        print(f"(no DataFrame: {exc})")
    return 0


# %%
if __name__ == "__main__":
    sys.exit(main())
