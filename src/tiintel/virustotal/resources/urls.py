"""URLs: reports by URL or id, submissions and rescans."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..._core.request import RequestSpec
from ..._types import JSON
from ...models.virustotal import Analysis, URLReport
from .._ids import data_of, relationships_param, url_id, url_value
from ._base import AsyncResource, SyncResource
from .analyses import Analyses, AsyncAnalyses, check_timeout
from .files import parse_descriptor


def get_spec(url_or_id: str, relationships: str | Sequence[str] | None) -> RequestSpec:
    """GET /urls/{id}: the id is computed from a URL, or taken as given (base64 or sha256 form)."""
    return RequestSpec(path=("urls", url_id(url_or_id)), params=relationships_param(relationships))


def parse_report(payload: JSON) -> URLReport:
    """The URLReport of a GET /urls answer."""
    return URLReport.from_api(data_of(payload, "URL"))


def submit_spec(url: str) -> RequestSpec:
    """POST /urls with the (refanged, normalised) URL as form field ``url``."""
    return RequestSpec(
        method="POST", path=("urls",), data={"url": url_value(url)}, idempotent=False
    )


def rescan_spec(url_or_id: str) -> RequestSpec:
    """POST /urls/{id}/analyse."""
    return RequestSpec(method="POST", path=("urls", url_id(url_or_id), "analyse"), idempotent=False)


class URLs(SyncResource):
    """``vt.urls``: URL reports, submissions and rescans."""

    def __init__(self, sender: Any) -> None:
        super().__init__(sender)
        self._analyses = Analyses(sender)

    def get(self, url_or_id: str, *, relationships: str | Sequence[str] | None = None) -> URLReport:
        """The report of a URL, given as the URL itself or as its VirusTotal id.

        Both id forms are accepted: the unpadded url-safe base64 of the URL and the 64-hex
        sha256 id VirusTotal returns. A URL's ``/``, ``?`` and ``#`` never change the endpoint:
        the id is computed from it. ``relationships`` embeds related objects.
        """
        return parse_report(self._sender.request(get_spec(url_or_id, relationships)))

    def scan(self, url: str, *, wait: bool = True, timeout: float = 300.0) -> Analysis:
        """Submit a URL for analysis; returns the ``Analysis`` (completed when ``wait``).

        With ``wait=True`` the analysis is polled with bounded backoff for at most ``timeout``
        seconds, after which ``AnalysisTimeoutError`` is raised.
        """
        limit = check_timeout(timeout)
        analysis = parse_descriptor(self._sender.request(submit_spec(url)))
        return self._analyses._wait(analysis.id, limit, cost=1) if wait else analysis

    def rescan(self, url_or_id: str) -> Analysis:
        """Ask VirusTotal to analyse a known URL again; returns the queued ``Analysis``."""
        return parse_descriptor(self._sender.request(rescan_spec(url_or_id)))


class AsyncURLs(AsyncResource):
    """``vt.urls``: URL reports, submissions and rescans."""

    def __init__(self, sender: Any) -> None:
        super().__init__(sender)
        self._analyses = AsyncAnalyses(sender)

    async def get(
        self, url_or_id: str, *, relationships: str | Sequence[str] | None = None
    ) -> URLReport:
        """The report of a URL, given as the URL itself or as its VirusTotal id.

        Both id forms are accepted: the unpadded url-safe base64 of the URL and the 64-hex
        sha256 id VirusTotal returns. A URL's ``/``, ``?`` and ``#`` never change the endpoint:
        the id is computed from it. ``relationships`` embeds related objects.
        """
        return parse_report(await self._sender.request(get_spec(url_or_id, relationships)))

    async def scan(self, url: str, *, wait: bool = True, timeout: float = 300.0) -> Analysis:  # noqa: ASYNC109 - an analysis deadline, part of the API
        """Submit a URL for analysis; returns the ``Analysis`` (completed when ``wait``).

        With ``wait=True`` the analysis is polled with bounded backoff for at most ``timeout``
        seconds, after which ``AnalysisTimeoutError`` is raised.
        """
        limit = check_timeout(timeout)
        analysis = parse_descriptor(await self._sender.request(submit_spec(url)))
        return await self._analyses._wait(analysis.id, limit, cost=1) if wait else analysis

    async def rescan(self, url_or_id: str) -> Analysis:
        """Ask VirusTotal to analyse a known URL again; returns the queued ``Analysis``."""
        return parse_descriptor(await self._sender.request(rescan_spec(url_or_id)))
