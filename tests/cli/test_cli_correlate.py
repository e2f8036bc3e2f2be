from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from tiintel.cli import EXIT_CONFIG, EXIT_FAIL_ON, EXIT_LOOKUP_FAILED, EXIT_OK, EXIT_USAGE, main
from tiintel.cli._runtime import BANNER
from tiintel.testing import FakeOTX, FakeVirusTotal, seeded

from .conftest import TTY

DEMO = [seeded.EICAR_MD5, "hxxp://phish[.]example/login", seeded.HARMLESS_IP]


def test_offline_demo_prints_a_verdict_table(
    fakes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes()
    assert main(["correlate", "--offline", *DEMO]) == EXIT_OK
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == [
        "indicator",
        "type",
        "verdict",
        "score",
        "VT",
        "OTX",
        "pulses",
        "top",
        "reason",
    ]
    assert lines[1].split()[:5] == [seeded.EICAR_MD5, "md5", "malicious", "97", "60/69"]
    assert lines[2].split()[:3] == ["hxxp://phish[.]example/login", "url", "malicious"]
    assert lines[3].split()[:3] == [seeded.HARMLESS_IP, "ipv4", "harmless"]
    assert err.splitlines()[0] == BANNER
    assert "\x1b" not in out  # not a terminal: no colours


def test_offline_also_accepted_before_the_command(
    fakes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes()
    assert main(["--offline", "correlate", seeded.C2_IP]) == EXIT_OK
    assert "malicious" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("iocs", "fail_on", "code"),
    [
        ([seeded.EICAR_MD5], "malicious", EXIT_FAIL_ON),
        ([seeded.EICAR_MD5], "suspicious", EXIT_FAIL_ON),
        ([seeded.HARMLESS_IP], "suspicious", EXIT_OK),
        ([seeded.HARMLESS_IP, seeded.C2_DOMAIN], "malicious", EXIT_FAIL_ON),
        ([seeded.UNKNOWN_SHA256], "suspicious", EXIT_OK),
        ([seeded.EICAR_MD5], None, EXIT_OK),
    ],
)
def test_fail_on_gates(fakes: Any, iocs: list[str], fail_on: str | None, code: int) -> None:
    fakes()
    extra = ["--fail-on", fail_on] if fail_on else []
    assert main(["correlate", "--offline", *extra, *iocs]) == code


@pytest.mark.parametrize(
    ("argv", "variables"),
    [
        (["correlate", "8.8.8.8"], ["VT_API_KEY", "OTX_API_KEY"]),
        (["lookup", "8.8.8.8"], ["VT_API_KEY", "OTX_API_KEY"]),
        (["quota"], ["VT_API_KEY"]),
        (["scan", "http://x.example/"], ["VT_API_KEY"]),
        (["pulses", "subscribed"], ["OTX_API_KEY"]),
        (["hunt", __file__, "--pulse", "abc"], ["OTX_API_KEY"]),
    ],
)
def test_missing_keys_exit_3_and_say_what_to_do(
    argv: list[str], variables: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_CONFIG
    out, err = capsys.readouterr()
    assert out == ""
    assert "Traceback" not in err
    for variable in variables:
        assert variable in err
    assert "--offline" in err
    assert err.count("\n") == 1


def test_one_key_only_skips_the_other_provider(
    monkeypatch: pytest.MonkeyPatch,
    live_on_fakes: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VT_API_KEY", "my-vt-key")
    assert main(["correlate", seeded.EICAR_MD5]) == EXIT_OK
    out, err = capsys.readouterr()
    assert "OTX skipped: OTX_API_KEY is not set" in err
    assert BANNER not in err
    assert out.splitlines()[1].split()[5] == "-"  # the OTX column
    assert live_on_fakes["vt_kwargs"]["rate_limits"] == "public"
    assert "otx_kwargs" not in live_on_fakes


def test_offline_if_no_keys_uses_the_fakes_without_keys(
    fakes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["correlate", "--offline-if-no-keys", *DEMO]) == EXIT_OK
    out, err = capsys.readouterr()
    assert BANNER in err
    assert out.splitlines()[1].split()[2] == "malicious"


def test_offline_if_no_keys_goes_live_with_a_key(
    monkeypatch: pytest.MonkeyPatch,
    live_on_fakes: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OTX_API_KEY", "my-otx-key")
    assert main(["correlate", "--offline-if-no-keys", seeded.C2_IP]) == EXIT_OK
    err = capsys.readouterr().err
    assert BANNER not in err
    assert "VirusTotal skipped: VT_API_KEY is not set" in err
    assert "otx_kwargs" in live_on_fakes
    assert "vt_kwargs" not in live_on_fakes


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ([], "public"),
        (["--no-rate-limit"], None),
        (
            ["--vt-rate-limit", "1000/60", "--vt-rate-limit", "100000/86400"],
            [(1000, 60.0), (100000, 86400.0)],
        ),
    ],
)
def test_live_rate_limits(
    monkeypatch: pytest.MonkeyPatch, live_on_fakes: dict[str, Any], flags: list[str], expected: Any
) -> None:
    monkeypatch.setenv("VT_API_KEY", "k")
    monkeypatch.setenv("OTX_API_KEY", "k")
    assert main(["correlate", *flags, seeded.C2_IP]) == EXIT_OK
    limits = live_on_fakes["vt_kwargs"]["rate_limits"]
    if isinstance(expected, list):
        limits = [(limit.max_requests, limit.period) for limit in limits]
    assert limits == expected


def test_bad_rate_limit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["correlate", "--offline", "--vt-rate-limit", "4", "8.8.8.8"]) == EXIT_USAGE
    assert "N/SECONDS" in capsys.readouterr().err


def test_rejected_key_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
    live_on_fakes: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tiintel.testing import INVALID_API_KEY

    monkeypatch.setenv("VT_API_KEY", INVALID_API_KEY)
    assert main(["quota"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "check VT_API_KEY" in err
    assert "Traceback" not in err


def test_bad_indicator_in_a_file_names_file_and_line(
    tmp_path: Any, fakes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_vt, _ = fakes()
    iocs = tmp_path / "iocs.txt"
    iocs.write_text("# triage list\n8.8.8.8\n\nevil[.]example\nnot an indicator\n")
    assert main(["correlate", "--offline", "-f", str(iocs)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"{iocs}:5" in err
    assert "not an indicator" in err
    assert fake_vt.requests == []  # nothing was sent


def test_stdin_dash_reads_one_indicator_a_line(
    monkeypatch: pytest.MonkeyPatch, fakes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes()
    monkeypatch.setattr(
        "sys.stdin",
        io.StringIO(f"{seeded.C2_IP}\n# comment\n{seeded.PHISH_DOMAIN.replace('.', '[.]')}\n"),
    )
    assert main(["correlate", "--offline", "--format", "jsonl", "-"]) == EXIT_OK
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["indicator"]["value"] for r in records] == [seeded.C2_IP, seeded.PHISH_DOMAIN]


def test_bad_indicator_on_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("8.8.8.8\n1.2.3\n"))
    assert main(["correlate", "--offline", "-"]) == EXIT_USAGE
    assert "<stdin>:2" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["correlate", "--offline"], "no indicators given"),
        (
            ["correlate", "--offline", "-f", "/nonexistent/iocs.txt"],
            "cannot read /nonexistent/iocs.txt",
        ),
        (["correlate", "--offline", "--format", "xml", "8.8.8.8"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
        (["lookup", "--offline", "../users/me"], "bad indicator at argument 1"),
    ],
)
def test_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_formats_parse_back(fakes: Any, capsys: pytest.CaptureFixture[str]) -> None:
    fakes()
    iocs = [seeded.EICAR_MD5, seeded.PHISH_URL, seeded.HARMLESS_IP]
    assert main(["correlate", "--offline", "--format", "json", *iocs]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert [d["verdict"] for d in data] == ["malicious", "malicious", "harmless"]

    assert main(["correlate", "--offline", "--format", "jsonl", *iocs]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["input"] for line in lines] == iocs

    assert main(["correlate", "--offline", "--format", "csv", *iocs]) == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["verdict"] for r in rows] == ["malicious", "malicious", "harmless"]
    assert rows[0]["vt_malicious"] == "60"

    assert main(["correlate", "--offline", "--format", "stix", *iocs]) == EXIT_OK
    bundle = json.loads(capsys.readouterr().out)
    assert bundle["type"] == "bundle"
    patterns = [o["pattern"] for o in bundle["objects"] if o["type"] == "indicator"]
    assert any(seeded.EICAR_MD5 in p for p in patterns)
    assert not any(seeded.HARMLESS_IP in p for p in patterns)


def test_failed_lookups_exit_4_with_results_printed(
    fakes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes(vt=FakeVirusTotal(fail_rate=1.0, fail_statuses=(500,)))
    assert main(["correlate", "--offline", seeded.C2_IP, "1.1.1.1"]) == EXIT_LOOKUP_FAILED
    out, err = capsys.readouterr()
    rows = [line.split() for line in out.splitlines()[1:]]
    assert [row[4] for row in rows] == ["error", "error"]
    assert all(row[5] != "-" for row in rows)  # OTX still answered
    assert "virustotal failed" in out.splitlines()[2]  # UNKNOWN row: the failure is the top reason
    assert "VirusTotal lookup failed for 2 indicator(s)" in err
    assert "Traceback" not in err


def test_fail_on_wins_over_failed_lookups(fakes: Any) -> None:
    fakes(otx=FakeOTX(fail_rate=1.0, fail_statuses=(500,)))
    assert (
        main(["correlate", "--offline", "--fail-on", "malicious", seeded.EICAR_MD5]) == EXIT_FAIL_ON
    )


def test_quota_exhaustion_says_what_was_done_and_what_was_not(
    fakes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    fakes(vt=FakeVirusTotal(rate_limits=[(2, 86400.0)]))
    ips = ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"]
    assert main(["correlate", "--offline", "--concurrency", "1", *ips]) == EXIT_LOOKUP_FAILED
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 6  # every row printed
    assert (
        "VirusTotal day quota exhausted: 2 indicator(s) answered by VirusTotal, 3 not looked up"
        in err
    )


def test_progress_only_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, fakes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ips = [f"45.133.1.{n}" for n in range(1, 9)]
    fakes()
    assert main(["correlate", "--offline", *ips]) == EXIT_OK
    assert "correlating [" not in capsys.readouterr().err

    tty = TTY()
    fakes()
    monkeypatch.setattr("sys.stderr", tty)
    assert main(["correlate", "--offline", *ips]) == EXIT_OK
    assert "correlating [" in tty.getvalue()
    assert "8/8" in tty.getvalue()

    few = TTY()
    fakes()
    monkeypatch.setattr("sys.stderr", few)
    assert main(["correlate", "--offline", *ips[:3]]) == EXIT_OK
    assert "correlating [" not in few.getvalue()


@pytest.mark.parametrize(("no_color", "coloured"), [(False, True), (True, False)])
def test_colours_only_on_a_terminal_without_no_color(
    monkeypatch: pytest.MonkeyPatch, fakes: Any, no_color: bool, coloured: bool
) -> None:
    fakes()
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    out = TTY()
    monkeypatch.setattr("sys.stdout", out)
    assert main(["correlate", "--offline", seeded.EICAR_MD5]) == EXIT_OK
    assert ("\x1b[1;31mmalicious" in out.getvalue()) is coloured


@pytest.mark.parametrize(("flags", "otx_lookups"), [([], 1), (["--pivot"], 3)])
def test_pivot_flag_checks_the_url_host_and_serving_ip(
    fakes: Any, flags: list[str], otx_lookups: int
) -> None:
    _, fake_otx = fakes()
    assert main(["correlate", "--offline", *flags, seeded.PHISH_URL]) == EXIT_OK
    assert fake_otx.count("/indicators/") == otx_lookups
