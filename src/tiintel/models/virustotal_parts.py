"""Building blocks of the VirusTotal models: verdict counts, engine results, votes, analyses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, Self

import attrs

from tiintel.models._base import (
    EMPTY_MAP,
    LazyModelMap,
    Model,
    as_count,
    as_int,
    as_mapping,
    as_str,
    epoch_dt,
    frozen_map,
    html_table,
    require_id,
    require_mapping,
    short_map_repr,
)

__all__ = [
    "VT_GUI_URL",
    "Analysis",
    "AnalysisStats",
    "DNSRecord",
    "EngineResult",
    "VTItemError",
    "Votes",
    "YaraResult",
    "engine_results",
    "wire_attributes",
]

VT_GUI_URL: Final = "https://www.virustotal.com/gui"
"""Root of the VirusTotal web interface; reports link to ``{VT_GUI_URL}/<kind>/<id>``."""


def wire_attributes(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The wire ``attributes`` dict ({} when absent or not an object: descriptors carry none)."""
    attributes = obj.get("attributes")
    if isinstance(attributes, dict):
        return attributes
    if isinstance(attributes, Mapping):
        return dict(attributes)
    return {}


@attrs.frozen(kw_only=True)
class AnalysisStats(Model):
    """How many engines gave each verdict (0 when the wire omits a category).

    ``confirmed_timeout`` and ``type_unsupported`` come from the wire keys ``confirmed-timeout``
    and ``type-unsupported``; URL analyses carry only the first five categories.
    """

    malicious: int = 0
    suspicious: int = 0
    harmless: int = 0
    undetected: int = 0
    timeout: int = 0
    confirmed_timeout: int = 0
    failure: int = 0
    type_unsupported: int = 0

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a ``last_analysis_stats`` / ``stats`` object (anything else gives all zeros)."""
        stats = as_mapping(data) or EMPTY_MAP
        return cls(
            malicious=as_count(stats.get("malicious")),
            suspicious=as_count(stats.get("suspicious")),
            harmless=as_count(stats.get("harmless")),
            undetected=as_count(stats.get("undetected")),
            timeout=as_count(stats.get("timeout")),
            confirmed_timeout=as_count(stats.get("confirmed-timeout")),
            failure=as_count(stats.get("failure")),
            type_unsupported=as_count(stats.get("type-unsupported")),
        )

    @property
    def total(self) -> int:
        """The number of engine answers counted: the sum of every category."""
        return (
            self.malicious
            + self.suspicious
            + self.harmless
            + self.undetected
            + self.timeout
            + self.confirmed_timeout
            + self.failure
            + self.type_unsupported
        )


@attrs.frozen(kw_only=True)
class EngineResult(Model):
    """One engine's answer in ``last_analysis_results`` or an analysis' ``results``."""

    engine_name: str | None = None
    category: str | None = None
    result: str | None = None
    method: str | None = None
    engine_version: str | None = None
    engine_update: str | None = None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one engine entry (anything else gives an all-None result)."""
        entry = as_mapping(data) or EMPTY_MAP
        return cls(
            engine_name=as_str(entry.get("engine_name")),
            category=as_str(entry.get("category")),
            result=as_str(entry.get("result")),
            method=as_str(entry.get("method")),
            engine_version=as_str(entry.get("engine_version")),
            engine_update=as_str(entry.get("engine_update")),
        )


@attrs.frozen(kw_only=True)
class Votes(Model):
    """Community votes (``total_votes``)."""

    harmless: int = 0
    malicious: int = 0

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a ``total_votes`` object."""
        votes = as_mapping(data) or EMPTY_MAP
        return cls(
            harmless=as_count(votes.get("harmless")), malicious=as_count(votes.get("malicious"))
        )


@attrs.frozen(kw_only=True)
class VTItemError(Model):
    """A per-item error in a collection (``{"error": {"code", "message"}}``): a placeholder, not a crash."""

    code: str | None = None
    message: str | None = None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from the item's ``error`` object."""
        error = as_mapping(data) or EMPTY_MAP
        return cls(code=as_str(error.get("code")), message=as_str(error.get("message")))


