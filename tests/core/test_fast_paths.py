"""The transport's performance shortcuts must not change what is sent or how failures are handled."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tiintel._core.request import RequestSpec, encode_path, request_url
from tiintel._http import api_url

SEGMENTS = [
    ("files", "a" * 64),
    ("indicators", "url", "http://x/?a#b&c=%20 d", "general"),
    ("domains", "bücher.example"),
    ("x", "../users/me"),
    ("a", "%2F%"),
    ("a", "ü€ 𝄞\t"),
    ("a", "[::1]"),
    ("a", "~!*'();:@&=+$,"),
    ("a", ""),
]
BASES = [
    "http://127.0.0.1:8765/api/v3",
    "https://www.virustotal.com/api/v3/",
    "https://otx.alienvault.com/api/v1",
    "http://[::1]:80/a%20b/",
    "https://bücher.example/x y/",
]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("segments", SEGMENTS)
def test_api_url_equals_the_parsed_url(base: str, segments: tuple[str, ...]) -> None:
    base_url = httpx.URL(base)
    expected = request_url(RequestSpec(path=segments), base_url)
    fast = httpx.URL(api_url(base_url, encode_path(segments)))
    assert fast == expected
    assert fast.raw_path == expected.raw_path
    assert str(fast) == str(expected)


def _transport(answers: list[int]) -> tuple[httpx.MockTransport, list[str]]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        status = answers[min(len(seen) - 1, len(answers) - 1)]
        return httpx.Response(status, json={"data": {"id": "x"}} if status == 200 else {})

    return httpx.MockTransport(handler), seen


@pytest.mark.parametrize(
    ("answers", "calls", "sleeps"),
    [([200], 1, 0), ([503, 200], 2, 1), ([503, 503, 200], 3, 2)],
)
def test_first_attempt_fast_path_then_retries(
    clock: Any, answers: list[int], calls: int, sleeps: int
) -> None:
    from tiintel import VirusTotalClient

    transport, seen = _transport(answers)
    with VirusTotalClient("k3y-0123", transport=transport, clock=clock) as vt:
        assert vt.get_json("files/abc") == {"data": {"id": "x"}}
    assert len(seen) == calls
    assert seen[0] == "https://www.virustotal.com/api/v3/files/abc"
    assert len(clock.sleeps) == sleeps


@pytest.mark.parametrize(
    ("answers", "calls", "sleeps"),
    [([200], 1, 0), ([503, 200], 2, 1), ([503, 503, 200], 3, 2)],
)
def test_async_first_attempt_fast_path_then_retries(
    clock: Any, answers: list[int], calls: int, sleeps: int
) -> None:
    from tiintel import AsyncVirusTotalClient

    transport, seen = _transport(answers)

    async def main() -> Any:
        async with AsyncVirusTotalClient("k3y-0123", transport=transport, clock=clock) as vt:
            return await vt.get_json("files/abc")

    assert asyncio.run(main()) == {"data": {"id": "x"}}
    assert len(seen) == calls
    assert len(clock.sleeps) == sleeps
