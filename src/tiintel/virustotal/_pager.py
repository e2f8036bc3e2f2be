"""VirusTotal collections, one page at a time: the pure cursor logic and the two lazy iterators.

VirusTotal pages with an opaque ``meta.cursor``. Its cursors point at page starts, so stopping in
the middle of a page (``limit`` reached, or the caller broke out of the loop) needs a position
inside a page too: ``.cursor`` is then ``"tiintel1:<page size>:<items to skip>:<page cursor>"``,
which the iterators understand when passed back as ``cursor=``. At a page boundary ``.cursor`` is
VirusTotal's own cursor, unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from tiintel._exceptions import InvalidArgumentError

from .._core.pagination import vt_next_cursor
from .._core.request import RequestSpec
from .._exceptions import ResponseParseError
from .._types import JSON

if TYPE_CHECKING:
    from .._http import AsyncSender, SyncSender

__all__ = ["AsyncVTIterator", "PagerState", "VTIterator", "async_pages", "page_spec", "pages"]

T = TypeVar("T")

VT_DEFAULT_PAGE_SIZE = 10
"""Items VirusTotal returns when ``limit`` is not sent."""
_PREFIX = "tiintel1:"

Fetch = Callable[[str | None, int | None], JSON]
"""Fetches one page: (server cursor or None, page size or None) -> the decoded collection."""
AsyncFetch = Callable[[str | None, int | None], Awaitable[JSON]]


def encode_cursor(page_size: int | None, skip: int, page_cursor: str | None) -> str:
    """A resumable position inside a page (``page_size`` 0 means "not sent")."""
    return f"{_PREFIX}{page_size or 0}:{skip}:{page_cursor or ''}"


def decode_cursor(cursor: str | None) -> tuple[int | None, int, str | None]:
    """(page size, items to skip, server cursor) of a cursor given by a caller.

    A VirusTotal cursor is returned as is with nothing to skip; a malformed tiintel cursor raises
    ValueError before anything is sent.
    """
    if not cursor or not cursor.startswith(_PREFIX):
        return None, 0, cursor or None
    size_text, _, rest = cursor[len(_PREFIX) :].partition(":")
    skip_text, sep, page_cursor = rest.partition(":")
    if not (sep and size_text.isdigit() and skip_text.isdigit()):
        raise InvalidArgumentError(f"not a cursor this SDK produced: {cursor!r}")
    return int(size_text) or None, int(skip_text), page_cursor or None


def page_items(payload: JSON) -> list[Any]:
    """The items of a collection page; a one-to-one relationship's single object is one item."""
    if not isinstance(payload, Mapping):
        raise ResponseParseError(
            "VirusTotal collection is not a JSON object", provider="virustotal"
        )
    data = payload.get("data")
    if data is None:
        return []
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        return [data]
    raise ResponseParseError(
        "VirusTotal collection 'data' is neither a list nor an object", provider="virustotal"
    )


def page_spec(
    path: tuple[str, ...],
    cursor: str | None,
    size: int | None,
    params: Mapping[str, Any] | None = None,
    *,
    error_hint: str | None = None,
) -> RequestSpec:
    """GET one page of a collection: the endpoint's own parameters plus ``cursor`` and ``limit``."""
    return RequestSpec(
        path=path, params={**(params or {}), "cursor": cursor, "limit": size}, error_hint=error_hint
    )


