"""The shared shell of both fakes: request log, quota, faults, and the httpx transport methods.

Subclasses supply the service itself (auth, routing, error bodies) as pure request -> response
handlers; this class only decides *whether* a handler runs and records what happened.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tiintel.testing._faults import Fault, FaultPlan, QuotaBook
from tiintel.testing._wire import FakeRequest, FakeResponse, html_response

__all__ = ["FakeService", "RecordedRequest"]

IN_MEMORY_STORAGE_ROOT = "https://storage.fake-vt.invalid"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake saw it, safe to print: the API key is never kept.

    ``path`` is the path after the API prefix (``/files/<hash>``), still percent-encoded;
    ``headers`` has the key header's value replaced by ``REDACTED`` and ``had_key`` says whether
    one was sent. ``status`` is None when the fake dropped the connection or timed out
    (``fault`` then says which).
    """

    method: str
    host: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    had_key: bool
    body_size: int
    status: int | None
    fault: str | None = None


def _monotonic_source(clock: Any) -> Callable[[], float]:
    if clock is None:
        return time.monotonic
    monotonic = getattr(clock, "monotonic", None)
    if callable(monotonic):
        return monotonic  # type: ignore[no-any-return]
    if callable(clock):
        return clock  # type: ignore[no-any-return]
    raise TypeError("clock must be a callable or have a monotonic() method")


class FakeService(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Base of ``FakeVirusTotal`` and ``FakeOTX``: an httpx transport for sync and async clients."""

    prefix = ""
    key_header = ""

    def __init__(
        self,
        *,
        rate_limits: Sequence[tuple[int, float]] = (),
        fail_rate: float = 0.0,
        fail_statuses: Sequence[int] = (500, 502, 503, 504),
        reset_rate: float = 0.0,
        timeout_rate: float = 0.0,
        garbage_rate: float = 0.0,
        latency: float = 0.0,
        seed: int | None = None,
        clock: Any = None,
    ) -> None:
        self.latency = float(latency)
        self.quota = QuotaBook(rate_limits, _monotonic_source(clock))
        self.faults = FaultPlan(
            fail_rate=fail_rate,
            fail_statuses=fail_statuses,
            reset_rate=reset_rate,
            timeout_rate=timeout_rate,
            garbage_rate=garbage_rate,
            seed=seed,
        )
        self.requests: list[RecordedRequest] = []
        self.status_counts: Counter[int] = Counter()
        self.closed = False
        self._lock = threading.RLock()

    # ---- what subclasses provide ----------------------------------------------------------

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        """An error answer when the key is missing or wrong, else None."""
        raise NotImplementedError

    def route(self, request: FakeRequest, segments: list[str]) -> FakeResponse:
        """Answer an authenticated request; ``segments`` are the decoded path after the prefix."""
        raise NotImplementedError

    def costs_quota(self, request: FakeRequest, segments: list[str]) -> bool:
        """Whether the request is charged against ``rate_limits``."""
        return True

    def quota_exceeded(self) -> FakeResponse:
        """The service's 429 answer (never with Retry-After: neither service sends one)."""
        raise NotImplementedError

    def failure(self, status: int) -> FakeResponse:
        """The service's answer for an injected server error."""
        return html_response(status, "Server Error")

    def not_found(self, request: FakeRequest) -> FakeResponse:
        """The answer for a path outside the API."""
        raise NotImplementedError

    def special(self, request: FakeRequest) -> FakeResponse | None:
        """Paths answered outside the API prefix without a key (VT uploads and downloads)."""
        return None

    # ---- the pure-ish core shared by transport and server ---------------------------------

    def subpath(self, request: FakeRequest) -> str | None:
        """The raw path after the API prefix, or None when the request is not for the API."""
        path = request.raw_path
        if path == self.prefix or path.startswith(self.prefix + "/"):
            return path[len(self.prefix) :] or "/"
        return None

    def process(self, request: FakeRequest) -> FakeResponse | Fault:
        """Decide the outcome of one request (fault, error or handler answer) and record it."""
        with self._lock:
            fault = self.faults.draw()
            if fault is not None and fault.kind in {"reset", "timeout"}:
                self._record(request, None, fault.kind)
                return fault
            if fault is not None and fault.kind == "garbage":
                response = html_response(200, "<h1>Please wait while we check your browser</h1>")
            elif fault is not None:
                response = self.failure(fault.status)
            else:
                response = self._dispatch(request)
            self._record(request, response.status, fault.kind if fault else None)
            return response

    def _dispatch(self, request: FakeRequest) -> FakeResponse:
        special = self.special(request)
        if special is not None:
            return special
        sub = self.subpath(request)
        if sub is None:
            return self.not_found(request)
        denied = self.authenticate(request)
        if denied is not None:
            return denied
        segments = request.segments(self.prefix)
        key = request.header(self.key_header) or ""
        if self.costs_quota(request, segments) and not self.quota.charge(key):
            return self.quota_exceeded()
        return self.route(request, segments)

    def _record(self, request: FakeRequest, status: int | None, fault: str | None) -> None:
        key_name = self.key_header.lower()
        headers = {k: ("REDACTED" if k == key_name else v) for k, v in request.headers.items()}
        self.requests.append(
            RecordedRequest(
                method=request.method,
                host=request.host,
                path=self.subpath(request) or request.raw_path,
                params=request.params,
                headers=headers,
                had_key=bool(request.header(self.key_header)),
                body_size=len(request.body),
                status=status,
                fault=fault,
            )
        )
        if status is not None:
            self.status_counts[status] += 1

    # ---- assertions helpers --------------------------------------------------------------

    def count(
        self, path_prefix: str = "", *, method: str | None = None, status: int | None = None
    ) -> int:
        """How many recorded requests have a path starting with ``path_prefix`` (and method/status)."""
        return sum(
            1
            for r in self.requests
            if r.path.startswith(path_prefix)
            and (method is None or r.method == method.upper())
            and (status is None or r.status == status)
        )

    def reset_log(self) -> None:
        """Forget the request log and status counters (data and quota usage are kept)."""
        with self._lock:
            self.requests.clear()
            self.status_counts.clear()

    # ---- httpx transport shells ------------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer a request from a sync ``httpx.Client``."""
        fake = _from_httpx(request, request.read())
        if self.latency > 0:
            time.sleep(self.latency)
        return _to_httpx(self.process(fake), request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer a request from an ``httpx.AsyncClient``."""
        fake = _from_httpx(request, await request.aread())
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        return _to_httpx(self.process(fake), request)

    def close(self) -> None:
        """Nothing to release; kept for the transport protocol (the data stays readable)."""
        self.closed = True

    async def aclose(self) -> None:
        """Async twin of ``close``."""
        self.closed = True


def _from_httpx(request: httpx.Request, body: bytes) -> FakeRequest:
    url = request.url
    raw = url.raw_path.decode("ascii")
    path, _, query = raw.partition("?")
    host = url.host if url.port is None else f"{url.host}:{url.port}"
    return FakeRequest(
        method=request.method.upper(),
        scheme=url.scheme,
        host=host,
        raw_path=path,
        raw_query=query,
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
        storage_root=IN_MEMORY_STORAGE_ROOT,
    )


def _to_httpx(outcome: FakeResponse | Fault, request: httpx.Request) -> httpx.Response:
    if isinstance(outcome, Fault):
        if outcome.kind == "timeout":
            raise httpx.ReadTimeout("fake: the server did not answer in time", request=request)
        raise httpx.ConnectError("fake: connection reset by peer", request=request)
    return httpx.Response(
        outcome.status, headers=dict(outcome.headers), content=outcome.body, request=request
    )
