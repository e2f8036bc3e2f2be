"""Query parameters OTX endpoints share: timestamps and type lists (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TypeAlias

from tiintel._exceptions import InvalidArgumentError

from .._core.indicators import IndicatorType
from .._exceptions import InvalidIndicatorError
from ._indicators import PULSE_TYPES

__all__ = ["SinceArg", "iso_utc", "types_param"]

SinceArg: TypeAlias = "datetime | str | None"
"""A datetime (aware, or naive meaning UTC) or an ISO 8601 string."""

_PULSE_TYPE_OF = {name.lower(): name for name in PULSE_TYPES}
# IndicatorType -> the pulse types it covers (a domain may be stored as either).
_PULSE_TYPES_OF_OURS = {
    IndicatorType.MD5: ("FileHash-MD5",),
    IndicatorType.SHA1: ("FileHash-SHA1",),
    IndicatorType.SHA256: ("FileHash-SHA256",),
    IndicatorType.IPV4: ("IPv4",),
    IndicatorType.IPV6: ("IPv6",),
    IndicatorType.DOMAIN: ("domain", "hostname"),
    IndicatorType.URL: ("URL",),
    IndicatorType.CVE: ("CVE",),
}


def iso_utc(value: SinceArg, name: str = "modified_since") -> str | None:
    """``value`` as ISO 8601 in UTC (``2024-05-01T12:00:00+00:00``), None when None.

    An aware datetime is converted to UTC, a naive one is taken as UTC; a string must parse as
    ISO 8601 (a trailing ``Z`` is fine). Anything else raises ValueError before any request.
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidArgumentError(
                f"{name} must be an ISO 8601 timestamp, got {value!r}"
            ) from None
    if not isinstance(value, datetime):
        raise InvalidArgumentError(
            f"{name} must be a datetime or an ISO 8601 string, got {value!r}"
        )
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.isoformat()


def types_param(types: Iterable[IndicatorType | str] | str | None) -> str | None:
    """The comma-separated ``types`` of /indicators/export, in OTX's spelling, or None for all."""
    if types is None:
        return None
    if isinstance(types, str | IndicatorType):
        types = (types,)
    names: list[str] = []
    for kind in types:
        if isinstance(kind, IndicatorType):
            names.extend(_PULSE_TYPES_OF_OURS[kind])
            continue
        name = _PULSE_TYPE_OF.get(kind.strip().lower()) if isinstance(kind, str) else None
        if name is None:
            raise InvalidIndicatorError(
                f"unknown OTX indicator type {kind!r}; expected one of {', '.join(PULSE_TYPES)}",
                value=str(kind),
            )
        names.append(name)
    return ",".join(dict.fromkeys(names)) or None
