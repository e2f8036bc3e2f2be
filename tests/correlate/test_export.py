"""Exports of correlation results: JSON, JSON Lines, CSV (injection-safe), STIX 2.1, DataFrame."""

from __future__ import annotations

import csv
import enum
import io
import json
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tiintel._correlate import merge
from tiintel._exceptions import ConfigurationError, ServerError
from tiintel.export import (
    CSV_COLUMNS,
    STIX_NAMESPACE,
    to_csv,
    to_dataframe,
    to_json,
    to_jsonl,
    to_stix,
)
from tiintel.models.correlation import (
    Correlation,
    OTXContext,
    PulseRef,
    Verdict,
    VerdictPolicy,
    VTReputation,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ANALYSED = datetime(2026, 5, 30, 8, 0, tzinfo=UTC)


class _Kind(enum.StrEnum):
    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    DOMAIN = "domain"
    URL = "url"
    CVE = "cve"


@dataclass(frozen=True)
class _Indicator:
    """Stand-in with the attributes the exports read (``type.value``, ``value``)."""

    type: _Kind
    value: str


def ind(kind: str, value: str) -> Any:
    try:
        from tiintel._core.indicators import Indicator, IndicatorType
    except ImportError:
        return _Indicator(_Kind(kind), value)
    return Indicator(type=IndicatorType(kind), value=value)


def malicious_vt(link: str = "https://www.virustotal.com/gui/file/x") -> VTReputation:
    return VTReputation(
        found=True,
        malicious=40,
        harmless=20,
        undetected=10,
        last_analysis_date=ANALYSED,
        link=link,
        malicious_engines=("Kaspersky",),
    )


def pulses(*tlps: str, days_old: int = 3) -> OTXContext:
    refs = tuple(
        PulseRef(
            id=f"6{i:023x}",
            name=f"Campaign {i}",
            tlp=tlp,
            malware_families=("Emotet",),
            modified=NOW - timedelta(days=days_old + i),
            link=f"https://otx.alienvault.com/pulse/6{i:023x}",
        )
        for i, tlp in enumerate(tlps)
    )
    return OTXContext(
        pulse_count=len(refs), pulses=refs, malware_families=("Emotet",), whitelisted=False
    )


def result(
    text: str,
    indicator: Any,
    *,
    vt: VTReputation | None = None,
    otx: OTXContext | None = None,
    errors: dict[str, Any] | None = None,
) -> Correlation:
    return merge(
        text,
        indicator,
        vt=vt,
        otx=otx,
        errors=errors or {},
        policy=VerdictPolicy(),
        now=NOW,
    )


@pytest.fixture
def results() -> list[Correlation]:
    return [
        result("44D88612FEA8A8F36DE82E1278ABB02F", ind("md5", "44d88612fea8a8f36de82e1278abb02f"),
               vt=malicious_vt(), otx=pulses("amber", "green")),
        result("3395856ce81f2b7382dee72602f798b642f14140", ind("sha1", "3395856ce81f2b7382dee72602f798b642f14140"),
               vt=malicious_vt()),
        result("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
               ind("sha256", "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"),
               otx=pulses("red")),
        result("1.2.3.4", ind("ipv4", "1.2.3.4"), otx=pulses("white", "white")),
        result("2001:db8::1", ind("ipv6", "2001:db8::1"), vt=malicious_vt()),
        result("evil[.]example", ind("domain", "evil.example"), otx=pulses("clear")),
        result("hxxp://evil.example/a'b", ind("url", "http://evil.example/a'b"), vt=malicious_vt()),
        result("CVE-2021-44228", ind("cve", "CVE-2021-44228"), otx=pulses("amber", "amber")),
        result("example.com", ind("domain", "example.com"),
               vt=VTReputation(found=True, harmless=70, last_analysis_date=ANALYSED)),
        result("not an ioc", None),
    ]  # fmt: skip


# --- JSON ------------------------------------------------------------------------------------


def test_to_json(results: list[Correlation]) -> None:
    data = json.loads(to_json(results))
    assert [d["input"] for d in data] == [r.input for r in results]
    assert data[0]["indicator"] == {"type": "md5", "value": "44d88612fea8a8f36de82e1278abb02f"}
    assert data[0]["verdict"] == "malicious"
    assert to_json(results, indent=None).count("\n") == 0


def test_to_jsonl_text_and_file(results: list[Correlation]) -> None:
    text = to_jsonl(results)
    lines = text.splitlines()
    assert len(lines) == len(results)
    assert json.loads(lines[3])["input"] == "1.2.3.4"
    fp = io.StringIO()
    assert to_jsonl(results, fp) is None
    assert fp.getvalue() == text


# --- CSV -------------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_columns_and_values(results: list[Correlation]) -> None:
    text = to_csv(results)
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    rows = read_csv(text)
    first = rows[0]
    assert first["indicator"] == "44d88612fea8a8f36de82e1278abb02f"
    assert first["type"] == "md5"
    assert first["verdict"] == "malicious"
    assert first["vt_malicious"] == "40"
    assert first["vt_total"] == "70"
    assert first["otx_pulses"] == "2"
    assert first["tlp"] == "amber"
    assert first["top_reason"].startswith("VirusTotal: 40/70 engines malicious")
    assert rows[-1]["indicator"] == ""
    assert rows[-1]["vt_malicious"] == ""
    fp = io.StringIO(newline="")
    assert to_csv(results, fp) is None
    assert fp.getvalue() == text


@pytest.mark.parametrize(
    "payload",
    [
        '=HYPERLINK("http://x","y")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_csv_neutralises_formula_cells(payload: str) -> None:
    error = ServerError(payload, status_code=500, provider="otx")
    rows = read_csv(to_csv([result(payload, None, errors={"otx": error})]))
    assert rows[0]["input"] == "'" + payload
    assert rows[0]["verdict"] == "unknown"  # plain cells are left alone


def test_csv_keeps_harmless_cells() -> None:
    rows = read_csv(to_csv([result("1.2.3.4", ind("ipv4", "1.2.3.4"), otx=pulses("green"))]))
    assert rows[0]["input"] == "1.2.3.4"
    assert rows[0]["score"] == rows[0]["score"].lstrip("'")


# --- STIX ------------------------------------------------------------------------------------


def test_stix_bundle_parses_and_has_one_object_per_flagged_result(
    results: list[Correlation],
) -> None:
    stix2 = pytest.importorskip("stix2")
    bundle = stix2.parse(to_stix(results), allow_custom=False)
    by_type: dict[str, list[Any]] = {}
    for obj in bundle.objects:
        by_type.setdefault(obj.type, []).append(obj)
    patterns = sorted(o.pattern for o in by_type["indicator"])
    assert patterns == sorted(
        [
            "[file:hashes.MD5 = '44d88612fea8a8f36de82e1278abb02f']",
            "[file:hashes.'SHA-1' = '3395856ce81f2b7382dee72602f798b642f14140']",
            "[file:hashes.'SHA-256' = "
            "'275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f']",
            "[ipv4-addr:value = '1.2.3.4']",
            "[ipv6-addr:value = '2001:db8::1']",
            "[domain-name:value = 'evil.example']",
            "[url:value = 'http://evil.example/a\\'b']",
        ]
    )
    (vuln,) = by_type["vulnerability"]
    assert vuln.name == "CVE-2021-44228"
    assert vuln.external_references[0].source_name == "cve"
    assert vuln.external_references[0].external_id == "CVE-2021-44228"
    markings = {m.id for m in by_type["marking-definition"]}
    assert markings == {
        stix2.TLP_AMBER.id,
        stix2.TLP_RED.id,
        stix2.TLP_WHITE.id,
    }


def test_stix_ids_dates_markings_confidence(results: list[Correlation]) -> None:
    stix2 = pytest.importorskip("stix2")
    data = to_stix(results, as_dict=True)
    first = next(o for o in data["objects"] if o.get("name") == "44d88612fea8a8f36de82e1278abb02f")
    expected_id = uuid.uuid5(STIX_NAMESPACE, "md5:44d88612fea8a8f36de82e1278abb02f")
    assert first["id"] == f"indicator--{expected_id}"
    # the latest date in the data (the VT analysis, newer than both pulses), not the export time
    assert first["created"] == first["modified"] == "2026-05-30T08:00:00.000Z"
    assert first["valid_from"] == "2026-05-30T08:00:00Z"
    sha256 = next(o for o in data["objects"] if o.get("name", "").startswith("275a"))
    assert sha256["created"] == "2026-05-29T12:00:00.000Z"  # its only pulse, 3 days old
    assert first["object_marking_refs"] == [stix2.TLP_AMBER.id]
    assert first["confidence"] == results[0].score
    assert first["labels"] == ["Emotet"]
    assert first["indicator_types"] == ["malicious-activity"]
    sources = [r["source_name"] for r in first["external_references"]]
    assert sources == ["VirusTotal", "AlienVault OTX", "AlienVault OTX"]
    ip = next(o for o in data["objects"] if o.get("name") == "1.2.3.4")
    assert ip["object_marking_refs"] == [stix2.TLP_WHITE.id]


def test_stix_is_deterministic(results: list[Correlation]) -> None:
    pytest.importorskip("stix2")
    assert to_stix(results) == to_stix(list(results))
    assert to_stix(results[:1]) != to_stix(results[:2])


def test_stix_suspicious_and_fallback_time() -> None:
    pytest.importorskip("stix2")
    undated = OTXContext(pulse_count=1, pulses=(PulseRef(id="p", name="undated"),))
    suspicious = result("evil.example", ind("domain", "evil.example"), otx=undated)
    assert suspicious.verdict is Verdict.SUSPICIOUS
    (obj,) = to_stix([suspicious], as_dict=True)["objects"]
    assert obj["indicator_types"] == ["anomalous-activity"]
    assert obj["created"] == "1970-01-01T00:00:00.000Z"
    fixed = datetime(2025, 1, 2, tzinfo=UTC)
    (obj,) = to_stix([suspicious], as_dict=True, default_time=fixed)["objects"]
    assert obj["created"] == "2025-01-02T00:00:00.000Z"


def test_stix_duplicates_and_empty() -> None:
    pytest.importorskip("stix2")
    one = result("1.2.3.4", ind("ipv4", "1.2.3.4"), vt=malicious_vt())
    again = result("1[.]2[.]3[.]4", ind("ipv4", "1.2.3.4"), vt=malicious_vt())
    assert len(to_stix([one, again], as_dict=True)["objects"]) == 1
    assert "objects" not in to_stix([], as_dict=True)


# --- DataFrame -------------------------------------------------------------------------------


def test_dataframe(results: list[Correlation]) -> None:
    pytest.importorskip("pandas")
    frame = to_dataframe(results)
    assert len(frame) == len(results)
    assert list(frame.columns) == [
        *CSV_COLUMNS,
        "vt_suspicious",
        "reasons",
        "adversaries",
        "malware_families",
        "attack_ids",
    ]
    assert frame.loc[0, "verdict"] == "malicious"
    assert frame.loc[0, "malware_families"] == ["Emotet"]
    assert frame.loc[len(results) - 1, "indicator"] == ""


# --- missing extras --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "call", "message"),
    [
        ("stix2", lambda r: to_stix(r), "to_stix needs the stix2 package: pip install 'tiintel[stix]'"),
        ("pandas", lambda r: to_dataframe(r),
         "to_dataframe needs the pandas package: pip install 'tiintel[pandas]'"),
    ],
)  # fmt: skip
def test_missing_extra_names_it(
    monkeypatch: pytest.MonkeyPatch, module: str, call: Any, message: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    with pytest.raises(ConfigurationError) as info:
        call([])
    assert str(info.value) == message


def test_importing_export_loads_no_extra() -> None:
    code = (
        "import sys, tiintel.export, tiintel._correlate; "
        "print(sorted(m for m in ('stix2', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
