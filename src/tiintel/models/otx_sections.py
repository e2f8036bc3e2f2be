"""AlienVault OTX section models (geo, passive_dns, url_list, malware), users, events and exports.

``SECTION_MODELS`` tells the clients which indicator sections have a typed model; the other
sections (reputation, nids_list, http_scans, whois, analysis, screenshot) are returned as
read-only mappings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final, Self

import attrs

from tiintel.models._base import (
    FrozenMap,
    Model,
    any_dt,
    as_bool,
    as_count,
    as_float,
    as_id,
    as_int,
    as_str,
    iso_dt,
    model_tuple,
    require_mapping,
    short_seq_repr,
)
from tiintel.models.otx import IndicatorDetails

__all__ = [
    "SECTION_MODELS",
    "ExportedIndicator",
    "GeoDetails",
    "MalwareSample",
    "MalwareSamples",
    "PassiveDNS",
    "PassiveDNSRecord",
    "PulseEvent",
    "URLEntry",
    "URLList",
    "User",
]


@attrs.frozen(kw_only=True)
class GeoDetails(Model):
    """Where an IP address (or a domain's address) is (section ``geo``)."""

    asn: str | None = None
    country_code: str | None = None
    country_code3: str | None = None
    country_name: str | None = None
    city: str | None = None
    region: str | None = None
    continent_code: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_radius: int | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a geo-section answer."""
        d = require_mapping(data, "GeoDetails", "otx")
        return cls(
            asn=as_str(d.get("asn")),
            country_code=as_str(d.get("country_code")),
            country_code3=as_str(d.get("country_code3")),
            country_name=as_str(d.get("country_name")),
            city=as_str(d.get("city")),
            region=as_str(d.get("region")),
            continent_code=as_str(d.get("continent_code")),
            postal_code=as_str(d.get("postal_code")),
            latitude=as_float(d.get("latitude")),
            longitude=as_float(d.get("longitude")),
            accuracy_radius=as_int(d.get("accuracy_radius")),
            raw=d,
        )


@attrs.frozen(kw_only=True)
class PassiveDNSRecord(Model):
    """One passive DNS observation: ``hostname`` resolved to ``address`` between ``first`` and ``last``."""

    address: str | None = None
    hostname: str | None = None
    record_type: str | None = None
    first: datetime | None = None
    last: datetime | None = None
    asn: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        """Build from one ``passive_dns`` entry."""
        return cls(
            address=as_str(data.get("address")),
            hostname=as_str(data.get("hostname")),
            record_type=as_str(data.get("record_type")),
            first=iso_dt(data.get("first")),
            last=iso_dt(data.get("last")),
            asn=as_str(data.get("asn")),
        )


@attrs.frozen(kw_only=True)
class PassiveDNS(Model):
    """Passive DNS history of an indicator (section ``passive_dns``)."""

    count: int = 0
    records: tuple[PassiveDNSRecord, ...] = attrs.field(default=(), repr=short_seq_repr)
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a passive_dns-section answer."""
        d = require_mapping(data, "PassiveDNS", "otx")
        records = model_tuple(d.get("passive_dns"), PassiveDNSRecord.from_api) or ()
        count = as_int(d.get("count"))
        return cls(count=len(records) if count is None else count, records=records, raw=d)


@attrs.frozen(kw_only=True)
class URLEntry(Model):
    """One URL seen on an indicator (section ``url_list``)."""

    url: str | None = None
    date: datetime | None = None
    domain: str | None = None
    hostname: str | None = None
    httpcode: int | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        """Build from one ``url_list`` entry."""
        return cls(
            url=as_str(data.get("url")),
            date=iso_dt(data.get("date")),
            domain=as_str(data.get("domain")),
            hostname=as_str(data.get("hostname")),
            httpcode=as_int(data.get("httpcode")),
        )


@attrs.frozen(kw_only=True)
class URLList(Model):
    """One page of URLs seen on an indicator (section ``url_list``); ``has_next`` tells if more exist."""

    urls: tuple[URLEntry, ...] = attrs.field(default=(), repr=short_seq_repr)
    has_next: bool = False
    page_num: int | None = None
    limit: int | None = None
    full_size: int | None = None
    actual_size: int | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a url_list-section answer."""
        d = require_mapping(data, "URLList", "otx")
        return cls(
            urls=model_tuple(d.get("url_list"), URLEntry.from_api) or (),
            has_next=as_bool(d.get("has_next")) or False,
            page_num=as_int(d.get("page_num")),
            limit=as_int(d.get("limit")),
            full_size=as_int(d.get("full_size")),
            actual_size=as_int(d.get("actual_size")),
            raw=d,
        )


@attrs.frozen(kw_only=True)
class MalwareSample(Model):
    """A malware sample seen with an indicator: its hash, when, and what some engines called it."""

    hash: str | None = None
    date: datetime | None = None
    detections: Mapping[str, str | None] = attrs.field(factory=FrozenMap)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        """Build from one ``malware`` entry (``date`` ISO string, else ``datetime_int`` seconds)."""
        raw_detections = data.get("detections")
        detections: dict[str, str | None] = {}
        if isinstance(raw_detections, Mapping):
            detections = {
                str(k): v for k, v in raw_detections.items() if v is None or isinstance(v, str)
            }
        return cls(
            hash=as_str(data.get("hash")),
            date=iso_dt(data.get("date")) or any_dt(data.get("datetime_int")),
            detections=FrozenMap(detections),
        )


@attrs.frozen(kw_only=True)
class MalwareSamples(Model):
    """Malware samples seen with an indicator (section ``malware``); ``count`` is OTX's total."""

    count: int = 0
    samples: tuple[MalwareSample, ...] = attrs.field(default=(), repr=short_seq_repr)
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a malware-section answer."""
        d = require_mapping(data, "MalwareSamples", "otx")
        samples = model_tuple(d.get("data"), MalwareSample.from_api) or ()
        count = as_int(d.get("count"))
        return cls(count=len(samples) if count is None else count, samples=samples, raw=d)


@attrs.frozen(kw_only=True)
class User(Model):
    """An OTX user (``/users/me``, ``/users/{name}``)."""

    username: str | None = None
    id: str | None = None
    pulse_count: int = 0
    follower_count: int = 0
    subscriber_count: int = 0
    member_since: datetime | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a user object."""
        d = require_mapping(data, "User", "otx")
        return cls(
            username=as_str(d.get("username")),
            id=as_id(d.get("id")) or as_id(d.get("user_id")),
            pulse_count=as_count(d.get("pulse_count")),
            follower_count=as_count(d.get("follower_count")),
            subscriber_count=as_count(d.get("subscriber_count")),
            member_since=any_dt(d.get("member_since")),
            raw=d,
        )


@attrs.frozen(kw_only=True)
class PulseEvent(Model):
    """A change to the user's subscriptions (``/pulses/events``): e.g. action "unsubscribe"."""

    id: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    created: datetime | None = None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one event object."""
        d = require_mapping(data, "PulseEvent", "otx")
        return cls(
            id=as_id(d.get("id")),
            action=as_str(d.get("action")),
            object_type=as_str(d.get("object_type")),
            object_id=as_id(d.get("object_id")),
            created=iso_dt(d.get("created")),
        )


@attrs.frozen(kw_only=True)
class ExportedIndicator(Model):
    """One indicator of ``/indicators/export``."""

    id: int | str | None = None
    indicator: str | None = None
    type: str | None = None
    title: str | None = None
    description: str | None = None
    content: str | None = attrs.field(default=None, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one exported indicator object."""
        d = require_mapping(data, "ExportedIndicator", "otx")
        ident = d.get("id")
        return cls(
            id=None if isinstance(ident, bool) or not isinstance(ident, int | str) else ident,
            indicator=as_str(d.get("indicator")),
            type=as_str(d.get("type")),
            title=as_str(d.get("title")),
            description=as_str(d.get("description")),
            content=as_str(d.get("content")),
        )


SECTION_MODELS: Final[Mapping[str, type[Model]]] = MappingProxyType(
    {
        "general": IndicatorDetails,
        "geo": GeoDetails,
        "passive_dns": PassiveDNS,
        "url_list": URLList,
        "malware": MalwareSamples,
    }
)
"""Indicator sections with a typed model (each has ``from_api``); others come back as Mappings."""
