"""OTX indicator types and sections, checked before anything is sent (pure).

Every indicator lookup goes through ``resolve``: the value is parsed (refanged, normalised) and
its OTX path type and section are checked against ``SECTIONS``, so an unsupported pair raises
``InvalidIndicatorError`` and no request leaves the process.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, TypeAlias

from .._core.indicators import (
    Indicator,
    IndicatorType,
    indicator_type_from_otx,
    otx_path_type,
    otx_pulse_type,
)
from .._exceptions import InvalidIndicatorError

__all__ = [
    "PATH_TYPES",
    "PULSE_TYPES",
    "SECTIONS",
    "IndicatorArg",
    "TypeArg",
    "check_section",
    "pulse_indicator",
    "resolve",
    "sections_of",
]

_NET = (
    "general",
    "reputation",
    "geo",
    "malware",
    "url_list",
    "passive_dns",
    "nids_list",
    "http_scans",
)
_HOST = ("general", "geo", "malware", "url_list", "passive_dns", "whois", "http_scans")

SECTIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "IPv4": _NET,
        "IPv6": _NET,
        "domain": _HOST,
        "hostname": _HOST,
        "url": ("general", "url_list", "http_scans", "screenshot"),
        "file": ("general", "analysis"),
        "cve": ("general", "nids_list", "malware"),
    }
)
"""The sections OTX lists for each path type of ``/indicators/{type}/{value}/{section}``."""

PATH_TYPES: Final = tuple(SECTIONS)
"""The OTX path types ``indicators.get(..., type=...)`` accepts (case-insensitive)."""

PULSE_TYPES: Final = (
    "IPv4",
    "IPv6",
    "domain",
    "hostname",
    "email",
    "URL",
    "URI",
    "FileHash-MD5",
    "FileHash-SHA1",
    "FileHash-SHA256",
    "FileHash-PEHASH",
    "FileHash-IMPHASH",
    "CIDR",
    "FilePath",
    "Mutex",
    "CVE",
    "YARA",
    "JA3",
    "osquery",
    "SSLCertFingerprint",
    "BitcoinAddress",
)
"""Indicator types a pulse may hold (``/pulses/indicators/types``), in OTX's spelling."""

TypeArg: TypeAlias = "IndicatorType | str | None"
"""An ``IndicatorType``, an OTX path type ("IPv4", "hostname", ...) or None to auto-detect."""
IndicatorArg: TypeAlias = "Indicator | Mapping[str, Any] | str"
"""A pulse indicator: an ``Indicator``, a ``{"indicator": ..., "type": ...}`` dict or a string."""

_PATH_TYPE_OF: Final = {name.lower(): name for name in SECTIONS}
_PULSE_TYPE_OF: Final = {name.lower(): name for name in PULSE_TYPES}
# Path types our parser can confirm; "domain" and "hostname" are the same kind of value.
_COMPATIBLE: Final[Mapping[str, frozenset[str]]] = {
    "domain": frozenset({"domain", "hostname"}),
    "hostname": frozenset({"domain", "hostname"}),
}


def _path_type_name(kind: str) -> str:
    name = _PATH_TYPE_OF.get(kind.strip().lower()) if isinstance(kind, str) else None
    if name is None:
        raise InvalidIndicatorError(
            f"unknown OTX indicator type {kind!r}; expected one of {', '.join(PATH_TYPES)}",
            value=str(kind),
        )
    return name


def resolve(value: str, kind: TypeArg = None) -> tuple[str, str]:
    """(OTX path type, normalised value) of a lookup; InvalidIndicatorError when impossible.

    With ``kind`` None the type is detected from the value; an ``IndicatorType`` requires the
    value to be of that type; a path type string requires a value of that kind (``domain`` and
    ``hostname`` are interchangeable, so a sub-domain can be looked up as a domain).
    """
    if kind is None:
        indicator = Indicator.parse(value)
        return otx_path_type(indicator), indicator.value
    if isinstance(kind, IndicatorType):
        indicator = Indicator.parse(value, type=kind)
        return otx_path_type(indicator), indicator.value
    name = _path_type_name(kind)
    indicator = Indicator.parse(value)
    detected = otx_path_type(indicator)
    if detected != name and detected not in _COMPATIBLE.get(name, frozenset()):
        raise InvalidIndicatorError(
            f"{indicator.value!r} is not an OTX {name} indicator (it looks like {detected})",
            value=indicator.value,
        )
    return name, indicator.value


def sections_of(path_type: str) -> tuple[str, ...]:
    """The sections OTX offers for a path type."""
    return SECTIONS[_path_type_name(path_type)]


def check_section(path_type: str, section: str, value: str) -> None:
    """InvalidIndicatorError when OTX has no ``section`` for ``path_type``."""
    if section not in SECTIONS[path_type]:
        raise InvalidIndicatorError(
            f"OTX has no {section!r} section for {path_type} indicators; "
            f"available: {', '.join(SECTIONS[path_type])}",
            value=value,
        )


def pulse_indicator(item: IndicatorArg) -> dict[str, Any]:
    """The wire form of one pulse indicator, checked.

    A string is parsed (refanged) and typed; an ``Indicator`` keeps its value; a mapping needs
    ``indicator`` and a known ``type`` (any casing; ``PULSE_TYPES``), and when tiintel can parse
    that type its value must be of it. Optional keys (``description``, ``title``, ``role``,
    ``expiration``, ``content``, ``is_active``) are passed on.
    """
    if isinstance(item, Indicator):
        return {"indicator": item.value, "type": otx_pulse_type(item)}
    if isinstance(item, str):
        indicator = Indicator.parse(item)
        return {"indicator": indicator.value, "type": otx_pulse_type(indicator)}
    if not isinstance(item, Mapping):
        raise InvalidIndicatorError(
            f"a pulse indicator is an Indicator, a string or a dict, got {type(item).__name__}"
        )
    value, kind = item.get("indicator"), item.get("type")
    if not isinstance(value, str) or not value.strip():
        raise InvalidIndicatorError("a pulse indicator dict needs an 'indicator' string")
    name = _PULSE_TYPE_OF.get(kind.strip().lower()) if isinstance(kind, str) else None
    if name is None:
        raise InvalidIndicatorError(
            f"unknown OTX pulse indicator type {kind!r} for {value!r}; "
            f"expected one of {', '.join(PULSE_TYPES)}",
            value=value,
        )
    ours = indicator_type_from_otx(name)
    if ours is not None:
        indicator = Indicator.parse(value, type=ours)
        value = indicator.value
    return {**item, "indicator": value, "type": name}
