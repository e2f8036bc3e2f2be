"""The shared transport: retries, quota waits, redirects, limiter and key hygiene, on MockTransport."""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import ssl
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import tiintel
from tiintel import RateLimit, RateLimiter
from tiintel._client import AsyncClient, Profile, SyncClient
from tiintel._limiter import VT_PUBLIC_LIMITS

KEY = "k3y-SECRET-0123456789abcdef"
PROFILE = Profile(
    "virustotal",
    "VirusTotal",
    "x-apikey",
    "VT_API_KEY",
    "https://api.test/api/v3",
    30.0,
    VT_PUBLIC_LIMITS,
)
OTX_PROFILE = Profile("otx", "OTX", "X-OTX-API-KEY", "OTX_API_KEY", "https://otx.test/api/v1", 90.0)


class Client(SyncClient):
    profile = PROFILE


class AClient(AsyncClient):
    profile = PROFILE


def vt_error(status: int, code: str, message: str = "boom") -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message}})


def script(*answers: httpx.Response | Exception) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport answering in order (the last answer repeats)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers[min(len(seen) - 1, len(answers) - 1)]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handler), seen


def ok() -> httpx.Response:
    return httpx.Response(200, json={"data": {"id": "x"}})


def make(transport: httpx.MockTransport, clock: Any, **kw: Any) -> Client:
    return Client(KEY, transport=transport, clock=clock, **kw)


# -- retries ---------------------------------------------------------------------------------------


def test_503_twice_then_ok(clock: Any) -> None:
    transport, seen = script(vt_error(503, "TransientError"), vt_error(503, "TransientError"), ok())
    assert make(transport, clock).get_json("files/abc") == {"data": {"id": "x"}}
    assert len(seen) == 3
    assert len(clock.sleeps) == 2


def test_503_forever_raises_server_error_with_attempts(clock: Any) -> None:
    transport, seen = script(vt_error(503, "TransientError", "try later"))
    with pytest.raises(tiintel.ServerError, match="after 4 attempts") as info:
        make(transport, clock, max_retries=3).get_json("files/abc")
    assert len(seen) == 4
    assert info.value.status_code == 503
    assert info.value.code == "TransientError"


def test_backoff_is_exponential_with_full_jitter(clock: Any) -> None:
    transport, _ = script(vt_error(500, "X"))
    client = make(transport, clock, max_retries=4)
    client._sender.settings = __import__("attrs").evolve(client._sender.settings, rand=lambda: 1.0)
    with pytest.raises(tiintel.ServerError):
        client.get_json("files/abc")
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ConnectError("reset by peer"), tiintel.APIConnectionError),
        (httpx.ReadTimeout("slow"), tiintel.APITimeoutError),
        (httpx.RemoteProtocolError("peer closed"), tiintel.APIConnectionError),
    ],
)
def test_network_failures_are_retried_then_typed(
    clock: Any, exc: Exception, expected: type
) -> None:
    transport, seen = script(exc)
    with pytest.raises(expected) as info:
        make(transport, clock, max_retries=2).get_json("files/abc")
    assert len(seen) == 3
    assert not isinstance(info.value.__cause__, tiintel.TiIntelError)
    assert info.value.provider == "virustotal"


def test_network_failure_then_success(clock: Any) -> None:
    transport, seen = script(httpx.ConnectError("reset"), httpx.ReadTimeout("slow"), ok())
    assert make(transport, clock).get_json("files/abc") == {"data": {"id": "x"}}
    assert len(seen) == 3


def test_tls_verification_failure_is_not_retried(clock: Any) -> None:
    cause = ssl.SSLCertVerificationError("certificate verify failed")
    error = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    error.__cause__ = cause
    transport, seen = script(error)
    with pytest.raises(tiintel.APIConnectionError):
        make(transport, clock).get_json("files/abc")
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "InvalidArgumentError", tiintel.BadRequestError),
        (401, "WrongCredentialsError", tiintel.AuthenticationError),
        (403, "ForbiddenError", tiintel.PermissionDeniedError),
        (404, "NotFoundError", tiintel.NotFoundError),
        (409, "AlreadyExistsError", tiintel.ConflictError),
    ],
)
def test_4xx_is_not_retried(clock: Any, status: int, code: str, cls: type) -> None:
    transport, seen = script(vt_error(status, code, "nope"))
    with pytest.raises(cls, match="nope") as info:
        make(transport, clock).get_json("files/abc")
    assert len(seen) == 1
    assert info.value.code == code
    assert info.value.response.status_code == status


