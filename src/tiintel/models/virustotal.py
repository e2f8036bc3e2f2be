"""VirusTotal API v3 report models: files, URLs, domains, IP addresses, and generic objects.

Every ``from_api(obj)`` takes the VT object found under a response's ``data``
(``{"type", "id", "links", "attributes", "relationships"?, "context_attributes"?}``) and reads it
with ``.get()``: a new or missing wire field never breaks a user. ``raw`` is the wire
``attributes`` dict, untouched. Timestamps (Unix seconds) become aware UTC datetimes.
The building blocks and ``Analysis`` live in ``virustotal_parts`` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Final, Self

import attrs

from tiintel.models._base import (
    EMPTY_MAP,
    Model,
    as_count,
    as_int,
    as_list,
    as_mapping,
    as_str,
    as_str_tuple,
    epoch_dt,
    frozen_map,
    html_table,
    model_tuple,
    require_id,
    require_mapping,
    short_map_repr,
    str_map,
)
from tiintel.models.virustotal_parts import (
    VT_GUI_URL,
    Analysis,
    AnalysisStats,
    DNSRecord,
    EngineResult,
    Votes,
    VTItemError,
    YaraResult,
    engine_results,
    wire_attributes,
)

__all__ = [
    "VT_GUI_URL",
    "Analysis",
    "AnalysisStats",
    "DNSRecord",
    "DomainReport",
    "EngineResult",
    "FileReport",
    "IPAddressReport",
    "URLReport",
    "VTItemError",
    "VTObject",
    "VTReport",
    "Votes",
    "YaraResult",
    "model_for_type",
]


def _classification_values(data: Any) -> tuple[str, ...] | None:
    """The ``value`` strings of a popular_threat_category / popular_threat_name list, in wire order."""
    items = as_list(data)
    if items is None:
        return None
    return tuple(
        item["value"]
        for item in items
        if isinstance(item, Mapping) and isinstance(item.get("value"), str)
    )


@attrs.frozen(kw_only=True)
class VTReport(Model):
    """Fields shared by every VirusTotal report (file, URL, domain, IP address)."""

    _gui_kind: ClassVar[str] = ""

    id: str
    type: str | None = None
    reputation: int | None = None
    tags: tuple[str, ...] | None = None
    last_analysis_date: datetime | None = None
    last_analysis_stats: AnalysisStats = attrs.field(factory=AnalysisStats)
    last_analysis_results: Mapping[str, EngineResult] = attrs.field(
        factory=lambda: EMPTY_MAP, repr=short_map_repr
    )
    total_votes: Votes = attrs.field(factory=Votes)
    last_modification_date: datetime | None = None
    relationships: Mapping[str, Any] | None = attrs.field(default=None, repr=short_map_repr)
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def _common(cls, obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """(keyword arguments of the shared fields, the wire attributes)."""
        what = cls.__name__
        payload = require_mapping(obj, what, "virustotal")
        attributes = wire_attributes(payload)
        kwargs: dict[str, Any] = {
            "id": require_id(payload, what, "virustotal"),
            "type": as_str(payload.get("type")),
            "reputation": as_int(attributes.get("reputation")),
            "tags": as_str_tuple(attributes.get("tags")),
            "last_analysis_date": epoch_dt(attributes.get("last_analysis_date")),
            "last_analysis_stats": AnalysisStats.from_api(attributes.get("last_analysis_stats")),
            "last_analysis_results": engine_results(attributes.get("last_analysis_results")),
            "total_votes": Votes.from_api(attributes.get("total_votes")),
            "last_modification_date": epoch_dt(attributes.get("last_modification_date")),
            "relationships": frozen_map(payload.get("relationships")),
            "raw": attributes,
        }
        return kwargs, attributes

    @classmethod
    def from_api(cls, obj: Any) -> Self:
        """Build from a VT object (the ``data`` of a GET); ResponseParseError without an ``id``."""
        kwargs, _ = cls._common(obj)
        return cls(**kwargs)

    @property
    def link(self) -> str:
        """The report's page on the VirusTotal web interface."""
        return f"{VT_GUI_URL}/{self._gui_kind}/{self.id}"

    def _html_rows(self) -> list[tuple[str, Any]]:
        stats = self.last_analysis_stats
        return [
            ("id", self.id),
            ("detections", f"{stats.malicious} malicious, {stats.suspicious} suspicious"),
            ("reputation", self.reputation),
            ("tags", self.tags),
            ("last analysis", self.last_analysis_date),
            ("link", self.link),
        ]

    def _repr_html_(self) -> str:
        """An HTML table for Jupyter; every string is escaped."""
        return html_table(type(self).__name__, self._html_rows())


