"""The only network I/O of tiintel: sync and async senders over httpx.

A sender turns a ``RequestSpec`` into a payload. Around each attempt it books a quota slot, waits for
it, sends without following redirects, reads the body under a size cap and a deadline, and maps the
answer through the pure core. Retries are driven by tenacity with the decisions of ``_core.retry``.
The API key only ever travels in its header to base_url's host, and is scrubbed from every request
kept on an exception and from httpx's log records.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import logging
import random
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable
from http.client import HTTPResponse
from typing import Any

import attrs
import httpx
import tenacity

from ._clock import Clock, get_default_clock
from ._core.quota import Reservation
from ._core.request import RequestSpec, clean_params, encode_path, log_path, request_url
from ._core.response import interpret
from ._core.retry import CallBudget, Decision, decide
from ._exceptions import (
    APIConnectionError,
    APITimeoutError,
    Provider,
    QuotaExceededError,
    ResponseParseError,
    TiIntelError,
)
from ._limiter import RateLimiter
from ._types import JSON
from ._version import __version__

logger = logging.getLogger("tiintel")

USER_AGENT = f"tiintel/{__version__} (gzip)"
DEFAULT_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept-Encoding": "gzip",
    "Accept": "application/json",
}
_LONG_SCOPES = frozenset({"day", "month"})


class NoCookies(http.cookiejar.CookieJar):
    """A cookie jar that keeps nothing, for the clients tiintel builds.

    The key authenticates every request, so a response (or a proxy) must not plant state that
    later requests replay; it also spares httpx's per-response cookie parsing (~30 us).
    """

    def extract_cookies(self, response: HTTPResponse, request: urllib.request.Request) -> None:
        """Keep nothing."""


# No connection was made (DNS, refused, TLS handshake, no free pooled connection): the request
# never reached the service.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

QuotaProbe = Callable[[], Any]
"""Returns the exhausted quota scope after a VT 429 (sync: the scope; async: an awaitable of it)."""


# -- key redaction in third-party log records ---------------------------------------------------

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def redact(text: str) -> str:
    """``text`` with every registered API key replaced by ``***``."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


class _RedactingFilter(logging.Filter):
    """Removes API keys from httpx/httpcore records (the VT quota probe may carry the key in its URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            message = record.getMessage()
            cleaned = redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_RedactingFilter())


def scrub_exception(error: BaseException, secret: str) -> None:
    """Replace ``secret`` by ``***`` in the string args and attributes of ``error`` and its chain."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if any(isinstance(arg, str) and secret in arg for arg in current.args):
            current.args = tuple(
                arg.replace(secret, "***") if isinstance(arg, str) else arg for arg in current.args
            )
        for name, value in list(vars(current).items()):
            if isinstance(value, str) and secret in value:
                setattr(current, name, value.replace(secret, "***"))
        current = current.__cause__ or current.__context__


def register_secret(secret: str) -> None:
    """Remember a key so that log filters can redact it."""
    if len(secret) >= 4:
        with _secrets_lock:
            _secrets.add(secret)


# -- settings shared by the two senders -----------------------------------------------------------


@attrs.frozen(kw_only=True)
class Settings:
    """Per-client transport settings; ``with_options`` copies them."""

    provider: Provider
    key_header: str
    base_url: httpx.URL
    timeout: httpx.Timeout
    max_retries: int
    max_quota_wait: float
    limiter: RateLimiter | None
    clock: Clock | None = None
    rand: Callable[[], float] = random.random
    max_response_bytes: int

    @property
    def attempt_deadline(self) -> float:
        """Wall seconds one attempt may take in total, so a drip-fed body cannot hang a call."""
        read = self.timeout.read if self.timeout.read is not None else 60.0
        connect = self.timeout.connect if self.timeout.connect is not None else 5.0
        return 2 * read + connect


@attrs.define
class Pool:
    """The httpx client and state shared by a client and its ``with_options`` copies."""

    client: Any
    owned: bool
    closed: bool = False
    loop: asyncio.AbstractEventLoop | None = None


def _retry_pending(state: tenacity.RetryCallState) -> bool:
    decision: Decision | None = getattr(state, "tiintel_decision", None)
    return bool(state.outcome and state.outcome.failed and decision and decision.action != "raise")


