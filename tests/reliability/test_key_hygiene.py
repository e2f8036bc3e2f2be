"""The API key never leaks: not in logs (tiintel, httpx, httpcore at DEBUG), reprs, messages,
tracebacks, exception attributes or pickles, on every error path, including the VT quota probe,
which puts the key in its URL when the client has no ``user``.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import tiintel
from tiintel import AsyncVirusTotalClient, VirusTotalClient
from tiintel.testing import FakeVirusTotal, VirtualClock, serve

KEY = "k3y-HYGIENE-5f2b9c0d1e8a7f6b"
SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
PROBE = f"/api/v3/users/{KEY}/overall_quotas"


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in ("tiintel", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    caplog.set_level(logging.DEBUG)
    return caplog


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _texts_of(error: BaseException) -> list[str]:
    """Everything a user could print or persist about an error."""
    texts = ["".join(traceback.format_exception(error))]
    for link in _chain(error):
        texts += [str(link), repr(link), repr(vars(link)) if hasattr(link, "__dict__") else ""]
        # an httpx exception holding a request may not pickle: not ours to keep
        with contextlib.suppress(Exception):
            texts.append(pickle.dumps(link).decode("latin-1"))
        response = getattr(link, "response", None)
        if isinstance(response, httpx.Response):
            request = response.request
            texts += [str(request.url), repr(dict(request.headers)), response.text]
            texts += [repr(dict(response.headers))]
    return texts


def assert_clean(error: BaseException) -> None:
    for text in _texts_of(error):
        assert KEY not in text


def assert_logs_clean(caplog: pytest.LogCaptureFixture) -> None:
    handler = logging.Handler()
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    for record in caplog.records:
        assert KEY not in handler.format(record)
        assert KEY not in repr(record.args)
    assert KEY not in caplog.text


def vt_error(status: int, code: str, message: str = "boom") -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message}})


def echoing(main: Callable[[], httpx.Response], probe: Callable[[], httpx.Response]) -> Any:
    """A handler that answers the API with ``main`` and the key-in-path quota probe with ``probe``."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.raw_path.decode().startswith(PROBE):
            return probe()
        return main()

    return handler, seen


ERRORS_ON_THE_API: list[tuple[str, Callable[[], httpx.Response]]] = [
    ("401", lambda: vt_error(401, "WrongCredentialsError", f"Wrong API key {KEY}")),
    ("403", lambda: vt_error(403, "ForbiddenError")),
    ("404", lambda: vt_error(404, "NotFoundError")),
    ("500", lambda: vt_error(500, "InternalError", f"echo {KEY}")),
    ("429-min", lambda: vt_error(429, "TooManyRequestsError")),
    ("429-quota", lambda: vt_error(429, "QuotaExceededError", "Quota exceeded")),
    ("302", lambda: httpx.Response(302, headers={"Location": "https://evil.test/"})),
    ("garbage", lambda: httpx.Response(200, text=f"<html>{KEY}</html>")),
    (
        "huge-declared",
        lambda: httpx.Response(200, headers={"Content-Length": str(10**12)}, content=b"{}"),
    ),
]

PROBE_ANSWERS: list[tuple[str, Callable[[], httpx.Response]]] = [
    (
        "probe-ok-day",
        lambda: httpx.Response(
            200, json={"data": {"api_requests_daily": {"user": {"allowed": 5, "used": 5}}}}
        ),
    ),
    ("probe-404-echo", lambda: vt_error(404, "NotFoundError", f'User "{KEY}" not found')),
    ("probe-503-echo", lambda: vt_error(503, "TransientError", f"user {KEY} busy")),
    ("probe-429-echo", lambda: vt_error(429, "QuotaExceededError", f"user {KEY}")),
    ("probe-garbage", lambda: httpx.Response(200, text=f"<b>{KEY}</b>")),
    ("probe-reset", lambda: (_ for _ in ()).throw(httpx.ConnectError(f"reset on /users/{KEY}"))),
]


@pytest.mark.parametrize(
    ("_name", "main"), ERRORS_ON_THE_API, ids=[n for n, _ in ERRORS_ON_THE_API]
)
@pytest.mark.parametrize(("_probe", "probe"), PROBE_ANSWERS, ids=[n for n, _ in PROBE_ANSWERS])
def test_every_error_path_sync(
    debug_logs: pytest.LogCaptureFixture, clock: Any, _name: str, main: Any, _probe: str, probe: Any
) -> None:
    handler, seen = echoing(main, probe)
    vt = VirusTotalClient(
        KEY, transport=httpx.MockTransport(handler), clock=clock, max_retries=1, max_quota_wait=20
    )
    assert KEY not in repr(vt) and KEY not in str(vt)
    with pytest.raises(tiintel.TiIntelError) as info:
        vt.files.get(SHA256)
    assert_clean(info.value)
    with pytest.raises(tiintel.TiIntelError) as direct:
        vt.quotas() if _probe != "probe-ok-day" else vt_raise(vt)
    assert_clean(direct.value)
    assert_logs_clean(debug_logs)
    assert all(r.url.host == "www.virustotal.com" for r in seen)


def vt_raise(vt: VirusTotalClient) -> None:
    vt.get_json("users/someone/overall_quotas/../x")  # ConfigurationError, no request


