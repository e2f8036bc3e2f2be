"""Typed, frozen models of VirusTotal and OTX answers, built with ``Model.from_api(payload)``.

Models are pure data: they never do I/O. A new or missing wire field never breaks them; a
payload that cannot be a model at all raises ``tiintel.ResponseParseError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tiintel._lazy import lazy_names

if TYPE_CHECKING:
    from tiintel.models.otx import (
        KNOWN_GOOD_SOURCES,
        OTX_WEB_URL,
        FalsePositive,
        IndicatorDetails,
        Pulse,
        PulseIndicator,
        PulseInfo,
        Validation,
    )
    from tiintel.models.otx_sections import (
        SECTION_MODELS,
        ExportedIndicator,
        GeoDetails,
        MalwareSample,
        MalwareSamples,
        PassiveDNS,
        PassiveDNSRecord,
        PulseEvent,
        URLEntry,
        URLList,
        User,
    )
    from tiintel.models.virustotal import (
        VT_GUI_URL,
        Analysis,
        AnalysisStats,
        DNSRecord,
        DomainReport,
        EngineResult,
        FileReport,
        IPAddressReport,
        URLReport,
        Votes,
        VTItemError,
        VTObject,
        VTReport,
        YaraResult,
        model_for_type,
    )
    from tiintel.models.virustotal_extras import (
        APIUsage,
        BehaviourSummary,
        Comment,
        CommentVotes,
        Quotas,
        QuotaUsage,
        Vote,
    )

__all__ = [
    "APIUsage",
    "Analysis",
    "AnalysisStats",
    "BehaviourSummary",
    "Comment",
    "CommentVotes",
    "DNSRecord",
    "DomainReport",
    "EngineResult",
    "ExportedIndicator",
    "FalsePositive",
    "FileReport",
    "GeoDetails",
    "IPAddressReport",
    "IndicatorDetails",
    "KNOWN_GOOD_SOURCES",
    "MalwareSample",
    "MalwareSamples",
    "OTX_WEB_URL",
    "PassiveDNS",
    "PassiveDNSRecord",
    "Pulse",
    "PulseEvent",
    "PulseIndicator",
    "PulseInfo",
    "QuotaUsage",
    "Quotas",
    "SECTION_MODELS",
    "URLEntry",
    "URLList",
    "URLReport",
    "User",
    "VTItemError",
    "VTObject",
    "VTReport",
    "VT_GUI_URL",
    "Validation",
    "Vote",
    "Votes",
    "YaraResult",
    "model_for_type",
]

# name -> module: loaded on first use, so VirusTotal code never pays for the OTX models
_LAZY: dict[str, str] = {
    "APIUsage": "tiintel.models.virustotal_extras",
    "Analysis": "tiintel.models.virustotal",
    "AnalysisStats": "tiintel.models.virustotal",
    "BehaviourSummary": "tiintel.models.virustotal_extras",
    "Comment": "tiintel.models.virustotal_extras",
    "CommentVotes": "tiintel.models.virustotal_extras",
    "DNSRecord": "tiintel.models.virustotal",
    "DomainReport": "tiintel.models.virustotal",
    "EngineResult": "tiintel.models.virustotal",
    "ExportedIndicator": "tiintel.models.otx_sections",
    "FalsePositive": "tiintel.models.otx",
    "FileReport": "tiintel.models.virustotal",
    "GeoDetails": "tiintel.models.otx_sections",
    "IPAddressReport": "tiintel.models.virustotal",
    "IndicatorDetails": "tiintel.models.otx",
    "KNOWN_GOOD_SOURCES": "tiintel.models.otx",
    "MalwareSample": "tiintel.models.otx_sections",
    "MalwareSamples": "tiintel.models.otx_sections",
    "OTX_WEB_URL": "tiintel.models.otx",
    "PassiveDNS": "tiintel.models.otx_sections",
    "PassiveDNSRecord": "tiintel.models.otx_sections",
    "Pulse": "tiintel.models.otx",
    "PulseEvent": "tiintel.models.otx_sections",
    "PulseIndicator": "tiintel.models.otx",
    "PulseInfo": "tiintel.models.otx",
    "QuotaUsage": "tiintel.models.virustotal_extras",
    "Quotas": "tiintel.models.virustotal_extras",
    "SECTION_MODELS": "tiintel.models.otx_sections",
    "URLEntry": "tiintel.models.otx_sections",
    "URLList": "tiintel.models.otx_sections",
    "URLReport": "tiintel.models.virustotal",
    "User": "tiintel.models.otx_sections",
    "VTItemError": "tiintel.models.virustotal",
    "VTObject": "tiintel.models.virustotal",
    "VTReport": "tiintel.models.virustotal",
    "VT_GUI_URL": "tiintel.models.virustotal",
    "Validation": "tiintel.models.otx",
    "Vote": "tiintel.models.virustotal_extras",
    "Votes": "tiintel.models.virustotal",
    "YaraResult": "tiintel.models.virustotal",
    "model_for_type": "tiintel.models.virustotal",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY)
