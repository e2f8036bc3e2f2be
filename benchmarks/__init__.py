"""tiintel benchmarks: tiintel against raw httpx, vt-py and OTXv2 on the fakes' loopback server.

Run ``python -m benchmarks`` from the repository root (``--quick`` for a smoke run); see
docs/performance.md.
"""
