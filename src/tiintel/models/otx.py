"""AlienVault OTX models: pulses, their indicators, and an indicator's ``general`` section.

OTX's wire quirks are normalised here, once: the TLP key is ``TLP`` on some endpoints and ``tlp``
on others; ``attack_ids`` and ``malware_families`` come as strings or as ``{id, name,
display_name}`` objects; booleans come as 0/1 integers; timestamps are naive ISO-8601 strings in
UTC (microseconds optional); indicator ids are integers, or ``_id`` strings in old payloads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final, Self

import attrs

from tiintel.models._base import (
    EMPTY_MAP,
    Model,
    any_dt,
    as_bool,
    as_float,
    as_id,
    as_int,
    as_list,
    as_mapping,
    as_nonempty_str,
    as_str,
    as_str_tuple,
    frozen_map,
    html_table,
    iso_dt,
    model_tuple,
    require_id,
    require_mapping,
    short_seq_repr,
)

__all__ = [
    "KNOWN_GOOD_SOURCES",
    "OTX_WEB_URL",
    "FalsePositive",
    "IndicatorDetails",
    "Pulse",
    "PulseIndicator",
    "PulseInfo",
    "Validation",
]

OTX_WEB_URL: Final = "https://otx.alienvault.com"
"""Root of the OTX web interface; pulses link to ``{OTX_WEB_URL}/pulse/<id>``."""

KNOWN_GOOD_SOURCES: Final[frozenset[str]] = frozenset(
    {"whitelist", "majestic", "alexa", "akamai", "false_positive"}
)
"""``validation[].source`` values that mark an indicator as known good (whitelisted).

Seen in recorded OTX answers: ``whitelist`` ("Whitelisted IP", "Whitelisted domain"),
``majestic`` and ``alexa`` (popular-domain lists), ``akamai`` ("Akamai Popular Domain") and
``false_positive`` ("Known False Positive"). Other sources are kept in
``IndicatorDetails.validation`` but do not set ``whitelisted``.
"""


def _labels(data: Any, keys: tuple[str, ...]) -> tuple[str, ...] | None:
    """Strings, or objects reduced to the first string among ``keys``; duplicates dropped."""
    items = as_list(data)
    if items is None:
        return None
    labels: list[str] = []
    for item in items:
        label: Any = item
        if isinstance(item, Mapping):
            label = next((item[k] for k in keys if isinstance(item.get(k), str) and item[k]), None)
        if isinstance(label, str) and label and label not in labels:
            labels.append(label)
    return tuple(labels)


def attack_ids(data: Any) -> tuple[str, ...] | None:
    """ATT&CK technique ids from strings or ``{id, name, display_name}`` objects (``"T1059"``)."""
    return _labels(data, ("id", "display_name", "name"))


def malware_families(data: Any) -> tuple[str, ...] | None:
    """Malware family names from strings or ``{id, display_name, ...}`` objects."""
    return _labels(data, ("display_name", "id", "name"))


def _tlp(payload: Mapping[str, Any]) -> str | None:
    value = payload.get("TLP")
    if not isinstance(value, str):
        value = payload.get("tlp")
    return (value.strip().lower() or None) if isinstance(value, str) else None


@attrs.frozen(kw_only=True)
class PulseIndicator(Model):
    """One indicator of a pulse (``/pulses/{id}``, ``/pulses/{id}/indicators``, subscribed pulses).

    ``role`` is None when empty; ``is_active`` is True when the wire omits it (OTX lists only
    active indicators unless asked otherwise).
    """

    id: int | str | None = None
    indicator: str | None = None
    type: str | None = None
    title: str | None = None
    description: str | None = None
    content: str | None = attrs.field(default=None, repr=False)
    role: str | None = None
    created: datetime | None = None
    expiration: datetime | None = None
    is_active: bool = True
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from one indicator object (``id`` int, or ``_id`` string in old payloads)."""
        d = require_mapping(data, "PulseIndicator", "otx")
        ident = d.get("id")
        if isinstance(ident, bool) or not isinstance(ident, int | str):
            ident = as_str(d.get("_id"))
        active = as_bool(d.get("is_active"))
        return cls(
            id=ident,
            indicator=as_str(d.get("indicator")),
            type=as_str(d.get("type")),
            title=as_str(d.get("title")),
            description=as_str(d.get("description")),
            content=as_str(d.get("content")),
            role=as_nonempty_str(d.get("role")),
            created=iso_dt(d.get("created")),
            expiration=iso_dt(d.get("expiration")),
            is_active=True if active is None else active,
            raw=d,
        )


