"""What every OTX resource holds: the client's sender, and how it asks for paged lists."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ..._core.request import ForbiddenMeaning, RequestSpec
from ..._http import AsyncSender, SyncSender
from ..._types import JSON
from .._pager import AsyncOTXPageIterator, OTXPageIterator, PageWalker

T = TypeVar("T")


def walker(
    sender: SyncSender | AsyncSender,
    path: tuple[str, ...],
    params: Mapping[str, Any],
    *,
    page_size: int | None,
    default_page_size: int,
    limit: int | None,
) -> PageWalker:
    """A page walker for ``path`` under the client's base_url; None parameters are dropped."""
    clean = {key: str(value) for key, value in params.items() if value is not None}
    size = default_page_size if page_size is None else page_size
    return PageWalker(path, clean, sender.settings.base_url, size, limit)


class SyncResource:
    """A group of endpoints sharing a synchronous client's sender."""

    def __init__(self, sender: SyncSender) -> None:
        self._sender = sender

    def _pages(
        self,
        pager: PageWalker,
        parse: Callable[[Any], T],
        forbidden_means: ForbiddenMeaning,
        **kwargs: Any,
    ) -> OTXPageIterator[T]:
        def fetch(path: tuple[str, ...], params: dict[str, str]) -> JSON:
            spec = RequestSpec(path=path, params=params, forbidden_means=forbidden_means)
            return self._sender.request(spec)

        return OTXPageIterator(fetch, pager, parse, **kwargs)


class AsyncResource:
    """A group of endpoints sharing an asynchronous client's sender."""

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    def _pages(
        self,
        pager: PageWalker,
        parse: Callable[[Any], T],
        forbidden_means: ForbiddenMeaning,
        **kwargs: Any,
    ) -> AsyncOTXPageIterator[T]:
        async def fetch(path: tuple[str, ...], params: dict[str, str]) -> JSON:
            spec = RequestSpec(path=path, params=params, forbidden_means=forbidden_means)
            return await self._sender.request(spec)

        return AsyncOTXPageIterator(fetch, pager, parse, **kwargs)