@attrs.frozen(kw_only=True)
class FileReport(VTReport):
    """A file report (``GET /files/{hash}``)."""

    _gui_kind: ClassVar[str] = "file"

    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    size: int | None = None
    names: tuple[str, ...] | None = None
    meaningful_name: str | None = None
    type_description: str | None = None
    type_tag: str | None = None
    magic: str | None = None
    ssdeep: str | None = None
    tlsh: str | None = None
    first_submission_date: datetime | None = None
    last_submission_date: datetime | None = None
    times_submitted: int = 0
    popular_threat_label: str | None = None
    popular_threat_category: tuple[str, ...] | None = None
    popular_threat_name: tuple[str, ...] | None = None
    sandbox_verdicts: Mapping[str, Any] | None = attrs.field(default=None, repr=short_map_repr)
    crowdsourced_yara_results: tuple[YaraResult, ...] | None = attrs.field(default=None, repr=False)

    @classmethod
    def from_api(cls, obj: Any) -> Self:
        """Build from a file object; ResponseParseError without an ``id``."""
        kwargs, a = cls._common(obj)
        threat = as_mapping(a.get("popular_threat_classification")) or EMPTY_MAP
        return cls(
            **kwargs,
            md5=as_str(a.get("md5")),
            sha1=as_str(a.get("sha1")),
            sha256=as_str(a.get("sha256")),
            size=as_int(a.get("size")),
            names=as_str_tuple(a.get("names")),
            meaningful_name=as_str(a.get("meaningful_name")),
            type_description=as_str(a.get("type_description")),
            type_tag=as_str(a.get("type_tag")),
            magic=as_str(a.get("magic")),
            ssdeep=as_str(a.get("ssdeep")),
            tlsh=as_str(a.get("tlsh")),
            first_submission_date=epoch_dt(a.get("first_submission_date")),
            last_submission_date=epoch_dt(a.get("last_submission_date")),
            times_submitted=as_count(a.get("times_submitted")),
            popular_threat_label=as_str(threat.get("suggested_threat_label")),
            popular_threat_category=_classification_values(threat.get("popular_threat_category")),
            popular_threat_name=_classification_values(threat.get("popular_threat_name")),
            sandbox_verdicts=frozen_map(a.get("sandbox_verdicts")),
            crowdsourced_yara_results=model_tuple(
                a.get("crowdsourced_yara_results"), YaraResult.from_api
            ),
        )

    def _html_rows(self) -> list[tuple[str, Any]]:
        return [
            *super()._html_rows(),
            ("name", self.meaningful_name),
            ("type", self.type_description),
            ("size", self.size),
            ("threat label", self.popular_threat_label),
            ("md5", self.md5),
            ("sha1", self.sha1),
            ("sha256", self.sha256),
        ]


@attrs.frozen(kw_only=True)
class URLReport(VTReport):
    """A URL report (``GET /urls/{id}``); ``id`` is the sha256 form VirusTotal returns."""

    _gui_kind: ClassVar[str] = "url"

    url: str | None = None
    last_final_url: str | None = None
    title: str | None = None
    categories: Mapping[str, str] | None = None
    last_http_response_code: int | None = None
    times_submitted: int = 0
    first_submission_date: datetime | None = None
    last_submission_date: datetime | None = None
    redirection_chain: tuple[str, ...] | None = None
    outgoing_links: tuple[str, ...] | None = attrs.field(default=None, repr=False)

    @classmethod
    def from_api(cls, obj: Any) -> Self:
        """Build from a url object; ResponseParseError without an ``id``."""
        kwargs, a = cls._common(obj)
        return cls(
            **kwargs,
            url=as_str(a.get("url")),
            last_final_url=as_str(a.get("last_final_url")),
            title=as_str(a.get("title")),
            categories=str_map(a.get("categories")),
            last_http_response_code=as_int(a.get("last_http_response_code")),
            times_submitted=as_count(a.get("times_submitted")),
            first_submission_date=epoch_dt(a.get("first_submission_date")),
            last_submission_date=epoch_dt(a.get("last_submission_date")),
            redirection_chain=as_str_tuple(a.get("redirection_chain")),
            outgoing_links=as_str_tuple(a.get("outgoing_links")),
        )

    def _html_rows(self) -> list[tuple[str, Any]]:
        return [
            *super()._html_rows(),
            ("url", self.url),
            ("final url", self.last_final_url),
            ("title", self.title),
            ("HTTP status", self.last_http_response_code),
        ]


def _popularity_ranks(data: Any) -> Mapping[str, int] | None:
    """``{source: {"rank": n, "timestamp": t}}`` reduced to ``{source: n}``."""
    ranks = as_mapping(data)
    if ranks is None:
        return None
    result: dict[str, int] = {}
    for source, entry in ranks.items():
        rank = as_int(entry.get("rank")) if isinstance(entry, Mapping) else None
        if rank is not None:
            result[str(source)] = rank
    frozen: Mapping[str, int] = frozen_map(result) or EMPTY_MAP
    return frozen