def _wait_decided(state: tenacity.RetryCallState) -> float:
    decision: Decision | None = getattr(state, "tiintel_decision", None)
    return decision.delay if decision else 0.0


# Shared strategy objects; a new Retrying is built per call (its iteration state is per instance).
_RETRY = _retry_pending
_WAIT = _wait_decided
_STOP = tenacity.stop_never


def api_url(base_url: httpx.URL, encoded_path: str) -> str:
    """``base_url`` with ``encoded_path`` (already percent-encoded) appended, as a string.

    A string is parsed once, by ``build_request``; building an ``httpx.URL`` first would parse
    the same URL twice (a tenth of the per-request overhead).
    """
    return str(base_url).rstrip("/") + encoded_path


class _SenderBase:
    def __init__(self, settings: Settings, api_key: str, pool: Pool) -> None:
        self.settings = settings
        self._api_key = api_key
        self._pool = pool
        self.quota_probe: QuotaProbe | None = None
        register_secret(api_key)

    @property
    def name(self) -> str:
        return "VirusTotal" if self.settings.provider == "virustotal" else "OTX"

    @property
    def closed(self) -> bool:
        return self._pool.closed

    def clock(self) -> Clock:
        return self.settings.clock or get_default_clock()

    def _check_open(self) -> None:
        if self._pool.closed:
            raise TiIntelError(f"this {self.name} client is closed; create a new one")

    def _build(self, spec: RequestSpec) -> httpx.Request:
        url: httpx.URL | str
        if spec.absolute_url is None:
            url = api_url(self.settings.base_url, encode_path(spec.path))
        else:
            try:
                url = request_url(spec, self.settings.base_url)
            except ValueError as exc:
                raise ResponseParseError(
                    f"{self.name} sent an upload URL outside the API host; not sent",
                    provider=self.settings.provider,
                ) from exc
        request: httpx.Request = self._pool.client.build_request(
            spec.method,
            url,
            params=clean_params(spec.params) or None,
            json=spec.json,
            data=spec.data,
            files=spec.files,
            headers={self.settings.key_header: self._api_key},
            timeout=self.settings.timeout,
        )
        return request

    def _scrubbed(
        self, request: httpx.Request, spec: RequestSpec, response: httpx.Response, body: bytes
    ) -> httpx.Response:
        """A detached copy of the response for exceptions: same status, headers, body; no key anywhere."""
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() != self.settings.key_header.lower()
        }
        url = request.url
        if spec.secret_in_path:
            url = url.copy_with(raw_path=redact(url.raw_path.decode("ascii")).encode("ascii"))
        clean = httpx.Request(request.method, url, headers=headers)
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=clean
        )

    def _give_back_if_unsent(
        self, reservation: Reservation | None, error: APIConnectionError
    ) -> None:
        """Release the limiter slot of a request that never left: the service counted nothing.

        Without this, retrying an unreachable service on the public tier waited 15 s a try.
        """
        limiter = self.settings.limiter
        if reservation is not None and limiter is not None and not error.reached_server:
            limiter.release(reservation)

    def _connection_error(self, exc: httpx.TransportError, spec: RequestSpec) -> APIConnectionError:
        request = getattr(exc, "_request", None)
        if isinstance(request, httpx.Request):
            request.headers.pop(self.settings.key_header, None)
            if spec.secret_in_path:  # the chained httpx error keeps its request: no key in its URL
                path = request.url.raw_path.decode("ascii").replace(self._api_key, "***")
                exc.request = httpx.Request(
                    request.method,
                    request.url.copy_with(raw_path=path.encode("ascii")),
                    headers=request.headers,
                )
        scrub_exception(exc, self._api_key)  # it stays in the chain (the probe URL holds the key)
        where = log_path(spec, self.settings.base_url)
        detail = redact(str(exc)) or type(exc).__name__
        cls: type[APIConnectionError]
        if isinstance(exc, httpx.TimeoutException):
            cls, text = APITimeoutError, f"{self.name} did not answer in time"
        else:
            cls, text = APIConnectionError, f"could not reach {self.name}"
        return cls(
            f"{text} ({type(exc).__name__} on {where}): {detail}",
            provider=self.settings.provider,
            reached_server=not isinstance(exc, _NOT_SENT),
            tls_failure=_is_tls_failure(exc),
        )

    def _too_large(self, spec: RequestSpec) -> ResponseParseError:
        return ResponseParseError(
            f"{self.name} response to {log_path(spec, self.settings.base_url)} is larger than "
            f"{self.settings.max_response_bytes} bytes; not read",
            provider=self.settings.provider,
        )

    def _finish(
        self,
        spec: RequestSpec,
        request: httpx.Request,
        response: httpx.Response,
        body: bytes,
        attempt: int,
        started: float,
    ) -> JSON:
        if logger.isEnabledFor(logging.DEBUG):  # log_path() is not free: skip it when unused
            logger.debug(
                "%s %s -> %s (attempt %d, %.3fs)",
                spec.method,
                log_path(spec, self.settings.base_url),
                response.status_code,
                attempt,
                time.monotonic() - started,
            )
        status = response.status_code
        if status >= 300:
            # a service or a proxy may echo the key (or the key-as-user-id of the quota probe)
            body = body.replace(self._api_key.encode(), b"***")
        kept = self._scrubbed(request, spec, response, body) if status >= 300 else None
        try:
            return interpret(
                self.settings.provider,
                spec,
                status,
                response.headers,
                body,
                now=self.clock().time(),
                response=kept,
            )
        except TiIntelError as error:
            scrub_exception(error, self._api_key)  # a 2xx non-JSON body that echoes the key
            raise

    def _decide(self, error: TiIntelError, spec: RequestSpec, budget: CallBudget) -> Decision:
        decision = decide(
            error,
            budget,
            idempotent=spec.idempotent,
            rand=self.settings.rand,
        )
        if decision.action == "retry":
            budget.retries_used += 1
        elif decision.action == "wait_quota":
            budget.quota_waited += decision.delay
        if decision.action != "raise":
            logger.debug(
                "%s %s: %s; %s in %.1fs",
                spec.method,
                log_path(spec, self.settings.base_url),
                error.message,
                "retrying" if decision.action == "retry" else "waiting for quota",
                decision.delay,
            )
        return decision

    def _slot_refused(
        self, scope: str | None, delay: float, budget: CallBudget
    ) -> QuotaExceededError:
        what = f"{scope} quota" if scope else "quota"
        return QuotaExceededError(
            f"{self.name} {what} of this client's rate limits is used up: the next slot is in "
            f"{delay:.0f}s, more than this call may wait (max_quota_wait={budget.max_quota_wait:g}s, "
            f"{budget.quota_left():.0f}s left)",
            scope=scope,  # type: ignore[arg-type]
            provider=self.settings.provider,
            retry_after=delay,
        )

    def _slot_acceptable(self, delay: float, scope: str | None, budget: CallBudget) -> bool:
        if delay <= 0:
            return True
        if scope in _LONG_SCOPES and delay > 1.0:
            return False  # nobody wants a call to sleep until midnight
        return delay <= budget.quota_left()


