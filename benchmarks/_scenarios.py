"""The six comparisons of the issue, plus the server's own capacity; each returns a Section."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from benchmarks._proc import ROOT, Server, _env, run_worker
from benchmarks._report import Section, Target, median, ratio_median


@dataclass(frozen=True)
class Sizes:
    """How big each scenario runs (``quick()`` for the smoke test)."""

    rounds: int = 5
    sync_n: int = 2000
    bulk_n: int = 1000
    bulk_rounds: int = 3
    concurrency: int = 50
    latencies: tuple[float, ...] = (0.02, 0.1)
    quota_n: int = 60
    quota_rounds: int = 3
    fault_n: int = 500
    feed: tuple[int, int, int] = (60, 50, 200)  # pages, pulses per page, indicators per pulse
    import_rounds: int = 9

    @classmethod
    def quick(cls) -> Sizes:
        return cls(
            rounds=1,
            sync_n=30,
            bulk_n=40,
            bulk_rounds=1,
            concurrency=8,
            latencies=(0.02,),
            quota_n=12,
            quota_rounds=1,
            fault_n=30,
            feed=(3, 5, 10),
            import_rounds=1,
        )


def _ms(x: float) -> str:
    return f"{x:.3f}"


def sync_overhead(sizes: Sizes) -> Section:
    """1. Sequential lookups: client CPU per request, tiintel vs raw httpx vs vt-py / OTXv2."""
    plan = {"vt": ("tiintel", "httpx", "vt-py"), "otx": ("tiintel", "httpx", "OTXv2")}
    cpu: dict[tuple[str, str], list[float]] = {}
    wall: dict[tuple[str, str], list[float]] = {}
    with Server() as server:
        for _ in range(sizes.rounds):
            for service, clients in plan.items():
                for client in clients:
                    r = run_worker(
                        "sync_calls", service=service, client=client, url=server.url, n=sizes.sync_n
                    )
                    cpu.setdefault((service, client), []).append(r["cpu_ms"])
                    wall.setdefault((service, client), []).append(r["wall_ms"])
    section = Section(
        f"1. Sync overhead: {sizes.sync_n} sequential lookups, client CPU per request "
        f"(median of {sizes.rounds} rounds)",
        ["call", "client", "CPU ms/req", "wall ms/req", "CPU vs raw httpx"],
    )
    calls = {"vt": "VT files.get", "otx": "OTX indicators.get general"}
    for service, clients in plan.items():
        base = cpu[(service, "httpx")]
        for client in clients:
            key = (service, client)
            section.rows.append(
                [
                    calls[service],
                    client,
                    _ms(median(cpu[key])),
                    _ms(median(wall[key])),
                    f"{ratio_median(cpu[key], base):.2f}x",
                ]
            )
    vt_t, otx_t = cpu[("vt", "tiintel")], cpu[("otx", "tiintel")]
    section.targets += [
        Target("VT: tiintel CPU / raw httpx", ratio_median(vt_t, cpu[("vt", "httpx")]), 1.3),
        Target("OTX: tiintel CPU / raw httpx", ratio_median(otx_t, cpu[("otx", "httpx")]), 1.3),
        Target("OTX: tiintel CPU / OTXv2", ratio_median(otx_t, cpu[("otx", "OTXv2")]), 1.0, True),
    ]
    vtpy = ratio_median(vt_t, cpu[("vt", "vt-py")])
    section.notes.append(f"tiintel / vt-py sync CPU: {vtpy:.2f}x (reported; the goal is < 1).")
    section.raw = {"cpu_ms": _keyed(cpu), "wall_ms": _keyed(wall)}
    return section


def _keyed(data: dict[tuple[str, str], list[float]]) -> dict[str, list[float]]:
    return {"/".join(k): v for k, v in data.items()}


BULK_CLIENTS = ("tiintel", "tiintel-aiohttp", "vt-py", "httpx", "aiohttp")
BULK_LABELS = {
    "tiintel": "tiintel async (default httpx transport)",
    "tiintel-aiohttp": 'tiintel async, transport="aiohttp"',
    "vt-py": "vt-py async",
    "httpx": "raw httpx.AsyncClient (reference)",
    "aiohttp": "raw aiohttp (reference)",
}


def async_bulk(sizes: Sizes) -> Section:
    """2. N lookups with a fixed number in flight at two server latencies."""
    n, c = sizes.bulk_n, sizes.concurrency
    section = Section(
        f"2. Async bulk: {n} VT files.get, {c} in flight (median of {sizes.bulk_rounds} rounds)",
        ["latency", "client", "wall s", "x ideal", "CPU ms/req", "wall vs vt-py"],
    )
    raw: dict[str, Any] = {}
    for latency in sizes.latencies:
        ideal = n * latency / c
        walls: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        with Server({"vt": {"latency": latency}}) as server:
            for _ in range(sizes.bulk_rounds):
                for client in BULK_CLIENTS:
                    r = run_worker("async_bulk", client=client, url=server.url, n=n, concurrency=c)
                    if r["failures"]:
                        section.notes.append(f"{client} at {latency}s: {r['failures']} failed")
                    walls.setdefault(client, []).append(r["wall_s"])
                    cpus.setdefault(client, []).append(r["cpu_ms"])
        for client in BULK_CLIENTS:
            w = median(walls[client])
            section.rows.append(
                [
                    f"{latency * 1000:g} ms",
                    BULK_LABELS[client],
                    f"{w:.2f}",
                    f"{w / ideal:.2f}x",
                    _ms(median(cpus[client])),
                    f"{ratio_median(walls[client], walls['vt-py']):.2f}x",
                ]
            )
        aio = walls["tiintel-aiohttp"]
        label = f"{latency * 1000:g} ms"
        section.targets.append(
            Target(
                f"bulk {label}: tiintel aiohttp wall / vt-py",
                ratio_median(aio, walls["vt-py"]),
                1.0,
            )
        )
        limit = 2.0 if latency < 0.05 else 1.2
        section.targets.append(
            Target(f"bulk {label}: tiintel aiohttp wall / ideal", median(aio) / ideal, limit)
        )
        raw[label] = {"ideal_s": ideal, "wall_s": walls, "cpu_ms": cpus}
    section.notes.append("ideal = N x latency / in-flight; the server runs in its own process.")
    section.raw = raw
    return section


def quota(sizes: Sizes) -> Section:
    """3. correlate() through a 10 requests/s per-key limit with matching client rate_limits."""
    n, rate = sizes.quota_n, 10
    walls: list[float] = []
    completed: list[int] = []
    throttled: list[int] = []
    for _ in range(sizes.quota_rounds):
        with Server({"vt": {"rate_limits": [[rate, 1.0]]}}) as server:
            r = run_worker("quota", url=server.url, n=n, max_requests=rate, period=1.0)
            counts = server.stats()["vt"]["status_counts"]
        walls.append(r["wall_s"])
        completed.append(r["completed"])
        throttled.append(int(counts.get("429", 0)))
    ideal = n / rate
    wall = median(walls)
    section = Section(
        f"3. Quota: {n} lookups through correlate(), server and client at {rate} req/s per key "
        f"(median of {sizes.quota_rounds} rounds)",
        ["completed", "429s received", "wall s", "ideal s (N / rate)", "x ideal"],
        rows=[
            [
                f"{min(completed)}/{n}",
                str(max(throttled)),
                f"{wall:.2f}",
                f"{ideal:.2f}",
                f"{wall / ideal:.3f}x",
            ]
        ],
    )
    section.notes.append(
        f"tiintel spaces short-window slots evenly (no burst, 5% margin), so it cannot finish before "
        f"{(n - 1) / rate * 1.05:.2f} s; a client that bursts the first {rate} could, at the risk of "
        "429s on services that count in fixed windows."
    )
    section.targets += [
        Target("quota: lookups lost", float(n - min(completed)), 0, unit=""),
        Target("quota: 429s received", float(max(throttled)), 0, unit=""),
        Target("quota: wall / ideal", wall / ideal, 1.1),
    ]
    section.raw = {"wall_s": walls, "completed": completed, "429": throttled}
    return section


def faults(sizes: Sizes) -> Section:
    """4. 20% 5xx and 5% connection resets: every lookup must come back, as data or a typed error."""
    n = sizes.fault_n
    config = {"vt": {"fail_rate": 0.2, "reset_rate": 0.05, "seed": 7}}
    section = Section(
        f"4. Faults: {n} lookups, 20% 5xx + 5% connection resets (seeded), default max_retries=3",
        ["path", "results", "with data", "typed errors", "lost", "5xx sent", "resets", "wall s"],
    )
    raw: dict[str, Any] = {}
    for mode, label in (
        ("sync", "correlate()"),
        ("async", "acorrelate()"),
        ("aiohttp", 'acorrelate(), "aiohttp"'),
    ):
        with Server(config) as server:
            r = run_worker("faults", url=server.url, n=n, mode=mode)
            stats = server.stats()["vt"]
        fails = sum(v for k, v in stats["status_counts"].items() if k.startswith("5"))
        resets = stats["faults"].get("reset", 0)
        section.rows.append(
            [
                label,
                str(r["results"]),
                str(r["data"]),
                str(r["typed_errors"]),
                str(r["lost"]),
                str(fails),
                str(resets),
                f"{r['wall_s']:.2f}",
            ]
        )
        section.targets.append(
            Target(f"faults {label}: lookups lost", float(r["lost"] + n - r["results"]), 0, unit="")
        )
        raw[mode] = {**r, "server": stats}
    section.notes.append(
        "A typed error is a lookup whose 4 attempts all failed (0.25^4 of them, about 2 in 500): "
        "it is reported on its result (errors['virustotal']), never lost."
    )
    section.raw = raw
    return section


def memory(sizes: Sizes) -> Section:
    """5. Peak RSS growth reading the whole subscribed feed: tiintel's iterator vs OTXv2 getall()."""
    pages, per_page, per_pulse = sizes.feed
    config = {"feed": {"pages": pages, "per_page": per_page, "indicators": per_pulse}}
    with Server(config) as server:
        tiintel = run_worker("memory", client="tiintel", url=server.url, page_size=per_page)
        otxv2 = run_worker("memory", client="OTXv2", url=server.url, page_size=per_page)
    section = Section(
        f"5. Streaming memory: {pages} pages x {per_page} pulses x {per_pulse} indicators "
        "(peak RSS growth over a baseline after imports)",
        ["client", "pulses", "indicators", "after page 1 MB", "peak growth MB", "vs OTXv2"],
    )
    for name, r in (("tiintel pulses.subscribed()", tiintel), ("OTXv2 getall()", otxv2)):
        section.rows.append(
            [
                name,
                str(r["pulses"]),
                str(r["indicators"]),
                f"{r['first_page_mb']:.1f}" if name.startswith("tiintel") else "-",
                f"{r['peak_growth_mb']:.1f}",
                f"{r['peak_growth_mb'] / max(otxv2['peak_growth_mb'], 0.1):.3f}x",
            ]
        )
    flat = tiintel["peak_growth_mb"] / max(tiintel["first_page_mb"], 1.0)
    section.targets += [
        Target(
            "memory: tiintel peak / OTXv2 peak",
            tiintel["peak_growth_mb"] / max(otxv2["peak_growth_mb"], 0.1),
            0.25,
        ),
        Target("memory: tiintel peak / after first page (flat)", flat, 2.0),
    ]
    section.raw = {"tiintel": tiintel, "OTXv2": otxv2}
    return section


