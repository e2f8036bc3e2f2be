"""Answers as data: status and body -> payload, or the exception to raise; Retry-After parsing."""

from __future__ import annotations

import email.utils
import json
from collections.abc import Mapping

import httpx

from .._constants import RETRY_AFTER_CAP
from .._exceptions import (
    APIStatusError,
    Provider,
    ResponseParseError,
    TiIntelError,
    error_from_response,
    excerpt,
)
from .._types import JSON
from .request import RequestSpec


def parse_retry_after(
    value: str | None, *, now: float, cap: float = RETRY_AFTER_CAP
) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), capped; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            return None
        seconds = moment.timestamp() - now
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), cap)


def decode_json(provider: Provider, status_code: int, body: bytes) -> JSON:
    """The JSON document in ``body``, or ResponseParseError with the status and a short excerpt."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ResponseParseError(
            f"{'VirusTotal' if provider == 'virustotal' else 'OTX'} answered {status_code} with a body "
            f"that is not JSON: {excerpt(body)!r}",
            status_code=status_code,
            excerpt=excerpt(body),
            provider=provider,
        ) from exc


def interpret(
    provider: Provider,
    spec: RequestSpec,
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    response: httpx.Response | None = None,
) -> JSON:
    """Turn one answer into the payload the caller asked for, or raise the matching TiIntelError.

    ``expect="redirect"`` returns the ``Location`` of a 3xx (never followed here); any other 3xx is an
    error, since the SDK never follows redirects with the key.
    """
    if 200 <= status_code < 300:
        if spec.expect == "empty" or (not body and status_code == 204):
            return None
        if spec.expect == "redirect":
            raise _unexpected(provider, status_code, "expected a redirect", response)
        return decode_json(provider, status_code, body)
    if 300 <= status_code < 400:
        location = headers.get("location")
        if spec.expect == "redirect" and location:
            return location
        target = httpx.URL(location).host if location else "nowhere"
        raise _unexpected(provider, status_code, f"redirect to {target!r} not followed", response)
    raise error_for(provider, spec, status_code, headers, body, now=now, response=response)


def error_for(
    provider: Provider,
    spec: RequestSpec,
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    response: httpx.Response | None = None,
) -> TiIntelError:
    """The exception for an error answer."""
    return error_from_response(
        provider,
        status_code,
        body,
        response=response,
        retry_after=parse_retry_after(headers.get("retry-after"), now=now),
        forbidden_means=spec.forbidden_means,
        hint=spec.error_hint,
    )


def _unexpected(
    provider: Provider, status_code: int, what: str, response: httpx.Response | None
) -> APIStatusError:
    name = "VirusTotal" if provider == "virustotal" else "OTX"
    return APIStatusError(
        f"{name} {status_code}: {what}",
        status_code=status_code,
        provider=provider,
        response=response,
    )
