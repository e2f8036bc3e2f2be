"""Pure conversions between Pulse models and store rows (no SQLite here)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tiintel._core.indicators import Indicator, indicator_type_from_otx
from tiintel._exceptions import InvalidIndicatorError

if TYPE_CHECKING:
    from tiintel.models.otx import Pulse, PulseIndicator

PulseRow = tuple[str, str, str | None, int, str]
IndicatorRow = tuple[str, str, str | None, str | None, float | None, int, str]


def iso(moment: datetime | None) -> str | None:
    """An aware datetime as a sortable UTC ISO string (None stays None)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def from_iso(text: str | None) -> datetime | None:
    """The inverse of ``iso``."""
    return None if text is None else datetime.fromisoformat(text)


def epoch(moment: datetime | None) -> float | None:
    """Seconds since the epoch; naive datetimes are taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def normalise(value: str, otx_type: str | None) -> tuple[str, str | None]:
    """The value to index and our type name, or the raw lower-cased value and None.

    Only values whose OTX type maps to one of our types are parsed: a YARA rule or a file
    path must never be reinterpreted as a domain.
    """
    expected = indicator_type_from_otx(otx_type) if otx_type else None
    if expected is not None:
        for wanted in (expected, None):
            try:
                parsed = Indicator.parse(value, type=wanted)
            except InvalidIndicatorError:
                continue
            return parsed.value, parsed.type.value
    return value.strip().lower(), None


def thaw(value: Any) -> Any:
    """A JSON-ready deep copy of a (possibly frozen) payload: mappings to dicts, tuples to lists."""
    if isinstance(value, Mapping):
        return {str(k): thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(v) for v in value]
    return value


def _payload(pulse: Pulse) -> dict[str, Any]:
    raw = pulse.raw
    body: dict[str, Any] = thaw(raw) if isinstance(raw, Mapping) else {}
    body.pop("indicators", None)
    # The store's copy must always rebuild to the same id and modification time.
    body.setdefault("id", pulse.id)
    body.setdefault("name", pulse.name)
    if pulse.modified is not None and "modified" not in body:
        body["modified"] = iso(pulse.modified)
    return body


def indicator_payload(item: PulseIndicator) -> dict[str, Any]:
    """The indicator's wire payload (rebuilt from the model when it came without one)."""
    if isinstance(item.raw, Mapping) and item.raw:
        return dict(thaw(item.raw))
    return {
        "id": item.id,
        "indicator": item.indicator,
        "type": item.type,
        "title": item.title,
        "description": item.description,
        "created": iso(item.created),
        "expiration": iso(item.expiration),
        "is_active": 1 if item.is_active else 0,
    }


def pulse_rows(pulse: Pulse) -> tuple[PulseRow, list[IndicatorRow]]:
    """The pulses row and the indicators rows of one pulse."""
    items = pulse.indicators or ()
    pulse_row: PulseRow = (
        pulse.id,
        pulse.name or "",
        iso(pulse.modified),
        pulse.indicator_count or len(items),
        json.dumps(_payload(pulse), sort_keys=True, default=str),
    )
    rows: list[IndicatorRow] = []
    for item in items:
        if not item.indicator:
            continue
        value, kind = normalise(item.indicator, item.type)
        rows.append(
            (
                pulse.id,
                value,
                kind,
                item.type,
                epoch(item.expiration),
                1 if item.is_active else 0,
                json.dumps(indicator_payload(item), sort_keys=True, default=str),
            )
        )
    return pulse_row, rows
