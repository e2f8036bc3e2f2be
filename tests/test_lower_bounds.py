"""constraints/minimum.txt pins exactly the lower bounds that pyproject.toml declares."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = {"httpx", "attrs", "tenacity", "typing-extensions"}


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def _declared_lower_bounds() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bounds = {}
    for spec in project["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9.]*)", spec.strip())
        assert match, f"runtime dependency without a plain '>=' lower bound: {spec!r}"
        bounds[_name(match[1])] = match[2]
    return bounds


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints" / "minimum.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_name(name)] = version.strip()
    return pins


def _release(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in version.split(".")]
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts)


def test_runtime_dependencies_are_the_documented_four() -> None:
    assert set(_declared_lower_bounds()) == RUNTIME


def test_minimum_constraints_pin_each_declared_lower_bound() -> None:
    declared = _declared_lower_bounds()
    pins = _pins()
    assert {name: _release(pins[name]) for name in declared if name in pins} == {
        name: _release(version) for name, version in declared.items()
    }
