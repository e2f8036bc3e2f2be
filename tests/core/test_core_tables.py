"""Table tests of the pure core: request building, answers, retry decisions, quota math, pagination."""

from __future__ import annotations

import pickle
from typing import Any

import httpx
import pytest

import tiintel
from tiintel._core.pagination import rebase_next, shrink_page, vt_next_cursor
from tiintel._core.quota import QuotaState, RateLimit, scope_of
from tiintel._core.request import RequestSpec, clean_params, encode_path, log_path, request_url
from tiintel._core.response import interpret, parse_retry_after
from tiintel._core.retry import CallBudget, backoff_delay, decide, is_transient
from tiintel._exceptions import error_from_response

BASE = httpx.URL("https://www.virustotal.com/api/v3")

# -- request ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("segments", "raw"),
    [
        (("files", "44d88612fea8a8f36de82e1278abb02f"), "/files/44d88612fea8a8f36de82e1278abb02f"),
        (("urls", "http://a.example/x?y=1#z"), "/urls/http%3A%2F%2Fa.example%2Fx%3Fy%3D1%23z"),
        (("domains", "../users/me"), "/domains/..%2Fusers%2Fme"),
        (
            ("indicators", "url", "http://x/%41", "general"),
            "/indicators/url/http%3A%2F%2Fx%2F%2541/general",
        ),
    ],
)
def test_each_value_is_one_segment(segments: tuple[str, ...], raw: str) -> None:
    assert encode_path(segments) == raw
    url = request_url(RequestSpec(path=segments), BASE)
    assert url.raw_path.decode() == "/api/v3" + raw
    assert url.host == "www.virustotal.com"


def test_params_are_cleaned() -> None:
    assert clean_params({"a": None, "b": True, "c": False, "d": 3, "e": "x"}) == {
        "b": "true",
        "c": "false",
        "d": "3",
        "e": "x",
    }


def test_absolute_url_must_stay_on_host() -> None:
    same = RequestSpec(
        method="POST", path=(), absolute_url="https://www.virustotal.com/_ah/upload/abc"
    )
    assert request_url(same, BASE).path == "/_ah/upload/abc"
    with pytest.raises(ValueError, match="not on the API host"):
        request_url(RequestSpec(path=(), absolute_url="https://evil.example/upload"), BASE)
    with pytest.raises(ValueError, match="not on the API host"):
        request_url(RequestSpec(path=(), absolute_url="http://www.virustotal.com/_ah/upload"), BASE)


def test_secret_path_is_never_logged() -> None:
    spec = RequestSpec(path=("users", "SECRETKEY", "overall_quotas"), secret_in_path=True, cost=0)
    assert "SECRETKEY" not in log_path(spec, BASE)


# -- answers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        ("0", 0.0),
        ("-3", 0.0),
        ("100000", 120.0),
        ("Thu, 01 Jan 1970 00:01:40 GMT", 40.0),
        ("garbage", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=60.0) == expected


VT = "virustotal"


