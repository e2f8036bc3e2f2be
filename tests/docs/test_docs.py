"""The docs cannot rot: every ```python block and every `tiintel ... --offline` command runs.

Python blocks of one file share a namespace and run in order (a block whose info string is not
exactly ``python`` is skipped: mark examples that need a real key as ```text). Commands are the
lines of ```bash / ```console blocks that start with ``tiintel `` or ``$ tiintel `` (or follow
``&&``) and contain ``--offline``; they run in-process through ``tiintel.cli.main`` and must exit
0, or 1 when they say ``--fail-on``.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from tiintel.cli import main
from tiintel.testing import instant_sleep

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(`{3,})(.*)$")


def blocks(path: Path) -> list[tuple[str, int, str]]:
    """(info string, first line number, code) of every fenced block."""
    found: list[tuple[str, int, str]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i].strip())
        if opening is None:
            i += 1
            continue
        fence, info, start = opening.group(1), opening.group(2).strip(), i + 1
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        found.append((info, start + 1, "\n".join(body) + "\n"))
        i += 1
    return found


def commands(path: Path) -> list[tuple[int, str]]:
    """(line number, command) of every offline ``tiintel`` command in shell blocks."""
    found: list[tuple[int, str]] = []
    for info, start, code in blocks(path):
        if info not in ("bash", "console", "shell", "sh"):
            continue
        for offset, line in enumerate(code.splitlines()):
            for part in line.split("&&"):
                text = part.strip().removeprefix("$ ").strip()
                if text.startswith("tiintel ") and "--offline" in text:
                    found.append((start + offset, text))
    return found


def ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in paths]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # blocks and commands may write files (pulses.db, triage.csv)


@pytest.mark.parametrize("path", DOCS, ids=ids(DOCS))
def test_python_blocks_run(path: Path) -> None:
    namespace: dict[str, Any] = {"__name__": f"docs_{path.stem}"}
    for info, line, code in blocks(path):
        if info != "python":
            continue
        with instant_sleep():
            try:
                exec(compile(code, f"{path.name}:{line}", "exec"), namespace)
            except Exception as exc:
                pytest.fail(f"{path.name}:{line}: {type(exc).__name__}: {exc}")


CASES = [(path, line, cmd) for path in DOCS for line, cmd in commands(path)]


@pytest.mark.parametrize(
    ("path", "line", "command"), CASES, ids=[f"{p.name}:{n}" for p, n, _ in CASES]
)
def test_offline_commands_run(
    path: Path, line: int, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = shlex.split(command)[1:]
    with instant_sleep():
        code = main(argv)
    allowed = {0, 1} if "--fail-on" in command else {0}
    out, err = capsys.readouterr()
    assert code in allowed, f"{path.name}:{line}: `{command}` exited {code}\n{err}"
    assert out, f"{path.name}:{line}: `{command}` printed nothing"


def test_the_docs_have_runnable_content() -> None:
    assert sum(1 for p in DOCS for info, _, _ in blocks(p) if info == "python") >= 15
    assert len(CASES) >= 8
    readme = commands(ROOT / "README.md")
    assert any(cmd.startswith("tiintel correlate --offline") for _, cmd in readme)


def test_readme_quickstart_is_exactly_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    shell = [code for info, _, code in blocks_of(section) if info in ("bash", "console")]
    lines = [line for code in shell for line in code.splitlines() if line.strip()]
    assert len(lines) == 2
    assert lines[0].startswith("pip install -e . && tiintel correlate --offline-if-no-keys ")
    assert lines[1] == "pip install -e '.[test]' && pytest"


def blocks_of(text: str) -> list[tuple[str, int, str]]:
    tmp = Path("section.md")
    tmp.write_text(text, encoding="utf-8")
    return blocks(tmp)
