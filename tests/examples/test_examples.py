"""Every example runs offline on the fakes, through its main(["--offline", ...])."""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from types import ModuleType

import pytest

from tiintel.testing import instant_sleep

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_is_covered() -> None:
    names = {path.stem for path in EXAMPLES.glob("*.py")}
    assert names == {
        "bulk_async",
        "malware_triage",
        "notebook",
        "phishing_investigation",
        "soar_enrichment",
        "threat_hunting",
    }


@pytest.mark.parametrize(
    ("name", "argv", "expected"),
    [
        ("phishing_investigation", ["--offline"], "verdict: malicious"),
        ("malware_triage", ["--offline"], "BadCorp"),
        ("threat_hunting", ["--offline"], "185.220.101.47"),
        ("bulk_async", ["--offline", "--count", "50"], "50 indicators"),
        ("notebook", ["--offline"], "CVE-2021-44228"),
    ],
)
def test_example_runs_offline(
    name: str, argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with instant_sleep():
        assert load(name).main(argv) == 0
    out, err = capsys.readouterr()
    assert expected in out
    assert "offline demo" in err


def test_malware_triage_never_uploads_without_asking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = tmp_path / "unknown.bin"
    sample.write_bytes(b"s0")  # sha256 starts with 8-f: unknown to the fake
    assert load("malware_triage").main(["--offline", str(sample)]) == 0
    assert "nothing was uploaded" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("request_body", "argv", "code"),
    [
        ({"indicators": ["hxxp://phish[.]example/login", "8.8.8.8"]}, ["--offline"], 1),
        ({"indicators": ["8.8.8.8"]}, ["--offline"], 0),
        ({"indicators": ["not an indicator"]}, ["--offline"], 2),
        ({"nope": 1}, ["--offline"], 2),
        ({"indicators": ["8.8.8.8"]}, [], 3),  # no keys and no --offline: never demo data
    ],
)
def test_soar_enrichment(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request_body: dict[str, object],
    argv: list[str],
    code: int,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(request_body)))
    assert load("soar_enrichment").main(argv) == code
    answer = json.loads(capsys.readouterr().out)
    if code in (0, 1):
        assert answer["verdict"] in ("malicious", "harmless")
        assert len(answer["results"]) == len(request_body["indicators"])  # type: ignore[arg-type]
    else:
        assert "error" in answer
