"""What every client shares: configuration checks, the sender, context management, ``with_options``.

Provider clients (VirusTotal, OTX; sync and async) subclass ``SyncClient`` / ``AsyncClient`` and add
their resources. The transport knows no provider: what differs comes in a ``Profile``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, Self

import attrs
import httpx

from ._clock import Clock
from ._constants import CONNECT_TIMEOUT, MAX_QUOTA_WAIT, MAX_RESPONSE_BYTES, MAX_RETRIES
from ._core.quota import RateLimit
from ._core.request import RequestSpec
from ._exceptions import ConfigurationError, Provider
from ._http import DEFAULT_HEADERS, AsyncSender, NoCookies, Pool, Settings, SyncSender
from ._limiter import RateLimiter
from ._types import JSON

RateLimitsArg = Literal["public"] | Sequence[RateLimit] | RateLimiter | None
TransportArg = httpx.BaseTransport | httpx.AsyncBaseTransport | Literal["aiohttp"] | None


@attrs.frozen
class Profile:
    """What a provider tells the shared client code."""

    provider: Provider
    display_name: str
    key_header: str
    key_env: str
    base_url: str
    timeout: float
    public_limits: tuple[RateLimit, ...] | None = None


def make_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    """A float ``t`` becomes ``httpx.Timeout(t, connect=min(5, t))``; an httpx.Timeout is kept."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ConfigurationError(
            f"timeout must be a positive number of seconds or an httpx.Timeout, got {timeout!r}"
        )
    if math.isinf(timeout):
        raise ConfigurationError("timeout must be finite: tiintel never waits without bound")
    return httpx.Timeout(float(timeout), connect=min(CONNECT_TIMEOUT, float(timeout)))


def make_limiter(profile: Profile, rate_limits: RateLimitsArg) -> RateLimiter | None:
    """The limiter for ``rate_limits`` (None, "public", a sequence of RateLimit, or a shared RateLimiter)."""
    if rate_limits is None:
        return None
    if isinstance(rate_limits, RateLimiter):
        return rate_limits
    if isinstance(rate_limits, str):
        if rate_limits == "public" and profile.public_limits:
            return RateLimiter(profile.public_limits)
        raise ConfigurationError(
            f"rate_limits={rate_limits!r} is not known for {profile.display_name}; "
            "pass a list of tiintel.RateLimit or a tiintel.RateLimiter"
        )
    try:
        return RateLimiter(rate_limits)
    except TypeError as exc:
        raise ConfigurationError(f"rate_limits must hold tiintel.RateLimit objects: {exc}") from exc


def resolve_key(profile: Profile, api_key: str | None) -> str:
    """The explicit key, or the provider's environment variable; ConfigurationError naming it otherwise."""
    key = api_key if api_key is not None else os.environ.get(profile.key_env)
    if key is None or not key.strip():
        raise ConfigurationError(
            f"no {profile.display_name} API key: pass api_key=... or set the {profile.key_env} environment variable"
        )
    if not isinstance(key, str) or any(ch in key for ch in "\r\n\0"):
        raise ConfigurationError(f"the {profile.display_name} API key must be a single-line string")
    return key.strip()


def resolve_base_url(base_url: str | None, profile: Profile) -> httpx.URL:
    """A checked absolute http(s) base URL."""
    try:
        url = httpx.URL(base_url if base_url is not None else profile.base_url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(f"base_url is not a valid URL: {exc}") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"base_url must be an absolute http(s) URL, got {str(url)!r}")
    if url.query or url.fragment:
        raise ConfigurationError("base_url must not carry a query or fragment")
    return url


