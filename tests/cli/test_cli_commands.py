from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tiintel.cli import EXIT_OK, EXIT_USAGE, main
from tiintel.cli._output import clean, clean_text, render_table
from tiintel.testing import FakeOTX, FakeVirusTotal, seeded

from .conftest import TTY

HOSTILE = "\x1b[2J\x1b]0;owned\x07Evil\x1b[31m campaign\x9b31m\r\nFAKE ROW\u202e"


def test_python_m_tiintel_help_smoke() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tiintel", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    for word in (
        "lookup",
        "correlate",
        "scan",
        "pulses",
        "quota",
        "hunt",
        "exit codes",
        "--offline",
    ):
        assert word in done.stdout


def test_import_is_cheap() -> None:
    code = "import sys, tiintel.cli; print(sorted(m for m in ('httpx', 'tiintel.testing', 'argparse') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain", "plain"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("title\x1b]0;pwned\x07done", "titledone"),
        ("st\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "stlink"),
        ("c1\x9b2Jcsi", "c1csi"),
        ("bell\x07 nul\x00 del\x7f", "bell nul del"),
        ("two\nlines\tand\rcr", "two lines and cr"),
        ("rtl\u202eevil\u2066", "rtlevil"),
        ("naïve café ☕", "naïve café ☕"),
        (None, ""),
    ],
)
def test_clean(raw: str | None, shown: str) -> None:
    assert clean(raw) == shown


def test_clean_text_keeps_line_breaks() -> None:
    assert clean_text("a,\x1b[1mb\x1b[0m\r\nc\x00\n") == "a,b\r\nc\n"


def test_table_aligns_and_caps_columns() -> None:
    text = render_table(
        ("a", "bb", "last"), [("x" * 60, "y", "z" * 70), ("1", "22", "3")], caps={0: 10}
    )
    lines = text.splitlines()
    assert lines[0] == "a           bb  last"
    assert lines[1] == "xxxxxxxxx…  y   " + "z" * 70
    assert lines[2] == "1           22  3"


def hostile_fakes(fakes: Any) -> tuple[Any, Any]:
    otx = FakeOTX()
    pulse_id = otx.add_pulse(
        HOSTILE,
        ["evil.example", {"indicator": seeded.UNKNOWN_SHA256, "type": "FileHash-SHA256"}],
        adversary="\x1b[5mBlink",
    )
    otx.extra_pulse_id = pulse_id
    return fakes(otx=otx)


@pytest.mark.parametrize("stdout_is_tty", [False, True])
@pytest.mark.parametrize(
    "argv",
    [
        ["lookup", "--offline", "--provider", "otx", "evil[.]example"],
        ["pulses", "search", "--offline", "Evil"],
        ["pulses", "subscribed", "--offline", "--limit", "100"],
    ],
)
def test_hostile_pulse_names_are_stripped(
    monkeypatch: pytest.MonkeyPatch,
    fakes: Any,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    stdout_is_tty: bool,
) -> None:
    hostile_fakes(fakes)
    out_stream = TTY() if stdout_is_tty else None
    if out_stream is not None:
        monkeypatch.setattr("sys.stdout", out_stream)
        monkeypatch.setenv("NO_COLOR", "1")
    assert main(argv) == EXIT_OK
    out = out_stream.getvalue() if out_stream is not None else capsys.readouterr().out
    assert "Evil" in out
    for bad in ("\x1b", "\x07", "\x9b", "\r", "\u202e", "owned"):
        assert bad not in out
    assert not any(line.startswith("FAKE ROW") for line in out.splitlines())