@pytest.mark.parametrize(
    ("provider", "status", "body", "cls", "code"),
    [
        (
            VT,
            400,
            {"error": {"code": "InvalidArgumentError", "message": "bad"}},
            tiintel.BadRequestError,
            "InvalidArgumentError",
        ),
        (
            VT,
            400,
            {"error": {"code": "NotAvailableYet", "message": "later"}},
            tiintel.BadRequestError,
            "NotAvailableYet",
        ),
        (
            VT,
            401,
            {"error": {"code": "WrongCredentialsError", "message": "x"}},
            tiintel.AuthenticationError,
            "WrongCredentialsError",
        ),
        (
            VT,
            401,
            {"error": {"code": "UserNotActiveError", "message": "x"}},
            tiintel.AuthenticationError,
            "UserNotActiveError",
        ),
        (
            VT,
            401,
            {"error": {"code": "AuthenticationRequiredError", "message": "x"}},
            tiintel.AuthenticationError,
            None,
        ),
        (
            VT,
            403,
            {"error": {"code": "ForbiddenError", "message": "x"}},
            tiintel.PermissionDeniedError,
            "ForbiddenError",
        ),
        (
            VT,
            404,
            {"error": {"code": "NotFoundError", "message": 'File "x" not found'}},
            tiintel.NotFoundError,
            "NotFoundError",
        ),
        (
            VT,
            409,
            {"error": {"code": "AlreadyExistsError", "message": "x"}},
            tiintel.ConflictError,
            "AlreadyExistsError",
        ),
        (
            VT,
            424,
            {"error": {"code": "FailedDependencyError", "message": "x"}},
            tiintel.APIStatusError,
            "FailedDependencyError",
        ),
        (
            VT,
            429,
            {"error": {"code": "QuotaExceededError", "message": "x"}},
            tiintel.QuotaExceededError,
            "QuotaExceededError",
        ),
        (
            VT,
            429,
            {"error": {"code": "TooManyRequestsError", "message": "x"}},
            tiintel.RateLimitError,
            "TooManyRequestsError",
        ),
        (
            VT,
            503,
            {"error": {"code": "TransientError", "message": "x"}},
            tiintel.ServerError,
            "TransientError",
        ),
        (
            VT,
            504,
            {"error": {"code": "DeadlineExceededError", "message": "x"}},
            tiintel.ServerError,
            None,
        ),
        ("otx", 400, {"name": ["too short"]}, tiintel.BadRequestError, None),
        ("otx", 404, {"detail": "Not found."}, tiintel.NotFoundError, None),
        ("otx", 429, {"detail": "Request was throttled."}, tiintel.RateLimitError, None),
        ("otx", 502, "<html>Bad gateway</html>", tiintel.ServerError, None),
    ],
)
def test_error_mapping(provider: Any, status: int, body: Any, cls: type, code: str | None) -> None:
    raw = body.encode() if isinstance(body, str) else __import__("json").dumps(body).encode()
    error = error_from_response(provider, status, raw)
    assert type(error) is cls
    assert isinstance(error, tiintel.TiIntelError)
    if code:
        assert error.code == code
    if isinstance(body, dict) and "error" in body:
        assert body["error"]["message"] in str(error)


def test_quota_exceeded_is_not_plain_rate_limit() -> None:
    error = error_from_response("virustotal", 429, b'{"error":{"code":"QuotaExceededError"}}')
    assert isinstance(error, tiintel.QuotaExceededError) and error.scope is None
    plain = error_from_response("virustotal", 429, b'{"error":{"code":"TooManyRequestsError"}}')
    assert not isinstance(plain, tiintel.QuotaExceededError)


@pytest.mark.parametrize(
    ("means", "cls"),
    [("auth", tiintel.AuthenticationError), ("permission", tiintel.PermissionDeniedError)],
)
def test_otx_403_meanings(means: Any, cls: type) -> None:
    error = error_from_response(
        "otx", 403, b'{"detail": "Authentication required"}', forbidden_means=means
    )
    assert type(error) is cls


def test_premium_hint_in_message() -> None:
    error = error_from_response(
        "virustotal",
        403,
        b'{"error":{"code":"ForbiddenError","message":"no"}}',
        hint="needs a premium key",
    )
    assert "premium" in str(error)


@pytest.mark.parametrize(
    ("status", "body", "expect", "result"),
    [
        (200, b'{"data": 1}', "json", {"data": 1}),
        (204, b"", "json", None),
        (200, b"", "empty", None),
        (302, b"", "redirect", "https://storage.example/x"),
    ],
)
def test_interpret_success(status: int, body: bytes, expect: Any, result: Any) -> None:
    spec = RequestSpec(path=("x",), expect=expect)
    headers = {"location": "https://storage.example/x"}
    assert interpret("virustotal", spec, status, headers, body, now=0.0) == result


@pytest.mark.parametrize("body", [b"<html>login</html>", b"{", b"\xff\xfe", b"[" * 50_000])
def test_interpret_bad_json(body: bytes) -> None:
    with pytest.raises(tiintel.ResponseParseError) as info:
        interpret("otx", RequestSpec(path=("x",)), 200, {}, body, now=0.0)
    assert info.value.status_code == 200
    assert len(info.value.excerpt) <= 200


