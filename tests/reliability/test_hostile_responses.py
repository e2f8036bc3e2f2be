"""Hostile answers: huge, gzip-bombed, drip-fed and deeply nested bodies, foreign redirects and links.

Every case must end in a typed error quickly, read a bounded amount, and never send the key to
another host. Bodies come from custom httpx byte streams on MockTransport, so nothing waits for a
real network; the drip-fed cases wait a fraction of a second (a 0.1 s client timeout).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import attrs
import httpx
import pytest

import tiintel
from tiintel import AsyncVirusTotalClient, VirusTotalClient
from tiintel._core.pagination import rebase_next

KEY = "k3y-HOSTILE-0123456789abcdef"
SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
CHUNK = b"x" * 65_536
SHA256_OF_BIG = __import__("hashlib").sha256(b"\0" * (33 * 1024 * 1024)).hexdigest()


class Endless(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that never ends; counts the chunks it handed out (to prove reading stopped early)."""

    def __init__(self, chunk: bytes = CHUNK, delay: float = 0.0) -> None:
        self.chunk, self.delay, self.served = chunk, delay, 0

    def __iter__(self) -> Iterator[bytes]:
        while True:
            if self.delay:
                time.sleep(self.delay)
            self.served += 1
            yield self.chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            if self.delay:
                await asyncio.sleep(self.delay)
            self.served += 1
            yield self.chunk


def transport_of(*make: Any) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A MockTransport answering with ``make[i]()`` for the i-th request (the last one repeats)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return make[min(len(seen) - 1, len(make) - 1)]()

    return httpx.MockTransport(handler), seen


def capped(client: Any, cap: int) -> Any:
    client._sender.settings = attrs.evolve(client._sender.settings, max_response_bytes=cap)
    return client


def sync_vt(transport: httpx.MockTransport, clock: Any, **kw: Any) -> VirusTotalClient:
    kw.setdefault("max_retries", 0)
    return VirusTotalClient(KEY, transport=transport, clock=clock, **kw)


def async_vt(transport: httpx.MockTransport, clock: Any, **kw: Any) -> AsyncVirusTotalClient:
    kw.setdefault("max_retries", 0)
    return AsyncVirusTotalClient(KEY, transport=transport, clock=clock, **kw)


# -- size cap ---------------------------------------------------------------------------------------


def test_endless_body_stops_at_the_cap_sync(clock: Any) -> None:
    stream = Endless()
    transport, _ = transport_of(lambda: httpx.Response(200, stream=stream))
    with (
        capped(sync_vt(transport, clock), 1 << 20) as vt,
        pytest.raises(tiintel.ResponseParseError, match="larger than"),
    ):
        vt.files.get(SHA256)
    assert stream.served <= (1 << 20) // len(CHUNK) + 1


async def test_endless_body_stops_at_the_cap_async(clock: Any) -> None:
    stream = Endless()
    transport, _ = transport_of(lambda: httpx.Response(200, stream=stream))
    async with capped(async_vt(transport, clock), 1 << 20) as vt:
        with pytest.raises(tiintel.ResponseParseError, match="larger than"):
            await vt.files.get(SHA256)
    assert stream.served <= (1 << 20) // len(CHUNK) + 1


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_declared_huge_length_is_refused_before_reading(clock: Any, mode: str) -> None:
    stream = Endless()
    transport, _ = transport_of(
        lambda: httpx.Response(200, headers={"Content-Length": str(10**12)}, stream=stream)
    )
    with pytest.raises(tiintel.ResponseParseError, match="larger than"):
        if mode == "sync":
            sync_vt(transport, clock).files.get(SHA256)
        else:
            await async_vt(transport, clock).files.get(SHA256)
    assert stream.served == 0


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_gzip_bomb_is_capped_on_the_decoded_size(clock: Any, mode: str) -> None:
    bomb = gzip.compress(b"0" * (8 << 20), compresslevel=9)  # 8 MiB inflated, ~8 KiB sent
    transport, _ = transport_of(
        lambda: httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb)
    )
    with pytest.raises(tiintel.ResponseParseError, match="larger than"):
        if mode == "sync":
            capped(sync_vt(transport, clock), 1 << 20).files.get(SHA256)
        else:
            await capped(async_vt(transport, clock), 1 << 20).files.get(SHA256)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_broken_gzip_is_a_parse_error(clock: Any, mode: str) -> None:
    transport, _ = transport_of(
        lambda: httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, content=b"not gzip at all"
        )
    )
    with pytest.raises(tiintel.ResponseParseError):
        if mode == "sync":
            sync_vt(transport, clock).files.get(SHA256)
        else:
            await async_vt(transport, clock).files.get(SHA256)