def test_408_is_retried(clock: Any) -> None:
    transport, seen = script(httpx.Response(408), ok())
    make(transport, clock).get_json("files/abc")
    assert len(seen) == 2


def test_create_is_not_retried_after_reaching_server(clock: Any) -> None:
    from tiintel._core.request import RequestSpec

    transport, seen = script(vt_error(503, "TransientError"))
    client = make(transport, clock)
    spec = RequestSpec(method="POST", path=("files",), idempotent=False)
    with pytest.raises(tiintel.ServerError):
        client._sender.request(spec)
    assert len(seen) == 1
    transport, seen = script(httpx.ConnectError("refused"), ok())
    make(transport, clock)._sender.request(spec)
    assert len(seen) == 2


# -- 429 and quota -----------------------------------------------------------------------------------


def test_429_without_retry_after_waits_15s_and_keeps_retries(clock: Any) -> None:
    transport, seen = script(
        vt_error(429, "TooManyRequestsError"),
        vt_error(429, "QuotaExceededError"),
        vt_error(503, "X"),
        ok(),
    )
    client = make(transport, clock, max_retries=1, max_quota_wait=60)
    assert client.get_json("files/abc") == {"data": {"id": "x"}}
    assert len(seen) == 4
    assert clock.sleeps[:2] == [15.0, 15.0]


def test_429_honours_retry_after(clock: Any) -> None:
    limited = httpx.Response(
        429, json={"error": {"code": "TooManyRequestsError"}}, headers={"Retry-After": "3"}
    )
    transport, _ = script(limited, ok())
    make(transport, clock).get_json("files/abc")
    assert clock.sleeps == [3.0]


def test_429_forever_becomes_quota_exceeded_after_budget(clock: Any) -> None:
    transport, seen = script(vt_error(429, "QuotaExceededError", "Quota exceeded"))
    with pytest.raises(tiintel.QuotaExceededError, match="max_quota_wait=40") as info:
        make(transport, clock, max_quota_wait=40).get_json("files/abc")
    assert sum(clock.sleeps) <= 40
    assert len(seen) == 3  # first try + two waits of 15 s
    assert info.value.status_code == 429


def test_vt_daily_quota_raises_at_once_via_probe(clock: Any) -> None:
    transport, seen = script(vt_error(429, "QuotaExceededError"))
    client = make(transport, clock)
    client._sender.quota_probe = lambda: "day"
    with pytest.raises(tiintel.QuotaExceededError) as info:
        client.get_json("files/abc")
    assert info.value.scope == "day"
    assert len(seen) == 1
    assert clock.sleeps == []


def test_otx_429_is_rate_limit_error(clock: Any) -> None:
    class OClient(SyncClient):
        profile = OTX_PROFILE

    transport, _ = script(httpx.Response(429, json={"detail": "Request was throttled."}))
    with pytest.raises(tiintel.QuotaExceededError) as info:
        OClient(KEY, transport=transport, clock=clock, max_quota_wait=0).get_json(
            "pulses/subscribed"
        )
    assert info.value.provider == "otx"


def test_limiter_refuses_long_wait_without_sleeping(clock: Any) -> None:
    transport, seen = script(ok())
    client = make(transport, clock, rate_limits=[RateLimit(1, 60)], max_quota_wait=10)
    client.get_json("files/a")
    with pytest.raises(tiintel.QuotaExceededError) as info:
        client.get_json("files/b")
    assert info.value.response is None
    assert info.value.status_code is None
    assert info.value.scope == "minute"
    assert clock.sleeps == []
    assert len(seen) == 1


def test_limiter_day_window_raises_at_once(clock: Any) -> None:
    transport, seen = script(ok())
    client = make(transport, clock, rate_limits=[RateLimit(2, 86400)], max_quota_wait=1e9)
    client.get_json("files/a")
    client.get_json("files/b")
    with pytest.raises(tiintel.QuotaExceededError) as info:
        client.get_json("files/c")
    assert info.value.scope == "day"
    assert len(seen) == 2


