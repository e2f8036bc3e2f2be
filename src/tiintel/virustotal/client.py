"""``VirusTotalClient`` and its async twin ``AsyncVirusTotalClient`` (VirusTotal API v3)."""

from __future__ import annotations

from typing import Self

import httpx

from .._client import AsyncClient, Profile, RateLimitsArg, SyncClient, TransportArg
from .._clock import Clock
from .._constants import (
    MAX_QUOTA_WAIT,
    MAX_RETRIES,
    VT_API_KEY_ENV,
    VT_BASE_URL,
    VT_KEY_HEADER,
    VT_TIMEOUT,
)
from .._exceptions import QuotaScope
from .._limiter import VT_PUBLIC_LIMITS
from ..models.virustotal import VTObject
from ..models.virustotal_extras import APIUsage, Quotas
from ._ids import ObjectRef, related_object, relationship_path
from ._pager import AsyncVTIterator, VTIterator, async_pages, pages
from .resources.analyses import Analyses, AsyncAnalyses
from .resources.comments import AsyncComments, Comments
from .resources.domains import AsyncDomains, Domains
from .resources.files import AsyncFiles, Files
from .resources.ip_addresses import AsyncIPAddresses, IPAddresses
from .resources.search import PREMIUM_HINT, intelligence_params, search_params
from .resources.urls import AsyncURLs, URLs
from .resources.users import AsyncUsers, DateArg, Users
from .resources.votes import AsyncVotes, Votes

__all__ = ["AsyncVirusTotalClient", "VirusTotalClient"]

VT_PROFILE = Profile(
    provider="virustotal",
    display_name="VirusTotal",
    key_header=VT_KEY_HEADER,
    key_env=VT_API_KEY_ENV,
    base_url=VT_BASE_URL,
    timeout=VT_TIMEOUT,
    public_limits=VT_PUBLIC_LIMITS,
)


