"""OTX paged lists, one page at a time: the pure page walker and the two lazy iterators.

OTX pages are DRF envelopes ``{results, count, next, previous}`` whose ``next`` link is an
absolute ``otx.alienvault.com`` URL. The walker follows those links re-based onto base_url (their
path and query only, never their host). When a page fails with 502/504 after the transport's own
retries (``/pulses/subscribed`` does this for big pages), the walker asks for the same items again
in smaller pages: the new size divides the old one, so the page number that starts at the same
item is exact and nothing is skipped or repeated. From then on it builds its own page parameters.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar

import attrs
import httpx

from tiintel._exceptions import InvalidArgumentError

from .._core.pagination import rebase_next, shrink_page
from .._exceptions import ResponseParseError, ServerError
from .._types import JSON

__all__ = ["AsyncOTXPageIterator", "OTXPageIterator", "PageRequest", "PageWalker"]

T = TypeVar("T")

PageRequest = tuple[tuple[str, ...], dict[str, str]]
"""One page to fetch: path segments under base_url and query parameters."""
Fetch = Callable[[tuple[str, ...], dict[str, str]], JSON]
AsyncFetch = Callable[[tuple[str, ...], dict[str, str]], Awaitable[JSON]]

SHRINKABLE_STATUSES = frozenset({502, 504})
"""Gateway failures OTX answers for pages that take too long to build."""


def page_results(payload: JSON) -> list[Any]:
    """The ``results`` of an OTX page; ResponseParseError when the envelope is not one."""
    if not isinstance(payload, Mapping):
        raise ResponseParseError("OTX page is not a JSON object", provider="otx")
    results = payload.get("results")
    if not isinstance(results, list):
        raise ResponseParseError("OTX page has no 'results' list", provider="otx")
    return results


def _positive(name: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidArgumentError(f"{name} must be an int >= 1 or None, got {value!r}")


@attrs.define
class PageWalker:
    """Where a walk over an OTX paged list stands; pure (no I/O), shared by both iterators.

    ``limit`` caps the items handed out; the first page asks for no more than that.
    """

    path: tuple[str, ...]
    params: Mapping[str, str]
    base_url: httpx.URL
    page_size: int
    limit: int | None = None
    yielded: int = attrs.field(default=0, init=False)
    finished: bool = attrs.field(default=False, init=False)
    """True once the service said there is nothing more (a completed pass)."""
    _request: PageRequest | None = attrs.field(default=None, init=False)
    _own_pages: bool = attrs.field(default=False, init=False)
    _broken: ResponseParseError | None = attrs.field(default=None, init=False)

    def __attrs_post_init__(self) -> None:
        _positive("limit", self.limit)
        _positive("page_size", self.page_size)
        if self.limit is not None:
            self.page_size = min(self.page_size, self.limit)
        self._request = (self.path, {**self.params, "limit": str(self.page_size)})

    @property
    def limit_reached(self) -> bool:
        """True once ``limit`` items were handed out."""
        return self.limit is not None and self.yielded >= self.limit

    @property
    def done(self) -> bool:
        """True when nothing more will be fetched or handed out."""
        return self.finished or self.limit_reached

    def next_request(self) -> PageRequest | None:
        """The page to fetch next, or None when the walk is over.

        Raises the ResponseParseError of a bad ``next`` link once the page before it is used up.
        """
        if self.done:
            return None
        if self._broken is not None:
            raise self._broken
        return self._request

    def accept(self, payload: JSON) -> list[Any]:
        """Record the page fetched for ``next_request()`` and return its items."""
        current = self._request
        assert current is not None, "accept() without a pending request"
        items = page_results(payload)
        try:
            self._request = self._following(current, payload, items)
        except ResponseParseError as error:
            # The items of this page are good: hand them out, fail when going further.
            self._request, self._broken = None, error
        return items

    def _following(
        self, current: PageRequest, payload: Any, items: list[Any]
    ) -> PageRequest | None:
        following = rebase_next(payload.get("next"), self.base_url)
        if following is None or not items:
            # An empty page with a next link would walk on forever.
            self.finished = True
            return None
        if self._own_pages:
            segments, params = current
            return (segments, {**params, "page": str(_page_of(params) + 1)})
        if following == current:
            raise ResponseParseError("OTX 'next' link points at the same page", provider="otx")
        return following

    def shrink(self) -> bool:
        """After a 502/504 on the pending page: ask for the same items in smaller pages.

        False when the page cannot shrink (size 1, or page parameters that are not numbers).
        """
        if self._request is None:
            return False
        segments, params = self._request
        try:
            page = _page_of(params)
            size = int(params.get("limit", self.page_size))
        except ValueError:
            return False
        smaller = shrink_page(page, size)
        if smaller is None:
            return False
        new_page, self.page_size = smaller
        self._request = (
            segments,
            {**params, "limit": str(self.page_size), "page": str(new_page)},
        )
        self._own_pages = True
        return True


def _page_of(params: Mapping[str, str]) -> int:
    return int(params.get("page", "1"))


def _can_shrink(error: ServerError, walker: PageWalker) -> bool:
    return error.status_code in SHRINKABLE_STATUSES and walker.shrink()


class _IteratorBase(Generic[T]):
    def __init__(
        self,
        walker: PageWalker,
        parse: Callable[[Any], T],
        modified_of: Callable[[T], datetime | None] | None,
    ) -> None:
        self._walker = walker
        self._parse = parse
        self._modified_of = modified_of
        self._items: list[Any] = []
        self._index = 0
        self._newest: datetime | None = None
        self._complete = False

    @property
    def limit(self) -> int | None:
        """The maximum number of items this iterator yields (None: all)."""
        return self._walker.limit

    @property
    def page_size(self) -> int:
        """Items asked for per request (smaller after a 502/504 forced a page to shrink)."""
        return self._walker.page_size

    @property
    def watermark(self) -> datetime | None:
        """The newest ``modified`` among the items handed out, once the pass completed.

        None before the end of the list was reached, when the loop stopped early (``break``,
        ``limit``, an error) or for lists without dates: pass it as ``modified_since`` next
        time to fetch only what changed since this complete pass.
        """
        return self._newest if self._complete else None

    def _take(self) -> T:
        item = self._parse(self._items[self._index])
        self._index += 1
        self._walker.yielded += 1
        if self._modified_of is not None:
            modified = self._modified_of(item)
            if modified is not None and (self._newest is None or modified > self._newest):
                self._newest = modified
        return item

    def _drop_page(self) -> None:
        # Release the consumed page before fetching the next: one page in memory.
        self._items, self._index = [], 0


class OTXPageIterator(_IteratorBase[T], Iterator[T]):
    """A lazy iterator over an OTX paged list: one page in memory, no read-ahead.

    Nothing is sent until the first item is asked for, and the next page only when the current
    one is used up. ``limit`` caps the items, ``page_size`` is sent as OTX's ``limit``. A page
    failing with 502/504 is asked again in smaller pages. ``watermark`` tells where a completed
    pass over a pulse feed ended.
    """

    def __init__(
        self,
        fetch: Fetch,
        walker: PageWalker,
        parse: Callable[[Any], T],
        *,
        modified_of: Callable[[T], datetime | None] | None = None,
    ) -> None:
        super().__init__(walker, parse, modified_of)
        self._fetch = fetch

    def __iter__(self) -> OTXPageIterator[T]:
        return self

    def __next__(self) -> T:
        while self._index >= len(self._items):
            self._drop_page()
            request = self._walker.next_request()
            if request is None:
                self._complete = self._walker.finished
                raise StopIteration
            try:
                payload = self._fetch(*request)
            except ServerError as error:
                if _can_shrink(error, self._walker):
                    continue
                raise
            self._items = self._walker.accept(payload)
        if self._walker.limit_reached:
            self._drop_page()
            raise StopIteration
        return self._take()


class AsyncOTXPageIterator(_IteratorBase[T], AsyncIterator[T]):
    """A lazy iterator over an OTX paged list: one page in memory, no read-ahead.

    Nothing is sent until the first item is asked for, and the next page only when the current
    one is used up. ``limit`` caps the items, ``page_size`` is sent as OTX's ``limit``. A page
    failing with 502/504 is asked again in smaller pages. ``watermark`` tells where a completed
    pass over a pulse feed ended.
    """

    def __init__(
        self,
        fetch: AsyncFetch,
        walker: PageWalker,
        parse: Callable[[Any], T],
        *,
        modified_of: Callable[[T], datetime | None] | None = None,
    ) -> None:
        super().__init__(walker, parse, modified_of)
        self._fetch = fetch

    def __aiter__(self) -> AsyncOTXPageIterator[T]:
        return self

    async def __anext__(self) -> T:
        while self._index >= len(self._items):
            self._drop_page()
            request = self._walker.next_request()
            if request is None:
                self._complete = self._walker.finished
                raise StopAsyncIteration
            try:
                payload = await self._fetch(*request)
            except ServerError as error:
                if _can_shrink(error, self._walker):
                    continue
                raise
            self._items = self._walker.accept(payload)
        if self._walker.limit_reached:
            self._drop_page()
            raise StopAsyncIteration
        return self._take()
