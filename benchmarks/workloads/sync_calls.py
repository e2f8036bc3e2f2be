"""Scenario 1: sequential lookups, client CPU and wall time per request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from benchmarks._data import cycle, global_ips, known_hashes

KEY = "bench-key"


def _vt_call(client: str, root: str) -> tuple[Callable[[str], Any], Callable[[], None]]:
    vt_url = root + "/api/v3"
    if client == "tiintel":
        import tiintel

        vt = tiintel.VirusTotalClient(KEY, base_url=vt_url)
        return vt.files.get, vt.close
    if client == "httpx":
        import httpx

        http = httpx.Client(headers={"x-apikey": KEY})
        return (lambda h: http.get(f"{vt_url}/files/{h}").json()), http.close
    if client == "vt-py":
        import vt as vtpy

        c = vtpy.Client(KEY, host=root)
        return (lambda h: c.get_object(f"/files/{h}")), c.close
    raise ValueError(client)


def _otx_call(client: str, root: str) -> tuple[Callable[[str], Any], Callable[[], None]]:
    otx_url = root + "/api/v1"
    if client == "tiintel":
        import tiintel

        otx = tiintel.OTXClient(KEY, base_url=otx_url)
        return (lambda ip: otx.indicators.get(ip, "general")), otx.close
    if client == "httpx":
        import httpx

        http = httpx.Client(headers={"X-OTX-API-KEY": KEY})
        return (lambda ip: http.get(f"{otx_url}/indicators/IPv4/{ip}/general").json()), http.close
    if client == "OTXv2":
        from OTXv2 import IndicatorTypes, OTXv2

        o = OTXv2(KEY, server=root)
        return (
            lambda ip: o.get_indicator_details_by_section(IndicatorTypes.IPv4, ip, "general")
        ), (lambda: None)
    raise ValueError(client)


def run(service: str, client: str, url: str, n: int, warmup: int = 50) -> dict[str, Any]:
    """``n`` sequential lookups after ``warmup`` ones; CPU ms and wall ms per request."""
    if service == "vt":
        call, close = _vt_call(client, url)
        values = cycle(known_hashes(100), n)
    else:
        call, close = _otx_call(client, url)
        values = cycle(global_ips(100), n)
    for value in values[:warmup]:
        call(value)
    cpu, wall = time.process_time(), time.perf_counter()
    for value in values:
        call(value)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    close()
    return {"cpu_ms": cpu * 1000 / n, "wall_ms": wall * 1000 / n}
