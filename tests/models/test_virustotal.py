"""VirusTotal models built from the recorded fixtures (and small hand-made payloads)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tiintel._exceptions import ResponseParseError
from tiintel.models import (
    Analysis,
    AnalysisStats,
    APIUsage,
    BehaviourSummary,
    Comment,
    DomainReport,
    EngineResult,
    FileReport,
    IPAddressReport,
    Quotas,
    QuotaUsage,
    URLReport,
    Vote,
    VTObject,
    model_for_type,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "virustotal"
EICAR_SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def eicar() -> FileReport:
    return FileReport.from_api(load("files_eicar_275a021b.json")["data"])


def test_eicar_file_report_values() -> None:
    report = eicar()
    assert report.id == report.sha256 == EICAR_SHA256
    assert report.type == "file"
    assert report.md5 == "44d88612fea8a8f36de82e1278abb02f"
    assert report.sha1 == "3395856ce81f2b7382dee72602f798b642f14140"
    assert report.size == 68
    assert report.meaningful_name == "eicar.com-22046"
    assert report.names is not None
    assert len(report.names) == 5
    assert report.type_description == "Text"
    assert report.type_tag == "text"
    assert report.reputation == 3461
    assert report.times_submitted == 869273
    assert report.tags == ("text", "known-distributor", "attachment", "via-tor")
    assert report.popular_threat_label == "virus.eicar/test"
    assert report.popular_threat_category == ("virus", "trojan")
    assert report.popular_threat_name == ("eicar", "test", "file")
    assert report.total_votes.harmless == 2023
    assert report.total_votes.malicious == 359
    assert report.link == f"https://www.virustotal.com/gui/file/{EICAR_SHA256}"


def test_eicar_stats_keep_the_recorded_counts() -> None:
    stats = eicar().last_analysis_stats
    assert stats == AnalysisStats(malicious=57, undetected=8, type_unsupported=9)
    assert stats.total == 74


def test_eicar_dates_are_aware_utc() -> None:
    report = eicar()
    assert report.last_analysis_date == datetime(2021, 9, 18, 1, 48, 20, tzinfo=UTC)
    assert report.first_submission_date == datetime(2006, 5, 22, 12, 42, 2, tzinfo=UTC)
    for value in (report.last_submission_date, report.last_modification_date):
        assert value is not None
        assert value.tzinfo is UTC


def test_eicar_engine_results_keep_wire_keys() -> None:
    results = eicar().last_analysis_results
    assert list(results) == [
        "Bkav",
        "Lionic",
        "Kaspersky",
        "Microsoft",
        "BitDefender",
        "ESET-NOD32",
    ]
    assert results["Microsoft"] == EngineResult(
        engine_name="Microsoft",
        category="malicious",
        result="Virus:DOS/EICAR_Test_File",
        method="blacklist",
        engine_version="1.1.18500.10",
        engine_update="20210918",
    )
    assert results["Bkav"].result is None
    with pytest.raises(TypeError):
        results["X"] = results["Bkav"]  # type: ignore[index]


def test_eicar_nested_blocks() -> None:
    report = eicar()
    assert report.crowdsourced_yara_results is not None
    assert [y.rule_name for y in report.crowdsourced_yara_results] == [
        "malw_eicar",
        "SUSP_Just_EICAR",
    ]
    assert report.sandbox_verdicts is not None
    assert report.sandbox_verdicts["Lastline"]["malware_classification"] == ("MALWARE", "TROJAN")


def test_raw_is_the_wire_attributes_and_not_compared() -> None:
    obj = load("files_eicar_275a021b.json")["data"]
    report = FileReport.from_api(obj)
    assert report.raw == obj["attributes"]
    assert report.raw["first_seen_itw_date"] == 1276250738
    assert "raw" not in repr(report)
    assert "raw" not in report.to_dict()
    assert report == FileReport.from_api(json.loads(json.dumps(obj)))


def test_repr_is_readable() -> None:
    text = repr(eicar())
    assert text.startswith("FileReport(id='275a021b")
    assert "<6 entries: Bkav, Lionic, Kaspersky, Microsoft, BitDefender, ...>" in text
    assert len(text) < 2000


def test_to_dict_is_json_ready() -> None:
    out = eicar().to_dict()
    text = json.dumps(out)
    assert out["last_analysis_date"] == "2021-09-18T01:48:20+00:00"
    assert out["tags"] == ["text", "known-distributor", "attachment", "via-tor"]
    assert out["last_analysis_results"]["Kaspersky"]["result"] == "EICAR-Test-File"
    assert out["last_analysis_stats"]["type_unsupported"] == 9
    assert "raw" not in text


def test_clean_file_has_zero_detections_and_missing_fields() -> None:
    report = FileReport.from_api(load("files_clean_03583784.json")["data"])
    assert report.last_analysis_stats.malicious == 0
    assert report.popular_threat_label is None
    assert report.popular_threat_category is None
    assert report.crowdsourced_yara_results is None
    assert report.sandbox_verdicts is None
    assert report.tlsh is None


def test_missing_fields_become_none_or_zero() -> None:
    report = FileReport.from_api({"type": "file", "id": "abc"})
    assert report.raw == {}
    assert report.md5 is None
    assert report.tags is None
    assert report.names is None
    assert report.reputation is None
    assert report.last_analysis_date is None
    assert report.last_analysis_stats == AnalysisStats()
    assert report.last_analysis_stats.total == 0
    assert dict(report.last_analysis_results) == {}
    assert report.total_votes.malicious == 0
    assert report.times_submitted == 0
    assert report.relationships is None


def test_wrong_types_become_none() -> None:
    obj = {
        "type": "file",
        "id": "abc",
        "attributes": {
            "md5": 5,
            "size": "big",
            "tags": "text",
            "last_analysis_date": "yesterday",
            "last_analysis_stats": [1, 2],
            "last_analysis_results": {"A": "junk", "B": {"category": 3}},
            "popular_threat_classification": {"popular_threat_category": "virus"},
            "total_votes": None,
        },
    }
    report = FileReport.from_api(obj)
    assert (report.md5, report.size, report.tags, report.last_analysis_date) == (None,) * 4
    assert report.last_analysis_stats == AnalysisStats()
    assert list(report.last_analysis_results) == ["B"]
    assert report.last_analysis_results["B"].category is None
    assert report.popular_threat_category is None


@pytest.mark.parametrize(
    "obj", [None, [], "file", {"type": "file"}, {"type": "file", "id": ""}, {"id": None}]
)
def test_unidentifiable_objects_raise_response_parse_error(obj: object) -> None:
    with pytest.raises(ResponseParseError):
        FileReport.from_api(obj)


def test_relationships_are_kept_read_only() -> None:
    obj = {
        "type": "file",
        "id": "abc",
        "attributes": {},
        "relationships": {"contacted_domains": {"data": [{"type": "domain", "id": "a.example"}]}},
    }
    report = FileReport.from_api(obj)
    assert report.relationships is not None
    assert report.relationships["contacted_domains"]["data"][0]["id"] == "a.example"
    assert json.dumps(report.to_dict()["relationships"])


def test_url_report() -> None:
    report = URLReport.from_api(load("urls_example_com.json")["data"])
    assert report.url == report.last_final_url == "http://example.com/"
    assert report.title == "Example Domain"
    assert report.last_http_response_code == 200
    assert report.times_submitted == 24768
    assert report.reputation == -58
    assert report.categories == {}
    assert report.tags == ()
    assert report.redirection_chain is None
    assert report.last_analysis_stats.harmless == 64
    assert report.last_analysis_results["Avira"].result == "clean"
    assert report.last_analysis_results["Avira"].engine_version is None
    assert report.first_submission_date == datetime(2010, 10, 16, 7, 0, 30, tzinfo=UTC)
    assert report.link.endswith(
        "/gui/url/2a1b402420ef46577471cdc7409b0fa2c6a204db316e59ade2d805435489a067"
    )


def test_domain_report() -> None:
    report = DomainReport.from_api(load("domains_github_com.json")["data"])
    assert report.id == "github.com"
    assert report.registrar == "MarkMonitor Inc."
    assert report.categories is not None
    assert report.categories["Dr.Web"] == "social networks"
    assert report.popularity_ranks == {
        "Alexa": 105,
        "Cisco Umbrella": 2609,
        "Majestic": 29,
        "Quantcast": 165,
    }
    assert report.creation_date == datetime(2007, 10, 9, 11, 20, 50, tzinfo=UTC)
    assert report.last_dns_records is not None
    first, soa, _ = report.last_dns_records
    assert (first.type, first.value, first.ttl) == ("A", "140.82.114.3", 59)
    assert soa.raw["rname"] == "awsdns-hostmaster.amazon.com"
    assert report.whois is not None
    assert report.whois.startswith("Admin Country: US")
    # 2019 domain objects had no last_analysis_* fields
    assert report.last_analysis_date is None
    assert report.last_analysis_stats.total == 0
    assert report.link == "https://www.virustotal.com/gui/domain/github.com"


def test_ip_address_report() -> None:
    report = IPAddressReport.from_api(load("ip_addresses_1_1_1_1.json")["data"])
    assert report.asn == 13335
    assert report.as_owner == "Cloudflare, Inc."
    assert (report.country, report.continent) == ("AU", "OC")
    assert report.network == "1.1.1.0/24"
    assert report.regional_internet_registry == "APNIC"
    assert report.jarm is None
    assert report.link == "https://www.virustotal.com/gui/ip-address/1.1.1.1"


def test_completed_url_analysis() -> None:
    doc = load("analyses_url_completed.json")
    analysis = Analysis.from_api(doc["data"], doc["meta"])
    assert analysis.status == "completed"
    assert analysis.is_completed
    assert analysis.stats.harmless == 64
    assert analysis.stats.undetected == 7
    assert analysis.item_type == "url"
    assert analysis.item_id == "2a1b402420ef46577471cdc7409b0fa2c6a204db316e59ade2d805435489a067"
    assert analysis.url_info is not None
    assert analysis.url_info["url"] == "http://example.com/"
    assert analysis.date == datetime(2019, 9, 26, 7, 50, 2, tzinfo=UTC)
    assert set(analysis.results) == {"ADMINUSLabs", "AutoShun", "Avira", "BitDefender"}
    assert analysis.raw == doc["data"]["attributes"]


def test_in_progress_and_queued_file_analyses() -> None:
    running = Analysis.from_api(load("analyses_file_in_progress.json")["data"])
    assert running.status == "in-progress"
    assert not running.is_completed
    assert running.stats.malicious == 4
    assert len(running.results) == 3
    assert running.item_id is None
    assert running.file_info is None

    doc = load("analyses_file_queued.json")
    queued = Analysis.from_api(doc["data"], meta=doc["meta"])
    assert queued.status == "queued"
    assert queued.stats.total == 0
    assert len(queued.results) == 0
    assert queued.item_type == "file"
    assert queued.item_id == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize(
    "name", ["post_files_analysis_descriptor.json", "post_urls_analyse_analysis_descriptor.json"]
)
def test_analysis_from_descriptor_is_queued(name: str) -> None:
    data = load(name)["data"]
    analysis = Analysis.from_descriptor(data)
    assert analysis.id == data["id"]
    assert analysis.status == "queued"
    assert not analysis.is_completed
    assert analysis.date is None
    assert analysis.stats.total == 0


def test_analysis_tolerates_a_bad_meta() -> None:
    doc = load("analyses_url_completed.json")
    analysis = Analysis.from_api(doc["data"], meta=["junk"])
    assert analysis.item_id is None
    assert analysis.url_info is None


def test_vt_object_for_collection_items() -> None:
    doc = load("files_contacted_domains_with_item_error.json")
    good, missing = (VTObject.from_api(item) for item in doc["data"])
    assert good.type == "domain"
    assert good.error is None
    assert good.context_attributes == {"first_seen": 1699990000}
    assert good.attributes["registrar"] == "Example Registrar, Inc."
    report = good.as_report()
    assert isinstance(report, DomainReport)
    assert report.registrar == "Example Registrar, Inc."
    assert report.last_analysis_stats.malicious == 2
    assert report.raw is good.raw

    assert missing.error is not None
    assert missing.error.code == "NotFoundError"
    assert missing.attributes == {}
    assert missing.as_report() is missing


def test_vt_object_accepts_descriptors() -> None:
    doc = load("intelligence_search_page_envelope.json")
    items = [VTObject.from_api(item) for item in doc["data"]]
    assert [i.id[:8] for i in items] == ["275a021b", "131f95c5"]
    assert all(i.type == "file" and i.attributes == {} for i in items)
    report = items[0].as_report()
    assert isinstance(report, FileReport)
    assert report.md5 is None


def test_vt_object_for_other_types_stays_generic() -> None:
    doc = load("domains_github_com_resolutions_page.json")
    item = VTObject.from_api(doc["data"][0])
    assert item.type == "resolution"
    assert item.attributes["ip_address"] == "140.82.114.3"
    assert item.as_report() is item


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("file", FileReport),
        ("url", URLReport),
        ("domain", DomainReport),
        ("ip_address", IPAddressReport),
        ("analysis", Analysis),
        ("comment", None),
        ("", None),
    ],
)
def test_model_for_type(name: str, cls: type | None) -> None:
    assert model_for_type(name) is cls


def test_comments() -> None:
    first, second = (
        Comment.from_api(c) for c in load("domains_github_com_comments_page.json")["data"]
    )
    assert first.id == "d-github.com-990aaacd"
    assert first.text is not None
    assert first.text.startswith("Its GitHub everybody")
    assert first.tags == ()
    assert first.date == datetime(2019, 4, 12, 0, 40, 15, tzinfo=UTC)
    assert second.tags == ("safe",)
    assert (second.votes.positive, second.votes.negative, second.votes.abuse) == (0, 0, 0)


def test_vote() -> None:
    vote = Vote.from_api(load("post_files_votes_response.json")["data"])
    assert vote.verdict == "harmless"
    assert vote.value == 1
    assert vote.date == datetime(2019, 9, 26, 10, 51, 29, tzinfo=UTC)


def test_behaviour_summary() -> None:
    data = load("files_behaviour_summary.json")["data"]
    summary = BehaviourSummary.from_api(data)
    assert summary.tags == ("DETECT_DEBUG_ENVIRONMENT", "LONG_SLEEPS")
    assert summary.mutexes_created == ("Global\\ExampleMutex",)
    assert summary.modules_loaded == ("kernel32.dll", "advapi32.dll")
    assert summary.mitre_attack_techniques == ("T1059", "T1497")
    assert summary.files_deleted is None
    assert summary.raw["processes_tree"][0]["name"] == "sample.exe"
    json.dumps(summary.to_dict())
    with pytest.raises(ResponseParseError):
        BehaviourSummary.from_api("nope")


def test_quotas() -> None:
    quotas = Quotas.from_api(load("users_overall_quotas.json")["data"])
    assert set(quotas) >= {"api_requests_hourly", "api_requests_daily", "api_requests_monthly"}
    assert quotas.hourly == QuotaUsage(allowed=240, used=12)
    assert quotas.hourly.remaining == 228
    assert not quotas.hourly.exhausted
    assert quotas.daily is not None
    assert quotas.daily.exhausted
    assert quotas.daily.group_allowed == 100000
    assert quotas.daily.group_used == 2048
    assert quotas["intelligence_searches_monthly"].allowed == 0
    assert quotas.exhausted_scope() == "day"
    json.dumps(quotas.to_dict())


@pytest.mark.parametrize(
    ("used", "expected"),
    [
        ({"hourly": 1, "daily": 1, "monthly": 1}, None),
        ({"hourly": 10, "daily": 1, "monthly": 1}, "hour"),
        ({"hourly": 10, "daily": 100, "monthly": 1}, "day"),
        ({"hourly": 10, "daily": 100, "monthly": 1000}, "month"),
        ({"hourly": 1, "daily": 1, "monthly": 1000}, "month"),
    ],
)
def test_exhausted_scope_picks_the_widest(used: dict[str, int], expected: str | None) -> None:
    allowed = {"hourly": 10, "daily": 100, "monthly": 1000}
    data = {
        f"api_requests_{k}": {"user": {"allowed": allowed[k], "used": v}} for k, v in used.items()
    }
    assert Quotas.from_api(data).exhausted_scope() == expected


def test_group_quota_exhaustion_counts() -> None:
    usage = QuotaUsage.from_api(
        {"user": {"allowed": 10, "used": 1}, "group": {"allowed": 5, "used": 5}}
    )
    assert usage.exhausted
    assert QuotaUsage.from_api("junk") == QuotaUsage()
    assert QuotaUsage().remaining is None
    assert not QuotaUsage().exhausted


def test_api_usage() -> None:
    usage = APIUsage.from_api(load("users_api_usage.json")["data"])
    assert usage.daily["2023-11-14"] == {"/api/v3/(files)": 12, "/api/v3/(urls)": 3}
    assert usage.total["/api/v3/(files)"] == 19
    json.dumps(usage.to_dict())


def test_repr_html_escapes_strangers_text() -> None:
    obj = {
        "type": "url",
        "id": "x<script>",
        "attributes": {
            "title": "<script>alert(1)</script>",
            "tags": ["<img src=x>"],
            "url": "http://a/?q=<b>",
        },
    }
    page = URLReport.from_api(obj)._repr_html_()
    assert "<script>" not in page
    assert "<img" not in page
    assert "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x&gt;" in page


@pytest.mark.parametrize(
    "model",
    [
        lambda: eicar(),
        lambda: URLReport.from_api(load("urls_example_com.json")["data"]),
        lambda: DomainReport.from_api(load("domains_github_com.json")["data"]),
        lambda: IPAddressReport.from_api(load("ip_addresses_1_1_1_1.json")["data"]),
        lambda: Analysis.from_api(load("analyses_url_completed.json")["data"]),
    ],
)
def test_reports_render_html(model: Any) -> None:
    page = model()._repr_html_()
    assert page.startswith("<table>")
    assert page.endswith("</table>")
