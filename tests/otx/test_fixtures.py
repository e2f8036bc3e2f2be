"""Every recorded OTX fixture parses through the client method that would receive it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tiintel.models import (
    ExportedIndicator,
    GeoDetails,
    IndicatorDetails,
    MalwareSamples,
    PassiveDNS,
    Pulse,
    PulseEvent,
    PulseIndicator,
    URLList,
    User,
)

from .conftest import FIXTURES, load

PULSE = "5f1f4d5b3c7b8a0012345678"
CALLS: dict[str, tuple[Callable[[Any], Any], type[Any]]] = {
    "indicators_IPv4_general_attack_id_objects_whitelisted.demisto.json": (
        lambda c: c.indicators.get("98.136.103.23"),
        IndicatorDetails,
    ),
    "indicators_IPv4_general_one_pulse.rapid7.json": (
        lambda c: c.indicators.get("198.51.100.100"),
        IndicatorDetails,
    ),
    "indicators_IPv4_general_zero_pulses.demisto.json": (
        lambda c: c.indicators.get("8.8.88.8"),
        IndicatorDetails,
    ),
    "indicators_IPv4_geo.json": (lambda c: c.indicators.get("8.8.8.8", "geo"), GeoDetails),
    "indicators_IPv4_malware.demisto.json": (
        lambda c: c.indicators.get("8.8.8.8", "malware"),
        MalwareSamples,
    ),
    "indicators_IPv4_url_list.demisto.json": (
        lambda c: c.indicators.get("8.8.8.8", "url_list"),
        URLList,
    ),
    "indicators_domain_general_zero_pulses_whitelisted.demisto.json": (
        lambda c: c.indicators.get("otx.alienvault.com", type="domain"),
        IndicatorDetails,
    ),
    "indicators_export_page1.json": (lambda c: c.indicators.export(), ExportedIndicator),
    "indicators_file_analysis.demisto.json": (
        lambda c: c.indicators.get("44d88612fea8a8f36de82e1278abb02f", "analysis"),
        object,
    ),
    "indicators_file_general_sha1_zero_pulses.demisto.json": (
        lambda c: c.indicators.get("3395856ce81f2b7382dee72602f798b642f14140"),
        IndicatorDetails,
    ),
    "indicators_hostname_passive_dns.rapid7.json": (
        lambda c: c.indicators.get("www.example.com", "passive_dns"),
        PassiveDNS,
    ),
    "indicators_url_general_one_pulse.rapid7.json": (
        lambda c: c.indicators.get("http://example.com"),
        IndicatorDetails,
    ),
    "pulses_events.json": (lambda c: c.pulses.events(), PulseEvent),
    "pulses_id_details.json": (lambda c: c.pulses.get(PULSE), Pulse),
    "pulses_id_indicators_page.json": (lambda c: c.pulses.indicators(PULSE), PulseIndicator),
    "pulses_subscribed_page1_with_next.json": (lambda c: c.pulses.subscribed(), Pulse),
    "pulses_subscribed_page2_last.json": (lambda c: c.pulses.subscribed(), Pulse),
    "search_pulses.json": (lambda c: c.pulses.search("x"), Pulse),
    "users_me.json": (lambda c: c.users.me(), User),
}


def test_every_fixture_has_a_call() -> None:
    assert set(CALLS) == {p.name for p in FIXTURES.glob("*.json")}


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_fixture_parses(twin: Any, name: str) -> None:
    body = load(name)
    if isinstance(body, dict) and "results" in body:
        body["next"] = None  # one page is enough here

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    call, model = CALLS[name]
    result = await twin.run(call(twin.make(httpx.MockTransport(handle))))
    items = result if isinstance(result, list) else [result]
    assert len(items) == (len(body["results"]) if "results" in body else 1)
    assert all(isinstance(item, model) for item in items)
    if model is object:
        assert "analysis" in result


async def test_recorded_feed_follows_its_absolute_next_link(twin: Any) -> None:
    pages = [
        load("pulses_subscribed_page1_with_next.json"),
        load("pulses_subscribed_page2_last.json"),
    ]
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=pages[len(seen) - 1])

    client = twin.make(httpx.MockTransport(handle), base_url="http://127.0.0.1:8080/api/v1")
    feed = client.pulses.subscribed(modified_since="2025-03-01T00:00:00Z", page_size=1)
    pulses = await twin.run(feed)
    assert [p.id for p in pulses] == [r["id"] for page in pages for r in page["results"]]
    assert seen[1].url.host == "127.0.0.1"
    assert seen[1].url.params["page"] == "2"
    assert seen[1].url.params["modified_since"] == "2025-03-01T00:00:00Z"
    assert feed.watermark == max(p.modified for p in pulses)
