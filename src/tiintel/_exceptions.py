"""The tiintel error tree and the one pure function that maps an HTTP answer to an error.

Every exception keeps its data in plain attributes and pickles without its ``response``
(an ``httpx.Response`` holds a request, and requests hold headers): a pickled or logged
exception never carries the API key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

import httpx

Provider = Literal["virustotal", "otx"]
QuotaScope = Literal["minute", "hour", "day", "month"]

EXCERPT_CHARS = 200

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AnalysisTimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InvalidArgumentError",
    "InvalidIndicatorError",
    "NotFoundError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitError",
    "ResponseParseError",
    "ServerError",
    "TiIntelError",
    "error_from_response",
]


def _rebuild(cls: type[TiIntelError], message: str, state: dict[str, Any]) -> TiIntelError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class TiIntelError(Exception):
    """Base class of every error tiintel raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    @property
    def message(self) -> str:
        """The human-readable message."""
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[Any, ...]:
        state = {k: v for k, v in self.__dict__.items() if k != "response"}
        if "response" in self.__dict__:
            state["response"] = None
        return (_rebuild, (type(self), self.message, state))

    def without_response(self) -> TiIntelError:
        """A copy without the response, traceback, cause or context (small to keep by the thousand)."""
        clone: TiIntelError = _rebuild(type(self), self.message, dict(self.__reduce__()[1][2]))
        return clone


class ConfigurationError(TiIntelError):
    """A client was configured wrongly: missing API key, bad option, conflicting arguments."""


class InvalidIndicatorError(TiIntelError, ValueError):
    """An input was rejected before any request was sent."""

    def __init__(self, message: str, *, value: str | None = None) -> None:
        super().__init__(message)
        self.value = value


class InvalidArgumentError(TiIntelError, ValueError):
    """An argument other than an indicator was rejected before any request (a bad TLP, page size, ...)."""


class AnalysisTimeoutError(TiIntelError):
    """An analysis did not complete within the allowed time."""

    def __init__(self, message: str, *, analysis_id: str) -> None:
        super().__init__(message)
        self.analysis_id = analysis_id


class APIConnectionError(TiIntelError):
    """The service could not be reached (after retries).

    ``reached_server`` is False when no connection was made (DNS failure, connection refused,
    connect or pool timeout): the service cannot have seen the request, so even a create is safe
    to send again. ``tls_failure`` is True when the TLS handshake failed (never retried).
    """

    def __init__(
        self,
        message: str,
        *,
        provider: Provider | None = None,
        reached_server: bool = True,
        tls_failure: bool = False,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.reached_server = reached_server
        self.tls_failure = tls_failure


class APITimeoutError(APIConnectionError):
    """The service did not answer in time (after retries)."""


class ResponseParseError(TiIntelError):
    """The body is not the JSON the API documents."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        excerpt: str = "",
        provider: Provider | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.excerpt = excerpt
        self.provider = provider


class RateLimitError(TiIntelError):
    """Throttled: a 429 from the service, or refused by the client's own limiter before sending.

    When the client's limiter refused, ``status_code`` and ``response`` are None.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: Provider | None = None,
        retry_after: float | None = None,
        status_code: int | None = None,
        code: str | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.retry_after = retry_after
        self.status_code = status_code
        self.code = code
        self.response = response


class QuotaExceededError(RateLimitError):
    """A quota window is exhausted; ``scope`` says which one ("minute", "hour", "day", "month" or None)."""

    def __init__(
        self,
        message: str,
        *,
        scope: QuotaScope | None = None,
        provider: Provider | None = None,
        retry_after: float | None = None,
        status_code: int | None = None,
        code: str | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(
            message,
            provider=provider,
            retry_after=retry_after,
            status_code=status_code,
            code=code,
            response=response,
        )
        self.scope = scope


class APIStatusError(TiIntelError):
    """The service answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        provider: Provider,
        code: str | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.provider = provider
        self.code = code
        self.response = response


class BadRequestError(APIStatusError):
    """400: the request was rejected as invalid."""


class AuthenticationError(APIStatusError):
    """401 (and OTX's 403 for a bad key): the API key is missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but not allowed here (premium endpoint, group you are not a member of)."""


class NotFoundError(APIStatusError):
    """404: the object is unknown to the service."""


class ConflictError(APIStatusError):
    """409: the object already exists (a second vote, for instance)."""


class ServerError(APIStatusError):
    """5xx: the service failed."""


_STATUS_CLASSES: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
}

_VT_QUOTA_CODES = frozenset({"QuotaExceededError"})
_PROVIDER_NAMES: Mapping[str, str] = {"virustotal": "VirusTotal", "otx": "OTX"}


def excerpt(body: bytes | str, limit: int = EXCERPT_CHARS) -> str:
    """A short, single-line, printable excerpt of a body for error messages."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error_fields(provider: Provider, body: bytes) -> tuple[str | None, str | None]:
    """(provider error code, provider message) from an error body, when it has the documented shape."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, None
    if not isinstance(payload, dict):
        return None, None
    if provider == "virustotal":
        error = payload.get("error")
        if isinstance(error, dict):
            code, message = error.get("code"), error.get("message")
            return (
                code if isinstance(code, str) else None,
                message if isinstance(message, str) else None,
            )
        return None, None
    detail = payload.get("detail")
    if isinstance(detail, str):
        return None, detail
    if payload:  # OTX 400 bodies list the invalid fields
        return None, excerpt(json.dumps(payload))
    return None, None


def error_from_response(
    provider: Provider,
    status_code: int,
    body: bytes,
    *,
    response: httpx.Response | None = None,
    retry_after: float | None = None,
    forbidden_means: Literal["auth", "permission"] = "permission",
    hint: str | None = None,
) -> TiIntelError:
    """Map one HTTP error answer to the matching tiintel exception.

    ``forbidden_means`` tells what a 403 means on this endpoint: OTX answers a bad key with 403
    ("auth"), and a group or private pulse you may not see with 403 too ("permission").
    ``hint`` is appended to the message (for example "this endpoint needs a premium key").
    The function is pure: it never reads ``response``, only stores it.
    """
    name = _PROVIDER_NAMES[provider]
    code, detail = _error_fields(provider, body)
    text = detail if detail is not None else (excerpt(body) if body else "")
    label = f"{name} {status_code}" + (f" {code}" if code else "")
    message = f"{label}: {text}" if text else label
    if hint:
        message = f"{message} ({hint})"

    if status_code == 429:
        if code in _VT_QUOTA_CODES:
            return QuotaExceededError(
                message,
                provider=provider,
                retry_after=retry_after,
                status_code=status_code,
                code=code,
                response=response,
            )
        return RateLimitError(
            message,
            provider=provider,
            retry_after=retry_after,
            status_code=status_code,
            code=code,
            response=response,
        )
    cls: type[APIStatusError]
    if status_code == 403 and provider == "otx" and forbidden_means == "auth":
        cls = AuthenticationError
    elif status_code >= 500:
        cls = ServerError
    else:
        cls = _STATUS_CLASSES.get(status_code, APIStatusError)
    return cls(message, status_code=status_code, provider=provider, code=code, response=response)
