"""The fakes share no code with what they test; VirtualClock and the pytest plugin."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import tiintel.testing
from tiintel import _clock
from tiintel.testing import VirtualClock, instant_sleep

FORBIDDEN = (
    "tiintel.models",
    "tiintel._core.response",
    "tiintel.virustotal",
    "tiintel.otx",
    "tiintel.correlate",
)
PACKAGE = Path(tiintel.testing.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_imports_what_the_fakes_test(path: Path) -> None:
    bad = {n for n in imported_modules(path) if n.startswith(FORBIDDEN)}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_plugin_and_package_import_cheaply() -> None:
    code = (
        "import sys, tiintel.testing.pytest_plugin, tiintel.testing; "
        "heavy = [m for m in ('tiintel.testing._vt_fake', 'tiintel.testing._server', 'vt', 'OTXv2') if m in sys.modules]; "
        "print(heavy)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"


def test_virtual_clock_sleeps_instantly() -> None:
    clock = VirtualClock()
    clock.sleep(30)
    clock.advance(5)
    assert clock.monotonic() == 35
    assert clock.time() == 1_735_689_600 + 35
    assert clock.sleeps == [30]
    assert isinstance(clock, _clock.Clock)


async def test_virtual_clock_async_sleep() -> None:
    clock = VirtualClock()
    await clock.asleep(12.5)
    assert clock.total_slept == 12.5


def test_instant_sleep_installs_and_restores_the_default_clock() -> None:
    original = _clock.get_default_clock()
    with instant_sleep() as clock:
        assert _clock.get_default_clock() is clock
        _clock.get_default_clock().sleep(60)
    assert clock.sleeps == [60]
    assert _clock.get_default_clock() is original


def test_plugin_fixtures(fake_vt, fake_otx, tiintel_instant_sleep, tiintel_server) -> None:  # type: ignore[no-untyped-def]
    assert tiintel_server.vt is fake_vt
    assert tiintel_server.otx is fake_otx
    assert _clock.get_default_clock() is tiintel_instant_sleep