def _author_name(d: Mapping[str, Any]) -> str | None:
    name = as_nonempty_str(d.get("author_name"))
    if name is None:
        author = as_mapping(d.get("author")) or EMPTY_MAP
        name = as_nonempty_str(author.get("username"))
    return name


@attrs.frozen(kw_only=True)
class Pulse(Model):
    """An OTX pulse: a community write-up tying indicators to a campaign.

    ``tlp`` is lower-case whichever key the wire used; ``adversary`` is None when empty;
    ``indicators`` is None where the wire carries none (pulse summaries in search results and
    in an indicator's ``pulse_info``). Names, descriptions and tags are written by strangers.
    """

    id: str
    name: str | None = None
    description: str | None = attrs.field(default=None, repr=False)
    tlp: str | None = None
    tags: tuple[str, ...] | None = None
    references: tuple[str, ...] | None = attrs.field(default=None, repr=short_seq_repr)
    adversary: str | None = None
    malware_families: tuple[str, ...] | None = None
    attack_ids: tuple[str, ...] | None = None
    industries: tuple[str, ...] | None = None
    targeted_countries: tuple[str, ...] | None = None
    created: datetime | None = None
    modified: datetime | None = None
    author_name: str | None = None
    public: bool | None = None
    revision: int | None = None
    indicator_count: int = 0
    indicators: tuple[PulseIndicator, ...] | None = attrs.field(default=None, repr=short_seq_repr)
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a pulse object; ResponseParseError when it has no ``id``."""
        d = require_mapping(data, "Pulse", "otx")
        indicators = model_tuple(d.get("indicators"), PulseIndicator.from_api)
        count = as_int(d.get("indicator_count"))
        if count is None:
            count = len(indicators) if indicators is not None else 0
        return cls(
            id=require_id(d, "Pulse", "otx"),
            name=as_str(d.get("name")),
            description=as_str(d.get("description")),
            tlp=_tlp(d),
            tags=as_str_tuple(d.get("tags")),
            references=as_str_tuple(d.get("references")),
            adversary=as_nonempty_str(d.get("adversary")),
            malware_families=malware_families(d.get("malware_families")),
            attack_ids=attack_ids(d.get("attack_ids")),
            industries=as_str_tuple(d.get("industries")),
            targeted_countries=as_str_tuple(d.get("targeted_countries")),
            created=iso_dt(d.get("created")),
            modified=iso_dt(d.get("modified")),
            author_name=_author_name(d),
            public=as_bool(d.get("public")),
            revision=as_int(d.get("revision")),
            indicator_count=count,
            indicators=indicators,
            raw=d,
        )

    @property
    def link(self) -> str:
        """The pulse's page on the OTX web interface."""
        return f"{OTX_WEB_URL}/pulse/{self.id}"

    def _repr_html_(self) -> str:
        """An HTML table for Jupyter; every string (name, tags, author) is escaped."""
        return html_table(
            f"Pulse {self.name or self.id}",
            [
                ("id", self.id),
                ("name", self.name),
                ("author", self.author_name),
                ("TLP", self.tlp),
                ("tags", self.tags),
                ("adversary", self.adversary),
                ("malware families", self.malware_families),
                ("ATT&CK", self.attack_ids),
                ("modified", self.modified),
                ("indicators", self.indicator_count),
                ("link", self.link),
            ],
        )


def _pulse_or_none(data: Mapping[str, Any]) -> Pulse | None:
    """A pulse inside a list; one without an id is dropped rather than failing the whole answer."""
    if as_id(data.get("id")) in (None, ""):
        return None
    return Pulse.from_api(data)


def _merged(blocks: Iterable[Any], key: str) -> tuple[str, ...]:
    """The strings under ``key`` in each block (``related.alienvault``, ``related.other``), deduplicated."""
    seen: dict[str, None] = {}
    for block in blocks:
        block_map = as_mapping(block) or EMPTY_MAP
        for label in malware_families(block_map.get(key)) or ():
            seen.setdefault(label, None)
    return tuple(seen)


