"""files.scan: hash first, upload only on request, upload URLs for big files, bounded polling."""

from __future__ import annotations

import hashlib
import io
import threading
from typing import Any

import httpx
import pytest

import tiintel
from tiintel import RateLimit, models
from tiintel.testing import TEST_API_KEY, FakeVirusTotal
from tiintel.virustotal.resources import _upload

from .conftest import load

EICAR_CONTENT = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
# The fake does not know files whose sha256 starts with 8-f (documented in docs/testing.md).
UNKNOWN = b"tiintel unknown sample 0"
UNKNOWN_SHA256 = hashlib.sha256(UNKNOWN).hexdigest()
API = "/api/v3"


class Unseekable(io.RawIOBase):
    """A pipe-like stream: readable once, no seek."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def fake_client(twin: Any, **kwargs: Any) -> tuple[Any, FakeVirusTotal]:
    fake = FakeVirusTotal()
    return twin.make(fake, api_key=TEST_API_KEY, **kwargs), fake


def posts(fake: FakeVirusTotal) -> list[str]:
    return [r.path for r in fake.requests if r.method == "POST"]


async def test_known_file_returns_its_report_without_upload(twin: Any) -> None:
    vt, fake = fake_client(twin)
    report = await twin.run(vt.files.scan(io.BytesIO(EICAR_CONTENT), upload=True))
    assert isinstance(report, models.FileReport)
    assert report.sha256 == EICAR
    assert posts(fake) == []
    assert len(fake.requests) == 1


async def test_unknown_file_without_upload_raises_and_sends_nothing(twin: Any) -> None:
    assert UNKNOWN_SHA256[0] in "89abcdef"
    vt, fake = fake_client(twin)
    with pytest.raises(tiintel.NotFoundError, match="NOT uploaded") as info:
        await twin.run(vt.files.scan(io.BytesIO(UNKNOWN)))
    assert UNKNOWN_SHA256 in str(info.value)
    assert info.value.status_code == 404
    assert posts(fake) == []


async def test_unknown_file_uploaded_without_waiting(twin: Any) -> None:
    vt, fake = fake_client(twin)
    analysis = await twin.run(vt.files.scan(io.BytesIO(UNKNOWN), upload=True, wait=False))
    assert isinstance(analysis, models.Analysis)
    assert analysis.status == "queued"
    assert posts(fake) == ["/files"]
    assert not any("upload_url" in r.path for r in fake.requests)


async def test_upload_waits_then_returns_the_report_and_polls_cost_nothing(twin: Any) -> None:
    # Two slots an hour: the lookup and the upload; polls and the final report must be free.
    vt, _fake = fake_client(twin, rate_limits=[RateLimit(2, 3600)], max_quota_wait=0)
    report = await twin.run(vt.files.scan(io.BytesIO(UNKNOWN), upload=True))
    assert isinstance(report, models.FileReport)
    assert report.sha256 == UNKNOWN_SHA256
    assert twin.clock.sleeps == [2.0, 4.0]  # queued, in-progress, completed


async def test_unseekable_stream_is_spooled_and_uploaded_whole(twin: Any) -> None:
    vt, fake = fake_client(twin)
    report = await twin.run(vt.files.scan(Unseekable(UNKNOWN), upload=True))
    assert report.sha256 == UNKNOWN_SHA256  # the fake hashed what it received
    assert [r.body_size > len(UNKNOWN) for r in fake.requests if r.method == "POST"] == [True]


async def test_path_is_hashed_and_closed(twin: Any, tmp_path: Any) -> None:
    path = tmp_path / "eicar.com"
    path.write_bytes(EICAR_CONTENT)
    vt, _ = fake_client(twin)
    assert (await twin.run(vt.files.scan(path))).sha256 == EICAR
    assert (await twin.run(vt.files.scan(str(path)))).sha256 == EICAR


async def test_big_file_goes_through_an_upload_url(
    twin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_upload, "DIRECT_UPLOAD_LIMIT", 8)
    vt, fake = fake_client(twin)
    analysis = await twin.run(vt.files.scan(io.BytesIO(UNKNOWN), upload=True, wait=False))
    assert analysis.status == "queued"
    paths = [(r.method, r.path.split("/")[1]) for r in fake.requests]
    assert paths == [("GET", "files"), ("GET", "files"), ("POST", "_upload")]
    assert fake.requests[1].path == "/files/upload_url"


async def test_too_big_file_is_refused_before_upload(
    twin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_upload, "MAX_UPLOAD_SIZE", 8)
    vt, fake = fake_client(twin)
    with pytest.raises(tiintel.InvalidArgumentError, match="accepts files up to"):
        await twin.run(vt.files.scan(io.BytesIO(UNKNOWN), upload=True))
    assert posts(fake) == []


def _completed() -> dict[str, Any]:
    body = load("analyses_file_in_progress.json")
    body["data"]["attributes"]["status"] = "completed"
    return body


async def test_analysis_queued_in_progress_completed(twin: Any, wire: Any) -> None:
    wire.on("GET", f"{API}/files/{UNKNOWN_SHA256}", httpx.Response(404, json=load("error_404_not_found.json")),
            httpx.Response(200, json=load("files_clean_03583784.json")))  # fmt: skip
    wire.on(
        "POST",
        f"{API}/files",
        httpx.Response(200, json=load("post_files_analysis_descriptor.json")),
    )
    analysis_id = load("post_files_analysis_descriptor.json")["data"]["id"]
    wire.on(
        "GET",
        f"{API}/analyses/{analysis_id.replace('=', '%3D')}",
        httpx.Response(200, json=load("analyses_file_queued.json")),
        httpx.Response(200, json=load("analyses_file_in_progress.json")),
        httpx.Response(200, json=_completed()),
    )
    vt = twin.make(wire.transport)
    report = await twin.run(vt.files.scan(io.BytesIO(UNKNOWN), upload=True))
    assert isinstance(report, models.FileReport)
    assert twin.clock.sleeps == [2.0, 4.0]
    assert [r.method for r in wire.seen] == ["GET", "POST", "GET", "GET", "GET", "GET"]


async def test_analysis_timeout_carries_the_id_and_never_sleeps_past_the_deadline(
    twin: Any, wire: Any
) -> None:
    wire.on(
        "GET",
        f"{API}/analyses/a-1",
        httpx.Response(200, json=load("analyses_file_in_progress.json")),
    )
    vt = twin.make(wire.transport)
    with pytest.raises(tiintel.AnalysisTimeoutError) as info:
        await twin.run(vt.analyses.wait("a-1", timeout=10.0))
    assert info.value.analysis_id == "a-1"
    assert twin.clock.sleeps == [2.0, 4.0, 4.0]  # the last wait is cut to the deadline
    assert len(wire.seen) == 4


async def test_backoff_caps_at_30_seconds(twin: Any, wire: Any) -> None:
    wire.on(
        "GET", f"{API}/analyses/a-2", httpx.Response(200, json=load("analyses_file_queued.json"))
    )
    with pytest.raises(tiintel.AnalysisTimeoutError):
        await twin.run(twin.make(wire.transport).analyses.wait("a-2", timeout=200.0))
    assert twin.clock.sleeps[:6] == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert sum(twin.clock.sleeps) == 200.0


async def test_async_hashing_runs_in_a_worker_thread(
    monkeypatch: pytest.MonkeyPatch, clock: Any
) -> None:
    threads: list[int] = []
    real = _upload.prepare_file

    def spy(source: Any) -> Any:
        threads.append(threading.get_ident())
        return real(source)

    monkeypatch.setattr(_upload, "prepare_file", spy)
    async with tiintel.virustotal.AsyncVirusTotalClient(
        TEST_API_KEY, transport=FakeVirusTotal(), clock=clock
    ) as vt:
        await vt.files.scan(io.BytesIO(EICAR_CONTENT))
    assert threads
    assert threads[0] != threading.get_ident()


def test_text_mode_file_is_refused(tmp_path: Any) -> None:
    path = tmp_path / "t.txt"
    path.write_text("hello")
    with path.open("r") as handle, pytest.raises(TypeError, match="rb"):
        _upload.prepare_file(handle)  # type: ignore[arg-type]