# -- per-attempt deadline -------------------------------------------------------------------------------


def test_drip_fed_body_hits_the_attempt_deadline_sync(clock: Any) -> None:
    stream = Endless(chunk=b" ", delay=0.02)
    transport, seen = transport_of(lambda: httpx.Response(200, stream=stream))
    started = time.monotonic()
    with pytest.raises(tiintel.APITimeoutError, match="deadline"):
        sync_vt(transport, clock, timeout=0.1).files.get(SHA256)
    elapsed = time.monotonic() - started
    assert elapsed < 1.5  # deadline = 2 * read + connect = 0.3 s
    assert len(seen) == 1


async def test_drip_fed_body_hits_the_attempt_deadline_async(clock: Any) -> None:
    stream = Endless(chunk=b" ", delay=0.02)
    transport, seen = transport_of(lambda: httpx.Response(200, stream=stream))
    started = time.monotonic()
    async with async_vt(transport, clock, timeout=0.1) as vt:
        with pytest.raises(tiintel.APITimeoutError):
            await vt.files.get(SHA256)
    assert time.monotonic() - started < 1.5
    assert len(seen) == 1


def test_drip_fed_body_is_retried_then_typed(clock: Any) -> None:
    transport, seen = transport_of(lambda: httpx.Response(200, stream=Endless(b" ", 0.02)))
    with pytest.raises(tiintel.APITimeoutError):
        sync_vt(transport, clock, timeout=0.05, max_retries=2).files.get(SHA256)
    assert len(seen) == 3
    assert len(clock.sleeps) == 2  # back-off on the virtual clock, not real time


# -- nesting ------------------------------------------------------------------------------------------

NESTED = (
    b'{"data": {"type": "file", "id": "x", "attributes": {"names": '
    + b"[" * 200_000
    + b"]" * 200_000
    + b"}}}"
)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_deeply_nested_json_is_a_parse_error(clock: Any, mode: str) -> None:
    transport, _ = transport_of(lambda: httpx.Response(200, content=NESTED))
    with pytest.raises(tiintel.ResponseParseError):
        if mode == "sync":
            sync_vt(transport, clock).files.get(SHA256)
        else:
            await async_vt(transport, clock).files.get(SHA256)


def test_deeply_nested_error_body_still_maps_the_status(clock: Any) -> None:
    transport, _ = transport_of(lambda: httpx.Response(404, content=b"[" * 200_000))
    with pytest.raises(tiintel.NotFoundError):
        sync_vt(transport, clock).files.get(SHA256)


# -- redirects and foreign hosts ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize(
    "location", ["https://evil.test/steal", "http://www.virustotal.com/api/v3/files/x", "/api/v3/x"]
)
def test_redirects_are_never_followed_with_the_key(clock: Any, status: int, location: str) -> None:
    transport, seen = transport_of(lambda: httpx.Response(status, headers={"Location": location}))
    with pytest.raises(tiintel.APIStatusError, match="not followed") as info:
        sync_vt(transport, clock, max_retries=3).files.get(SHA256)
    assert [r.url.host for r in seen] == ["www.virustotal.com"]
    assert info.value.status_code == status