@attrs.frozen(kw_only=True)
class YaraResult(Model):
    """One crowdsourced YARA rule that matched a file."""

    rule_name: str | None = None
    ruleset_id: str | None = None
    ruleset_name: str | None = None
    description: str | None = None
    author: str | None = None
    source: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        """Build from one ``crowdsourced_yara_results`` entry."""
        return cls(
            rule_name=as_str(data.get("rule_name")),
            ruleset_id=as_str(data.get("ruleset_id")),
            ruleset_name=as_str(data.get("ruleset_name")),
            description=as_str(data.get("description")),
            author=as_str(data.get("author")),
            source=as_str(data.get("source")),
        )


@attrs.frozen(kw_only=True)
class DNSRecord(Model):
    """One record of a domain's ``last_dns_records`` (extra keys such as ``rname`` stay in ``raw``)."""

    type: str | None = None
    value: str | None = None
    ttl: int | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        """Build from one DNS record object."""
        return cls(
            type=as_str(data.get("type")),
            value=as_str(data.get("value")),
            ttl=as_int(data.get("ttl")),
            raw=data,
        )


def engine_results(data: Any) -> Mapping[str, EngineResult]:
    """An engine-name -> EngineResult map, parsed lazily (reports carry ~70 engines)."""
    return LazyModelMap(data, EngineResult.from_api)


@attrs.frozen(kw_only=True)
class Analysis(Model):
    """An analysis (``GET /analyses/{id}``, or the descriptor a scan or rescan answers).

    ``status`` is ``"queued"`` (no results yet), ``"in-progress"`` (partial) or ``"completed"``.
    ``item_id`` is the analysed object's id: the URL id from ``meta.url_info.id`` for URL
    analyses, else the sha256 from ``meta.file_info.sha256``; ``item_type`` says which.
    """

    id: str
    status: str | None = None
    stats: AnalysisStats = attrs.field(factory=AnalysisStats)
    results: Mapping[str, EngineResult] = attrs.field(
        factory=lambda: EMPTY_MAP, repr=short_map_repr
    )
    date: datetime | None = None
    item_id: str | None = None
    item_type: str | None = None
    file_info: Mapping[str, Any] | None = None
    url_info: Mapping[str, Any] | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, obj: Any, meta: Any = None) -> Self:
        """Build from an analysis object and the response's top-level ``meta`` (optional)."""
        payload = require_mapping(obj, "Analysis", "virustotal")
        a = wire_attributes(payload)
        info = as_mapping(meta) or EMPTY_MAP
        file_info = frozen_map(info.get("file_info"))
        url_info = frozen_map(info.get("url_info"))
        url_id = as_str((url_info or EMPTY_MAP).get("id"))
        sha256 = as_str((file_info or EMPTY_MAP).get("sha256"))
        item_id, item_type = (url_id, "url") if url_id else (sha256, "file" if sha256 else None)
        return cls(
            id=require_id(payload, "Analysis", "virustotal"),
            status=as_str(a.get("status")),
            stats=AnalysisStats.from_api(a.get("stats")),
            results=engine_results(a.get("results")),
            date=epoch_dt(a.get("date")),
            item_id=item_id,
            item_type=item_type,
            file_info=file_info,
            url_info=url_info,
            raw=a,
        )

    @classmethod
    def from_descriptor(cls, obj: Any) -> Self:
        """Build from a POST answer ``{"type": "analysis", "id": ...}``: a queued analysis."""
        payload = require_mapping(obj, "Analysis descriptor", "virustotal")
        return cls(id=require_id(payload, "Analysis descriptor", "virustotal"), status="queued")

    @property
    def is_completed(self) -> bool:
        """True once VirusTotal reports the analysis ``completed``."""
        return self.status == "completed"

    def _repr_html_(self) -> str:
        """An HTML table for Jupyter; every string is escaped."""
        return html_table(
            "Analysis",
            [
                ("id", self.id),
                ("status", self.status),
                (
                    "detections",
                    f"{self.stats.malicious} malicious, {self.stats.suspicious} suspicious",
                ),
                ("date", self.date),
                ("item", self.item_id),
            ],
        )