IMPORTS = {
    "import tiintel": "import tiintel",
    "import tiintel; tiintel.VirusTotalClient (first use)": "import tiintel; tiintel.VirusTotalClient",
    "import vt (vt-py)": "import vt",
    "from OTXv2 import OTXv2": "from OTXv2 import OTXv2",
    "import httpx": "import httpx",
}


def import_time(sizes: Sizes) -> Section:
    """6. Import time in fresh interpreters (median)."""
    times: dict[str, list[float]] = {k: [] for k in IMPORTS}
    for statement in IMPORTS.values():  # a discarded warm-up writes the bytecode caches
        run_worker("imports", statement=statement)
    for _ in range(sizes.import_rounds):
        for label, statement in IMPORTS.items():
            times[label].append(run_worker("imports", statement=statement)["ms"])
    vt = median(times["import vt (vt-py)"])
    section = Section(
        f"6. Import time (median of {sizes.import_rounds} fresh interpreters)",
        ["statement", "ms", "vs import vt"],
        rows=[[label, f"{median(v):.1f}", f"{median(v) / vt:.2f}x"] for label, v in times.items()],
    )
    first_use = median(times["import tiintel; tiintel.VirusTotalClient (first use)"])
    section.targets += [
        Target("import tiintel / import vt", median(times["import tiintel"]) / vt, 1.0),
        Target("first VirusTotalClient use / import vt", first_use / vt, 1.0),
    ]
    section.notes.append(
        "`import tiintel` is lazy; the first client pulls in httpx, attrs and tenacity."
    )
    section.raw = times
    return section