def test_public_tier_spacing(clock: Any) -> None:
    transport, _ = script(ok())
    client = make(transport, clock, rate_limits="public", max_quota_wait=1e9)
    for _ in range(5):
        client.get_json("files/a")
    assert len(clock.sleeps) == 4
    assert all(14.9 < s < 16.5 for s in clock.sleeps)


@pytest.mark.parametrize(
    "never_sent", [httpx.ConnectError("no such host"), httpx.ConnectTimeout("t")]
)
async def test_a_request_that_never_left_gives_its_slot_back(
    clock: Any, never_sent: Exception
) -> None:
    limits = {"rate_limits": [RateLimit(1, 60)], "max_quota_wait": 1e9}
    transport, seen = script(never_sent, never_sent, ok())
    assert make(transport, clock, **limits).get_json("files/a") == {"data": {"id": "x"}}
    transport, seen = script(never_sent, never_sent, ok())
    async with AClient(KEY, transport=transport, clock=clock, **limits) as client:
        assert await client.get_json("files/b") == {"data": {"id": "x"}}
    # only the two retry back-offs of each call: an unsent try charged to the limiter would make
    # every retry wait for the next slot (63 s)
    assert len(seen) == 3
    assert len(clock.sleeps) == 4
    assert max(clock.sleeps) < 10


def test_a_request_that_reached_the_service_keeps_its_slot(clock: Any) -> None:
    transport, seen = script(httpx.ReadTimeout("slow"), ok())
    make(transport, clock, rate_limits=[RateLimit(1, 60)], max_quota_wait=1e9).get_json("files/a")
    assert len(seen) == 2
    assert max(clock.sleeps) > 60