class VirusTotalClient(SyncClient):
    """A synchronous client of the VirusTotal API v3.

    Plain blocking code on ``httpx.Client``: it works unchanged in scripts, threads, Jupyter
    and inside a running event loop, and one client is safe to share between threads.

    ``api_key`` defaults to the ``VT_API_KEY`` environment variable (ConfigurationError naming it
    when missing); the key is only ever sent in the ``x-apikey`` header to ``base_url``'s host.
    ``user`` is your VirusTotal user name: ``quotas()`` and the quota probe then never need to put
    the key in a URL. ``rate_limits="public"`` keeps the client within the public tier (4 a
    minute, 500 a day, 15,500 a month); a sequence of ``tiintel.RateLimit`` or a shared
    ``tiintel.RateLimiter`` works too. ``max_quota_wait`` is the total time one call may wait for
    quota; after a 429, the client asks VirusTotal (for free) which window is exhausted, so
    ``QuotaExceededError.scope`` says "hour", "day" or "month" and a day or month exhaustion
    raises at once. ``transport`` (an httpx transport, e.g. ``tiintel.testing.FakeVirusTotal()``)
    or ``http_client`` (your own ``httpx.Client``) replace the network; ``clock`` replaces time.

    Resources: ``files``, ``urls``, ``domains``, ``ip_addresses``, ``analyses``, ``comments``,
    ``votes``; methods ``relationships``, ``search``, ``intelligence_search``, ``quotas``,
    ``api_usage`` and ``get_json`` for anything else. Example::

        from tiintel import VirusTotalClient

        with VirusTotalClient(rate_limits="public") as vt:
            report = vt.files.get("44d88612fea8a8f36de82e1278abb02f")
            print(report.last_analysis_stats.malicious, report.popular_threat_label)
            for domain in vt.relationships(report, "contacted_domains", limit=20):
                print(domain.id)

    The async twin ``AsyncVirusTotalClient`` has the same names; calls are awaited and
    iterators are async::

        async with AsyncVirusTotalClient() as vt:
            report = await vt.files.get("44d88612fea8a8f36de82e1278abb02f")
            async for domain in vt.relationships(report, "contacted_domains", limit=20):
                print(domain.id)
    """

    profile = VT_PROFILE
    _user: str | None = None
    files: Files
    urls: URLs
    domains: Domains
    ip_addresses: IPAddresses
    analyses: Analyses
    comments: Comments
    votes: Votes

    def __init__(
        self,
        api_key: str | None = None,
        *,
        user: str | None = None,
        base_url: str = VT_BASE_URL,
        timeout: float | httpx.Timeout = VT_TIMEOUT,
        max_retries: int = MAX_RETRIES,
        rate_limits: RateLimitsArg = None,
        max_quota_wait: float = MAX_QUOTA_WAIT,
        transport: TransportArg = None,
        http_client: httpx.Client | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._user = user
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
        sender = self._sender
        self.files = Files(sender)
        self.urls = URLs(sender)
        self.domains = Domains(sender)
        self.ip_addresses = IPAddresses(sender)
        self.analyses = Analyses(sender)
        self.comments = Comments(sender)
        self.votes = Votes(sender)
        self._users = Users(sender)
        sender.quota_probe = self._quota_scope

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        max_quota_wait: float | None = None,
    ) -> Self:
        """A copy of this client with other options, sharing its connection pool and rate limiter."""
        clone = super().with_options(
            timeout=timeout, max_retries=max_retries, max_quota_wait=max_quota_wait
        )
        clone._user = self._user
        return clone

    def _quota_scope(self) -> QuotaScope | None:
        """The exhausted hour/day/month window after a 429 (the transport calls this)."""
        return self.quotas().exhausted_scope()

    def relationships(
        self,
        obj_or_path: ObjectRef,
        name: str,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
        descriptors_only: bool = False,
    ) -> VTIterator[VTObject]:
        """A lazy iterator over the ``name`` relationship of ``obj_or_path``.

        ``obj_or_path`` is a report (``FileReport``, ...), a ``VTObject``, an ``Analysis``, a
        ``(collection, id)`` pair or ``"collection/id"``. Pages are fetched as the loop goes (one
        in memory), following VirusTotal's cursor until the end or ``limit`` items; ``page_size``
        items per request; ``.cursor`` resumes later. ``descriptors_only`` returns type and id
        only. A related object VirusTotal cannot return is a ``VTObject`` with ``error`` set.
        """
        return pages(
            self._sender,
            relationship_path(obj_or_path, name, descriptors_only),
            related_object,
            limit=limit,
            page_size=page_size,
            cursor=cursor,
        )

    def search(
        self,
        query: str,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> VTIterator[VTObject]:
        """Objects matching a hash, URL, domain, IP address or comment tag (public ``/search``)."""
        return pages(
            self._sender,
            ("search",),
            related_object,
            params=search_params(query),
            limit=limit,
            page_size=page_size,
            cursor=cursor,
        )

    def intelligence_search(
        self,
        query: str,
        *,
        order: str | None = None,
        descriptors_only: bool = False,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> VTIterator[VTObject]:
        """VirusTotal Intelligence search (premium key only; a 403 says so): e.g. ``"type:peexe p:5+"``."""
        return pages(
            self._sender,
            ("intelligence", "search"),
            related_object,
            params=intelligence_params(query, order, descriptors_only),
            error_hint=PREMIUM_HINT,
            limit=limit,
            page_size=page_size,
            cursor=cursor,
        )

    def quotas(self, user: str | None = None) -> Quotas:
        """A user's quotas (``user``, else the client's ``user``, else the key's owner); free.

        When the key itself identifies the user, the request URL is never logged nor kept on
        exceptions.
        """
        return self._users.quotas(user, default_user=self._user)

    def api_usage(
        self, user: str | None = None, *, start_date: DateArg = None, end_date: DateArg = None
    ) -> APIUsage:
        """A user's API usage per day and endpoint group (dates as ``datetime.date`` or "YYYYMMDD"); free."""
        return self._users.api_usage(
            user, start_date=start_date, end_date=end_date, default_user=self._user
        )


class AsyncVirusTotalClient(AsyncClient):
    """An asynchronous client of the VirusTotal API v3 (the twin of ``VirusTotalClient``).

    Built on ``httpx.AsyncClient`` (or ``transport="aiohttp"`` for the faster ``httpx-aiohttp``
    transport); bound to the event loop it is first used on and safe to share between tasks of
    that loop. Same constructor, resources and methods as ``VirusTotalClient``: calls are
    awaited and iterators are async. Example::

        import asyncio
        from tiintel import AsyncVirusTotalClient

        async def main() -> None:
            async with AsyncVirusTotalClient(rate_limits="public") as vt:
                report = await vt.files.get("44d88612fea8a8f36de82e1278abb02f")
                print(report.last_analysis_stats.malicious)
                async for domain in vt.relationships(report, "contacted_domains", limit=20):
                    print(domain.id)
                analysis = await vt.urls.scan("http://phish.example/login")
                print(analysis.status, analysis.stats.malicious)

        asyncio.run(main())
    """

    profile = VT_PROFILE
    _user: str | None = None
    files: AsyncFiles
    urls: AsyncURLs
    domains: AsyncDomains
    ip_addresses: AsyncIPAddresses
    analyses: AsyncAnalyses
    comments: AsyncComments
    votes: AsyncVotes

    def __init__(
        self,
        api_key: str | None = None,
        *,
        user: str | None = None,
        base_url: str = VT_BASE_URL,
        timeout: float | httpx.Timeout = VT_TIMEOUT,
        max_retries: int = MAX_RETRIES,
        rate_limits: RateLimitsArg = None,
        max_quota_wait: float = MAX_QUOTA_WAIT,
        transport: TransportArg = None,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._user = user
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
        sender = self._sender
        self.files = AsyncFiles(sender)
        self.urls = AsyncURLs(sender)
        self.domains = AsyncDomains(sender)
        self.ip_addresses = AsyncIPAddresses(sender)
        self.analyses = AsyncAnalyses(sender)
        self.comments = AsyncComments(sender)
        self.votes = AsyncVotes(sender)
        self._users = AsyncUsers(sender)
        sender.quota_probe = self._quota_scope

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        max_quota_wait: float | None = None,
    ) -> Self:
        """A copy of this client with other options, sharing its connection pool and rate limiter."""
        clone = super().with_options(
            timeout=timeout, max_retries=max_retries, max_quota_wait=max_quota_wait
        )
        clone._user = self._user
        return clone

    async def _quota_scope(self) -> QuotaScope | None:
        """The exhausted hour/day/month window after a 429 (the transport calls this)."""
        return (await self.quotas()).exhausted_scope()

    def relationships(
        self,
        obj_or_path: ObjectRef,
        name: str,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
        descriptors_only: bool = False,
    ) -> AsyncVTIterator[VTObject]:
        """A lazy iterator over the ``name`` relationship of ``obj_or_path``.

        ``obj_or_path`` is a report (``FileReport``, ...), a ``VTObject``, an ``Analysis``, a
        ``(collection, id)`` pair or ``"collection/id"``. Pages are fetched as the loop goes (one
        in memory), following VirusTotal's cursor until the end or ``limit`` items; ``page_size``
        items per request; ``.cursor`` resumes later. ``descriptors_only`` returns type and id
        only. A related object VirusTotal cannot return is a ``VTObject`` with ``error`` set.
        """
        return async_pages(
            self._sender,
            relationship_path(obj_or_path, name, descriptors_only),
            related_object,
            limit=limit,
            page_size=page_size,
            cursor=cursor,
        )

    def search(
        self,
        query: str,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> AsyncVTIterator[VTObject]:
        """Objects matching a hash, URL, domain, IP address or comment tag (public ``/search``)."""
        return async_pages(
            self._sender,
            ("search",),
            related_object,
            params=search_params(query),
            limit=limit,
            page_size=page_size,
            cursor=cursor,
        )

    def intelligence_search(
        self,
        query: str,
        *,
        order: str | None = None,
        descriptors_only: bool = False,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> AsyncVTIterator[VTObject]:
        """VirusTotal Intelligence search (premium key only; a 403 says so): e.g. ``"type:peexe p:5+"``."""
        return async_pages(
            self._sender,
            ("intelligence", "search"),
            related_object,
            params=intelligence_params(query, order, descriptors_only),
            error_hint=PREMIUM_HINT,
            limit=limit,
            page_size=page_size,
            cursor=cursor,
        )

    async def quotas(self, user: str | None = None) -> Quotas:
        """A user's quotas (``user``, else the client's ``user``, else the key's owner); free.

        When the key itself identifies the user, the request URL is never logged nor kept on
        exceptions.
        """
        return await self._users.quotas(user, default_user=self._user)

    async def api_usage(
        self, user: str | None = None, *, start_date: DateArg = None, end_date: DateArg = None
    ) -> APIUsage:
        """A user's API usage per day and endpoint group (dates as ``datetime.date`` or "YYYYMMDD"); free."""
        return await self._users.api_usage(
            user, start_date=start_date, end_date=end_date, default_user=self._user
        )