def _is_tls_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


def _attach_decision(attempt: Any, decision: Decision | None) -> None:
    attempt.retry_state.tiintel_decision = decision


def _final(decision: Decision, error: TiIntelError) -> TiIntelError:
    return decision.error if decision.error is not None else error


def _raise_if_final(decision: Decision, error: TiIntelError) -> None:
    """Raise the error a "raise" decision settles on (chained to ``error`` when it differs)."""
    if decision.action == "raise":
        final = _final(decision, error)
        if final is error:
            raise error
        raise final from error


class SyncSender(_SenderBase):
    """Sends request specs on an ``httpx.Client``; safe to share between threads."""

    def request(self, spec: RequestSpec) -> JSON:
        """Send ``spec`` with retries and quota handling; return the decoded payload."""
        self._check_open()
        clock = self.clock()
        budget = CallBudget(self.settings.max_retries, self.settings.max_quota_wait)
        # Most calls succeed at once: only a failed first attempt pays for tenacity (~8 us).
        try:
            return self._attempt(spec, budget, clock, 1)
        except TiIntelError as error:
            self._probe_scope(error, spec)
            first = self._decide(error, spec, budget)
            _raise_if_final(first, error)
        clock.sleep(first.delay)
        retrying = tenacity.Retrying(
            retry=_RETRY, wait=_WAIT, stop=_STOP, sleep=clock.sleep, reraise=True
        )
        attempt_number = 1
        for attempt in retrying:
            with attempt:
                attempt_number += 1
                _attach_decision(attempt, None)
                try:
                    return self._attempt(spec, budget, clock, attempt_number)
                except TiIntelError as error:
                    self._probe_scope(error, spec)
                    decision = self._decide(error, spec, budget)
                    _attach_decision(attempt, decision)
                    if decision.action == "raise":
                        final = _final(decision, error)
                        if final is error:
                            raise
                        raise final from error
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, spec: RequestSpec, budget: CallBudget, clock: Clock, number: int) -> JSON:
        limiter = self.settings.limiter
        reservation = None
        if limiter is not None and spec.cost > 0:
            reservation = limiter.reserve(clock, spec.cost)
            if not self._slot_acceptable(reservation.delay, reservation.scope, budget):
                limiter.release(reservation)
                raise self._slot_refused(reservation.scope, reservation.delay, budget)
            if reservation.delay > 0:
                budget.quota_waited += reservation.delay
                clock.sleep(reservation.delay)
        self._check_open()
        request = self._build(spec)
        started = time.monotonic()
        try:
            response = self._pool.client.send(request, stream=True, follow_redirects=False)
            try:
                body = self._read(response, spec, started)
            finally:
                response.close()
        except httpx.TransportError as exc:
            error = self._connection_error(exc, spec)
            self._give_back_if_unsent(reservation, error)
            raise error from exc
        except httpx.DecodingError as exc:
            raise ResponseParseError(
                f"{self.name} sent a body that could not be decoded: {exc}",
                provider=self.settings.provider,
            ) from exc
        return self._finish(spec, request, response, body, number, started)

    def _read(self, response: httpx.Response, spec: RequestSpec, started: float) -> bytes:
        cap = self.settings.max_response_bytes
        length = response.headers.get("content-length")
        if length and length.isdigit() and int(length) > cap:
            raise self._too_large(spec)
        deadline = started + self.settings.attempt_deadline
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise self._too_large(spec)
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout(
                    "attempt deadline passed while reading the body", request=response.request
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _probe_scope(self, error: TiIntelError, spec: RequestSpec) -> None:
        if self.quota_probe is None or spec.cost == 0:
            return
        if (
            isinstance(error, QuotaExceededError)
            and error.status_code == 429
            and error.scope is None
        ):
            try:
                error.scope = self.quota_probe()
            except TiIntelError:
                logger.debug("quota probe failed; treating the 429 as a short-window limit")

    def stream_to(self, url: str, write: Callable[[bytes], Any]) -> int:
        """GET an absolute URL on another host WITHOUT the key (VT download links) and stream it out."""
        self._check_open()
        try:
            with self._pool.client.stream(
                "GET", url, timeout=self.settings.timeout, follow_redirects=False, headers={}
            ) as response:
                if response.status_code != 200:
                    raise APIConnectionError(
                        f"download link answered {response.status_code}",
                        provider=self.settings.provider,
                    )
                written = 0
                for chunk in response.iter_bytes():
                    write(chunk)
                    written += len(chunk)
                return written
        except httpx.TransportError as exc:
            raise APIConnectionError(
                f"could not download from the storage link ({type(exc).__name__})",
                provider=self.settings.provider,
            ) from exc

    def close(self) -> None:
        """Close the connection pool (never one the user passed in); closing twice is harmless."""
        if self._pool.closed:
            return
        self._pool.closed = True
        if self._pool.owned:
            self._pool.client.close()


class AsyncSender(_SenderBase):
    """Sends request specs on an ``httpx.AsyncClient``; safe to share between tasks of one event loop."""

    async def request(self, spec: RequestSpec) -> JSON:
        """Send ``spec`` with retries and quota handling; return the decoded payload."""
        self._check_open()
        self._bind_loop()
        clock = self.clock()
        budget = CallBudget(self.settings.max_retries, self.settings.max_quota_wait)
        # Most calls succeed at once: only a failed first attempt pays for tenacity (~8 us).
        try:
            return await self._attempt(spec, budget, clock, 1)
        except TiIntelError as error:
            await self._probe_scope(error, spec)
            first = self._decide(error, spec, budget)
            _raise_if_final(first, error)
        await clock.asleep(first.delay)
        retrying = tenacity.AsyncRetrying(
            retry=_RETRY, wait=_WAIT, stop=_STOP, sleep=clock.asleep, reraise=True
        )
        attempt_number = 1
        async for attempt in retrying:
            with attempt:
                attempt_number += 1
                _attach_decision(attempt, None)
                try:
                    return await self._attempt(spec, budget, clock, attempt_number)
                except TiIntelError as error:
                    await self._probe_scope(error, spec)
                    decision = self._decide(error, spec, budget)
                    _attach_decision(attempt, decision)
                    if decision.action == "raise":
                        final = _final(decision, error)
                        if final is error:
                            raise
                        raise final from error
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _bind_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._pool.loop is None:
            self._pool.loop = loop
        elif self._pool.loop is not loop:
            raise TiIntelError(
                f"this async {self.name} client belongs to the event loop it was first used on; "
                "create one client per event loop (or use the sync client)"
            )

    async def _attempt(
        self, spec: RequestSpec, budget: CallBudget, clock: Clock, number: int
    ) -> JSON:
        limiter = self.settings.limiter
        reservation = None
        if limiter is not None and spec.cost > 0:
            reservation = limiter.reserve(clock, spec.cost)
            if not self._slot_acceptable(reservation.delay, reservation.scope, budget):
                limiter.release(reservation)
                raise self._slot_refused(reservation.scope, reservation.delay, budget)
            if reservation.delay > 0:
                try:
                    await clock.asleep(reservation.delay)
                except asyncio.CancelledError:
                    limiter.release(reservation)
                    raise
                budget.quota_waited += reservation.delay
        self._check_open()
        request = self._build(spec)
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.settings.attempt_deadline):
                response = await self._pool.client.send(
                    request, stream=True, follow_redirects=False
                )
                try:
                    body = await self._read(response, spec)
                finally:
                    await response.aclose()
        except TimeoutError as exc:
            raise self._connection_error(
                httpx.ReadTimeout("attempt deadline passed", request=request), spec
            ) from exc
        except httpx.TransportError as exc:
            error = self._connection_error(exc, spec)
            self._give_back_if_unsent(reservation, error)
            raise error from exc
        except httpx.DecodingError as exc:
            raise ResponseParseError(
                f"{self.name} sent a body that could not be decoded: {exc}",
                provider=self.settings.provider,
            ) from exc
        return self._finish(spec, request, response, body, number, started)

    async def _read(self, response: httpx.Response, spec: RequestSpec) -> bytes:
        cap = self.settings.max_response_bytes
        length = response.headers.get("content-length")
        if length and length.isdigit() and int(length) > cap:
            raise self._too_large(spec)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise self._too_large(spec)
            chunks.append(chunk)
        return b"".join(chunks)

    async def _probe_scope(self, error: TiIntelError, spec: RequestSpec) -> None:
        if self.quota_probe is None or spec.cost == 0:
            return
        if (
            isinstance(error, QuotaExceededError)
            and error.status_code == 429
            and error.scope is None
        ):
            try:
                error.scope = await self.quota_probe()
            except TiIntelError:
                logger.debug("quota probe failed; treating the 429 as a short-window limit")

    async def stream_to(self, url: str, write: Callable[[bytes], Any]) -> int:
        """GET an absolute URL on another host WITHOUT the key (VT download links) and stream it out."""
        self._check_open()
        self._bind_loop()
        try:
            async with self._pool.client.stream(
                "GET", url, timeout=self.settings.timeout, follow_redirects=False, headers={}
            ) as response:
                if response.status_code != 200:
                    raise APIConnectionError(
                        f"download link answered {response.status_code}",
                        provider=self.settings.provider,
                    )
                written = 0
                async for chunk in response.aiter_bytes():
                    await asyncio.to_thread(write, chunk)
                    written += len(chunk)
                return written
        except httpx.TransportError as exc:
            raise APIConnectionError(
                f"could not download from the storage link ({type(exc).__name__})",
                provider=self.settings.provider,
            ) from exc

    async def aclose(self) -> None:
        """Close the connection pool (never one the user passed in); closing twice is harmless."""
        if self._pool.closed:
            return
        self._pool.closed = True
        if self._pool.owned:
            await self._pool.client.aclose()
