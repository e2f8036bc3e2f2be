"""Cursor pagination: pure state table, then 3 pages + an empty last page through both twins."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import tiintel
from tiintel.virustotal._pager import PagerState, decode_cursor, encode_cursor

from .conftest import load

API = "/api/v3"
REL = f"{API}/domains/github.com/resolutions"


def item(n: int) -> dict[str, Any]:
    return {"type": "resolution", "id": f"r{n}", "attributes": {"ip_address": f"10.0.0.{n}"}}


def pages_transport(
    pages: dict[str | None, dict[str, Any]],
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """Answers a page by its cursor; honours ``limit`` by trimming (like VirusTotal)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        page = dict(pages[request.url.params.get("cursor")])
        limit = request.url.params.get("limit")
        if limit is not None:
            page["data"] = page["data"][: int(limit)]
        return httpx.Response(200, json=page)

    return httpx.MockTransport(handler), seen


# Three pages of 3 items each, then an empty page that still carries a cursor (must not loop).
THREE_PAGES: dict[str | None, dict[str, Any]] = {
    None: {"data": [item(1), item(2), item(3)], "meta": {"cursor": "c2"}, "links": {"next": "x"}},
    "c2": {"data": [item(4), item(5), item(6)], "meta": {"cursor": "c3"}},
    "c3": {"data": [item(7), item(8), item(9)], "meta": {"cursor": "c4"}},
    "c4": {"data": [], "meta": {"cursor": "c5"}},
}


async def test_three_pages_and_an_empty_last_page(twin: Any) -> None:
    transport, seen = pages_transport(THREE_PAGES)
    iterator = twin.make(transport).relationships("domains/github.com", "resolutions")
    assert seen == []  # lazy: nothing sent before iterating
    items = await twin.run(iterator)
    assert [i.id for i in items] == [f"r{n}" for n in range(1, 10)]
    assert [r.url.params.get("cursor") for r in seen] == [None, "c2", "c3", "c4"]
    assert all(r.url.raw_path.decode().split("?")[0] == REL for r in seen)
    assert iterator.cursor is None


async def test_limit_stops_early_and_asks_only_for_what_it_needs(twin: Any) -> None:
    transport, seen = pages_transport(THREE_PAGES)
    iterator = twin.make(transport).relationships(
        ("domains", "github.com"), "resolutions", limit=4, page_size=3
    )
    items = await twin.run(iterator)
    assert [i.id for i in items] == ["r1", "r2", "r3", "r4"]
    assert [(r.url.params.get("cursor"), r.url.params["limit"]) for r in seen] == [
        (None, "3"),
        ("c2", "1"),
    ]
    # The page was fully consumed: .cursor is the service's own cursor after it (on the real
    # service that cursor points just after the trimmed page).
    assert iterator.cursor == "c3"


async def test_resume_from_cursor_inside_a_page(twin: Any) -> None:
    transport, _seen = pages_transport(THREE_PAGES)
    vt = twin.make(transport)
    first = vt.relationships("domains/github.com", "resolutions", page_size=3)
    taken = [(await twin.next(first)).id for _ in range(5)]
    assert taken == ["r1", "r2", "r3", "r4", "r5"]
    resumed = vt.relationships(
        "domains/github.com", "resolutions", page_size=3, cursor=first.cursor
    )
    rest = [i.id for i in await twin.run(resumed)]
    assert rest == ["r6", "r7", "r8", "r9"]


async def test_resume_from_a_page_boundary_uses_the_service_cursor(twin: Any) -> None:
    transport, _ = pages_transport(THREE_PAGES)
    vt = twin.make(transport)
    first = vt.relationships("domains/github.com", "resolutions", limit=3)
    await twin.run(first)
    assert first.cursor == "c2"
    rest = await twin.run(
        vt.relationships("domains/github.com", "resolutions", cursor="c2", limit=2)
    )
    assert [i.id for i in rest] == ["r4", "r5"]


async def test_recorded_page_with_cursor_then_recorded_empty_page(twin: Any) -> None:
    pages = {
        None: load("domains_github_com_resolutions_page.json"),
        "STEwCi4=": load("domains_github_com_siblings_empty_page.json"),
    }
    first_cursor = pages[None]["meta"]["cursor"]
    pages[first_cursor] = pages.pop("STEwCi4=")
    transport, seen = pages_transport(pages)
    items = await twin.run(twin.make(transport).relationships("domains/github.com", "resolutions"))
    assert [i.type for i in items] == ["resolution", "resolution"]
    assert len(seen) == 2


async def test_per_item_error_becomes_a_placeholder(twin: Any) -> None:
    transport, _ = pages_transport({None: load("files_contacted_domains_with_item_error.json")})
    items = await twin.run(
        twin.make(transport).relationships(("files", "e3" + "0" * 62), "contacted_domains")
    )
    ok, gone = items
    assert ok.error is None
    assert ok.context_attributes == {"first_seen": 1699990000}
    assert gone.id == "gone.example.org"
    assert gone.error is not None
    assert gone.error.code == "NotFoundError"
    assert gone.as_report() is gone


async def test_comments_paginate(twin: Any) -> None:
    page = load("domains_github_com_comments_page.json")
    transport, _ = pages_transport({None: {**page, "meta": {}}})
    comments = await twin.run(twin.make(transport).comments(("domains", "github.com")))
    assert [c.id for c in comments] == [c["id"] for c in page["data"]]
    assert all(isinstance(c, tiintel.models.Comment) for c in comments)


@pytest.mark.parametrize(
    ("limit", "page_size", "expected"),
    [
        (None, None, (None, None)),
        (None, 40, (None, 40)),
        (3, None, (None, 3)),
        (25, 10, (None, 10)),
        (0, None, None),
    ],
)
def test_first_request(limit: int | None, page_size: int | None, expected: Any) -> None:
    assert PagerState(limit=limit, page_size=page_size).next_request() == expected


@pytest.mark.parametrize(
    ("cursor", "decoded"),
    [
        (None, (None, 0, None)),
        ("STEwCi4=", (None, 0, "STEwCi4=")),
        ("True:CqgBCh", (None, 0, "True:CqgBCh")),
        (encode_cursor(10, 4, "abc:d"), (10, 4, "abc:d")),
        (encode_cursor(None, 2, None), (None, 2, None)),
    ],
)
def test_cursor_round_trip(cursor: str | None, decoded: Any) -> None:
    assert decode_cursor(cursor) == decoded


@pytest.mark.parametrize(
    "bad", [{"limit": -1}, {"page_size": 0}, {"start_cursor": "tiintel1:x:1:"}]
)
def test_bad_arguments_raise_before_sending(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"must|cursor"):
        PagerState(**bad)


def test_same_cursor_twice_stops() -> None:
    state = PagerState()
    state.accept({"data": [item(1)], "meta": {"cursor": "a"}}, None, None)
    state.item_yielded()
    with pytest.raises(tiintel.ResponseParseError, match="same cursor"):
        state.accept({"data": [item(2)], "meta": {"cursor": "a"}}, "a", None)
