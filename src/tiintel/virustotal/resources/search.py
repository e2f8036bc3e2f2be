"""Search: the public ``/search`` and the premium ``/intelligence/search``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from tiintel._exceptions import InvalidArgumentError

from ..._types import JSON
from ...models.virustotal import VTObject
from .._ids import related_object
from .._pager import AsyncVTIterator, VTIterator, page_spec
from ._base import AsyncResource, SyncResource

PREMIUM_HINT: Final = (
    "intelligence search needs a premium (VirusTotal Enterprise) API key; "
    "a 403 here means this key has no such access"
)


def search_params(query: str) -> dict[str, str]:
    """``query=...``; ValueError for an empty query."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidArgumentError("a search needs a non-empty query")
    return {"query": query.strip()}


def intelligence_params(query: str, order: str | None, descriptors_only: bool) -> Mapping[str, Any]:
    """The parameters of an intelligence search (``order`` like ``"positives-"``)."""
    return {**search_params(query), "order": order, "descriptors_only": descriptors_only or None}


class Search(SyncResource):
    """The public and the premium search (``vt.search(...)``, ``vt.intelligence_search(...)``)."""

    def search(
        self,
        query: str,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> VTIterator[VTObject]:
        """Objects matching a hash, URL, domain, IP address or comment tag (``VTObject.as_report()``)."""
        params = search_params(query)

        def fetch(page_cursor: str | None, size: int | None) -> JSON:
            return self._sender.request(page_spec(("search",), page_cursor, size, params))

        return VTIterator(fetch, related_object, limit=limit, page_size=page_size, cursor=cursor)

    def intelligence(
        self,
        query: str,
        *,
        order: str | None = None,
        descriptors_only: bool = False,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> VTIterator[VTObject]:
        """VirusTotal Intelligence search (premium): files matching a query such as ``"type:peexe p:5+"``."""
        params = intelligence_params(query, order, descriptors_only)

        def fetch(page_cursor: str | None, size: int | None) -> JSON:
            spec = page_spec(
                ("intelligence", "search"), page_cursor, size, params, error_hint=PREMIUM_HINT
            )
            return self._sender.request(spec)

        return VTIterator(fetch, related_object, limit=limit, page_size=page_size, cursor=cursor)


class AsyncSearch(AsyncResource):
    """The public and the premium search (``vt.search(...)``, ``vt.intelligence_search(...)``)."""

    def search(
        self,
        query: str,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> AsyncVTIterator[VTObject]:
        """Objects matching a hash, URL, domain, IP address or comment tag (``VTObject.as_report()``)."""
        params = search_params(query)

        async def fetch(page_cursor: str | None, size: int | None) -> JSON:
            return await self._sender.request(page_spec(("search",), page_cursor, size, params))

        return AsyncVTIterator(
            fetch, related_object, limit=limit, page_size=page_size, cursor=cursor
        )

    def intelligence(
        self,
        query: str,
        *,
        order: str | None = None,
        descriptors_only: bool = False,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> AsyncVTIterator[VTObject]:
        """VirusTotal Intelligence search (premium): files matching a query such as ``"type:peexe p:5+"``."""
        params = intelligence_params(query, order, descriptors_only)

        async def fetch(page_cursor: str | None, size: int | None) -> JSON:
            spec = page_spec(
                ("intelligence", "search"), page_cursor, size, params, error_hint=PREMIUM_HINT
            )
            return await self._sender.request(spec)

        return AsyncVTIterator(
            fetch, related_object, limit=limit, page_size=page_size, cursor=cursor
        )