def test_hostile_strings_in_the_verdict_table(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from tiintel.cli._cmd_correlate import table
    from tiintel.cli._runtime import Runtime
    from tiintel.models.correlation import Correlation, Verdict

    out = TTY()
    runtime = Runtime(argparse.Namespace(), env={}, stdin=TTY(), stdout=out, stderr=TTY())
    result = Correlation(
        input=HOSTILE,
        verdict=Verdict.SUSPICIOUS,
        score=40,
        reasons=(f"OTX: in 1 pulse incl. {HOSTILE!s}",),
    )
    text = table([result], runtime)
    assert "\x1b[33msuspicious" in text  # our own colour survives
    body = text.replace("\x1b[33m", "").replace("\x1b[1m", "").replace("\x1b[0m", "")
    assert "Evil" in body
    for bad in ("\x1b", "\x07", "\x9b", "\r", "\u202e", "owned"):
        assert bad not in body
    assert len(text.splitlines()) == 2


def test_hostile_pulse_in_show(fakes: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _, otx = hostile_fakes(fakes)
    assert main(["pulses", "show", "--offline", otx.extra_pulse_id]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Evil campaign" in out
    assert "\x1b" not in out
    assert "adversary   Blink" in out


def test_hostile_pulse_json_is_faithful_and_escaped(
    fakes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile_fakes(fakes)
    assert main(["lookup", "--offline", "--provider", "otx", "--json", "evil.example"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x9b" not in out
    data = json.loads(out)
    assert data["otx"]["pulse_info"]["pulses"][0]["name"] == HOSTILE


def test_lookup_pretty(fakes: Any, capsys: pytest.CaptureFixture[str]) -> None:
    fakes()
    assert main(["lookup", "--offline", seeded.EICAR_SHA256]) == EXIT_OK
    out = capsys.readouterr().out
    assert "FileReport " + seeded.EICAR_SHA256 in out
    assert "60 malicious" in out
    assert "threat label  virus.eicar/test" in out
    assert "EICAR test file sightings" in out


@pytest.mark.parametrize(
    ("provider", "keys"),
    [("all", {"virustotal", "otx"}), ("vt", {"virustotal"}), ("otx", {"otx"})],
)
def test_lookup_json_providers(
    fakes: Any, capsys: pytest.CaptureFixture[str], provider: str, keys: set[str]
) -> None:
    fakes()
    assert (
        main(["lookup", "--offline", "--json", "--provider", provider, seeded.C2_DOMAIN]) == EXIT_OK
    )
    data = json.loads(capsys.readouterr().out)
    assert data["indicator"] == {"type": "domain", "value": seeded.C2_DOMAIN}
    assert set(data) - {"indicator"} == keys


def test_lookup_cve_and_unknown(fakes: Any, capsys: pytest.CaptureFixture[str]) -> None:
    fakes()
    assert main(["lookup", "--offline", seeded.LOG4SHELL_CVE]) == EXIT_OK
    assert "VirusTotal has no CVE reports" in capsys.readouterr().out
    assert main(["lookup", "--offline", seeded.UNKNOWN_SHA256]) == EXIT_OK
    assert "not found" in capsys.readouterr().out


def test_lookup_failure_exit_4(fakes: Any, capsys: pytest.CaptureFixture[str]) -> None:
    fakes(vt=FakeVirusTotal(fail_rate=1.0, fail_statuses=(503,)))
    assert main(["lookup", "--offline", seeded.C2_IP]) == 4
    out = capsys.readouterr().out
    assert "failed:" in out
    assert "BadCorp C2 infrastructure" in out  # OTX still printed


def test_scan_url_waits_with_progress_on_a_tty(
    monkeypatch: pytest.MonkeyPatch, fakes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes()
    tty = TTY()
    monkeypatch.setattr("sys.stderr", tty)
    assert main(["scan", "--offline", "hxxp://new[.]example/landing"]) == EXIT_OK
    assert "(completed)" in capsys.readouterr().out
    assert "waiting for the VirusTotal analysis" in tty.getvalue()


def test_scan_unknown_file_uploads_only_on_request(
    tmp_path: Path, fakes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = tmp_path / "sample.bin"
    # a payload whose sha256 starts with 8-f: unknown to the fake
    payload = next(
        data
        for n in range(100)
        if __import__("hashlib").sha256(data := f"s{n}".encode()).hexdigest()[0] in "89abcdef"
    )
    sample.write_bytes(payload)
    fake_vt, _ = fakes()
    assert main(["scan", "--offline", str(sample)]) == EXIT_OK
    out, err = capsys.readouterr()
    assert out == ""
    assert "nothing was uploaded" in err and "--upload" in err
    assert fake_vt.count("/files", method="POST") == 0

    assert main(["scan", "--offline", "--upload", "--json", str(sample)]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["sha256"] == __import__("hashlib").sha256(payload).hexdigest()
    assert fake_vt.count("/files", method="POST") == 1


def test_scan_rejects_what_is_neither_file_nor_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--offline", "8.8.8.8"]) == EXIT_USAGE
    assert "neither a readable file nor a URL" in capsys.readouterr().err


def test_quota(fakes: Any, capsys: pytest.CaptureFixture[str]) -> None:
    fakes()
    assert main(["quota", "--offline"]) == EXIT_OK
    assert capsys.readouterr().out.splitlines()[0].split() == [
        "quota",
        "used",
        "allowed",
        "remaining",
        "exhausted",
    ]
    assert main(["quota", "--offline", "--json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["api_requests_daily"]["used"] == 0


def test_pulses_subscribed_search_show(fakes: Any, capsys: pytest.CaptureFixture[str]) -> None:
    fakes()
    assert main(["pulses", "subscribed", "--offline", "--limit", "2", "--json"]) == EXIT_OK
    pulses = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(pulses) == 2
    assert main(["pulses", "search", "--offline", "BadCorp"]) == EXIT_OK
    out, err = capsys.readouterr()
    assert "BadCorp C2 infrastructure" in out
    assert "2 pulse(s)" in err
    assert main(["pulses", "show", "--offline", pulses[0]["id"], "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["id"] == pulses[0]["id"]


def test_sync_then_hunt_with_the_store(
    tmp_path: Path, fakes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes()
    store = tmp_path / "pulses.db"
    log = tmp_path / "proxy.log"
    log.write_text("GET http://phish.example/login\nok\nconnect 185.220.101.47:443\n")
    assert main(["pulses", "sync", "--offline", "--store", str(store)]) == EXIT_OK
    assert "synced 7 pulse(s): 7 new" in capsys.readouterr().out
    assert main(["hunt", str(log), "--store", str(store), "--format", "jsonl"]) == EXIT_OK
    out, err = capsys.readouterr()
    matches = [json.loads(line) for line in out.splitlines()]
    assert {(m["line"], m["indicator"]["value"]) for m in matches} >= {
        (1, seeded.PHISH_URL),
        (3, seeded.C2_IP),
    }
    assert all(m["pulses"] for m in matches)
    assert "OFFLINE" not in err  # a local store needs neither keys nor fakes


def test_hunt_with_pulses_and_ioc_lists(
    tmp_path: Path, fakes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes()
    log = tmp_path / "dns.log"
    log.write_text("query c2.badcorp.example\nquery www.google.com\n")
    assert main(["pulses", "search", "--offline", "--json", "BadCorp C2"]) == EXIT_OK
    pulse_id = json.loads(capsys.readouterr().out.splitlines()[0])["id"]
    assert main(["hunt", "--offline", str(log), "--pulse", pulse_id]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"{log}:1  {seeded.C2_DOMAIN}  [BadCorp C2 infrastructure]" in out

    iocs = tmp_path / "iocs.txt"
    iocs.write_text("# defanged\ngoogle[.]com\n")
    assert main(["hunt", str(log), "--iocs", str(iocs)]) == EXIT_OK
    assert f"{log}:2  google.com" in capsys.readouterr().out

    iocs.write_text("google[.]com\nno such thing\n")
    assert main(["hunt", str(log), "--iocs", str(iocs)]) == EXIT_USAGE
    assert f"{iocs}:2" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["hunt", "/nonexistent.log", "--iocs", "x"], "cannot read /nonexistent.log"),
        (["hunt", __file__, "--store", "/nonexistent.db"], "tiintel pulses sync --store"),
        (["hunt", __file__], "one of the arguments"),
    ],
)
def test_hunt_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_USAGE
    assert message in capsys.readouterr().err