def test_interpret_refuses_unexpected_redirect() -> None:
    with pytest.raises(tiintel.APIStatusError, match=r"evil\.example"):
        interpret(
            "virustotal",
            RequestSpec(path=("x",)),
            301,
            {"location": "https://evil.example/"},
            b"",
            now=0.0,
        )


# -- retry decisions ----------------------------------------------------------------------------------


def _status(code: int, vt_code: str | None = None) -> tiintel.APIStatusError:
    return error_from_response(
        "virustotal", code, f'{{"error":{{"code":"{vt_code or "X"}"}}}}'.encode()
    )  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("error", "idempotent", "expected"),
    [
        (_status(500), True, True),
        (_status(503, "TransientError"), True, True),
        (_status(504), True, True),
        (_status(408), True, True),
        (_status(400), True, False),
        (_status(404), True, False),
        (_status(503), False, False),
        (tiintel.APIConnectionError("x", reached_server=False), False, True),
        (tiintel.APIConnectionError("x", reached_server=True), False, False),
        (tiintel.APITimeoutError("x"), True, True),
    ],
)
def test_is_transient(error: tiintel.TiIntelError, idempotent: bool, expected: bool) -> None:
    assert is_transient(error, idempotent=idempotent) is expected


def test_backoff_full_jitter_is_capped() -> None:
    assert backoff_delay(0, rand=lambda: 1.0) == 0.5
    assert backoff_delay(3, rand=lambda: 1.0) == 4.0
    assert backoff_delay(50, rand=lambda: 1.0) == 30.0
    assert backoff_delay(5, rand=lambda: 0.0) == 0.0


def test_decide_table() -> None:
    budget = CallBudget(max_retries=2, max_quota_wait=30)
    rand = lambda: 0.5  # noqa: E731
    limited = tiintel.RateLimitError("slow down", provider="virustotal", status_code=429)
    assert decide(limited, budget, idempotent=True, rand=rand).delay == 15.0
    budget.quota_waited = 20
    decision = decide(limited, budget, idempotent=True, rand=rand)
    assert decision.action == "raise" and isinstance(decision.error, tiintel.QuotaExceededError)
    daily = tiintel.QuotaExceededError("day", scope="day", status_code=429)
    assert decide(daily, CallBudget(3, 1e9), idempotent=True, rand=rand).action == "raise"
    server = _status(503)
    assert decide(server, CallBudget(2, 0), idempotent=True, rand=rand).action == "retry"
    spent = decide(server, CallBudget(2, 0, retries_used=2), idempotent=True, rand=rand)
    assert spent.action == "raise" and "after 3 attempts" in str(spent.error)


# -- quota math -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "scope"),
    [(1, "minute"), (60, "minute"), (3600, "hour"), (86400, "day"), (31 * 86400, "month")],
)
def test_scope_of(period: float, scope: str) -> None:
    assert scope_of(period) == scope


@pytest.mark.parametrize(
    "bad", [(0, 60), (-1, 60), (4, 0), (4, float("inf")), (True, 60), (1.5, 60)]
)
def test_rate_limit_validation(bad: tuple[Any, Any]) -> None:
    with pytest.raises(ValueError, match=r"must be"):
        RateLimit(*bad)


def test_spacing_never_exceeds_window() -> None:
    state = QuotaState((RateLimit(5, 1.0),))
    slots = [0 + state.reserve(0.0, 0.0).delay for _ in range(50)]
    for start in slots:
        assert sum(1 for s in slots if start <= s < start + 1.0) <= 5
    assert slots[-1] == pytest.approx(49 * 0.2 * 1.05)


