"""``tiintel quota``: VirusTotal quota usage (a free call)."""

from __future__ import annotations

import json

from ._codes import EXIT_OK
from ._output import render_table
from ._runtime import Runtime

__all__ = ["run_quota"]


def run_quota(runtime: Runtime) -> int:
    """Print each quota's use and allowance."""
    quotas = runtime.vt().quotas()
    rows = []
    data = {}
    for name, usage in quotas.items():
        allowed = "-" if usage.allowed is None else str(usage.allowed)
        remaining = "-" if usage.remaining is None else str(usage.remaining)
        rows.append((name, str(usage.used), allowed, remaining, "yes" if usage.exhausted else ""))
        data[name] = {
            "used": usage.used,
            "allowed": usage.allowed,
            "remaining": usage.remaining,
            "exhausted": usage.exhausted,
        }
    if runtime.args.json:
        runtime.write(json.dumps(data, indent=2, ensure_ascii=True) + "\n")
    else:
        headers = ("quota", "used", "allowed", "remaining", "exhausted")
        runtime.write(render_table(headers, rows, style=runtime.style))
    return EXIT_OK
