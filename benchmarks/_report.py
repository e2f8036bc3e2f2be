"""Medians, ratios, targets and the Markdown the runner prints."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


def median(values: Sequence[float]) -> float:
    """The median (0.0 for no values, so a skipped client never crashes the table)."""
    return statistics.median(values) if values else 0.0


def ratio_median(top: Sequence[float], bottom: Sequence[float]) -> float:
    """Median of per-round ratios (rounds paired in order: drift hits both sides alike)."""
    pairs = [a / b for a, b in zip(top, bottom, strict=False) if b]
    return median(pairs)


@dataclass
class Target:
    """One issue target: ``value <= limit`` (or ``<`` when ``strict``)."""

    name: str
    value: float
    limit: float
    strict: bool = False
    unit: str = "x"

    @property
    def passed(self) -> bool:
        return self.value < self.limit if self.strict else self.value <= self.limit

    def row(self) -> list[str]:
        op = "<" if self.strict else "<="
        return [
            self.name,
            f"{self.value:.3g}{self.unit}",
            f"{op} {self.limit:g}{self.unit}",
            "PASS" if self.passed else "FAIL",
        ]


@dataclass
class Section:
    """One scenario's output: a titled table, notes and targets."""

    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render(sections: list[Section], machine: str) -> str:
    """The whole report: each section, then every target with PASS/FAIL."""
    out = [f"# tiintel benchmarks\n\n{machine}\n"]
    targets: list[Target] = []
    for section in sections:
        out.append(f"## {section.title}\n")
        out.append(table(section.header, section.rows))
        out.extend(f"\n{note}" for note in section.notes)
        out.append("")
        targets.extend(section.targets)
    if targets:
        out.append("## Targets\n")
        out.append(table(["target", "measured", "goal", "result"], [t.row() for t in targets]))
        passed = sum(t.passed for t in targets)
        out.append(f"\n{passed}/{len(targets)} targets met.")
    return "\n".join(out) + "\n"
