"""Next-page logic from payloads: VT cursors, OTX ``next`` links re-based onto base_url, page shrinking."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from .._exceptions import Provider, ResponseParseError


def vt_next_cursor(payload: Mapping[str, Any]) -> str | None:
    """The cursor of the next VT page, or None on the last page (no ``meta.cursor``)."""
    meta = payload.get("meta")
    cursor = meta.get("cursor") if isinstance(meta, Mapping) else None
    if not isinstance(cursor, str) or not cursor:
        return None
    data = payload.get("data")
    if isinstance(data, list) and not data:
        return None  # an empty page with a cursor would loop forever
    return cursor


def rebase_next(
    next_link: object, base_url: httpx.URL, *, provider: Provider = "otx"
) -> tuple[tuple[str, ...], dict[str, str]] | None:
    """Path segments (relative to base_url) and query of an OTX ``next`` link; None on the last page.

    Only the link's path and query are used, never its host: real OTX links are absolute
    ``otx.alienvault.com`` URLs, and the key must only ever go to base_url's host. A link outside
    base_url's path raises ResponseParseError.
    """
    if next_link is None or next_link == "":
        return None
    if not isinstance(next_link, str):
        raise ResponseParseError("'next' link is not a string", provider=provider)
    try:
        url = httpx.URL(next_link)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ResponseParseError("'next' link is not a URL", provider=provider) from exc
    base_path = base_url.path.rstrip("/")
    path = url.path
    if not (path == base_path or path.startswith(base_path + "/")):
        raise ResponseParseError(
            f"'next' link {path!r} is outside the API path {base_path!r}", provider=provider
        )
    relative = path[len(base_path) :].strip("/")
    segments = tuple(relative.split("/")) if relative else ()
    if any(segment in ("..", ".") for segment in segments):
        raise ResponseParseError("'next' link climbs out of the API path", provider=provider)
    params = {key: value for key, value in url.params.multi_items()}
    return segments, params


def shrink_page(page: int, page_size: int) -> tuple[int, int] | None:
    """A smaller page size and the page number that starts at the same item, or None if size is 1.

    The items before ``page`` are ``(page - 1) * page_size``; the new size divides the old one, so it
    divides that offset too: nothing is skipped and nothing repeated.
    """
    if page < 1 or page_size <= 1:
        return None
    offset = (page - 1) * page_size
    for size in range(page_size // 2, 0, -1):
        if page_size % size == 0:
            return offset // size + 1, size
    return None
