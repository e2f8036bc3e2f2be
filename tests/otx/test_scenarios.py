"""One scenario table, run through both twins against the offline FakeOTX."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import tiintel
from tiintel import IndicatorType
from tiintel._core.indicators import Indicator
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
from tiintel.testing import INVALID_API_KEY, TEST_API_KEY, FakeOTX

C2_IP = "185.220.101.47"
C2_DOMAIN = "c2.badcorp.example"
EICAR_MD5 = "44d88612fea8a8f36de82e1278abb02f"


def first_pulse_id(fake: FakeOTX) -> str:
    return next(p["id"] for p in fake.dataset.pulses.values() if p["subscribed"])


Check = Callable[[Any], bool]
Call = Callable[[Any, FakeOTX], Any]

SCENARIOS: list[tuple[str, Call, Check, str]] = [
    (
        "ip general in a campaign",
        lambda c, f: c.indicators.get(C2_IP),
        lambda r: (
            isinstance(r, IndicatorDetails)
            and r.pulse_info.count >= 1
            and any("BadCorp" in (p.name or "") for p in r.pulse_info.pulses)
            and not r.whitelisted
        ),
        "/indicators/IPv4/185.220.101.47/general",
    ),
    (
        "whitelisted ip",
        lambda c, f: c.indicators.get("8.8.8.8"),
        lambda r: r.whitelisted is True,
        "/indicators/IPv4/8.8.8.8/general",
    ),
    (
        "whitelisted domain typed by IndicatorType",
        lambda c, f: c.indicators.get("google.com", type=IndicatorType.DOMAIN),
        lambda r: r.whitelisted is True,
        "/indicators/domain/google.com/general",
    ),
    (
        "sub-domain auto-detected as hostname",
        lambda c, f: c.indicators.get(C2_DOMAIN),
        lambda r: r.pulse_info.count >= 1,
        "/indicators/hostname/c2.badcorp.example/general",
    ),
    (
        "sub-domain forced to the domain path type",
        lambda c, f: c.indicators.get(C2_DOMAIN, type="domain"),
        lambda r: isinstance(r, IndicatorDetails),
        "/indicators/domain/c2.badcorp.example/general",
    ),
    (
        "file hash, refanged and upper-case input",
        lambda c, f: c.indicators.get(" " + EICAR_MD5.upper()),
        lambda r: r.pulse_info.count >= 1,
        f"/indicators/file/{EICAR_MD5}/general",
    ),
    (
        "cve",
        lambda c, f: c.indicators.get("cve-2021-44228"),
        lambda r: r.pulse_info.count >= 1,
        "/indicators/cve/CVE-2021-44228/general",
    ),
    (
        "defanged ip, path type in any case",
        lambda c, f: c.indicators.get("185[.]220[.]101[.]47", type="ipv4"),
        lambda r: r.pulse_info.count >= 1,
        "/indicators/IPv4/185.220.101.47/general",
    ),
    (
        "geo section",
        lambda c, f: c.indicators.get(C2_IP, "geo"),
        lambda r: isinstance(r, GeoDetails) and r.country_code is not None,
        "/indicators/IPv4/185.220.101.47/geo",
    ),
    (
        "passive dns section",
        lambda c, f: c.indicators.get(C2_DOMAIN, "passive_dns"),
        lambda r: isinstance(r, PassiveDNS),
        "/indicators/hostname/c2.badcorp.example/passive_dns",
    ),
    (
        "url list section",
        lambda c, f: c.indicators.get(C2_IP, "url_list"),
        lambda r: isinstance(r, URLList),
        "/indicators/IPv4/185.220.101.47/url_list",
    ),
    (
        "malware section",
        lambda c, f: c.indicators.get(C2_IP, "malware"),
        lambda r: isinstance(r, MalwareSamples),
        "/indicators/IPv4/185.220.101.47/malware",
    ),
    (
        "section without a model is a read-only mapping",
        lambda c, f: c.indicators.get(C2_IP, "reputation"),
        lambda r: not isinstance(r, dict) and hasattr(r, "keys") and not hasattr(r, "__setitem__"),
        "/indicators/IPv4/185.220.101.47/reputation",
    ),
    (
        "file analysis section",
        lambda c, f: c.indicators.get(EICAR_MD5, "analysis"),
        lambda r: hasattr(r, "keys"),
        f"/indicators/file/{EICAR_MD5}/analysis",
    ),
    (
        "all sections of a file",
        lambda c, f: c.indicators.details(EICAR_MD5),
        lambda r: list(r) == ["general", "analysis"] and isinstance(r["general"], IndicatorDetails),
        f"/indicators/file/{EICAR_MD5}/",
    ),
    (
        "users.me",
        lambda c, f: c.users.me(),
        lambda r: isinstance(r, User) and r.username == "tiintel_tester",
        "/users/me",
    ),
    (
        "subscribed feed",
        lambda c, f: c.pulses.subscribed(page_size=3),
        lambda r: len(r) >= 4 and all(isinstance(p, Pulse) and p.indicators is not None for p in r),
        "/pulses/subscribed",
    ),
    (
        "subscribed feed with limit",
        lambda c, f: c.pulses.subscribed(limit=2),
        lambda r: len(r) == 2,
        "/pulses/subscribed",
    ),
    (
        "activity",
        lambda c, f: c.pulses.activity(limit=5),
        lambda r: len(r) == 5 and all(isinstance(p, Pulse) for p in r),
        "/pulses/activity",
    ),
    (
        "events",
        lambda c, f: c.pulses.events(),
        lambda r: len(r) >= 1 and all(isinstance(e, PulseEvent) for e in r),
        "/pulses/events",
    ),
    (
        "search",
        lambda c, f: c.pulses.search("badcorp"),
        lambda r: len(r) >= 1 and all("badcorp" in (p.name or "").lower() for p in r),
        "/search/pulses",
    ),
    (
        "one pulse with indicators",
        lambda c, f: c.pulses.get(first_pulse_id(f)),
        lambda r: isinstance(r, Pulse) and r.indicators,
        "/pulses/",
    ),
    (
        "pulse indicators paged",
        lambda c, f: c.pulses.indicators(first_pulse_id(f), page_size=1),
        lambda r: len(r) >= 1 and all(isinstance(i, PulseIndicator) for i in r),
        "/pulses/",
    ),
    (
        "related pulses",
        lambda c, f: c.pulses.related(first_pulse_id(f)),
        lambda r: all(isinstance(p, Pulse) for p in r),
        "/pulses/",
    ),
    (
        "export of IPv4 indicators",
        lambda c, f: c.indicators.export(types=[IndicatorType.IPV4], page_size=2),
        lambda r: r and all(isinstance(i, ExportedIndicator) and i.type == "IPv4" for i in r),
        "/indicators/export",
    ),
    (
        "validate accepts a good indicator",
        lambda c, f: c.indicators.validate(Indicator.parse(C2_IP)),
        lambda r: r is True,
        "/pulses/indicators/validate",
    ),
    (
        "create a private amber pulse",
        lambda c, f: c.pulses.create(
            "BadCorp follow-up",
            indicators=[C2_IP, {"indicator": "evil.example", "type": "Domain"}],
            tlp="amber",
            public=False,
            tags=["badcorp"],
        ),
        lambda r: isinstance(r, Pulse) and r.tlp == "amber" and len(r.indicators or ()) == 2,
        "/pulses/create",
    ),
    (
        "subscribe",
        lambda c, f: c.pulses.subscribe(first_pulse_id(f)),
        lambda r: r["status"] == "subscribed",
        "/pulses/",
    ),
]


@pytest.mark.parametrize(
    ("call", "check", "path"), [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS]
)
async def test_scenario(twin: Any, call: Call, check: Check, path: str) -> None:
    fake = FakeOTX()
    client = twin.make(fake, api_key=TEST_API_KEY)
    result = await twin.run(call(client, fake))
    assert check(result), result
    assert fake.requests, "nothing was sent"
    assert all(r.path.startswith(path) for r in fake.requests), [r.path for r in fake.requests]
    assert all(r.status in (200, 201) for r in fake.requests)


async def test_update_adds_and_removes_indicators(twin: Any) -> None:
    fake = FakeOTX()
    client = twin.make(fake, api_key=TEST_API_KEY)
    pulse = await twin.run(client.pulses.create("Pulse to edit", indicators=["198.51.100.7"]))
    assert pulse.indicators is not None
    edited = await twin.run(
        client.pulses.update(
            pulse.id, add=["203.0.113.9"], remove=[pulse.indicators[0]], add_tags=["t"]
        )
    )
    assert [i.indicator for i in edited.indicators or ()] == ["203.0.113.9"]
    assert edited.tags == ("t",)
    assert fake.requests[-1].method == "PATCH"


async def test_details_fetches_every_section_of_the_type(twin: Any) -> None:
    fake = FakeOTX()
    client = twin.make(fake, api_key=TEST_API_KEY)
    result = await twin.run(client.indicators.details(C2_IP))
    assert list(result) == list(tiintel.otx.SECTIONS["IPv4"])
    assert sorted(r.path.rsplit("/", 1)[1] for r in fake.requests) == sorted(
        tiintel.otx.SECTIONS["IPv4"]
    )


# -- 403 meanings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c, f: c.indicators.get(C2_IP),
        lambda c, f: c.pulses.subscribed(),
        lambda c, f: c.pulses.search("x"),
        lambda c, f: c.users.me(),
        lambda c, f: c.indicators.export(),
    ],
    ids=["indicator", "subscribed", "search", "users", "export"],
)
async def test_403_with_a_bad_key_is_an_authentication_error(twin: Any, call: Call) -> None:
    fake = FakeOTX()
    client = twin.make(fake, api_key=INVALID_API_KEY)
    with pytest.raises(tiintel.AuthenticationError) as info:
        await twin.run(call(client, fake))
    assert info.value.status_code == 403
    assert INVALID_API_KEY not in str(info.value)


async def test_403_on_a_group_is_a_permission_error(twin: Any) -> None:
    fake = FakeOTX()
    client = twin.make(fake, api_key=TEST_API_KEY)
    with pytest.raises(tiintel.PermissionDeniedError):
        await twin.run(client.pulses.add_to_group(first_pulse_id(fake), 999))
    assert (await twin.run(client.pulses.add_to_group(first_pulse_id(fake), 1001)))[
        "status"
    ] == "success"


async def test_403_on_someone_elses_pulse_is_a_permission_error(twin: Any) -> None:
    fake = FakeOTX()
    client = twin.make(fake, api_key=TEST_API_KEY)
    others = next(
        p["id"] for p in fake.dataset.pulses.values() if p["author_name"] != "tiintel_tester"
    )
    with pytest.raises(tiintel.PermissionDeniedError):
        await twin.run(client.pulses.update(others, add_tags=["mine now"]))


async def test_unknown_pulse_is_not_found(twin: Any) -> None:
    client = twin.make(FakeOTX(), api_key=TEST_API_KEY)
    with pytest.raises(tiintel.NotFoundError):
        await twin.run(client.pulses.get("a" * 24))


async def test_validate_is_false_when_otx_refuses(twin: Any) -> None:
    client = twin.make(FakeOTX(), api_key=TEST_API_KEY)
    # tiintel cannot check a Mutex value itself, so OTX decides (the fake answers 400)
    assert await twin.run(client.indicators.validate("Global\\evil-mutex", "Mutex")) is False
    assert await twin.run(client.indicators.validate("203.0.113.9", "IPv4")) is True