def capacity(sizes: Sizes) -> Section:
    """The loopback server's own ceiling (raw aiohttp, no latency): what scenario 2 can reach."""
    n = max(sizes.bulk_n, 100)
    with Server() as server:
        r = run_worker(
            "async_bulk", client="aiohttp", url=server.url, n=n, concurrency=sizes.concurrency
        )
    rate = n / r["wall_s"]
    section = Section(
        "0. Server capacity (raw aiohttp client, no latency)",
        ["requests", "in flight", "req/s", "floor for 1,000 lookups s"],
        rows=[[str(n), str(sizes.concurrency), f"{rate:.0f}", f"{1000 / rate:.2f}"]],
    )
    section.notes.append(
        "The fake server is Python (stdlib, a thread per connection) sharing 2 cores with the client: "
        "no client can finish scenario 2 faster than this floor."
    )
    section.raw = r
    return section


def machine() -> str:
    """A line describing the interpreter and CPU count."""
    import os
    import platform

    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import httpx, aiohttp; print(httpx.__version__, aiohttp.__version__)",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        check=False,
    ).stdout.split()
    versions = f"httpx {out[0]}, aiohttp {out[1]}" if len(out) >= 2 else ""
    return (
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs; {versions}; server and each client in separate processes."
    )


SCENARIOS = {
    "capacity": capacity,
    "sync": sync_overhead,
    "bulk": async_bulk,
    "quota": quota,
    "faults": faults,
    "memory": memory,
    "import": import_time,
}