@attrs.frozen(kw_only=True)
class DomainReport(VTReport):
    """A domain report (``GET /domains/{domain}``)."""

    _gui_kind: ClassVar[str] = "domain"

    categories: Mapping[str, str] | None = None
    creation_date: datetime | None = None
    last_update_date: datetime | None = None
    registrar: str | None = None
    whois: str | None = attrs.field(default=None, repr=False)
    popularity_ranks: Mapping[str, int] | None = None
    last_dns_records: tuple[DNSRecord, ...] | None = attrs.field(default=None, repr=False)
    jarm: str | None = None

    @classmethod
    def from_api(cls, obj: Any) -> Self:
        """Build from a domain object; ResponseParseError without an ``id``."""
        kwargs, a = cls._common(obj)
        return cls(
            **kwargs,
            categories=str_map(a.get("categories")),
            creation_date=epoch_dt(a.get("creation_date")),
            last_update_date=epoch_dt(a.get("last_update_date")),
            registrar=as_str(a.get("registrar")),
            whois=as_str(a.get("whois")),
            popularity_ranks=_popularity_ranks(a.get("popularity_ranks")),
            last_dns_records=model_tuple(a.get("last_dns_records"), DNSRecord.from_api),
            jarm=as_str(a.get("jarm")),
        )

    def _html_rows(self) -> list[tuple[str, Any]]:
        return [
            *super()._html_rows(),
            ("registrar", self.registrar),
            ("created", self.creation_date),
            ("categories", tuple((self.categories or {}).values())),
        ]


@attrs.frozen(kw_only=True)
class IPAddressReport(VTReport):
    """An IP address report (``GET /ip_addresses/{ip}``)."""

    _gui_kind: ClassVar[str] = "ip-address"

    asn: int | None = None
    as_owner: str | None = None
    country: str | None = None
    continent: str | None = None
    network: str | None = None
    regional_internet_registry: str | None = None
    whois: str | None = attrs.field(default=None, repr=False)
    jarm: str | None = None

    @classmethod
    def from_api(cls, obj: Any) -> Self:
        """Build from an ip_address object; ResponseParseError without an ``id``."""
        kwargs, a = cls._common(obj)
        return cls(
            **kwargs,
            asn=as_int(a.get("asn")),
            as_owner=as_str(a.get("as_owner")),
            country=as_str(a.get("country")),
            continent=as_str(a.get("continent")),
            network=as_str(a.get("network")),
            regional_internet_registry=as_str(a.get("regional_internet_registry")),
            whois=as_str(a.get("whois")),
            jarm=as_str(a.get("jarm")),
        )

    def _html_rows(self) -> list[tuple[str, Any]]:
        return [
            *super()._html_rows(),
            ("ASN", self.asn),
            ("AS owner", self.as_owner),
            ("country", self.country),
            ("network", self.network),
        ]


@attrs.frozen(kw_only=True)
class VTObject(Model):
    """A generic VirusTotal object: a related object, a search result, or a descriptor.

    Collections may hold descriptor-only items (``type`` and ``id``, sometimes
    ``context_attributes``) and per-item errors, which become ``error`` instead of a crash.
    ``as_report()`` turns a file, url, domain or ip_address object into its typed report.
    """

    type: str | None = None
    id: str
    attributes: Mapping[str, Any] = attrs.field(factory=lambda: EMPTY_MAP, repr=short_map_repr)
    context_attributes: Mapping[str, Any] | None = None
    relationships: Mapping[str, Any] | None = attrs.field(default=None, repr=short_map_repr)
    error: VTItemError | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, obj: Any) -> Self:
        """Build from any VT object or collection item; ResponseParseError without an ``id``."""
        payload = require_mapping(obj, "VTObject", "virustotal")
        attributes = wire_attributes(payload)
        error = payload.get("error")
        return cls(
            type=as_str(payload.get("type")),
            id=require_id(payload, "VTObject", "virustotal"),
            attributes=frozen_map(attributes) or EMPTY_MAP,
            context_attributes=frozen_map(payload.get("context_attributes")),
            relationships=frozen_map(payload.get("relationships")),
            error=VTItemError.from_api(error) if isinstance(error, Mapping) else None,
            raw=attributes,
        )

    def as_report(self) -> FileReport | URLReport | DomainReport | IPAddressReport | VTObject:
        """The typed report for file, url, domain and ip_address objects; otherwise ``self``."""
        report = _REPORTS.get(self.type or "")
        if report is None or self.error is not None:
            return self
        obj: dict[str, Any] = {"type": self.type, "id": self.id, "attributes": self.raw}
        if self.relationships is not None:
            obj["relationships"] = self.relationships
        return report.from_api(obj)


_REPORTS: Final[Mapping[str, type[FileReport | URLReport | DomainReport | IPAddressReport]]] = {
    "file": FileReport,
    "url": URLReport,
    "domain": DomainReport,
    "ip_address": IPAddressReport,
}


def model_for_type(
    type_name: str,
) -> type[FileReport | URLReport | DomainReport | IPAddressReport | Analysis] | None:
    """The model class of a VT object type ("file", "url", "domain", "ip_address", "analysis").

    Returns None for other types (comments, resolutions, ...): use ``VTObject`` for them.
    """
    if type_name == "analysis":
        return Analysis
    return _REPORTS.get(type_name)
