"""VirusTotal wire shapes: error envelopes, objects, descriptors and cursor-paged collections."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from tiintel.testing._classify import ip_version
from tiintel.testing._wire import FakeRequest, FakeResponse, json_response

__all__ = [
    "PREFIX",
    "collection_page",
    "error",
    "object_url",
    "resolution",
    "vt_object",
]

PREFIX = "/api/v3"
DEFAULT_LIMIT = 10
MAX_LIMIT = 40
COLLECTION_OF = {
    "file": "files",
    "url": "urls",
    "domain": "domains",
    "ip_address": "ip_addresses",
    "resolution": "resolutions",
    "comment": "comments",
    "vote": "votes",
    "analysis": "analyses",
}
TITLES = {"file": "File", "url": "URL", "domain": "Domain", "ip_address": "IP address"}


class PageError(Exception):
    """A bad ``limit`` or ``cursor``: answered as 400 InvalidArgumentError."""


def error(status: int, code: str, message: str) -> FakeResponse:
    """The VirusTotal error envelope ``{"error": {"code", "message"}}``."""
    return json_response(status, {"error": {"code": code, "message": message}})


def not_found(kind: str, object_id: str) -> FakeResponse:
    """404 with the service's wording, e.g. ``File "<id>" not found``."""
    return error(404, "NotFoundError", f'{TITLES.get(kind, kind)} "{object_id}" not found')


def object_url(root: str, kind: str, object_id: str) -> str:
    """The ``links.self`` of an object."""
    return f"{root}{PREFIX}/{COLLECTION_OF.get(kind, kind)}/{quote(object_id, safe='')}"


def vt_object(
    root: str, kind: str, object_id: str, attributes: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """An object: type, id, links.self, attributes (plus relationships / context_attributes)."""
    obj: dict[str, Any] = {
        "type": kind,
        "id": object_id,
        "links": {"self": object_url(root, kind, object_id)},
        "attributes": attributes,
    }
    obj.update({k: v for k, v in extra.items() if v is not None})
    return obj


def resolution(root: str, resolution_id: str) -> dict[str, Any]:
    """A resolution object from its ``<ip><domain>`` id (the longest leading IP wins)."""
    for end in range(min(len(resolution_id), 45), 0, -1):
        if ip_version(resolution_id[:end]):
            ip, host = resolution_id[:end], resolution_id[end:]
            break
    else:
        ip, host = "", resolution_id
    date = 1_700_000_000 + sum(resolution_id.encode()) * 997 % 30_000_000
    attributes = {"date": date, "host_name": host, "ip_address": ip, "resolver": "VirusTotal"}
    return vt_object(root, "resolution", resolution_id, attributes)


def page_bounds(params: dict[str, str]) -> tuple[int, int]:
    """(offset, limit) from ``cursor`` and ``limit``; raises PageError when unreadable."""
    try:
        limit = int(params.get("limit") or DEFAULT_LIMIT)
    except ValueError as exc:
        raise PageError("limit must be an integer") from exc
    if limit < 1:
        raise PageError("limit must be positive")
    cursor = params.get("cursor") or ""
    if not cursor:
        return 0, min(limit, MAX_LIMIT)
    try:
        offset = int(base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("o:"))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise PageError(f'Invalid cursor "{cursor}"') from exc
    return offset, min(limit, MAX_LIMIT)


def encode_cursor(offset: int) -> str:
    """Opaque cursor text (base64, like the service's short cursors)."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def collection_page(
    request: FakeRequest,
    items: Sequence[Any],
    render: Callable[[Any], dict[str, Any]],
    *,
    extra_meta: dict[str, Any] | None = None,
) -> FakeResponse:
    """One cursor page: ``meta.cursor`` and ``links.next`` only when more items follow.

    The last page (and an empty collection) has neither, like the service.
    """
    try:
        offset, limit = page_bounds(request.params)
    except PageError as exc:
        return error(400, "InvalidArgumentError", str(exc))
    chunk = items[offset : offset + limit]
    base = f"{request.root}{request.raw_path}"
    query = _keep_query(request.params)
    self_link = f"{base}?{query}limit={limit}"
    if request.params.get("cursor"):
        self_link = f"{base}?{query}cursor={quote(request.params['cursor'], safe='')}&limit={limit}"
    payload: dict[str, Any] = {
        "data": [render(item) for item in chunk],
        "links": {"self": self_link},
    }
    meta = dict(extra_meta or {})
    if offset + limit < len(items):
        cursor = encode_cursor(offset + limit)
        meta["cursor"] = cursor
        meta["count"] = len(items)
        payload["links"]["next"] = f"{base}?{query}cursor={quote(cursor, safe='')}&limit={limit}"
    if meta:
        payload["meta"] = meta
    return json_response(200, payload)


def _keep_query(params: dict[str, str]) -> str:
    kept = [f"{k}={quote(v, safe='')}" for k, v in params.items() if k not in {"cursor", "limit"}]
    return "".join(part + "&" for part in kept)
