"""Request specs: what a resource method wants sent, as data, and how it becomes an ``httpx.Request``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote

import attrs
import httpx

from .._types import JSON

Expect = Literal["json", "empty", "redirect"]
ForbiddenMeaning = Literal["auth", "permission"]
FileField = tuple[str, Any, str]
"""(file name, bytes or binary file object, content type) of one multipart field."""


@attrs.frozen(kw_only=True)
class RequestSpec:
    """One API request, as data.

    ``path`` holds raw segments: every segment is percent-encoded as ONE path segment when the request
    is built, so an indicator can never reach another endpoint (``../users/me`` stays one segment).
    """

    method: str = "GET"
    path: tuple[str, ...]
    params: Mapping[str, Any] | None = None
    json: JSON = None
    data: Mapping[str, str] | None = None
    files: Mapping[str, FileField] | None = None
    cost: int = 1
    """Quota units the request consumes; 0 for free endpoints (quotas, upload_url, own analyses)."""
    idempotent: bool = True
    """False for requests that create something: retried only when they provably never reached the server."""
    expect: Expect = "json"
    forbidden_means: ForbiddenMeaning = "permission"
    error_hint: str | None = None
    """Added to the message of an error answer (e.g. "needs a premium key")."""
    secret_in_path: bool = False
    """The path holds the API key (VT quota probe without a user name): never log or keep the URL."""
    absolute_url: str | None = None
    """Send to this URL instead of base_url + path (VT upload URLs); must be on base_url's host."""


def encode_path(segments: Sequence[str]) -> str:
    """``/seg1/seg2`` with every segment percent-encoded on its own (``/`` ``?`` ``#`` ``%`` included)."""
    return "".join("/" + quote(segment, safe="") for segment in segments)


def clean_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Drop None values; booleans become ``true``/``false``; everything else ``str()``."""
    if not params:
        return {}
    cleaned: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            cleaned[key] = "true" if value else "false"
        else:
            cleaned[key] = str(value)
    return cleaned


def request_url(spec: RequestSpec, base_url: httpx.URL) -> httpx.URL:
    """The absolute URL of ``spec`` under ``base_url`` (query parameters not included)."""
    if spec.absolute_url is not None:
        url = httpx.URL(spec.absolute_url)
        if url.host != base_url.host or url.scheme != base_url.scheme:
            raise ValueError("absolute request URL is not on the API host")
        return url
    raw = base_url.raw_path.split(b"?", 1)[0].rstrip(b"/") + encode_path(spec.path).encode("ascii")
    return base_url.copy_with(raw_path=raw, query=None)


def log_path(spec: RequestSpec, base_url: httpx.URL) -> str:
    """The path to show in logs and messages: never one that carries the key."""
    if spec.secret_in_path:
        return "/" + "/".join("***" if i == 1 else seg for i, seg in enumerate(spec.path))
    if spec.absolute_url is not None:
        return httpx.URL(spec.absolute_url).path
    return encode_path(spec.path)