@pytest.mark.parametrize(("_probe", "probe"), PROBE_ANSWERS, ids=[n for n, _ in PROBE_ANSWERS])
async def test_quota_probe_paths_async(
    debug_logs: pytest.LogCaptureFixture, clock: Any, _probe: str, probe: Any
) -> None:
    handler, _ = echoing(lambda: vt_error(429, "QuotaExceededError"), probe)
    async with AsyncVirusTotalClient(
        KEY, transport=httpx.MockTransport(handler), clock=clock, max_retries=1, max_quota_wait=20
    ) as vt:
        with pytest.raises(tiintel.TiIntelError) as info:
            await vt.files.get(SHA256)
        assert_clean(info.value)
        if _probe != "probe-ok-day":
            with pytest.raises(tiintel.TiIntelError) as direct:
                await vt.quotas()
            assert_clean(direct.value)
    assert_logs_clean(debug_logs)


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError(f"connect to key={KEY} failed"),
        httpx.ReadTimeout(f"slow {KEY}"),
        httpx.RemoteProtocolError("peer closed"),
    ],
)
def test_transport_exceptions_carry_no_key(
    debug_logs: pytest.LogCaptureFixture, clock: Any, exc: Exception
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    vt = VirusTotalClient(KEY, transport=httpx.MockTransport(handler), clock=clock, max_retries=2)
    with pytest.raises(tiintel.APIConnectionError) as info:
        vt.domains.get("example.com")
    assert_clean(info.value)
    # the httpx exception in the chain keeps its request: the key header must be gone from it
    cause = info.value.__cause__
    request = getattr(cause, "_request", None)
    if request is not None:
        assert KEY not in repr(dict(request.headers))
    assert_logs_clean(debug_logs)


def test_real_socket_logs_with_the_probe(debug_logs: pytest.LogCaptureFixture) -> None:
    """httpx and httpcore log real traffic (the probe URL holds the key): all redacted."""
    clock = VirtualClock()
    fake = FakeVirusTotal(rate_limits=[(2, 86_400.0)], clock=clock)
    with serve(vt=fake) as server:
        with VirusTotalClient(KEY, base_url=server.vt_url, clock=clock, max_quota_wait=30) as vt:
            with pytest.raises(tiintel.QuotaExceededError) as info:
                for _ in range(3):
                    vt.domains.get("example.com")
            quotas = vt.quotas()
        assert info.value.scope == "day"
        assert_clean(info.value)
        assert quotas.exhausted_scope() == "day"
    assert fake.count("/users/") >= 1
    assert any(r.name.startswith("httpcore") for r in debug_logs.records)
    assert any("overall_quotas" in r.getMessage() for r in debug_logs.records)
    assert_logs_clean(debug_logs)


def test_exception_kept_by_logging_has_no_key(
    debug_logs: pytest.LogCaptureFixture, clock: Any
) -> None:
    handler, _ = echoing(
        lambda: vt_error(401, "WrongCredentialsError", KEY), lambda: vt_error(401, "X", KEY)
    )
    vt = VirusTotalClient(KEY, transport=httpx.MockTransport(handler), clock=clock)
    try:
        vt.quotas()
    except tiintel.TiIntelError:
        logging.getLogger("tiintel.test").exception("lookup failed")
    assert_logs_clean(debug_logs)


# -- missing and malformed keys ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "env", "other"),
    [
        (VirusTotalClient, "VT_API_KEY", "OTX_API_KEY"),
        (AsyncVirusTotalClient, "VT_API_KEY", "OTX_API_KEY"),
    ],
)
@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_key_names_the_variable_only(
    monkeypatch: pytest.MonkeyPatch, cls: Any, env: str, other: str, value: str | None
) -> None:
    monkeypatch.setenv(other, KEY)  # the other provider's key must not show up either
    if value is not None:
        monkeypatch.setenv(env, value)
    with pytest.raises(tiintel.ConfigurationError) as info:
        cls()
    assert env in str(info.value)
    assert other not in str(info.value)
    assert_clean(info.value)


@pytest.mark.parametrize("bad", [KEY + "\n", KEY + "\r\nX-Evil: 1", KEY + "\0"])
def test_malformed_key_is_refused_without_echoing_it(bad: str) -> None:
    with pytest.raises(tiintel.ConfigurationError) as info:
        VirusTotalClient(bad)
    assert_clean(info.value)


def test_clients_refuse_pickling(clock: Any) -> None:
    vt = VirusTotalClient(
        KEY, transport=httpx.MockTransport(lambda r: httpx.Response(200)), clock=clock
    )
    with pytest.raises(TypeError) as info:
        pickle.dumps(vt)
    assert_clean(info.value)
    assert KEY not in repr(vt.with_options(max_retries=1))


OTX_ANSWERS = [
    lambda: httpx.Response(403, json={"detail": f"Invalid API key {KEY}"}),
    lambda: httpx.Response(429, json={"detail": f"throttled {KEY}"}),
    lambda: httpx.Response(504, text=f"<html>gateway {KEY}</html>"),
    lambda: httpx.Response(200, text=f"<html>{KEY}</html>"),
    lambda: httpx.Response(400, json={"name": [f"bad {KEY}"]}),
]


@pytest.mark.parametrize("answer", OTX_ANSWERS)
async def test_otx_error_paths(
    debug_logs: pytest.LogCaptureFixture, clock: Any, answer: Any
) -> None:
    transport = httpx.MockTransport(lambda request: answer())
    with tiintel.OTXClient(
        KEY, transport=transport, clock=clock, max_retries=1, max_quota_wait=20
    ) as otx:
        with pytest.raises(tiintel.TiIntelError) as info:
            otx.indicators.get("8.8.8.8")
        assert_clean(info.value)
    async with tiintel.AsyncOTXClient(
        KEY, transport=transport, clock=clock, max_retries=1, max_quota_wait=20
    ) as aotx:
        with pytest.raises(tiintel.TiIntelError) as ainfo:
            await aotx.indicators.get("8.8.8.8")
        assert_clean(ainfo.value)
    assert_logs_clean(debug_logs)