async def test_cookies_from_responses_are_never_sent_back(clock: Any) -> None:
    seen: list[httpx.Request] = []

    def planted(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": {}}, headers={"Set-Cookie": "s=1; Path=/"})

    transport = httpx.MockTransport(planted)
    make(transport, clock).get_json("files/a")
    make(transport, clock).get_json("files/b")
    async with AClient(KEY, transport=transport, clock=clock) as client:
        await client.get_json("files/c")
        await client.get_json("files/d")
    assert [r.headers.get("cookie") for r in seen] == [None] * 4


def test_free_endpoints_are_not_charged(clock: Any) -> None:
    from tiintel._core.request import RequestSpec

    transport, seen = script(ok())
    client = make(transport, clock, rate_limits=[RateLimit(1, 60)], max_quota_wait=0)
    for _ in range(5):
        client._sender.request(RequestSpec(path=("users", "me", "overall_quotas"), cost=0))
    assert len(seen) == 5


class _FrozenClock:
    """Real threads, frozen time: reservations pile up into the future, which is what we check."""

    def __init__(self) -> None:
        self.now = 500.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        pass

    async def asleep(self, seconds: float) -> None:
        await asyncio.sleep(0)


def test_limiter_with_16_threads_never_exceeds_rate(recording_limiter: Any) -> None:
    limiter = recording_limiter([RateLimit(5, 1.0)])
    transport, seen = script(ok())
    client = Client(
        KEY, transport=transport, rate_limits=limiter, clock=_FrozenClock(), max_quota_wait=1e9
    )
    threads = [
        threading.Thread(target=lambda: [client.get_json("files/a") for _ in range(10)])
        for _ in range(16)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 160
    assert limiter.max_in_window(1.0) <= 5


async def test_limiter_with_50_tasks_never_exceeds_rate(recording_limiter: Any) -> None:
    limiter = recording_limiter([RateLimit(5, 1.0)])
    transport, seen = script(ok())
    async with AClient(
        KEY, transport=transport, rate_limits=limiter, clock=_FrozenClock(), max_quota_wait=1e9
    ) as client:
        await asyncio.gather(*(client.get_json("files/a") for _ in range(50)))
    assert len(seen) == 50
    assert limiter.max_in_window(1.0) <= 5


def test_shared_limiter_between_clients(clock: Any) -> None:
    limiter = RateLimiter([RateLimit(1, 60)])
    transport, _ = script(ok())
    a = make(transport, clock, rate_limits=limiter, max_quota_wait=0)
    b = make(transport, clock, rate_limits=limiter, max_quota_wait=0)
    a.get_json("files/a")
    with pytest.raises(tiintel.QuotaExceededError):
        b.get_json("files/a")


async def test_cancelled_wait_releases_its_slot() -> None:
    class SlowClock(_FrozenClock):
        async def asleep(self, seconds: float) -> None:
            await asyncio.sleep(3600)

    limiter = RateLimiter([RateLimit(1, 60)])
    transport, _ = script(ok())
    slow = SlowClock()
    client = AClient(KEY, transport=transport, rate_limits=limiter, clock=slow, max_quota_wait=1e9)
    await client.get_json("files/a")
    task = asyncio.create_task(client.get_json("files/b"))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert limiter._state._spacings[0].next_free == pytest.approx(500.0 + 60 * 1.05)
    await client.aclose()


# -- redirects, hosts, paths --------------------------------------------------------------------------


def test_redirect_is_not_followed_and_key_stays_home(clock: Any) -> None:
    transport, seen = script(httpx.Response(302, headers={"Location": "https://evil.test/steal"}))
    with pytest.raises(tiintel.APIStatusError, match="not followed") as info:
        make(transport, clock).get_json("files/abc")
    assert [r.url.host for r in seen] == ["api.test"]
    assert KEY not in repr(info.value.response.request.headers)


def test_key_only_in_its_header(clock: Any) -> None:
    transport, seen = script(ok())
    make(transport, clock).get_json("files/abc")
    request = seen[0]
    assert request.headers["x-apikey"] == KEY
    assert KEY not in str(request.url)
    assert (
        request.headers["user-agent"].startswith("tiintel/")
        and "gzip" in request.headers["user-agent"]
    )
    assert "gzip" in request.headers["accept-encoding"]


@pytest.mark.parametrize("path", ["../users/me", "files/..", "files/a?b=c", ""])
def test_get_json_refuses_paths_that_leave_base(clock: Any, path: str) -> None:
    transport, seen = script(ok())
    with pytest.raises(tiintel.ConfigurationError):
        make(transport, clock).get_json(path)
    assert seen == []


def test_non_json_body_is_parse_error(clock: Any) -> None:
    transport, _ = script(httpx.Response(200, text="<html>proxy login</html>"))
    with pytest.raises(tiintel.ResponseParseError) as info:
        make(transport, clock).get_json("files/abc")
    assert info.value.status_code == 200
    assert "proxy login" in info.value.excerpt


def test_deeply_nested_json_is_parse_error(clock: Any) -> None:
    transport, _ = script(httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000))
    with pytest.raises(tiintel.ResponseParseError):
        make(transport, clock).get_json("files/abc")


def test_huge_body_is_refused(clock: Any) -> None:
    transport, _ = script(httpx.Response(200, content=b"x" * 2048))
    client = make(transport, clock)
    client._sender.settings = __import__("attrs").evolve(
        client._sender.settings, max_response_bytes=1024
    )
    with pytest.raises(tiintel.ResponseParseError, match="larger than"):
        client.get_json("files/abc")


# -- configuration, lifecycle ------------------------------------------------------------------------


def test_missing_key_names_the_variable() -> None:
    with pytest.raises(tiintel.ConfigurationError, match="VT_API_KEY"):
        Client()


def test_env_key_is_used(monkeypatch: pytest.MonkeyPatch, clock: Any) -> None:
    monkeypatch.setenv("VT_API_KEY", KEY)
    transport, seen = script(ok())
    Client(transport=transport, clock=clock).get_json("files/a")
    assert seen[0].headers["x-apikey"] == KEY


def test_transport_and_http_client_together_is_an_error() -> None:
    with pytest.raises(tiintel.ConfigurationError, match="not both"):
        Client(KEY, transport=httpx.MockTransport(lambda r: ok()), http_client=httpx.Client())


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), "30"])
def test_bad_timeout(timeout: Any) -> None:
    with pytest.raises(tiintel.ConfigurationError):
        Client(KEY, timeout=timeout)


