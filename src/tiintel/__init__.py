"""tiintel: a typed, quota-aware SDK for VirusTotal API v3 and AlienVault OTX.

Public names are loaded on first use, so ``import tiintel`` stays cheap (no httpx, CLI, stix2 or
pandas until needed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_names
from ._version import __version__

if TYPE_CHECKING:
    from ._core.indicators import Indicator, IndicatorType
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
        InvalidArgumentError,
        InvalidIndicatorError,
        NotFoundError,
        PermissionDeniedError,
        QuotaExceededError,
        RateLimitError,
        ResponseParseError,
        ServerError,
        TiIntelError,
    )
    from ._fanout import acorrelate, correlate
    from ._limiter import RateLimiter
    from .hunt import PulseStore
    from .models import (
        Analysis,
        AnalysisStats,
        BehaviourSummary,
        DomainReport,
        EngineResult,
        FileReport,
        IndicatorDetails,
        IPAddressReport,
        Pulse,
        PulseIndicator,
        PulseInfo,
        URLReport,
        User,
        VTObject,
    )
    from .models.correlation import (
        Correlation,
        CorrelationList,
        OTXContext,
        PulseRef,
        Verdict,
        VerdictPolicy,
        VTReputation,
    )
    from .otx import AsyncOTXClient, OTXClient
    from .virustotal import AsyncVirusTotalClient, VirusTotalClient

_ERRORS = (
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
)
_MODELS = (
    "Analysis",
    "AnalysisStats",
    "BehaviourSummary",
    "DomainReport",
    "EngineResult",
    "FileReport",
    "IPAddressReport",
    "IndicatorDetails",
    "Pulse",
    "PulseIndicator",
    "PulseInfo",
    "URLReport",
    "User",
    "VTObject",
)
_CORRELATION = (
    "Correlation",
    "CorrelationList",
    "OTXContext",
    "PulseRef",
    "VTReputation",
    "Verdict",
    "VerdictPolicy",
)

# public name -> module that defines it
_LAZY: dict[str, str] = {
    **dict.fromkeys(_ERRORS, "._exceptions"),
    **dict.fromkeys(_MODELS, ".models"),
    **dict.fromkeys(_CORRELATION, ".models.correlation"),
    "AsyncOTXClient": ".otx",
    "AsyncVirusTotalClient": ".virustotal",
    "Indicator": "._core.indicators",
    "IndicatorType": "._core.indicators",
    "OTXClient": ".otx",
    "PulseStore": ".hunt",
    "RateLimit": "._core.quota",
    "RateLimiter": "._limiter",
    "VirusTotalClient": ".virustotal",
    "acorrelate": "._fanout",
    "correlate": "._fanout",
}

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "Analysis",
    "AnalysisStats",
    "AnalysisTimeoutError",
    "AsyncOTXClient",
    "AsyncVirusTotalClient",
    "AuthenticationError",
    "BadRequestError",
    "BehaviourSummary",
    "ConfigurationError",
    "ConflictError",
    "Correlation",
    "CorrelationList",
    "DomainReport",
    "EngineResult",
    "FileReport",
    "IPAddressReport",
    "Indicator",
    "IndicatorDetails",
    "IndicatorType",
    "InvalidArgumentError",
    "InvalidIndicatorError",
    "NotFoundError",
    "OTXClient",
    "OTXContext",
    "PermissionDeniedError",
    "Pulse",
    "PulseIndicator",
    "PulseInfo",
    "PulseRef",
    "PulseStore",
    "QuotaExceededError",
    "RateLimit",
    "RateLimitError",
    "RateLimiter",
    "ResponseParseError",
    "ServerError",
    "TiIntelError",
    "URLReport",
    "User",
    "VTObject",
    "VTReputation",
    "Verdict",
    "VerdictPolicy",
    "VirusTotalClient",
    "__version__",
    "acorrelate",
    "correlate",
]


__getattr__, __dir__ = lazy_names(__name__, _LAZY)
