"""tiintel: a typed, quota-aware SDK for VirusTotal API v3 and AlienVault OTX."""

from __future__ import annotations

from ._core.quota import RateLimit
from ._exceptions import (
    AnalysisTimeoutError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InvalidIndicatorError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ResponseParseError,
    ServerError,
    TiIntelError,
)
from ._limiter import RateLimiter
from ._version import __version__

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AnalysisTimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InvalidIndicatorError",
    "NotFoundError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimit",
    "RateLimitError",
    "RateLimiter",
    "ResponseParseError",
    "ServerError",
    "TiIntelError",
    "__version__",
]