def test_daily_counter_allows_burst_then_waits_for_utc_midnight() -> None:
    state = QuotaState((RateLimit(3, 86400),))
    wall = 86400 * 100 + 3600  # 01:00 UTC
    delays = [state.reserve(0.0, wall).delay for _ in range(4)]
    assert delays[:3] == [0.0, 0.0, 0.0]
    assert delays[3] == pytest.approx(23 * 3600 + 2.0)


def test_combined_windows_report_binding_scope() -> None:
    state = QuotaState((RateLimit(4, 60), RateLimit(5, 86400)))
    wall = 86400 * 10.0
    reservations = [state.reserve(0.0, wall) for _ in range(6)]
    assert [r.scope for r in reservations[:5]] == [None, "minute", "minute", "minute", "minute"]
    assert reservations[5].scope == "day"


def test_release_gives_back_the_newest_slot() -> None:
    state = QuotaState((RateLimit(1, 10.0), RateLimit(2, 86400)))
    state.reserve(0.0, 0.0)
    second = state.reserve(0.0, 0.0)
    state.release(second)
    third = state.reserve(0.0, 0.0)
    assert third.delay == pytest.approx(second.delay)
    assert third.scope == "minute"


def test_zero_cost_is_free() -> None:
    state = QuotaState((RateLimit(1, 60),))
    state.reserve(0.0, 0.0)
    assert state.reserve(0.0, 0.0, cost=0).delay == 0.0


# -- pagination -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "cursor"),
    [
        ({"data": [1], "meta": {"cursor": "abc"}, "links": {"next": "..."}}, "abc"),
        ({"data": [1], "links": {"self": "..."}}, None),
        ({"data": [], "meta": {"cursor": "abc"}}, None),
        ({"data": [1], "meta": {"cursor": ""}}, None),
        ({"data": [1], "meta": None}, None),
    ],
)
def test_vt_next_cursor(payload: dict[str, Any], cursor: str | None) -> None:
    assert vt_next_cursor(payload) == cursor


OTX_BASE = httpx.URL("http://127.0.0.1:8080/api/v1")


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (None, None),
        ("", None),
        (
            "https://otx.alienvault.com/api/v1/pulses/subscribed?limit=50&page=2&modified_since=2024-01-01T00%3A00%3A00",
            (
                ("pulses", "subscribed"),
                {"limit": "50", "page": "2", "modified_since": "2024-01-01T00:00:00"},
            ),
        ),
        (
            "/api/v1/search/pulses?q=emotet&page=3",
            (("search", "pulses"), {"q": "emotet", "page": "3"}),
        ),
    ],
)
def test_rebase_next_keeps_path_and_query_only(link: str | None, expected: Any) -> None:
    assert rebase_next(link, OTX_BASE) == expected


@pytest.mark.parametrize(
    "link", ["https://otx.alienvault.com/other/pulses?page=2", "https://x/api/v1x/pulses", 42]
)
def test_rebase_next_refuses_foreign_paths(link: Any) -> None:
    with pytest.raises(tiintel.ResponseParseError):
        rebase_next(link, OTX_BASE)


@pytest.mark.parametrize(
    ("page", "size", "expected"),
    [
        (1, 50, (1, 25)),
        (3, 50, (5, 25)),
        (2, 10, (3, 5)),
        (4, 3, (10, 1)),
        (2, 1, None),
        (5, 7, (29, 1)),
    ],
)
def test_shrink_page_keeps_the_offset(
    page: int, size: int, expected: tuple[int, int] | None
) -> None:
    result = shrink_page(page, size)
    assert result == expected
    if result:
        new_page, new_size = result
        assert (new_page - 1) * new_size == (page - 1) * size


def test_errors_pickle_without_response() -> None:
    for error in [
        tiintel.AnalysisTimeoutError("slow", analysis_id="abc"),
        tiintel.QuotaExceededError("q", scope="day", provider="virustotal", status_code=429),
        tiintel.InvalidIndicatorError("bad", value="x"),
        tiintel.ResponseParseError("p", status_code=200, excerpt="<html>", provider="otx"),
    ]:
        clone = pickle.loads(pickle.dumps(error))
        assert vars(clone) == vars(error) and str(clone) == str(error)