@attrs.define
class PagerState:
    """Where a paginated walk stands; pure (no I/O), shared by the sync and async iterators."""

    limit: int | None = None
    page_size: int | None = None
    start_cursor: str | None = None
    yielded: int = attrs.field(default=0, init=False)
    _page_cursor: str | None = attrs.field(default=None, init=False)
    _page_request_size: int | None = attrs.field(default=None, init=False)
    _consumed: int = attrs.field(default=0, init=False)
    _page_len: int = attrs.field(default=0, init=False)
    _next: str | None = attrs.field(default=None, init=False)
    _skip: int = attrs.field(default=0, init=False)
    _started: bool = attrs.field(default=False, init=False)
    _exhausted: bool = attrs.field(default=False, init=False)

    def __attrs_post_init__(self) -> None:
        for name, value in (("limit", self.limit), ("page_size", self.page_size)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise InvalidArgumentError(f"{name} must be an int >= 0 or None, got {value!r}")
        if self.page_size == 0:
            raise InvalidArgumentError("page_size must be at least 1")
        size, self._skip, self._next = decode_cursor(self.start_cursor)
        if size is not None:
            self.page_size = size  # the resumed page must be cut the same way

    @property
    def done(self) -> bool:
        """True when nothing more will be fetched or yielded."""
        if self.limit is not None and self.yielded >= self.limit:
            return True
        return self._exhausted

    def next_request(self) -> tuple[str | None, int | None] | None:
        """(cursor, page size) of the next page to fetch, or None when the walk is over."""
        if self.done or (self._started and self._next is None):
            return None
        size = self.page_size
        if self.limit is not None and not self._skip:
            remaining = self.limit - self.yielded
            if remaining < (size or VT_DEFAULT_PAGE_SIZE):
                size = remaining  # do not fetch what will not be used
        if self._skip:
            size = self.page_size
        return self._next, size

    def accept(self, payload: JSON, cursor: str | None, size: int | None) -> list[Any]:
        """Record a fetched page and return its items still to yield (after any resumed skip)."""
        items = page_items(payload)
        next_cursor = vt_next_cursor(payload) if isinstance(payload, Mapping) else None
        if next_cursor is not None and next_cursor == cursor:
            raise ResponseParseError(
                "VirusTotal returned the same cursor twice; stopping instead of looping",
                provider="virustotal",
            )
        self._started = True
        self._page_cursor, self._page_request_size = cursor, size
        self._next = next_cursor
        skip, self._skip = self._skip, 0
        self._consumed = min(skip, len(items))
        self._page_len = len(items)
        if next_cursor is None and self._consumed >= len(items):
            self._exhausted = True
        return items[self._consumed :]

    def item_yielded(self) -> None:
        """Count one item handed to the caller."""
        self.yielded += 1
        self._consumed += 1
        if self._next is None and self._consumed >= self._page_len:
            self._exhausted = True

    @property
    def cursor(self) -> str | None:
        """Where to resume: a VirusTotal cursor at a page boundary, a tiintel one inside a page.

        None when the collection is exhausted (or nothing was fetched and no cursor was given).
        """
        if not self._started:
            return self.start_cursor
        if self._consumed >= self._page_len:
            return self._next
        return encode_cursor(self._page_request_size, self._consumed, self._page_cursor)


class VTIterator(Iterator[T], Generic[T]):
    """A lazy iterator over a VirusTotal collection: one page in memory, a request per page.

    Nothing is sent until the first item is asked for. ``limit`` caps the number of items,
    ``page_size`` is sent as VirusTotal's ``limit`` (items per request), and ``.cursor`` is where
    to resume later (pass it back as ``cursor=``, with the same ``page_size``).
    """

    def __init__(
        self,
        fetch: Fetch,
        parse: Callable[[Any], T],
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> None:
        self._fetch = fetch
        self._parse = parse
        self._state = PagerState(limit=limit, page_size=page_size, start_cursor=cursor)
        self._buffer: list[Any] = []

    @property
    def cursor(self) -> str | None:
        """The cursor to resume after the last item handed out (None when exhausted)."""
        return self._state.cursor

    @property
    def limit(self) -> int | None:
        """The maximum number of items this iterator yields (None: all)."""
        return self._state.limit

    @property
    def page_size(self) -> int | None:
        """Items asked for per request (None: VirusTotal's default of 10)."""
        return self._state.page_size

    def __iter__(self) -> VTIterator[T]:
        return self

    def __next__(self) -> T:
        while not self._buffer:
            request = self._state.next_request()
            if request is None:
                raise StopIteration
            payload = self._fetch(*request)
            self._buffer = self._state.accept(payload, *request)
        if self._state.done:
            self._buffer = []
            raise StopIteration
        item = self._parse(self._buffer.pop(0))
        self._state.item_yielded()
        return item


class AsyncVTIterator(AsyncIterator[T], Generic[T]):
    """A lazy iterator over a VirusTotal collection: one page in memory, a request per page.

    Nothing is sent until the first item is asked for. ``limit`` caps the number of items,
    ``page_size`` is sent as VirusTotal's ``limit`` (items per request), and ``.cursor`` is where
    to resume later (pass it back as ``cursor=``, with the same ``page_size``).
    """

    def __init__(
        self,
        fetch: AsyncFetch,
        parse: Callable[[Any], T],
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> None:
        self._fetch = fetch
        self._parse = parse
        self._state = PagerState(limit=limit, page_size=page_size, start_cursor=cursor)
        self._buffer: list[Any] = []

    @property
    def cursor(self) -> str | None:
        """The cursor to resume after the last item handed out (None when exhausted)."""
        return self._state.cursor

    @property
    def limit(self) -> int | None:
        """The maximum number of items this iterator yields (None: all)."""
        return self._state.limit

    @property
    def page_size(self) -> int | None:
        """Items asked for per request (None: VirusTotal's default of 10)."""
        return self._state.page_size

    def __aiter__(self) -> AsyncVTIterator[T]:
        return self

    async def __anext__(self) -> T:
        while not self._buffer:
            request = self._state.next_request()
            if request is None:
                raise StopAsyncIteration
            payload = await self._fetch(*request)
            self._buffer = self._state.accept(payload, *request)
        if self._state.done:
            self._buffer = []
            raise StopAsyncIteration
        item = self._parse(self._buffer.pop(0))
        self._state.item_yielded()
        return item


def pages(
    sender: SyncSender,
    path: tuple[str, ...],
    parse: Callable[[Any], T],
    *,
    limit: int | None,
    page_size: int | None,
    cursor: str | None,
    params: Mapping[str, Any] | None = None,
    error_hint: str | None = None,
) -> VTIterator[T]:
    """A lazy iterator over the collection at ``path``: one GET per page, as the loop goes."""

    def fetch(page_cursor: str | None, size: int | None) -> JSON:
        return sender.request(page_spec(path, page_cursor, size, params, error_hint=error_hint))

    return VTIterator(fetch, parse, limit=limit, page_size=page_size, cursor=cursor)


def async_pages(
    sender: AsyncSender,
    path: tuple[str, ...],
    parse: Callable[[Any], T],
    *,
    limit: int | None,
    page_size: int | None,
    cursor: str | None,
    params: Mapping[str, Any] | None = None,
    error_hint: str | None = None,
) -> AsyncVTIterator[T]:
    """The async twin of ``pages``."""

    async def fetch(page_cursor: str | None, size: int | None) -> JSON:
        spec = page_spec(path, page_cursor, size, params, error_hint=error_hint)
        return await sender.request(spec)

    return AsyncVTIterator(fetch, parse, limit=limit, page_size=page_size, cursor=cursor)
