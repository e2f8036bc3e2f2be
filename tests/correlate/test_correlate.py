"""correlate() / acorrelate() end to end on the fakes, through both twins."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

import tiintel
from tiintel import (
    AsyncOTXClient,
    AsyncVirusTotalClient,
    OTXClient,
    RateLimit,
    Verdict,
    VerdictPolicy,
    VirusTotalClient,
    acorrelate,
    correlate,
)
from tiintel.testing import TEST_API_KEY, FakeOTX, FakeVirusTotal, VirtualClock, seeded

NOW = datetime.now(UTC)


def run_sync(items: list[Any], fake_vt: Any, fake_otx: Any, **kw: Any) -> list[tiintel.Correlation]:
    clock = VirtualClock()
    vt_kw = kw.pop("vt_kw", {})
    with (
        VirusTotalClient(TEST_API_KEY, transport=fake_vt, clock=clock, **vt_kw)
        if fake_vt
        else _null() as vt,
        OTXClient(TEST_API_KEY, transport=fake_otx, clock=clock) if fake_otx else _null() as otx,
    ):
        return correlate(items, vt=vt, otx=otx, now=NOW, **kw)


def run_async(
    items: list[Any], fake_vt: Any, fake_otx: Any, **kw: Any
) -> list[tiintel.Correlation]:
    async def main() -> list[tiintel.Correlation]:
        clock = VirtualClock()
        vt_kw = kw.pop("vt_kw", {})
        vt = (
            AsyncVirusTotalClient(TEST_API_KEY, transport=fake_vt, clock=clock, **vt_kw)
            if fake_vt
            else None
        )
        otx = AsyncOTXClient(TEST_API_KEY, transport=fake_otx, clock=clock) if fake_otx else None
        try:
            return await acorrelate(items, vt=vt, otx=otx, now=NOW, **kw)
        finally:
            for client in (vt, otx):
                if client is not None:
                    await client.aclose()

    return asyncio.run(main())


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


TWINS = pytest.mark.parametrize("run", [run_sync, run_async], ids=["sync", "async"])

SEEDED = [
    seeded.EICAR_MD5,
    "hxxp://phish[.]example/login",
    "8.8.8.8",
    seeded.C2_IP,
    seeded.C2_DOMAIN,
    seeded.LOG4SHELL_CVE,
    seeded.UNKNOWN_SHA256,
    "10.0.0.1",
]


@TWINS
def test_seeded_verdicts(run: Any) -> None:
    fake_vt, fake_otx = FakeVirusTotal(), FakeOTX()
    results = run(SEEDED, fake_vt, fake_otx)
    assert [r.input for r in results] == SEEDED
    by_input = {r.input: r for r in results}
    eicar = by_input[seeded.EICAR_MD5]
    assert eicar.verdict is Verdict.MALICIOUS and eicar.score >= 70
    assert eicar.vt is not None and eicar.vt.found and eicar.vt.malicious >= 5
    assert any("VirusTotal" in reason for reason in eicar.reasons)
    google = by_input["8.8.8.8"]
    assert google.verdict is Verdict.HARMLESS and google.score <= 9
    assert google.otx is not None and google.otx.whitelisted is True
    assert by_input[seeded.C2_IP].verdict in (Verdict.MALICIOUS, Verdict.SUSPICIOUS)
    assert by_input[seeded.C2_IP].otx is not None and by_input[seeded.C2_IP].otx.adversaries
    cve = by_input[seeded.LOG4SHELL_CVE]
    assert cve.vt is None and cve.otx is not None and "virustotal" not in cve.errors
    unknown = by_input[seeded.UNKNOWN_SHA256]
    assert unknown.vt is not None and unknown.vt.found is False and not unknown.errors
    private = by_input["10.0.0.1"]
    assert private.verdict is Verdict.UNKNOWN and private.vt is None and private.otx is None
    assert any("not a global address" in reason for reason in private.reasons)
    assert all("10.0.0.1" not in r.path for r in fake_vt.requests + fake_otx.requests)
    assert results[1].indicator == tiintel.Indicator.parse("http://phish.example/login")


def test_twins_agree() -> None:
    sync = run_sync(SEEDED, FakeVirusTotal(), FakeOTX())
    asyn = run_async(SEEDED, FakeVirusTotal(), FakeOTX())
    assert [r.to_dict() for r in sync] == [r.to_dict() for r in asyn]


@TWINS
def test_duplicates_are_looked_up_once(run: Any) -> None:
    fake_vt, fake_otx = FakeVirusTotal(), FakeOTX()
    items = ["8[.]8[.]8[.]8", "8.8.8.8", seeded.EICAR_MD5.upper(), seeded.EICAR_MD5]
    results = run(items, fake_vt, fake_otx)
    assert [r.input for r in results] == items
    assert fake_vt.count("/ip_addresses/") == 1 and fake_vt.count("/files/") == 1
    assert fake_otx.count("/indicators/") == 2
    assert results[0].verdict == results[1].verdict


@TWINS
def test_invalid_input_raises_before_any_request(run: Any) -> None:
    fake_vt, fake_otx = FakeVirusTotal(), FakeOTX()
    with pytest.raises(tiintel.InvalidIndicatorError):
        run([seeded.EICAR_MD5, "not-a-hash", "8.8.8.8"], fake_vt, fake_otx)
    assert fake_vt.requests == [] and fake_otx.requests == []


@TWINS
def test_collect_mode_keeps_invalid_inputs(run: Any) -> None:
    results = run(["not-a-hash", "8.8.8.8"], FakeVirusTotal(), FakeOTX(), errors="collect")
    bad = results[0]
    assert bad.indicator is None and bad.verdict is Verdict.UNKNOWN
    assert isinstance(bad.errors["input"], tiintel.InvalidIndicatorError)
    assert results[1].verdict is Verdict.HARMLESS


@TWINS
def test_one_provider_only(run: Any) -> None:
    results = run([seeded.EICAR_MD5], FakeVirusTotal(), None)
    assert results[0].otx is None and results[0].vt is not None
    results = run([seeded.C2_IP], None, FakeOTX())
    assert results[0].vt is None and results[0].otx is not None


@TWINS
def test_provider_failure_is_recorded_not_raised(run: Any) -> None:
    fake_vt = FakeVirusTotal(fail_rate=1.0, fail_statuses=(500,), seed=1)
    results = run([seeded.EICAR_MD5, "8.8.8.8"], fake_vt, FakeOTX())
    for result in results:
        assert isinstance(result.errors["virustotal"], tiintel.ServerError)
        assert result.errors["virustotal"].response is None
        assert result.errors["virustotal"].__traceback__ is None
        assert result.otx is not None
    assert any("VirusTotal lookup failed" in reason for reason in results[0].reasons)


@TWINS
def test_day_quota_stops_the_provider_for_the_batch(run: Any) -> None:
    fake_vt = FakeVirusTotal()
    items = [f"{i:064x}" for i in range(10)]
    results = run(
        items, fake_vt, FakeOTX(), concurrency=1, vt_kw={"rate_limits": [RateLimit(4, 86400)]}
    )
    assert len(results) == 10
    assert fake_vt.count("/files/") == 4
    stopped = [r for r in results if "virustotal" in r.errors]
    assert len(stopped) == 6
    assert all(isinstance(r.errors["virustotal"], tiintel.QuotaExceededError) for r in stopped)
    assert all(r.errors["virustotal"].scope == "day" for r in stopped)
    assert all(r.otx is not None for r in results)


class Unreachable:
    """A VirusTotal that answers its first ``answers`` requests, then cannot be connected to."""

    def __init__(self, answers: int) -> None:
        self.fake, self.left, self.tries = FakeVirusTotal(), answers, 0
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.tries += 1
        if self.left > 0:
            self.left -= 1
            return self.fake.handle_request(request)
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)


@TWINS
def test_an_unreachable_provider_is_stopped_for_the_batch(run: Any) -> None:
    vt = Unreachable(answers=0)
    results = run([f"{i:064x}" for i in range(6)], vt.transport, FakeOTX(), concurrency=8)
    assert len(results) == 6
    assert vt.tries == 4  # the first lookup (alone until VT answers) and its 3 retries
    errors = [r.errors["virustotal"] for r in results]
    assert all(isinstance(e, tiintel.APIConnectionError) and not e.reached_server for e in errors)
    assert all("not sent: unreachable earlier in this batch" in str(e) for e in errors[1:])
    assert all(r.otx is not None for r in results)


@TWINS
def test_a_provider_that_answered_is_asked_through_an_outage(run: Any) -> None:
    vt = Unreachable(answers=1)
    results = run([f"{i:064x}" for i in range(6)], vt.transport, FakeOTX(), concurrency=1)
    assert vt.tries == 1 + 5 * 4
    assert "virustotal" not in results[0].errors
    assert all(isinstance(r.errors["virustotal"], tiintel.APIConnectionError) for r in results[1:])


@TWINS
def test_a_rejected_key_is_learnt_from_one_request(run: Any) -> None:
    seen: list[httpx.Request] = []

    def wrong_key(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, json={"error": {"code": "WrongCredentialsError"}})

    items = [f"{i:064x}" for i in range(6)]
    results = run(items, httpx.MockTransport(wrong_key), FakeOTX(), vt_kw={"rate_limits": "public"})
    assert len(seen) == 1  # not one 15 s public-tier slot per indicator to learn the same thing
    errors = [r.errors["virustotal"] for r in results]
    assert all(isinstance(e, tiintel.AuthenticationError) for e in errors)
    assert all("not sent: the key was rejected" in str(e) for e in errors[1:])
    assert all(r.otx is not None for r in results)


@TWINS
def test_minute_windows_are_waited_out_in_a_batch(run: Any) -> None:
    fake_vt = FakeVirusTotal()
    items = [f"{i:064x}" for i in range(6)]
    results = run(
        items, fake_vt, None, vt_kw={"rate_limits": [RateLimit(2, 60)], "max_quota_wait": 1.0}
    )
    assert not any(r.errors for r in results)
    assert fake_vt.count("/files/") == 6


@TWINS
def test_progress_is_called_per_indicator(run: Any) -> None:
    calls: list[tuple[int, int]] = []
    thread_ids: set[int] = set()

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        thread_ids.add(threading.get_ident())

    run([seeded.EICAR_MD5, "8.8.8.8", "10.0.0.1"], FakeVirusTotal(), FakeOTX(), progress=progress)
    assert calls[-1] == (3, 3)
    assert len(calls) >= 3
    assert thread_ids == {threading.get_ident()}


@TWINS
def test_generator_input_is_consumed_once(run: Any) -> None:
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for value in (seeded.EICAR_MD5, "8.8.8.8"):
            consumed.append(value)
            yield value

    results = run(lines(), FakeVirusTotal(), FakeOTX())
    assert len(results) == 2 and consumed == [seeded.EICAR_MD5, "8.8.8.8"]


@TWINS
def test_pivot_checks_url_host_in_otx(run: Any) -> None:
    fake_otx = FakeOTX()
    results = run([seeded.PHISH_URL], FakeVirusTotal(), fake_otx, pivot=True)
    assert any(
        r.path.startswith("/indicators/hostname/") or r.path.startswith("/indicators/domain/")
        for r in fake_otx.requests
    )
    assert results[0].otx is not None
    assert all(hit.via for hit in results[0].otx.pivot_hits)


def test_send_private_policy() -> None:
    fake_vt = FakeVirusTotal()
    run_sync(["10.0.0.1"], fake_vt, None, policy=VerdictPolicy(send_private=True))
    assert fake_vt.count("/ip_addresses/") == 1


def test_wrong_client_kind_is_a_clear_error() -> None:
    async def main() -> None:
        async with AsyncVirusTotalClient(TEST_API_KEY, transport=FakeVirusTotal()) as avt:
            with pytest.raises(tiintel.ConfigurationError, match="sync client"):
                correlate(["8.8.8.8"], vt=avt)  # type: ignore[arg-type]

    asyncio.run(main())
    with pytest.raises(tiintel.ConfigurationError, match="iterable"):
        correlate("8.8.8.8")


@TWINS
def test_thousand_indicators_with_faults_none_lost(run: Any) -> None:
    fake_vt = FakeVirusTotal(fail_rate=0.2, reset_rate=0.05, garbage_rate=0.02, seed=7)
    fake_otx = FakeOTX(fail_rate=0.2, reset_rate=0.05, seed=8)
    items = [f"{(i * 7919) % 223 + 1}.{i // 250}.{i % 250}.9" for i in range(1000)]
    results = run(items, fake_vt, fake_otx, concurrency=16)
    assert [r.input for r in results] == items
    for result in results:
        for provider in ("virustotal", "otx"):
            got = result.vt if provider == "virustotal" else result.otx
            error = result.errors.get(provider)
            assert (got is None) != (error is None) or (
                got is None and error is None and not result.indicator.is_global
            )
            if error is not None:
                assert isinstance(error, tiintel.TiIntelError)


def test_correlate_twins_share_parameters_and_docstrings() -> None:
    import inspect
    import re

    sync_params = inspect.signature(correlate).parameters
    async_params = inspect.signature(acorrelate).parameters
    assert list(sync_params) == list(async_params)
    assert [p.default for p in sync_params.values()] == [p.default for p in async_params.values()]

    def plain(doc: str | None) -> str:
        doc = re.sub(r"\bawait |\basync (?=with|for)", "", doc or "")
        return re.sub(r"\bAsync(?=VirusTotalClient|OTXClient)|\ba(?=correlate\()", "", doc)

    assert plain(correlate.__doc__) == plain(acorrelate.__doc__)
