"""``OTXClient`` and its async twin ``AsyncOTXClient`` (AlienVault OTX DirectConnect API v1)."""

from __future__ import annotations

import httpx

from .._client import AsyncClient, Profile, RateLimitsArg, SyncClient, TransportArg
from .._clock import Clock
from .._constants import (
    MAX_QUOTA_WAIT,
    MAX_RETRIES,
    OTX_API_KEY_ENV,
    OTX_BASE_URL,
    OTX_KEY_HEADER,
    OTX_TIMEOUT,
)
from .resources.indicators import AsyncIndicators, Indicators
from .resources.pulses import AsyncPulses, Pulses
from .resources.users import AsyncUsers, Users

__all__ = ["OTX_PROFILE", "AsyncOTXClient", "OTXClient"]

# OTX publishes no rate limits, so there is no "public" tier to select.
OTX_PROFILE = Profile(
    provider="otx",
    display_name="OTX",
    key_header=OTX_KEY_HEADER,
    key_env=OTX_API_KEY_ENV,
    base_url=OTX_BASE_URL,
    timeout=OTX_TIMEOUT,
    public_limits=None,
)


class OTXClient(SyncClient):
    """A synchronous client of the AlienVault OTX DirectConnect API v1.

    Plain blocking code on ``httpx.Client``: it works unchanged in scripts, threads, Jupyter
    and inside a running event loop, and one client is safe to share between threads.

    ``api_key`` defaults to the ``OTX_API_KEY`` environment variable (ConfigurationError naming
    it when missing); the key is only ever sent in the ``X-OTX-API-KEY`` header to
    ``base_url``'s host, never to the host of an OTX ``next`` link. ``timeout`` defaults to 90 s
    because OTX feeds and passive DNS routinely take 20-60 s. OTX publishes no rate limits:
    ``rate_limits`` takes a sequence of ``tiintel.RateLimit`` or a shared
    ``tiintel.RateLimiter`` (``"public"`` is a VirusTotal tier and a ConfigurationError here);
    a 429 raises ``RateLimitError`` once ``max_quota_wait`` is spent. A 403 means a bad key
    (``AuthenticationError``) except on pulse and group endpoints, where it means you may not
    see or change that pulse (``PermissionDeniedError``). ``transport`` (an httpx transport,
    e.g. ``tiintel.testing.FakeOTX()``) or ``http_client`` (your own ``httpx.Client``) replace
    the network; ``clock`` replaces time.

    Resources: ``indicators`` (``get``, ``details``, ``export``, ``validate``), ``pulses``
    (``get``, ``indicators``, ``subscribed``, ``activity``, ``events``, ``search``,
    ``related``, ``create``, ``update``, ``subscribe``, ``unsubscribe``, ``add_to_group``,
    ``remove_from_group``) and ``users`` (``me``); ``get_json`` for anything else. Example::

        from tiintel import OTXClient

        with OTXClient() as otx:
            details = otx.indicators.get("185.220.101.47")
            print(details.pulse_info.count, details.whitelisted)
            feed = otx.pulses.subscribed(modified_since="2024-01-01T00:00:00Z")
            for pulse in feed:
                print(pulse.name, len(pulse.indicators or ()))
            print("next time, resume from", feed.watermark)

    The async twin ``AsyncOTXClient`` has the same names; calls are awaited and iterators are
    async::

        async with AsyncOTXClient() as otx:
            details = await otx.indicators.get("185.220.101.47")
            async for pulse in otx.pulses.subscribed(limit=10):
                print(pulse.name)
    """

    profile = OTX_PROFILE
    indicators: Indicators
    pulses: Pulses
    users: Users

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = OTX_BASE_URL,
        timeout: float | httpx.Timeout = OTX_TIMEOUT,
        max_retries: int = MAX_RETRIES,
        rate_limits: RateLimitsArg = None,
        max_quota_wait: float = MAX_QUOTA_WAIT,
        transport: TransportArg = None,
        http_client: httpx.Client | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            rate_limits=rate_limits,
            max_quota_wait=max_quota_wait,
            transport=transport,
            http_client=http_client,
            clock=clock,
        )

    def _setup(self) -> None:
        self.indicators = Indicators(self._sender)
        self.pulses = Pulses(self._sender)
        self.users = Users(self._sender)


class AsyncOTXClient(AsyncClient):
    """An asynchronous client of the AlienVault OTX DirectConnect API v1.

    Built on ``httpx.AsyncClient`` and bound to the event loop it is first used on; one client
    is safe to share between the tasks of that loop (``transport="aiohttp"`` selects the faster
    httpx-aiohttp transport, from the ``tiintel[aiohttp]`` extra).

    ``api_key`` defaults to the ``OTX_API_KEY`` environment variable (ConfigurationError naming
    it when missing); the key is only ever sent in the ``X-OTX-API-KEY`` header to
    ``base_url``'s host, never to the host of an OTX ``next`` link. ``timeout`` defaults to 90 s
    because OTX feeds and passive DNS routinely take 20-60 s. OTX publishes no rate limits:
    ``rate_limits`` takes a sequence of ``tiintel.RateLimit`` or a shared
    ``tiintel.RateLimiter`` (``"public"`` is a VirusTotal tier and a ConfigurationError here);
    a 429 raises ``RateLimitError`` once ``max_quota_wait`` is spent. A 403 means a bad key
    (``AuthenticationError``) except on pulse and group endpoints, where it means you may not
    see or change that pulse (``PermissionDeniedError``). ``transport`` (an httpx transport,
    e.g. ``tiintel.testing.FakeOTX()``) or ``http_client`` (your own ``httpx.AsyncClient``)
    replace the network; ``clock`` replaces time.

    Resources: ``indicators`` (``get``, ``details``, ``export``, ``validate``), ``pulses``
    (``get``, ``indicators``, ``subscribed``, ``activity``, ``events``, ``search``,
    ``related``, ``create``, ``update``, ``subscribe``, ``unsubscribe``, ``add_to_group``,
    ``remove_from_group``) and ``users`` (``me``); ``get_json`` for anything else. Example::

        from tiintel import AsyncOTXClient

        async with AsyncOTXClient() as otx:
            details = await otx.indicators.get("185.220.101.47")
            print(details.pulse_info.count, details.whitelisted)
            sections = await otx.indicators.details("c2.badcorp.example")  # concurrent
            feed = otx.pulses.subscribed(modified_since="2024-01-01T00:00:00Z")
            async for pulse in feed:
                print(pulse.name, len(pulse.indicators or ()))
            print("next time, resume from", feed.watermark)
    """

    profile = OTX_PROFILE
    indicators: AsyncIndicators
    pulses: AsyncPulses
    users: AsyncUsers

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = OTX_BASE_URL,
        timeout: float | httpx.Timeout = OTX_TIMEOUT,
        max_retries: int = MAX_RETRIES,
        rate_limits: RateLimitsArg = None,
        max_quota_wait: float = MAX_QUOTA_WAIT,
        transport: TransportArg = None,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            rate_limits=rate_limits,
            max_quota_wait=max_quota_wait,
            transport=transport,
            http_client=http_client,
            clock=clock,
        )

    def _setup(self) -> None:
        self.indicators = AsyncIndicators(self._sender)
        self.pulses = AsyncPulses(self._sender)
        self.users = AsyncUsers(self._sender)