def test_timeout_float_sets_connect_cap() -> None:
    client = Client(KEY, timeout=30.0)
    assert client._sender.settings.timeout == httpx.Timeout(30.0, connect=5.0)
    client.close()


def test_close_twice_and_use_after_close(clock: Any) -> None:
    transport, _ = script(ok())
    client = make(transport, clock)
    client.close()
    client.close()
    with pytest.raises(tiintel.TiIntelError, match="closed"):
        client.get_json("files/a")


def test_close_never_closes_users_http_client(clock: Any) -> None:
    transport, _ = script(ok())
    mine = httpx.Client(transport=transport)
    with Client(KEY, http_client=mine, clock=clock) as client:
        client.get_json("files/a")
    assert not mine.is_closed
    mine.close()


def test_with_options_shares_pool(clock: Any) -> None:
    transport, _ = script(vt_error(503, "X"), ok())
    client = make(transport, clock, max_retries=0)
    patient = client.with_options(max_retries=2, timeout=5.0)
    assert patient.get_json("files/a") == {"data": {"id": "x"}}
    assert patient._sender._pool is client._sender._pool
    assert patient._sender.settings.timeout.connect == 5.0


async def test_async_client_refuses_second_loop() -> None:
    transport, _ = script(ok())
    client = AClient(KEY, transport=transport)
    await client.get_json("files/a")

    def other_loop() -> None:
        asyncio.run(client.get_json("files/a"))

    error: list[BaseException] = []
    thread = threading.Thread(target=lambda: _capture(other_loop, error))
    thread.start()
    thread.join()
    assert error and isinstance(error[0], tiintel.TiIntelError)
    assert "event loop" in str(error[0])
    await client.aclose()


def _capture(fn: Callable[[], None], sink: list[BaseException]) -> None:
    try:
        fn()
    except BaseException as exc:
        sink.append(exc)


def test_sync_client_works_inside_running_loop(clock: Any) -> None:
    transport, _ = script(ok())
    client = make(transport, clock)

    async def main() -> Any:
        return client.get_json("files/a")

    assert asyncio.run(main()) == {"data": {"id": "x"}}


# -- key hygiene -----------------------------------------------------------------------------------


def test_key_never_leaks(clock: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    answers = [
        vt_error(401, "WrongCredentialsError"),
        vt_error(429, "QuotaExceededError"),
        httpx.ConnectError("refused"),
        httpx.Response(302, headers={"Location": "https://elsewhere.test/"}),
        httpx.Response(200, text="<html>"),
    ]
    client = make(script(*answers[:1])[0], clock, max_retries=0, max_quota_wait=0)
    assert KEY not in repr(client) and KEY not in str(client)
    errors: list[BaseException] = []
    for answer in answers:
        transport, _ = script(answer)
        try:
            make(transport, clock, max_retries=0, max_quota_wait=0).get_json("files/a")
        except tiintel.TiIntelError as exc:
            errors.append(exc)
    assert len(errors) == len(answers)
    for error in errors:
        blob = [str(error), repr(error), repr(vars(error)), pickle.dumps(error).hex()]
        response = getattr(error, "response", None)
        if response is not None:
            blob += [repr(response.request.headers), str(response.request.url)]
        assert not any(KEY in part or KEY.encode().hex() in part for part in blob)
        clone = pickle.loads(pickle.dumps(error))
        assert type(clone) is type(error) and str(clone) == str(error)
    for record in caplog.records:
        assert KEY not in record.getMessage()


def test_httpx_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    from tiintel._http import register_secret

    register_secret(KEY)
    caplog.set_level(logging.INFO, logger="httpx")
    logging.getLogger("httpx").info(
        "HTTP Request: GET https://api.test/api/v3/users/%s/overall_quotas", KEY
    )
    assert caplog.records and all(KEY not in r.getMessage() for r in caplog.records)


def test_pickled_errors_drop_response() -> None:
    response = httpx.Response(
        404, json={}, request=httpx.Request("GET", "https://x.test", headers={"x-apikey": KEY})
    )
    error = tiintel.NotFoundError("nope", status_code=404, provider="virustotal", response=response)
    clone = pickle.loads(pickle.dumps(error))
    assert clone.response is None and clone.status_code == 404
    assert json.dumps({"m": str(clone)})
