"""Domains: ``GET /domains/{domain}``."""

from __future__ import annotations

from collections.abc import Sequence

from ..._core.request import RequestSpec
from ..._types import JSON
from ...models.virustotal import DomainReport
from .._ids import data_of, domain_id, relationships_param
from ._base import AsyncResource, SyncResource


def get_spec(domain: str, relationships: str | Sequence[str] | None) -> RequestSpec:
    """GET /domains/{domain}, validating (and refanging) the domain first."""
    return RequestSpec(
        path=("domains", domain_id(domain)), params=relationships_param(relationships)
    )


def parse_report(payload: JSON) -> DomainReport:
    """The DomainReport of a GET /domains answer."""
    return DomainReport.from_api(data_of(payload, "domain"))


class Domains(SyncResource):
    """``vt.domains``: domain reports."""

    def get(self, domain: str, *, relationships: str | Sequence[str] | None = None) -> DomainReport:
        """The report of a domain; anything else (an IP, a URL) raises ``InvalidIndicatorError``.

        ``relationships`` (a name or a list, e.g. ``"resolutions"``) embeds related objects.
        """
        return parse_report(self._sender.request(get_spec(domain, relationships)))


class AsyncDomains(AsyncResource):
    """``vt.domains``: domain reports."""

    async def get(
        self, domain: str, *, relationships: str | Sequence[str] | None = None
    ) -> DomainReport:
        """The report of a domain; anything else (an IP, a URL) raises ``InvalidIndicatorError``.

        ``relationships`` (a name or a list, e.g. ``"resolutions"``) embeds related objects.
        """
        return parse_report(await self._sender.request(get_spec(domain, relationships)))
