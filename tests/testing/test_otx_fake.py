"""FakeOTX answers like OTX DirectConnect v1: sections, pulses, absolute next links, quirks."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from tiintel.testing import INVALID_API_KEY, FakeOTX, OTXDataset, seeded
from tiintel.testing._otx_sections import SECTIONS

from .conftest import OTX_BASE


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Authentication credentials were not provided."),
        ({"X-OTX-API-KEY": INVALID_API_KEY}, "Invalid API key."),
    ],
)
def test_auth_is_403(otx_fake: FakeOTX, headers: dict[str, str], detail: str) -> None:
    with httpx.Client(transport=otx_fake, base_url=OTX_BASE, headers=headers) as client:
        response = client.get("/pulses/subscribed")
    assert response.status_code == 403
    assert response.json() == {"detail": detail}


CASES = [
    ("IPv4", seeded.C2_IP),
    ("IPv6", "2001:4860:4860::8888"),
    ("domain", seeded.C2_DOMAIN),
    ("hostname", "update.c2.badcorp.example"),
    ("url", seeded.PHISH_URL),
    ("file", seeded.EICAR_SHA256),
    ("cve", seeded.LOG4SHELL_CVE),
]


@pytest.mark.parametrize(
    ("path_type", "value", "section"),
    [(t, v, s) for t, v in CASES for s in SECTIONS[t]],
)
def test_every_section_answers(
    otx_http: httpx.Client, path_type: str, value: str, section: str
) -> None:
    response = otx_http.get(f"/indicators/{path_type}/{quote(value, safe='')}/{section}")
    assert response.status_code == 200
    assert isinstance(response.json(), dict)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/indicators/email/a@b.example/general", 404),
        ("/indicators/url/http%3A%2F%2Fa.example%2F/geo", 404),
        ("/indicators/IPv4/not-an-ip/general", 400),
        ("/pulses/" + "a" * 24, 404),
    ],
)
def test_unsupported_and_unknown(otx_http: httpx.Client, path: str, status: int) -> None:
    response = otx_http.get(path)
    assert response.status_code == status
    assert "detail" in response.json()


def test_general_shape(otx_http: httpx.Client) -> None:
    body = otx_http.get(f"/indicators/IPv4/{seeded.C2_IP}/general").json()
    assert body["type_title"] == "IPv4"
    info = body["pulse_info"]
    assert info["count"] == len(info["pulses"]) >= 3
    assert "BadCorp" in info["related"]["alienvault"]["adversary"]
    pulse = info["pulses"][0]
    assert pulse["TLP"] in {"white", "green", "amber"}
    assert all(set(a) == {"id", "name", "display_name"} for a in pulse["attack_ids"])
    assert pulse["related_indicator_type"] == "IPv4"


@pytest.mark.parametrize("value", [seeded.HARMLESS_IP, seeded.HARMLESS_DOMAIN])
def test_whitelisted_values_have_validation(otx_http: httpx.Client, value: str) -> None:
    kind = "IPv4" if value[0].isdigit() else "domain"
    body = otx_http.get(f"/indicators/{kind}/{value}/general").json()
    assert body["validation"][0]["source"] == "whitelist"
    assert body["pulse_info"]["count"] == 0


def test_url_value_encoded_or_raw(otx_http: httpx.Client) -> None:
    tricky = "http://phish.example/a?b=1&c=%41#frag"
    otx_http_fake = otx_http._transport  # type: ignore[attr-defined]
    otx_http_fake.add_pulse("Tricky URL pulse", [tricky])
    encoded = otx_http.get(f"/indicators/url/{quote(tricky, safe='')}/general").json()
    assert encoded["indicator"] == tricky
    assert encoded["pulse_info"]["count"] == 1
    raw = otx_http.get(f"/indicators/url/{seeded.PHISH_URL}/general").json()
    assert raw["indicator"] == seeded.PHISH_URL
    assert raw["pulse_info"]["count"] == 2


def test_raw_url_with_query_is_rebuilt() -> None:
    from tiintel.testing._otx_sections import split_indicator_path

    parsed = split_indicator_path("url/http://a.example/x", "q=1/general")
    assert parsed == ("url", "http://a.example/x?q=1", "general", True)


def test_subscribed_pages_with_absolute_next(otx_http: httpx.Client) -> None:
    url: str | None = "/pulses/subscribed?limit=3"
    seen = []
    while url:
        body = otx_http.get(url).json()
        assert {"prefetch_pulse_ids", "t", "t2", "t3"} <= set(body)
        seen += body["results"]
        url = body["next"]
        if url:
            assert url.startswith("https://otx.alienvault.com/api/v1/pulses/subscribed?")
    assert len(seen) == body["count"] == 7
    first = seen[0]
    assert "tlp" in first
    assert "TLP" not in first
    assert all(isinstance(a, str) for p in seen for a in p["attack_ids"])
    assert first["indicators"]
    assert [p["modified"] for p in seen] == sorted((p["modified"] for p in seen), reverse=True)


def test_modified_since_and_504_knob() -> None:
    fake = FakeOTX(subscribed_504_over_page_size=20)
    with httpx.Client(transport=fake, base_url=OTX_BASE, headers={"X-OTX-API-KEY": "k"}) as client:
        assert client.get("/pulses/subscribed", params={"limit": 50}).status_code == 504
        assert client.get("/pulses/subscribed", params={"limit": 20}).status_code == 200
        future = client.get(
            "/pulses/subscribed", params={"modified_since": "2999-01-01T00:00:00Z", "limit": 5}
        )
        assert future.json()["results"] == []


def test_pulse_detail_and_indicators(otx_http: httpx.Client, otx_fake: FakeOTX) -> None:
    pulse_id = otx_fake.add_pulse(
        "Detail check pulse",
        ["198.18.0.1", {"indicator": "old.example", "type": "domain", "is_active": 0}],
        tlp="amber",
        attack_ids=["T1190"],
    )
    detail = otx_http.get(f"/pulses/{pulse_id}").json()
    assert detail["TLP"] == "amber"
    assert detail["attack_ids"] == [{"id": "T1190", "name": "", "display_name": "T1190"}]
    assert detail["indicator_count"] == 1
    active = otx_http.get(f"/pulses/{pulse_id}/indicators").json()
    everything = otx_http.get(f"/pulses/{pulse_id}/indicators?include_inactive=1").json()
    assert (active["count"], everything["count"]) == (1, 2)


def test_create_validation_and_patch(otx_http: httpx.Client) -> None:
    bad = otx_http.post(
        "/pulses/create",
        json={
            "name": "abc",
            "TLP": "amber",
            "public": True,
            "indicators": [{"indicator": "x", "type": "IPv4"}],
        },
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"name", "public", "indicators"}
    made = otx_http.post(
        "/pulses/create", json={"name": "My investigation", "public": False, "TLP": "amber",
                                "indicators": [{"indicator": "198.18.0.7", "type": "IPv4"}]},
    )  # fmt: skip
    assert made.status_code == 201
    pulse_id = made.json()["id"]
    patched = otx_http.patch(
        f"/pulses/{pulse_id}",
        json={
            "tags": {"add": ["case-1"]},
            "indicators": {"add": [{"indicator": "bad.example", "type": "domain"}]},
        },
    ).json()
    assert patched["tags"] == ["case-1"]
    assert patched["revision"] == 2
    assert patched["indicator_count"] == 2
    not_mine = otx_http.patch(f"/pulses/{next(iter(otx_http._transport.dataset.pulses))}", json={})  # type: ignore[attr-defined]
    assert not_mine.status_code == 403


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"indicator": "8.8.4.4", "type": "IPv4"}, 200),
        ({"indicator": "8.8.4.4", "type": "domain"}, 400),
    ],
)
def test_validate(otx_http: httpx.Client, body: dict[str, str], status: int) -> None:
    assert otx_http.post("/pulses/indicators/validate", json=body).status_code == status


def test_subscribe_events_search_export_user_groups(
    otx_http: httpx.Client, otx_fake: FakeOTX
) -> None:
    old = next(p["id"] for p in otx_fake.dataset.pulses.values() if not p["subscribed"])
    assert otx_http.get(f"/pulses/{old}/subscribe").json()["status"] == "subscribed"
    events = otx_http.get("/pulses/events").json()["results"]
    assert events[-1]["object_id"] == old
    assert events[-1]["action"] == "subscribe"
    found = otx_http.get("/search/pulses", params={"q": "eicar", "limit": 1}).json()
    assert found["count"] == 2
    assert found["next"].startswith("https://otx.alienvault.com/api/v1/search/pulses?")
    exported = otx_http.get("/indicators/export", params={"types": "CVE"}).json()
    assert [i["indicator"] for i in exported["results"]] == [seeded.LOG4SHELL_CVE]
    assert otx_http.get("/users/me").json()["username"] == "tiintel_tester"
    assert otx_http.get("/groups/1001/add_pulse", params={"pulse_id": old}).status_code == 200
    assert otx_http.get("/groups/999/add_pulse", params={"pulse_id": old}).status_code == 403


def test_related_and_activity(otx_http: httpx.Client, otx_fake: FakeOTX) -> None:
    c2_pulse = next(
        p["id"]
        for p in otx_fake.dataset.pulses.values()
        if p["name"] == "BadCorp C2 infrastructure"
    )
    names = {p["name"] for p in otx_http.get(f"/pulses/{c2_pulse}/related").json()["results"]}
    assert "BadCorp adversary profile" in names
    assert otx_http.get("/pulses/activity").json()["count"] >= 7


def test_seeded_dates_are_relative_to_today() -> None:
    from datetime import UTC, datetime, timedelta

    data = OTXDataset(today=datetime(2030, 6, 1, tzinfo=UTC))
    ages = {
        p["name"]: datetime(2030, 6, 1) - datetime.fromisoformat(p["modified"])
        for p in data.pulses.values()
    }
    assert ages["Credential phishing kit: fake webmail login"] < timedelta(days=2)
    assert ages["EICAR in legacy mail gateways"] > timedelta(days=365)


def test_rate_limit_is_throttled_without_retry_after() -> None:
    fake = FakeOTX(rate_limits=[(2, 1.0)], clock=lambda: 0.0)
    with httpx.Client(transport=fake, base_url=OTX_BASE, headers={"X-OTX-API-KEY": "k"}) as client:
        responses = [client.get("/users/me") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[-1].json() == {"detail": "Request was throttled."}
    assert "retry-after" not in responses[-1].headers
