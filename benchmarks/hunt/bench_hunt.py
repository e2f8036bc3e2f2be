"""Benchmark: tiintel.hunt against ``grep -F -w -f`` on the same generated access log.

    python benchmarks/hunt/bench_hunt.py --size-mb 200 --iocs 100000

Generates an Apache access log of at least --size-mb MiB and --iocs IoCs into a temporary
directory (or --dir), then, in the same run, times GNU grep (C locale, counting matching lines)
and tiintel's hunter (in a child process, so its peak RSS is its own), and prints MB/s, the
ratio, the matched line counts and peak memory.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_data  # noqa: E402


def _child(log: str, iocs: str) -> None:
    from tiintel.hunt import hunt
    from tiintel.hunt._index import build_index

    values = Path(iocs).read_text().split()
    started = time.perf_counter()
    build_index(values, match_subdomains=True, include_expired=False)
    built = time.perf_counter() - started
    started = time.perf_counter()
    matches, lines = 0, set()
    for match in hunt([log], values):
        matches += 1
        lines.add(match.line_no)
    total = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "index_s": built,
                "total_s": total,
                "matches": matches,
                "lines": len(lines),
                "peak_mib": peak_kib / 1024,
            }
        )
    )


def _grep(log: Path, iocs: Path) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(
        ["grep", "-c", "-F", "-w", "-f", str(iocs), str(log)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C"},
        check=False,
    )
    return time.perf_counter() - started, int(done.stdout.strip() or 0)


def _tiintel(log: Path, iocs: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(log), str(iocs)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--iocs", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None, help="keep the data here")
    parser.add_argument("--gzip", action="store_true", help="also hunt a gzip copy")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="tiintel-hunt-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        log, iocs = workdir / "access.log", workdir / "iocs.txt"
        started = time.perf_counter()
        values = gen_data.make_iocs(args.iocs)
        iocs.write_text("\n".join(values) + "\n")
        lines = gen_data.make_log(log, args.size_mb, values)
        size_mb = log.stat().st_size / 1e6
        print(
            f"data: {size_mb:.1f} MB, {lines:,} lines, {len(values):,} IoCs "
            f"(generated in {time.perf_counter() - started:.1f} s)"
        )
        _grep(log, iocs)  # warm the page cache for both contenders
        grep_s, grep_lines = _grep(log, iocs)
        grep_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        ours = _tiintel(log, iocs)
        scan_s = ours["total_s"] - ours["index_s"]
        print(f"{'tool':28} {'seconds':>8} {'MB/s':>8} {'lines':>8} {'peak RSS':>10}")
        print(
            f"{'grep -F -w -f (LC_ALL=C)':28} {grep_s:8.2f} {size_mb / grep_s:8.1f} "
            f"{grep_lines:8d} {grep_peak:8.0f} MiB"
        )
        print(
            f"{'tiintel hunt (total)':28} {ours['total_s']:8.2f} "
            f"{size_mb / ours['total_s']:8.1f} {ours['lines']:8d} {ours['peak_mib']:8.0f} MiB"
        )
        print(f"{'  of which index build':28} {ours['index_s']:8.2f}")
        print(f"{'  scan only':28} {scan_s:8.2f} {size_mb / scan_s:8.1f}")
        print(
            f"ratio tiintel/grep (MB/s, total): {grep_s / ours['total_s']:.2f}x; "
            f"matches: {int(ours['matches'])}"
        )
        if args.gzip:
            gz = workdir / "access.log.gz"
            with log.open("rb") as src, gzip.open(gz, "wb", compresslevel=6) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            gz_ours = _tiintel(gz, iocs)
            print(
                f"{'tiintel hunt, .gz (total)':28} {gz_ours['total_s']:8.2f} "
                f"{size_mb / gz_ours['total_s']:8.1f} {gz_ours['lines']:8d} "
                f"{gz_ours['peak_mib']:8.0f} MiB  (MB/s of uncompressed data)"
            )
    finally:
        if args.dir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