class _ClientCore:
    """Configuration shared by sync and async clients."""

    profile: ClassVar[Profile]
    _sender: Any

    def _configure(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        rate_limits: RateLimitsArg,
        max_quota_wait: float,
        clock: Clock | None,
    ) -> tuple[str, Settings]:
        key = resolve_key(self.profile, api_key)
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
        if (
            not isinstance(max_quota_wait, int | float)
            or max_quota_wait < 0
            or max_quota_wait != max_quota_wait
        ):
            raise ConfigurationError(f"max_quota_wait must be >= 0 seconds, got {max_quota_wait!r}")
        settings = Settings(
            provider=self.profile.provider,
            key_header=self.profile.key_header,
            base_url=resolve_base_url(base_url, self.profile),
            timeout=make_timeout(self.profile.timeout if timeout is None else timeout),
            max_retries=max_retries,
            max_quota_wait=float(max_quota_wait),
            limiter=make_limiter(self.profile, rate_limits),
            clock=clock,
            max_response_bytes=MAX_RESPONSE_BYTES,
        )
        return key, settings

    def _options(
        self,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
        max_quota_wait: float | None,
    ) -> Settings:
        settings: Settings = self._sender.settings
        changes: dict[str, Any] = {}
        if timeout is not None:
            changes["timeout"] = make_timeout(timeout)
        if max_retries is not None:
            if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
                raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
            changes["max_retries"] = max_retries
        if max_quota_wait is not None:
            if max_quota_wait < 0:
                raise ConfigurationError(
                    f"max_quota_wait must be >= 0 seconds, got {max_quota_wait!r}"
                )
            changes["max_quota_wait"] = float(max_quota_wait)
        return attrs.evolve(settings, **changes)

    @property
    def base_url(self) -> str:
        """The API root this client talks to."""
        return str(self._sender.settings.base_url)

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The client-side rate limiter, if any (shared by ``with_options`` copies)."""
        limiter: RateLimiter | None = self._sender.settings.limiter
        return limiter

    @property
    def closed(self) -> bool:
        """True once the client was closed."""
        closed: bool = self._sender.closed
        return closed

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key='***')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError(
            f"{type(self).__name__} cannot be pickled (it holds an open connection pool and a key)"
        )


def _check_injection(transport: Any, http_client: Any) -> None:
    if transport is not None and http_client is not None:
        raise ConfigurationError(
            "give either transport= or http_client=, not both (set the transport on your own httpx client)"
        )


class SyncClient(_ClientCore):
    """Base of the synchronous clients: plain blocking code on ``httpx.Client``."""

    _sender: SyncSender

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = MAX_RETRIES,
        rate_limits: RateLimitsArg = None,
        max_quota_wait: float = MAX_QUOTA_WAIT,
        transport: TransportArg = None,
        http_client: httpx.Client | None = None,
        clock: Clock | None = None,
    ) -> None:
        _check_injection(transport, http_client)
        if transport == "aiohttp":
            raise ConfigurationError(
                'transport="aiohttp" is for async clients; sync clients use httpx.Client'
            )
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise ConfigurationError("http_client must be an httpx.Client for a sync client")
        if transport is not None and not isinstance(transport, httpx.BaseTransport):
            raise ConfigurationError("transport must be an httpx.BaseTransport for a sync client")
        key, settings = self._configure(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            rate_limits=rate_limits,
            max_quota_wait=max_quota_wait,
            clock=clock,
        )
        if http_client is None:
            pool = Pool(
                httpx.Client(
                    transport=transport,
                    headers=DEFAULT_HEADERS,
                    cookies=NoCookies(),
                    timeout=settings.timeout,
                    follow_redirects=False,
                ),
                owned=True,
            )
        else:
            pool = Pool(http_client, owned=False)
        self._sender = SyncSender(settings, key, pool)
        self._setup()

    def _setup(self) -> None:
        """Attach resources; provider clients override this."""

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        max_quota_wait: float | None = None,
    ) -> Self:
        """A copy of this client with other options, sharing its connection pool and rate limiter."""
        clone = object.__new__(type(self))
        clone._sender = SyncSender(
            self._options(timeout, max_retries, max_quota_wait),
            self._sender._api_key,
            self._sender._pool,
        )
        clone._sender.quota_probe = None
        clone._setup()
        return clone

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> JSON:
        """GET any endpoint under base_url (for endpoints without a typed method) and return its JSON.

        ``path`` is split on ``/`` into segments, each percent-encoded on its own.
        """
        return self._sender.request(RequestSpec(path=split_path(path), params=params))

    def close(self) -> None:
        """Close the connection pool; closing twice is harmless; never closes a user's ``http_client``."""
        self._sender.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClient(_ClientCore):
    """Base of the asynchronous clients: ``httpx.AsyncClient``, bound to the event loop of first use."""

    _sender: AsyncSender

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = MAX_RETRIES,
        rate_limits: RateLimitsArg = None,
        max_quota_wait: float = MAX_QUOTA_WAIT,
        transport: TransportArg = None,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
    ) -> None:
        _check_injection(transport, http_client)
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise ConfigurationError("http_client must be an httpx.AsyncClient for an async client")
        if transport == "aiohttp":
            transport = _aiohttp_transport()
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise ConfigurationError(
                'transport must be an httpx.AsyncBaseTransport or "aiohttp" for an async client'
            )
        key, settings = self._configure(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            rate_limits=rate_limits,
            max_quota_wait=max_quota_wait,
            clock=clock,
        )
        if http_client is None:
            pool = Pool(
                httpx.AsyncClient(
                    transport=transport,
                    headers=DEFAULT_HEADERS,
                    cookies=NoCookies(),
                    timeout=settings.timeout,
                    follow_redirects=False,
                ),
                owned=True,
            )
        else:
            pool = Pool(http_client, owned=False)
        self._sender = AsyncSender(settings, key, pool)
        self._setup()

    def _setup(self) -> None:
        """Attach resources; provider clients override this."""

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        max_quota_wait: float | None = None,
    ) -> Self:
        """A copy of this client with other options, sharing its connection pool and rate limiter."""
        clone = object.__new__(type(self))
        clone._sender = AsyncSender(
            self._options(timeout, max_retries, max_quota_wait),
            self._sender._api_key,
            self._sender._pool,
        )
        clone._sender.quota_probe = None
        clone._setup()
        return clone

    async def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> JSON:
        """GET any endpoint under base_url (for endpoints without a typed method) and return its JSON.

        ``path`` is split on ``/`` into segments, each percent-encoded on its own.
        """
        return await self._sender.request(RequestSpec(path=split_path(path), params=params))

    async def aclose(self) -> None:
        """Close the connection pool; closing twice is harmless; never closes a user's ``http_client``."""
        await self._sender.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def split_path(path: str) -> tuple[str, ...]:
    """Segments of a relative API path; ``..`` and ``.`` are refused so the escape hatch stays under base_url."""
    segments = tuple(segment for segment in path.strip("/").split("/") if segment)
    if (
        not segments
        or any(segment in (".", "..") for segment in segments)
        or "?" in path
        or "#" in path
    ):
        raise ConfigurationError(
            f"get_json needs a relative API path like 'files/<hash>', got {path!r}"
        )
    return segments


def _aiohttp_transport() -> httpx.AsyncBaseTransport:
    try:
        from httpx_aiohttp import AiohttpTransport
    except ImportError as exc:
        raise ConfigurationError(
            "transport=\"aiohttp\" needs the httpx-aiohttp package: pip install 'tiintel[aiohttp]'"
        ) from exc
    transport: httpx.AsyncBaseTransport = AiohttpTransport()
    return transport
