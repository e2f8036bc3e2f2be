"""Plain request/response values shared by the handlers, the transports and the server.

The handlers only ever see a ``FakeRequest`` and return a ``FakeResponse``: no httpx, no sockets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

__all__ = ["FakeRequest", "FakeResponse", "html_response", "json_response"]


@dataclass(frozen=True)
class FakeRequest:
    """One HTTP request as the handlers see it.

    ``raw_path`` is the path exactly as sent (percent-encoding kept, no query); ``headers`` keys are
    lower-case. ``storage_root`` is where the shell serves VirusTotal download bytes (another host
    for the in-memory transport, the server's own root for ``serve()``).
    """

    method: str
    scheme: str
    host: str
    raw_path: str
    raw_query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    storage_root: str = "https://storage.fake-vt.invalid"

    @property
    def root(self) -> str:
        """``scheme://host[:port]`` of the request: absolute links are built on it."""
        return f"{self.scheme}://{self.host}"

    @property
    def params(self) -> dict[str, str]:
        """Decoded query parameters (the last value wins for a repeated name)."""
        return dict(parse_qsl(self.raw_query, keep_blank_values=True))

    def header(self, name: str) -> str | None:
        """A header value by case-insensitive name."""
        return self.headers.get(name.lower())

    def segments(self, prefix: str = "") -> list[str]:
        """The decoded path segments after ``prefix`` (each segment decoded on its own)."""
        path = self.raw_path[len(prefix) :] if prefix else self.raw_path
        return [unquote(part) for part in path.strip("/").split("/") if part != ""]

    def json(self) -> Any:
        """The body decoded as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


@dataclass(frozen=True)
class FakeResponse:
    """One HTTP answer: status, headers (lower-case names) and body bytes."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)


def json_response(
    status: int, payload: Any, headers: Mapping[str, str] | None = None
) -> FakeResponse:
    """A JSON answer with the content type the real services send."""
    merged = {"content-type": "application/json; charset=utf-8", "cache-control": "no-cache"}
    merged.update(headers or {})
    # check_circular off: answers are trees built from the dataset (about 15% faster to encode)
    body = json.dumps(payload, separators=(",", ":"), check_circular=False).encode()
    return FakeResponse(status, body, merged)


def html_response(status: int, text: str) -> FakeResponse:
    """An HTML answer, like a proxy or load balancer sends in front of the real API."""
    body = f"<html><head><title>{status}</title></head><body>{text}</body></html>".encode()
    return FakeResponse(status, body, {"content-type": "text/html; charset=utf-8"})
