"""OTX models built from the recorded fixtures, and the wire quirks they normalise."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tiintel._exceptions import ResponseParseError
from tiintel.models import (
    KNOWN_GOOD_SOURCES,
    SECTION_MODELS,
    ExportedIndicator,
    GeoDetails,
    IndicatorDetails,
    MalwareSamples,
    PassiveDNS,
    Pulse,
    PulseEvent,
    PulseIndicator,
    PulseInfo,
    URLList,
    User,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "otx"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_general_ipv4_with_one_pulse() -> None:
    details = IndicatorDetails.from_api(load("indicators_IPv4_general_one_pulse.rapid7.json"))
    assert details.indicator == "198.51.100.100"
    assert (details.type, details.type_title) == ("IPv4", "IPv4")
    assert details.sections is not None
    assert details.sections[0] == "general"
    assert details.reputation == 0
    assert details.asn == "AS17501 WorldLink Communications Pvt Ltd"
    assert (details.country_code, details.country_name, details.city) == (
        "NP",
        "Nepal",
        "Kathmandu",
    )
    assert (details.latitude, details.longitude) == (27.7142, 85.3145)
    assert details.base_indicator is not None
    assert details.base_indicator["access_type"] == "public"
    assert details.whitelisted is False
    assert details.validation == ()
    info = details.pulse_info
    assert info.count == 1
    assert len(info.pulses) == 1
    pulse = info.pulses[0]
    assert pulse.id == "1"
    assert pulse.name == "QakBot IOCs"
    assert pulse.tlp == "green"
    assert pulse.adversary is None
    assert pulse.public is True
    assert pulse.author_name == "Example User"
    assert pulse.indicator_count == 1660
    assert pulse.indicators is None
    assert pulse.created == datetime(2022, 3, 2, 13, 59, 28, 273000, tzinfo=UTC)
    assert pulse.tags is not None
    assert "qakbot payload" in pulse.tags
    assert pulse.link == "https://otx.alienvault.com/pulse/1"
    assert details.raw == load("indicators_IPv4_general_one_pulse.rapid7.json")


def test_general_attack_id_objects_and_whitelist() -> None:
    details = IndicatorDetails.from_api(
        load("indicators_IPv4_general_attack_id_objects_whitelisted.demisto.json")
    )
    pulse = details.pulse_info.pulses[0]
    assert pulse.attack_ids == ("T1140", "T1040")
    assert pulse.targeted_countries == ("Finland", "Germany", "France")
    assert details.city is None
    assert details.whitelisted is True
    assert details.validation[0].source == "whitelist"
    assert details.validation[0].name == "Whitelisted IP"


def test_general_domain_zero_pulses_whitelisted() -> None:
    details = IndicatorDetails.from_api(
        load("indicators_domain_general_zero_pulses_whitelisted.demisto.json")
    )
    assert details.pulse_info == PulseInfo(references=())
    assert details.whitelisted is True
    assert [v.source for v in details.validation] == ["majestic", "whitelist"]
    assert details.base_indicator == {}
    assert details.asn is None
    assert details.latitude is None


def test_general_file_zero_pulses() -> None:
    details = IndicatorDetails.from_api(
        load("indicators_file_general_sha1_zero_pulses.demisto.json")
    )
    assert details.type_title == "FileHash-SHA1"
    assert details.pulse_info.count == 0
    assert details.pulse_info.pulses == ()
    assert details.false_positive == ()
    assert details.whitelisted is False
    assert details.reputation is None


def test_general_url_related_lists() -> None:
    details = IndicatorDetails.from_api(load("indicators_url_general_one_pulse.rapid7.json"))
    assert details.type == "url"
    assert details.pulse_info.count == 1
    assert details.pulse_info.adversaries == ()


def test_related_adversaries_and_families_are_merged() -> None:
    info = PulseInfo.from_api(
        {
            "pulses": [{"id": "a"}, {"name": "no id"}, "junk"],
            "related": {
                "alienvault": {"adversary": ["APT-X"], "malware_families": ["Emotet"]},
                "other": {
                    "adversary": ["APT-X", "Group Y"],
                    "malware_families": [{"id": "trickbot", "display_name": "TrickBot"}],
                    "industries": ["Finance"],
                },
            },
        }
    )
    assert [p.id for p in info.pulses] == ["a"]
    assert info.count == 1
    assert info.adversaries == ("APT-X", "Group Y")
    assert info.malware_families == ("Emotet", "TrickBot")
    assert info.industries == ("Finance",)


@pytest.mark.parametrize(
    ("validation", "false_positive", "expected"),
    [
        ([], [], False),
        ([{"source": "whitelist"}], [], True),
        ([{"source": "majestic"}], [], True),
        ([{"source": "akamai", "name": "Akamai Popular Domain"}], [], True),
        ([{"source": "alexa"}], [], True),
        ([{"source": "false_positive", "name": "Known False Positive"}], [], True),
        ([{"source": "some_feed"}], [], False),
        ([], [{"assessment": "accepted", "assessment_date": "2021-01-01T00:00:00"}], True),
        ([], [{"assessment": "pending"}], False),
        ("junk", None, False),
    ],
)
def test_whitelisted(validation: Any, false_positive: Any, expected: bool) -> None:
    payload = {"indicator": "x", "validation": validation, "false_positive": false_positive}
    assert IndicatorDetails.from_api(payload).whitelisted is expected


def test_known_good_sources_is_a_documented_frozenset() -> None:
    assert isinstance(KNOWN_GOOD_SOURCES, frozenset)
    assert {"whitelist", "majestic", "akamai", "false_positive"} <= KNOWN_GOOD_SOURCES


def test_false_positive_dates() -> None:
    details = IndicatorDetails.from_api(
        {
            "false_positive": [
                {
                    "assessment": "accepted",
                    "assessment_date": "2021-01-02T03:04:05",
                    "report_date": 0,
                }
            ]
        }
    )
    fp = details.false_positive[0]
    assert fp.assessment_date == datetime(2021, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert fp.report_date == datetime(1970, 1, 1, tzinfo=UTC)


# The quirks table: each row is one wire shape and what the model makes of it.
@pytest.mark.parametrize(
    ("wire", "field", "expected"),
    [
        ({"TLP": "green"}, "tlp", "green"),
        ({"tlp": "white"}, "tlp", "white"),
        ({"TLP": "Amber"}, "tlp", "amber"),
        ({"TLP": None, "tlp": "RED"}, "tlp", "red"),
        ({}, "tlp", None),
        ({"attack_ids": ["T1566", "T1059"]}, "attack_ids", ("T1566", "T1059")),
        (
            {"attack_ids": [{"id": "T1059", "name": "Command", "display_name": "T1059 - Command"}]},
            "attack_ids",
            ("T1059",),
        ),
        ({"attack_ids": ["T1059", {"id": "T1059"}, 7, None]}, "attack_ids", ("T1059",)),
        ({"attack_ids": "T1059"}, "attack_ids", None),
        ({"malware_families": ["Emotet"]}, "malware_families", ("Emotet",)),
        (
            {"malware_families": [{"id": "emotet", "display_name": "Emotet", "target": None}]},
            "malware_families",
            ("Emotet",),
        ),
        ({"malware_families": [{"id": "emotet"}]}, "malware_families", ("emotet",)),
        ({"public": 1}, "public", True),
        ({"public": 0}, "public", False),
        ({"public": True}, "public", True),
        ({"public": "yes"}, "public", None),
        ({"adversary": ""}, "adversary", None),
        ({"adversary": "APT-X"}, "adversary", "APT-X"),
        (
            {"created": "2023-08-22T09:43:18.855000"},
            "created",
            datetime(2023, 8, 22, 9, 43, 18, 855000, tzinfo=UTC),
        ),
        ({"created": "2023-08-09T05:05:15"}, "created", datetime(2023, 8, 9, 5, 5, 15, tzinfo=UTC)),
        (
            {"modified": "2023-08-09T05:05:15Z"},
            "modified",
            datetime(2023, 8, 9, 5, 5, 15, tzinfo=UTC),
        ),
        (
            {"modified": "2023-08-09T07:05:15+02:00"},
            "modified",
            datetime(2023, 8, 9, 5, 5, 15, tzinfo=UTC),
        ),
        ({"author_name": "alice"}, "author_name", "alice"),
        ({"author": {"username": "bob"}}, "author_name", "bob"),
        ({"indicator_count": 5, "indicators": []}, "indicator_count", 5),
        ({"indicators": [{"id": 1}, {"id": 2}]}, "indicator_count", 2),
        ({}, "indicator_count", 0),
        ({}, "indicators", None),
    ],
)
def test_pulse_quirks(wire: dict[str, Any], field: str, expected: Any) -> None:
    pulse = Pulse.from_api({"id": "p1", **wire})
    assert getattr(pulse, field) == expected


@pytest.mark.parametrize(
    ("wire", "field", "expected"),
    [
        ({"id": 3689509382}, "id", 3689509382),
        ({"_id": "55d4b8a0b45ff5123e4d1e2b"}, "id", "55d4b8a0b45ff5123e4d1e2b"),
        ({}, "id", None),
        ({"is_active": 1}, "is_active", True),
        ({"is_active": 0}, "is_active", False),
        ({}, "is_active", True),
        ({"role": ""}, "role", None),
        ({"role": "CommandAndControl"}, "role", "CommandAndControl"),
        ({"expiration": None}, "expiration", None),
        ({"expiration": "2024-02-11T00:00:00"}, "expiration", datetime(2024, 2, 11, tzinfo=UTC)),
    ],
)
def test_pulse_indicator_quirks(wire: dict[str, Any], field: str, expected: Any) -> None:
    assert getattr(PulseIndicator.from_api(wire), field) == expected


def test_pulse_details_with_indicators() -> None:
    pulse = Pulse.from_api(load("pulses_id_details.json"))
    assert pulse.id == "67eb0c0ffee0000000001234"
    assert pulse.tlp == "green"
    assert pulse.adversary == "Example Group"
    assert pulse.revision == 1
    assert pulse.indicator_count == 3
    assert pulse.industries == ("Finance",)
    assert pulse.attack_ids == ("T1566.002",)
    assert pulse.indicators is not None
    first = pulse.indicators[0]
    assert (first.id, first.indicator, first.type) == (4300000001, "203.0.113.99", "IPv4")
    assert first.description == "C2 server"
    assert first.created == datetime(2025, 4, 1, 12, tzinfo=UTC)
    assert first.expiration == datetime(2025, 5, 1, tzinfo=UTC)
    assert first.is_active is True


def test_subscribed_page_pulses() -> None:
    page = load("pulses_subscribed_page1_with_next.json")
    pulse = Pulse.from_api(page["results"][0])
    assert pulse.tlp == "white"
    assert pulse.malware_families == ("ExampleStealer",)
    assert pulse.attack_ids == ("T1189", "T1204")
    assert pulse.author_name == "example_analyst"
    assert pulse.indicators is not None
    assert len(pulse.indicators) == 3
    assert pulse.indicators[1].role is None
    assert pulse.modified == datetime(2025, 3, 4, 5, 6, 7, 891000, tzinfo=UTC)


def test_search_results_are_summaries_without_indicators() -> None:
    pulse = Pulse.from_api(load("search_pulses.json")["results"][0])
    assert pulse.indicators is None
    assert pulse.indicator_count == 0
    assert pulse.author_name == "example_analyst"


def test_pulse_indicators_page() -> None:
    items = [PulseIndicator.from_api(i) for i in load("pulses_id_indicators_page.json")["results"]]
    assert [i.type for i in items] == ["IPv4", "domain", "FileHash-MD5"]


@pytest.mark.parametrize("payload", [None, [], "x", {}, {"id": ""}, {"id": None}, {"name": "n"}])
def test_pulse_without_id_raises(payload: Any) -> None:
    with pytest.raises(ResponseParseError):
        Pulse.from_api(payload)


def test_pulse_repr_html_escapes_name_and_tags() -> None:
    pulse = Pulse.from_api(
        {
            "id": "p1",
            "name": "<script>alert('pwn')</script>",
            "tags": ["<img src=x onerror=alert(1)>", "a&b"],
            "author_name": "<b>mallory</b>",
        }
    )
    page = pulse._repr_html_()
    assert "<script>" not in page
    assert "<img" not in page
    assert "<b>" not in page
    assert "&lt;script&gt;alert(&#x27;pwn&#x27;)&lt;/script&gt;" in page
    assert "a&amp;b" in page


def test_indicator_details_repr_html_escapes_pulse_text() -> None:
    details = IndicatorDetails.from_api(
        {
            "indicator": "<i>1.2.3.4</i>",
            "pulse_info": {
                "count": 1,
                "pulses": [{"id": "p", "name": "<script>x</script>", "tags": ["<u>t</u>"]}],
            },
            "validation": [{"source": "whitelist", "message": "<em>ok</em>"}],
        }
    )
    page = details._repr_html_()
    assert "<script>" not in page
    assert "<u>" not in page
    assert "<i>" not in page
    assert "<em>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "&lt;u&gt;t&lt;/u&gt;" in page


def test_to_dict_is_json_ready() -> None:
    details = IndicatorDetails.from_api(load("indicators_IPv4_general_one_pulse.rapid7.json"))
    out = details.to_dict()
    json.dumps(out)
    assert out["pulse_info"]["pulses"][0]["created"] == "2022-03-02T13:59:28.273000+00:00"
    assert out["sections"][0] == "general"
    assert "raw" not in out
    assert "raw" not in out["pulse_info"]["pulses"][0]


def test_geo_section() -> None:
    geo = GeoDetails.from_api(load("indicators_IPv4_geo.json"))
    assert geo.country_code == "FR"
    assert geo.country_code3 == "FRA"
    assert geo.city == "Exampleville"
    assert geo.accuracy_radius == 50
    assert geo.latitude == 48.8566


def test_passive_dns_section() -> None:
    pdns = PassiveDNS.from_api(load("indicators_hostname_passive_dns.rapid7.json"))
    assert pdns.count == 2
    record = pdns.records[0]
    assert (record.address, record.hostname, record.record_type) == (
        "198.50.100.100",
        "example.com",
        "A",
    )
    assert record.first == datetime(2021, 9, 16, 7, 0, 12, tzinfo=UTC)
    assert record.asn == "AS21499 Host Europe GmbH"


def test_url_list_section() -> None:
    urls = URLList.from_api(load("indicators_IPv4_url_list.demisto.json"))
    assert urls.has_next is True
    assert urls.page_num == 1
    assert urls.limit == 10
    assert urls.full_size == 7855
    entry = urls.urls[0]
    assert entry.url == "mojorojorestaurante.com"
    assert entry.httpcode == 200
    assert entry.date == datetime(2022, 1, 3, 8, 21, 31, tzinfo=UTC)


def test_malware_section() -> None:
    malware = MalwareSamples.from_api(load("indicators_IPv4_malware.demisto.json"))
    assert malware.count == 2189582
    assert len(malware.samples) == 1
    sample = malware.samples[0]
    assert sample.hash is not None
    assert sample.hash.startswith("0b4d4a7c")
    assert sample.detections["avg"] is None
    assert sample.detections["clamav"] == "Win.Downloader.50691-1"
    assert sample.date == datetime(2017, 10, 21, 18, 2, 19, tzinfo=UTC)
    assert MalwareSamples.from_api({"data": [{"datetime_int": 0}]}).samples[0].date == datetime(
        1970, 1, 1, tzinfo=UTC
    )


def test_section_models_table() -> None:
    assert SECTION_MODELS["general"] is IndicatorDetails
    assert SECTION_MODELS["passive_dns"] is PassiveDNS
    assert set(SECTION_MODELS) == {"general", "geo", "passive_dns", "url_list", "malware"}
    assert "analysis" not in SECTION_MODELS


def test_user() -> None:
    user = User.from_api(load("users_me.json"))
    assert user.username == "example_analyst"
    assert user.id == "654321"
    assert (user.pulse_count, user.follower_count, user.subscriber_count) == (12, 7, 40)
    assert user.member_since == datetime(2019, 6, 1, 10, 20, 30, 123456, tzinfo=UTC)
    assert User.from_api({}).pulse_count == 0


def test_pulse_events() -> None:
    events = [PulseEvent.from_api(e) for e in load("pulses_events.json")["results"]]
    assert [e.action for e in events] == ["subscribe", "delete"]
    assert events[0].object_type == "pulse"
    assert events[0].created == datetime(2025, 4, 2, 8, tzinfo=UTC)


def test_exported_indicators() -> None:
    items = [ExportedIndicator.from_api(i) for i in load("indicators_export_page1.json")["results"]]
    assert [(i.id, i.type) for i in items] == [(5200000001, "hostname"), (5200000002, "IPv4")]
    assert items[0].title is None
    assert items[0].content == ""