@attrs.frozen(kw_only=True)
class PulseInfo(Model):
    """The pulses that mention an indicator (``pulse_info`` of the general section)."""

    count: int = 0
    pulses: tuple[Pulse, ...] = ()
    references: tuple[str, ...] | None = attrs.field(default=None, repr=short_seq_repr)
    adversaries: tuple[str, ...] = ()
    malware_families: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a ``pulse_info`` object (anything else gives an empty PulseInfo)."""
        d = as_mapping(data) or EMPTY_MAP
        pulses = model_tuple(d.get("pulses"), _pulse_or_none) or ()
        related = as_mapping(d.get("related")) or EMPTY_MAP
        blocks = (related.get("alienvault"), related.get("other"))
        count = as_int(d.get("count"))
        return cls(
            count=len(pulses) if count is None else count,
            pulses=pulses,
            references=as_str_tuple(d.get("references")),
            adversaries=_merged(blocks, "adversary"),
            malware_families=_merged(blocks, "malware_families"),
            industries=_merged(blocks, "industries"),
        )


@attrs.frozen(kw_only=True)
class Validation(Model):
    """One entry of an indicator's ``validation`` list (e.g. source "whitelist")."""

    source: str | None = None
    message: str | None = None
    name: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        """Build from one validation object."""
        return cls(
            source=as_str(data.get("source")),
            message=as_str(data.get("message")),
            name=as_str(data.get("name")),
        )


@attrs.frozen(kw_only=True)
class FalsePositive(Model):
    """One false-positive report on an indicator; ``assessment`` is "accepted" or "pending"."""

    assessment: str | None = None
    assessment_date: datetime | None = None
    report_date: datetime | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        """Build from one false_positive object."""
        return cls(
            assessment=as_str(data.get("assessment")),
            assessment_date=any_dt(data.get("assessment_date")),
            report_date=any_dt(data.get("report_date")),
        )


@attrs.frozen(kw_only=True)
class IndicatorDetails(Model):
    """What OTX knows about one indicator (section ``general``).

    ``whitelisted`` is True when a ``validation`` entry comes from one of
    ``KNOWN_GOOD_SOURCES`` or a false positive was accepted. Geo fields are set for IP addresses.
    """

    indicator: str | None = None
    type: str | None = None
    type_title: str | None = None
    sections: tuple[str, ...] | None = None
    pulse_info: PulseInfo = attrs.field(factory=PulseInfo)
    validation: tuple[Validation, ...] = ()
    false_positive: tuple[FalsePositive, ...] = ()
    whitelisted: bool = False
    reputation: int | None = None
    asn: str | None = None
    country_code: str | None = None
    country_name: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    base_indicator: Mapping[str, Any] | None = attrs.field(default=None, repr=False)
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from a general-section answer; ResponseParseError when it is not an object."""
        d = require_mapping(data, "IndicatorDetails", "otx")
        validation = model_tuple(d.get("validation"), Validation.from_api) or ()
        false_positive = model_tuple(d.get("false_positive"), FalsePositive.from_api) or ()
        whitelisted = any(v.source in KNOWN_GOOD_SOURCES for v in validation) or any(
            fp.assessment == "accepted" for fp in false_positive
        )
        return cls(
            indicator=as_str(d.get("indicator")),
            type=as_str(d.get("type")),
            type_title=as_str(d.get("type_title")),
            sections=as_str_tuple(d.get("sections")),
            pulse_info=PulseInfo.from_api(d.get("pulse_info")),
            validation=validation,
            false_positive=false_positive,
            whitelisted=whitelisted,
            reputation=as_int(d.get("reputation")),
            asn=as_str(d.get("asn")),
            country_code=as_str(d.get("country_code")),
            country_name=as_str(d.get("country_name")),
            city=as_str(d.get("city")),
            latitude=as_float(d.get("latitude")),
            longitude=as_float(d.get("longitude")),
            base_indicator=frozen_map(d.get("base_indicator")),
            raw=d,
        )

    def _repr_html_(self) -> str:
        """An HTML table for Jupyter; every string (pulse names and tags too) is escaped."""
        info = self.pulse_info
        return html_table(
            f"OTX {self.type_title or self.type or ''} {self.indicator or ''}".strip(),
            [
                ("indicator", self.indicator),
                ("type", self.type_title or self.type),
                ("pulses", info.count),
                ("pulse names", tuple(p.name for p in info.pulses if p.name)),
                ("tags", tuple(dict.fromkeys(t for p in info.pulses for t in p.tags or ()))),
                ("adversaries", info.adversaries),
                ("malware families", info.malware_families),
                ("whitelisted", self.whitelisted),
                ("validation", tuple(v.message or v.source for v in self.validation)),
                ("country", self.country_name),
                ("ASN", self.asn),
            ],
        )