async def test_async_redirect_is_not_followed(clock: Any) -> None:
    transport, seen = transport_of(
        lambda: httpx.Response(307, headers={"Location": "https://evil.test/"})
    )
    async with async_vt(transport, clock) as vt:
        with pytest.raises(tiintel.APIStatusError, match="not followed"):
            await vt.domains.get("example.com")
    assert len(seen) == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    ("location", "downloaded"),
    [
        ("http://storage.test/f", False),  # https API -> http storage: a downgrade
        ("ftp://storage.test/f", False),
        ("https://storage.test/f", True),
    ],
)
async def test_download_redirect_downgrade_is_refused_and_never_gets_the_key(
    clock: Any, mode: str, location: str, downloaded: bool
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "www.virustotal.com":
            return httpx.Response(302, headers={"Location": location})
        return httpx.Response(200, content=b"MZ-payload")

    transport = httpx.MockTransport(handler)
    sink = __import__("io").BytesIO()
    if downloaded:
        if mode == "sync":
            assert sync_vt(transport, clock).files.download(SHA256, sink) == 10
        else:
            assert await async_vt(transport, clock).files.download(SHA256, sink) == 10
        assert sink.getvalue() == b"MZ-payload"
    else:
        with pytest.raises(tiintel.TiIntelError, match="refused"):
            if mode == "sync":
                sync_vt(transport, clock).files.download(SHA256, sink)
            else:
                await async_vt(transport, clock).files.download(SHA256, sink)
        assert [r.url.host for r in seen] == ["www.virustotal.com"]
    for request in seen:
        if request.url.host != "www.virustotal.com":
            assert "x-apikey" not in request.headers
            assert KEY not in str(request.headers) + str(request.url)


def test_storage_redirect_is_not_followed_either(clock: Any) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "www.virustotal.com":
            return httpx.Response(302, headers={"Location": "https://storage.test/f"})
        return httpx.Response(
            302, headers={"Location": "https://www.virustotal.com/api/v3/users/me"}
        )

    with pytest.raises(tiintel.TiIntelError):
        sync_vt(httpx.MockTransport(handler), clock).files.download(
            SHA256, __import__("io").BytesIO()
        )
    assert [r.url.host for r in seen] == ["www.virustotal.com", "storage.test"]


@pytest.mark.parametrize(
    "upload_url",
    ["https://evil.test/_upload/x", "http://www.virustotal.com/_upload/x"],
)
def test_upload_url_on_another_host_or_scheme_is_not_sent(
    clock: Any, upload_url: str, tmp_path: Any
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/files/upload_url"):
            return httpx.Response(200, json={"data": upload_url})
        return httpx.Response(404, json={"error": {"code": "NotFoundError", "message": "no"}})

    vt = sync_vt(httpx.MockTransport(handler), clock)
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (33 * 1024 * 1024))
    with pytest.raises(tiintel.ResponseParseError, match="outside the API host"):
        vt.files.scan(big, upload=True)
    assert [r.url.path.rsplit("/", 1)[-1] for r in seen] == [SHA256_OF_BIG, "upload_url"]
    assert {r.url.host for r in seen} == {"www.virustotal.com"}
    assert all(r.url.scheme == "https" for r in seen)


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (
            "https://evil.test/api/v1/pulses/subscribed?page=2",
            (("pulses", "subscribed"), {"page": "2"}),
        ),
        (
            "http://otx.alienvault.com/api/v1/search/pulses?q=x&page=3",
            (("search", "pulses"), {"q": "x", "page": "3"}),
        ),
        ("//evil.test/api/v1/pulses/subscribed", (("pulses", "subscribed"), {})),
    ],
)
def test_otx_next_link_is_rebased_onto_base_url(link: str, expected: Any) -> None:
    assert rebase_next(link, httpx.URL("https://otx.alienvault.com/api/v1")) == expected


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.test/steal",
        "https://otx.alienvault.com/api/v1/../../admin",
        "https://otx.alienvault.com/api/v1/pulses/%2e%2e/%2e%2e/x",
        "https://otx.alienvault.com/api/v10/pulses",
        42,
    ],
)
def test_otx_next_link_outside_the_api_is_refused(link: Any) -> None:
    with pytest.raises(tiintel.ResponseParseError):
        rebase_next(link, httpx.URL("https://otx.alienvault.com/api/v1"))


@pytest.mark.parametrize(
    "next_link",
    [
        "https://evil.test/api/v1/pulses/subscribed?limit=1&page=2",
        "http://otx.alienvault.com/api/v1/pulses/subscribed?limit=1&page=2",
    ],
)
def test_otx_client_follows_next_only_on_its_own_host(clock: Any, next_link: str) -> None:
    from pathlib import Path

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "otx"
    page1 = json.loads((fixtures / "pulses_subscribed_page1_with_next.json").read_text())
    page1["next"] = next_link
    page2 = (fixtures / "pulses_subscribed_page2_last.json").read_bytes()
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.params.get("page") == "2":
            return httpx.Response(200, content=page2)
        return httpx.Response(200, json=page1)

    with tiintel.OTXClient(KEY, transport=httpx.MockTransport(handler), clock=clock) as otx:
        pulses = list(otx.pulses.subscribed(page_size=1))
    assert len(pulses) == 1 and len(seen) == 2  # page 2 (empty, last) was asked at home
    assert {(r.url.scheme, r.url.host) for r in seen} == {("https", "otx.alienvault.com")}


def test_otx_client_refuses_a_next_link_outside_the_api(clock: Any) -> None:
    from pathlib import Path

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "otx"
    page1 = json.loads((fixtures / "pulses_subscribed_page1_with_next.json").read_text())
    page1["next"] = "https://otx.alienvault.com/admin/steal?page=2"
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=page1)

    otx = tiintel.OTXClient(KEY, transport=httpx.MockTransport(handler), clock=clock)
    with otx, pytest.raises(tiintel.ResponseParseError, match="outside"):
        list(otx.pulses.subscribed(page_size=1))
    assert len(seen) == 1
