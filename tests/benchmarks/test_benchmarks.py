"""The benchmark harness: its pure helpers, and a tiny end-to-end run of ``python -m benchmarks``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(ROOT))
    import benchmarks._data
    import benchmarks._report

    return benchmarks


@pytest.mark.parametrize(
    ("top", "bottom", "expected"),
    [
        ([2.0, 3.0, 4.0], [1.0, 1.0, 1.0], 3.0),  # median of per-round ratios
        ([1.0], [2.0], 0.5),
        ([1.0, 1.0], [0.0, 2.0], 0.5),  # a zero round is skipped, not a crash
        ([], [], 0.0),
    ],
)
def test_ratio_median(bench: Any, top: list[float], bottom: list[float], expected: float) -> None:
    assert bench._report.ratio_median(top, bottom) == expected


@pytest.mark.parametrize(
    ("value", "limit", "strict", "passed"),
    [
        (1.3, 1.3, False, True),
        (1.31, 1.3, False, False),
        (1.0, 1.0, True, False),
        (0.9, 1.0, True, True),
    ],
)
def test_target_pass_fail(
    bench: Any, value: float, limit: float, strict: bool, passed: bool
) -> None:
    target = bench._report.Target("t", value, limit, strict)
    assert target.passed is passed
    assert target.row()[-1] == ("PASS" if passed else "FAIL")


def test_render_has_tables_and_target_summary(bench: Any) -> None:
    section = bench._report.Section("1. x", ["a", "b"], rows=[["1", "2"]])
    section.targets.append(bench._report.Target("ratio", 1.2, 1.3))
    text = bench._report.render([section], "machine line")
    assert "| a | b |" in text
    assert "| 1 | 2 |" in text
    assert "| ratio | 1.2x | <= 1.3x | PASS |" in text
    assert "1/1 targets met." in text


def test_lookup_values_are_distinct_and_known(bench: Any) -> None:
    hashes = bench._data.known_hashes(300)
    ips = bench._data.global_ips(3000)
    assert len(set(hashes)) == 300
    assert all(h[0] in "01234567" and len(h) == 64 for h in hashes)  # the fake knows these
    assert len(set(ips)) == 3000
    import ipaddress

    assert all(ipaddress.ip_address(ip).is_global for ip in ips)


def test_quick_run_end_to_end() -> None:
    """The one command runs: server process, worker processes, table and targets."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "capacity,sync,quota"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "| VT files.get | tiintel |" in out
    assert "| OTX indicators.get general | OTXv2 |" in out
    assert "| 12/12 | 0 |" in out  # quota: every lookup completed, no 429
    assert "## Targets" in out


def test_unknown_scenario_is_refused() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "unknown scenario" in proc.stderr
