"""Input is checked before anything is sent: wrong kinds of indicators reach no endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import tiintel

from .conftest import Wire

EICAR = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"

REJECTED: list[tuple[str, Callable[[Any], Any], type[Exception]]] = [
    ("file by domain", lambda vt: vt.files.get("example.com"), tiintel.InvalidIndicatorError),
    ("file by path traversal", lambda vt: vt.files.get("../users/me"), tiintel.InvalidIndicatorError),
    ("domain by IP", lambda vt: vt.domains.get("8.8.8.8"), tiintel.InvalidIndicatorError),
    ("IP by domain", lambda vt: vt.ip_addresses.get("example.com"), tiintel.InvalidIndicatorError),
    ("url by garbage", lambda vt: vt.urls.get("not a url at all"), tiintel.InvalidIndicatorError),
    ("url scan of a hash", lambda vt: vt.urls.scan(EICAR), tiintel.InvalidIndicatorError),
    ("rescan by IP", lambda vt: vt.files.rescan("1.2.3.4"), tiintel.InvalidIndicatorError),
    ("behaviour by domain", lambda vt: vt.files.behaviour_summary("example.com"), tiintel.InvalidIndicatorError),
    ("download by domain", lambda vt: vt.files.download("example.com", "x"), tiintel.InvalidIndicatorError),
    ("relationship of unknown collection", lambda vt: vt.relationships("things/me", "x"), tiintel.InvalidIndicatorError),
    ("relationship with a bad name", lambda vt: vt.relationships(("files", EICAR), "../me"), tiintel.InvalidIndicatorError),
    ("relationship of a domain-in-files", lambda vt: vt.relationships(("files", "a.com"), "x"), tiintel.InvalidIndicatorError),
    ("relationships param", lambda vt: vt.files.get(EICAR, relationships="a/b"), tiintel.InvalidIndicatorError),
    ("vote verdict", lambda vt: vt.votes.add(("files", EICAR), "evil"), ValueError),
    ("empty comment", lambda vt: vt.comments.add(("files", EICAR), "  "), ValueError),
    ("empty search", lambda vt: vt.search(""), ValueError),
    ("negative limit", lambda vt: vt.relationships(("files", EICAR), "comments", limit=-1), ValueError),
    ("empty analysis id", lambda vt: vt.analyses.get(""), ValueError),
    ("negative timeout", lambda vt: vt.analyses.wait("a", timeout=-1), ValueError),
    ("bad api_usage date", lambda vt: vt.api_usage("me", start_date="2025-01-01"), ValueError),
]  # fmt: skip


@pytest.mark.parametrize(("name", "call", "error"), REJECTED, ids=[r[0] for r in REJECTED])
async def test_rejected_before_any_request(
    twin: Any, wire: Wire, name: str, call: Callable[[Any], Any], error: type[Exception]
) -> None:
    vt = twin.make(wire.transport)
    with pytest.raises(error):
        await twin.run(call(vt))
    assert wire.seen == []


async def test_scan_of_a_missing_path_sends_nothing(twin: Any, wire: Wire, tmp_path: Any) -> None:
    with pytest.raises(FileNotFoundError):
        await twin.run(twin.make(wire.transport).files.scan(tmp_path / "missing.bin"))
    assert wire.seen == []
