"""IP addresses: ``GET /ip_addresses/{ip}``."""

from __future__ import annotations

from collections.abc import Sequence

from ..._core.request import RequestSpec
from ..._types import JSON
from ...models.virustotal import IPAddressReport
from .._ids import data_of, ip_id, relationships_param
from ._base import AsyncResource, SyncResource


def get_spec(ip: str, relationships: str | Sequence[str] | None) -> RequestSpec:
    """GET /ip_addresses/{ip}, validating (and normalising) the address first."""
    return RequestSpec(path=("ip_addresses", ip_id(ip)), params=relationships_param(relationships))


def parse_report(payload: JSON) -> IPAddressReport:
    """The IPAddressReport of a GET /ip_addresses answer."""
    return IPAddressReport.from_api(data_of(payload, "IP address"))


class IPAddresses(SyncResource):
    """``vt.ip_addresses``: IPv4 and IPv6 address reports."""

    def get(self, ip: str, *, relationships: str | Sequence[str] | None = None) -> IPAddressReport:
        """The report of an IPv4 or IPv6 address; anything else raises ``InvalidIndicatorError``.

        ``relationships`` (a name or a list, e.g. ``"resolutions"``) embeds related objects.
        """
        return parse_report(self._sender.request(get_spec(ip, relationships)))


class AsyncIPAddresses(AsyncResource):
    """``vt.ip_addresses``: IPv4 and IPv6 address reports."""

    async def get(
        self, ip: str, *, relationships: str | Sequence[str] | None = None
    ) -> IPAddressReport:
        """The report of an IPv4 or IPv6 address; anything else raises ``InvalidIndicatorError``.

        ``relationships`` (a name or a list, e.g. ``"resolutions"``) embeds related objects.
        """
        return parse_report(await self._sender.request(get_spec(ip, relationships)))
