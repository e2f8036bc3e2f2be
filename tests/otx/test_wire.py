"""Exact wire behaviour on httpx.MockTransport: paths, encoding, paging, shrinking, watermarks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

import tiintel
from tiintel.otx import OTXClient
from tiintel.testing import TEST_API_KEY, FakeOTX

from .conftest import BASE, KEY

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def pulse(n: int) -> dict[str, Any]:
    """Pulse ``n``: newer pulses have smaller numbers (feeds are newest first)."""
    modified = (T0 - timedelta(minutes=n)).replace(tzinfo=None).isoformat()
    return {"id": f"{n:024x}", "name": f"pulse {n}", "modified": modified, "indicators": []}


class Feed:
    """A paged OTX feed served lazily: each page is generated only when it is requested.

    ``next`` links are absolute and point at ``next_host`` (real OTX links name otx.alienvault.com).
    ``fail_over`` makes pages bigger than that answer 504 (like /pulses/subscribed).
    """

    def __init__(
        self,
        total: int,
        *,
        next_host: str = "otx.alienvault.com",
        next_path: str = "/api/v1/pulses/subscribed",
        fail_over: int | None = None,
    ) -> None:
        self.total = total
        self.next_host = next_host
        self.next_path = next_path
        self.fail_over = fail_over
        self.seen: list[httpx.Request] = []
        self.generated = 0
        self.transport = httpx.MockTransport(self._handle)

    def _page(self, page: int, size: int) -> Iterator[dict[str, Any]]:
        for n in range((page - 1) * size, min(page * size, self.total)):
            self.generated += 1
            yield pulse(n)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        query = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
        size, page = int(query.get("limit", "50")), int(query.get("page", "1"))
        if self.fail_over is not None and size > self.fail_over:
            return httpx.Response(504, text="<html>Gateway Time-out</html>")
        results = list(self._page(page, size))
        more = page * size < self.total
        following = {**query, "page": str(page + 1)}
        link = f"https://{self.next_host}{self.next_path}?" + "&".join(
            f"{k}={v}" for k, v in following.items()
        )
        return httpx.Response(
            200,
            json={
                "count": self.total,
                "next": link if more else None,
                "previous": None,
                "results": results,
            },
        )

    def pages(self) -> list[tuple[int, int]]:
        """(limit, page) of every request, in order."""
        out = []
        for r in self.seen:
            q = {k: v[0] for k, v in parse_qs(r.url.query.decode()).items()}
            out.append((int(q.get("limit", "0")), int(q.get("page", "1"))))
        return out


def client(transport: httpx.MockTransport, clock: Any, **kw: Any) -> OTXClient:
    return OTXClient(KEY, transport=transport, clock=clock, **kw)


# -- paths -----------------------------------------------------------------------------------------


def recorder() -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"indicator": "x", "pulse_info": {"count": 0, "pulses": []}}
        )

    return httpx.MockTransport(handle), seen


def test_url_indicator_is_one_encoded_segment(clock: Any) -> None:
    transport, seen = recorder()
    url = "http://evil.example/a/b?x=1&y=%41#frag"
    client(transport, clock).indicators.get(url)
    assert len(seen) == 1
    raw = seen[0].url.raw_path.decode()
    assert raw == (
        "/api/v1/indicators/url/"
        "http%3A%2F%2Fevil.example%2Fa%2Fb%3Fx%3D1%26y%3D%2541%23frag/general"
    )
    assert seen[0].url.query == b""
    assert seen[0].headers["X-OTX-API-KEY"] == KEY


@pytest.mark.parametrize(
    ("value", "section", "kind"),
    [
        ("44d88612fea8a8f36de82e1278abb02f", "geo", None),
        ("http://evil.example/x", "passive_dns", None),
        ("CVE-2021-44228", "whois", None),
        ("8.8.8.8", "whois", None),
        ("google.com", "reputation", None),
        ("8.8.8.8", "screenshot", "IPv4"),
        ("8.8.8.8", "nonsense", None),
        ("8.8.8.8", "general", "nids"),  # not a path type we support
        ("8.8.8.8", "general", "domain"),  # the value is not of that type
        ("8.8.8.8", "general", tiintel.IndicatorType.SHA256),
        ("../users/me", "general", None),  # not an indicator at all
    ],
)
def test_impossible_lookups_send_nothing(clock: Any, value: str, section: str, kind: Any) -> None:
    transport, seen = recorder()
    with pytest.raises(tiintel.InvalidIndicatorError):
        client(transport, clock).indicators.get(value, section, type=kind)
    assert seen == []


CREATE_ERRORS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"name": "abcd"}, ValueError, "5 to 64"),
    ({"name": "x" * 65}, ValueError, "5 to 64"),
    ({"name": "Valid name", "tlp": "purple"}, ValueError, "tlp must be one of"),
    ({"name": "Valid name", "tlp": "red"}, ValueError, "public=False"),
    ({"name": "Valid name", "tlp": "AMBER", "public": True}, ValueError, "public=False"),
    (
        {"name": "Valid name", "indicators": [{"indicator": "1.2.3.4", "type": "IPv5"}]},
        tiintel.InvalidIndicatorError,
        "unknown OTX pulse indicator type",
    ),
    (
        {"name": "Valid name", "indicators": [{"indicator": "1.2.3.4", "type": "domain"}]},
        tiintel.InvalidIndicatorError,
        "expected a domain",
    ),
    (
        {"name": "Valid name", "indicators": ["not an indicator"]},
        tiintel.InvalidIndicatorError,
        "expected",
    ),
    ({"name": "Valid name", "indicators": [42]}, tiintel.InvalidIndicatorError, "int"),
    ({"name": "Valid name", "group_ids": ["one"]}, ValueError, "group_ids"),
]


@pytest.mark.parametrize(("kwargs", "error", "match"), CREATE_ERRORS)
def test_create_validation_errors_send_nothing(
    clock: Any, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    transport, seen = recorder()
    with pytest.raises(error, match=match):
        client(transport, clock).pulses.create(**kwargs)
    assert seen == []


def test_create_body_is_what_otx_expects(clock: Any) -> None:
    bodies: list[bytes] = []

    def handle(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return httpx.Response(201, json={"id": "a" * 24, "name": "Valid name", "TLP": "green"})

    otx = client(httpx.MockTransport(handle), clock)
    created = otx.pulses.create(
        "  Valid name ",
        indicators=[
            "hxxp://evil[.]example/x",
            tiintel.Indicator.parse("1.2.3.4"),
            {"indicator": "EVIL.example", "type": "DOMAIN", "role": "C2"},
        ],
        tlp="Green",
    )
    assert created.tlp == "green"
    body = json.loads(bodies[0])
    assert body["name"] == "Valid name"
    assert body["TLP"] == "green"
    assert body["public"] is True
    assert body["indicators"] == [
        {"indicator": "http://evil.example/x", "type": "URL"},
        {"indicator": "1.2.3.4", "type": "IPv4"},
        {"indicator": "evil.example", "type": "domain", "role": "C2"},
    ]
    assert "adversary" not in body


def test_create_is_never_retried_after_a_5xx(clock: Any) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(502, text="bad gateway")

    with pytest.raises(tiintel.ServerError):
        client(httpx.MockTransport(handle), clock).pulses.create("Valid name")
    assert len(seen) == 1


def test_update_with_nothing_to_change_sends_nothing(clock: Any) -> None:
    transport, seen = recorder()
    with pytest.raises(ValueError, match="nothing to update"):
        client(transport, clock).pulses.update("a" * 24)
    assert seen == []


# -- paging ----------------------------------------------------------------------------------------


def test_subscribed_streams_one_page_at_a_time(clock: Any) -> None:
    feed = Feed(total=1000)
    iterator = client(feed.transport, clock).pulses.subscribed(page_size=10)
    assert feed.seen == []  # nothing is sent before the first item is asked for
    consumed = 0
    for item in iterator:
        consumed += 1
        # the page holding this item was fetched, and not one more
        assert len(feed.seen) == (consumed - 1) // 10 + 1
        assert feed.generated <= consumed + 9
        assert len(iterator._items) <= 10
        assert item.id == f"{consumed - 1:024x}"
    assert consumed == 1000
    assert len(feed.seen) == 100


def test_next_links_are_rebased_onto_base_url_and_the_key_stays_home(clock: Any) -> None:
    feed = Feed(total=5, next_host="evil.example.net")
    items = list(client(feed.transport, clock).pulses.subscribed(page_size=2))
    assert len(items) == 5
    assert {r.url.host for r in feed.seen} == {"otx.alienvault.com"}
    assert all(r.headers["X-OTX-API-KEY"] == KEY for r in feed.seen)
    assert feed.pages() == [(2, 1), (2, 2), (2, 3)]


def test_next_link_on_a_custom_base_url_keeps_its_path(clock: Any) -> None:
    feed = Feed(total=3, next_path="/proxy/otx/api/v1/pulses/subscribed")
    otx = OTXClient(
        KEY, base_url="https://gw.internal/proxy/otx/api/v1", transport=feed.transport, clock=clock
    )
    assert len(list(otx.pulses.subscribed(page_size=2))) == 3
    assert [r.url.path for r in feed.seen] == ["/proxy/otx/api/v1/pulses/subscribed"] * 2
    assert {r.url.host for r in feed.seen} == {"gw.internal"}


def test_next_link_outside_the_api_path_is_a_parse_error(clock: Any) -> None:
    feed = Feed(total=5, next_path="/admin/pulses/subscribed")
    iterator = client(feed.transport, clock).pulses.subscribed(page_size=2)
    assert next(iterator).id == pulse(0)["id"]
    assert next(iterator).id == pulse(1)["id"]
    with pytest.raises(tiintel.ResponseParseError, match="outside the API path"):
        next(iterator)
    assert len(feed.seen) == 1


def test_next_link_to_the_same_page_is_a_parse_error(clock: Any) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"results": [pulse(0)], "next": f"https://x{request.url.raw_path.decode()}"}
        )

    with pytest.raises(tiintel.ResponseParseError, match="same page"):
        list(client(httpx.MockTransport(handle), clock).pulses.subscribed(page_size=1))


@pytest.mark.parametrize(
    ("total", "page_size", "fail_over"), [(23, 8, 2), (10, 6, 3), (7, 50, 1), (40, 12, 4)]
)
def test_504_pages_shrink_without_skipping_or_repeating(
    clock: Any, total: int, page_size: int, fail_over: int
) -> None:
    feed = Feed(total=total, fail_over=fail_over)
    iterator = client(feed.transport, clock, max_retries=1).pulses.subscribed(page_size=page_size)
    ids = [p.id for p in iterator]
    assert ids == [pulse(n)["id"] for n in range(total)]
    assert iterator.page_size <= fail_over
    assert iterator.watermark == T0


def test_504_in_the_middle_of_the_feed_continues_at_the_same_item(clock: Any) -> None:
    feed = Feed(total=20)
    iterator = client(feed.transport, clock, max_retries=0).pulses.subscribed(page_size=8)
    first = [next(iterator).id for _ in range(8)]
    feed.fail_over = 4  # the service starts timing out on pages of 8
    rest = [p.id for p in iterator]
    assert first + rest == [pulse(n)["id"] for n in range(20)]
    # page 2 of 8 failed; items 8.. are page 3 of 4, then pages 4 and 5 of 4
    assert feed.pages() == [(8, 1), (8, 2), (4, 3), (4, 4), (4, 5)]


def test_a_page_that_cannot_shrink_raises_the_server_error(clock: Any) -> None:
    feed = Feed(total=3, fail_over=0)
    with pytest.raises(tiintel.ServerError) as info:
        list(client(feed.transport, clock, max_retries=0).pulses.subscribed(page_size=4))
    assert info.value.status_code == 504
    assert feed.pages() == [(4, 1), (2, 1), (1, 1)]


def test_the_fake_subscribed_feed_shrinks_too(clock: Any) -> None:
    fake = FakeOTX(subscribed_504_over_page_size=2)
    otx = OTXClient(TEST_API_KEY, transport=fake, clock=clock, max_retries=0)
    everything = [p.id for p in OTXClient(TEST_API_KEY, transport=FakeOTX()).pulses.subscribed()]
    assert [p.id for p in otx.pulses.subscribed(page_size=8)] == everything


def test_limit_caps_items_and_the_first_page(clock: Any) -> None:
    feed = Feed(total=100)
    items = list(client(feed.transport, clock).pulses.subscribed(limit=3, page_size=50))
    assert len(items) == 3
    assert feed.pages() == [(3, 1)]


@pytest.mark.parametrize("bad", [0, -1, True, 2.5])
def test_bad_page_arguments_send_nothing(clock: Any, bad: Any) -> None:
    transport, seen = recorder()
    otx = client(transport, clock)
    with pytest.raises(ValueError, match="page_size"):
        otx.pulses.subscribed(page_size=bad)
    with pytest.raises(ValueError, match="limit"):
        otx.pulses.search("x", limit=bad)
    assert seen == []


# -- watermark and modified_since -------------------------------------------------------------------


def test_watermark_only_after_a_completed_pass(clock: Any) -> None:
    feed = Feed(total=5)
    otx = client(feed.transport, clock)
    iterator = otx.pulses.subscribed(page_size=2)
    for _ in range(5):
        next(iterator)
        assert iterator.watermark is None  # not before the service said "no more"
    with pytest.raises(StopIteration):
        next(iterator)
    assert iterator.watermark == T0
    assert iterator.watermark.tzinfo is not None

    interrupted = otx.pulses.subscribed(page_size=2)
    for _ in interrupted:
        break
    assert interrupted.watermark is None
    limited = otx.pulses.subscribed(limit=2)
    assert len(list(limited)) == 2
    assert limited.watermark is None


@pytest.mark.parametrize(
    ("since", "sent"),
    [
        (datetime(2024, 5, 1, 12, 0), "2024-05-01T12:00:00+00:00"),
        (
            datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))),
            "2024-05-01T12:00:00+00:00",
        ),
        ("2024-05-01T12:00:00Z", "2024-05-01T12:00:00+00:00"),
        ("2024-05-01T12:00:00.855000", "2024-05-01T12:00:00.855000+00:00"),
    ],
)
def test_modified_since_is_sent_as_utc_iso(clock: Any, since: Any, sent: str) -> None:
    feed = Feed(total=1)
    list(client(feed.transport, clock).pulses.subscribed(modified_since=since))
    assert feed.seen[0].url.params["modified_since"] == sent


def test_bad_modified_since_sends_nothing(clock: Any) -> None:
    transport, seen = recorder()
    with pytest.raises(ValueError, match="ISO 8601"):
        client(transport, clock).pulses.subscribed(modified_since="yesterday")
    assert seen == []


def test_resume_from_the_watermark_with_the_fake() -> None:
    fake = FakeOTX()
    otx = OTXClient(TEST_API_KEY, transport=fake)
    feed = otx.pulses.subscribed()
    assert list(feed)
    assert feed.watermark is not None
    again = otx.pulses.subscribed(modified_since=feed.watermark)
    assert list(again) == []
    assert again.watermark is None  # nothing seen, nothing newer to report


# -- client configuration ---------------------------------------------------------------------------


def test_public_rate_limits_are_not_an_otx_thing() -> None:
    with pytest.raises(tiintel.ConfigurationError, match="public"):
        OTXClient(KEY, rate_limits="public")


def test_key_from_the_environment_and_default_timeout(
    monkeypatch: pytest.MonkeyPatch, clock: Any
) -> None:
    with pytest.raises(tiintel.ConfigurationError, match="OTX_API_KEY"):
        OTXClient()
    monkeypatch.setenv("OTX_API_KEY", "from-env")
    transport, seen = recorder()
    otx = OTXClient(transport=transport, clock=clock)
    assert otx.base_url == BASE
    otx.indicators.get("8.8.8.8")
    assert seen[0].headers["X-OTX-API-KEY"] == "from-env"
    assert seen[0].extensions["timeout"]["read"] == 90.0
    assert "from-env" not in repr(otx)


def test_429_is_a_rate_limit_error(clock: Any) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"detail": "Request was throttled."})

    otx = client(httpx.MockTransport(handle), clock, max_quota_wait=0)
    with pytest.raises(tiintel.RateLimitError, match="throttled"):
        otx.users.me()


def test_users_me_path(clock: Any) -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={"username": "alice"})

    assert client(httpx.MockTransport(handle), clock).users.me().username == "alice"
    assert seen == ["/api/v1/users/me"]


async def test_both_twins_stream_shrink_and_mark_the_same_way(twin: Any) -> None:
    feed = Feed(total=30)
    iterator = twin.make(feed.transport, max_retries=0).pulses.subscribed(page_size=10)
    ids = []
    for _ in range(10):
        ids.append((await twin.next(iterator)).id)
    assert len(feed.seen) == 1  # no read-ahead
    feed.fail_over = 5
    ids += [p.id for p in await twin.run(iterator)]
    assert ids == [pulse(n)["id"] for n in range(30)]
    assert feed.pages() == [(10, 1), (10, 2), (5, 3), (5, 4), (5, 5), (5, 6)]
    assert iterator.watermark == T0
