"""Run the benchmarks and print one Markdown report: ``python -m benchmarks [--quick] [--only ...]``.

Every scenario starts the fakes' loopback server in its own process and runs each client in a fresh
interpreter, so imports, caches and server CPU never leak into a client's figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from benchmarks._proc import SRC_ENV
from benchmarks._report import Section, render
from benchmarks._scenarios import SCENARIOS, Sizes, machine

RESULTS = Path(__file__).resolve().parent / "results"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round (smoke run)")
    parser.add_argument(
        "--only",
        default=",".join(SCENARIOS),
        help=f"comma-separated scenarios to run (default: all of {','.join(SCENARIOS)})",
    )
    parser.add_argument("--rounds", type=int, help="rounds for the sync scenario (default 5)")
    parser.add_argument(
        "--src", help="benchmark the tiintel package under this src/ directory (before/after runs)"
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const=str(RESULTS / "latest.json"),
        help="also write raw figures as JSON (default path: benchmarks/results/latest.json)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios; exit status 1 when a target is missed (0 for --quick)."""
    args = parse(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.src:
        os.environ[SRC_ENV] = str(Path(args.src).resolve())
    sizes = Sizes.quick() if args.quick else Sizes()
    if args.rounds:
        sizes = Sizes(**{**sizes.__dict__, "rounds": args.rounds})
    sections: list[Section] = []
    for name in names:
        started = time.perf_counter()
        sections.append(SCENARIOS[name](sizes))
        print(f"[{name} done in {time.perf_counter() - started:.0f}s]", file=sys.stderr)
    print(render(sections, machine()))
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = {
            s.title: {"raw": s.raw, "targets": [t.__dict__ for t in s.targets]} for s in sections
        }
        path.write_text(json.dumps(raw, indent=2))
    missed = any(not t.passed for s in sections for t in s.targets)
    return 1 if missed and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
