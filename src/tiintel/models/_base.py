"""Shared helpers of the models: tolerant coercion of wire values, read-only maps, JSON and HTML output.

Every coercion helper takes any decoded JSON value and returns the typed value or None: a field of
the wrong type never raises, it simply becomes None (or 0 for counts). Only ``require_mapping`` and
``require_id`` raise, with ``ResponseParseError``, for payloads that cannot be a model at all.
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import attrs

from tiintel._exceptions import Provider, ResponseParseError, excerpt

T = TypeVar("T")


class FrozenMap(Mapping[str, T], Generic[T]):
    """A small read-only mapping that, unlike ``MappingProxyType``, pickles and copies."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, T] | None = None) -> None:
        self._data: dict[str, T] = dict(data or {})

    def __getitem__(self, key: str) -> T:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __repr__(self) -> str:
        return repr(self._data)

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._data,))


EMPTY_MAP: Mapping[str, Any] = FrozenMap()

# Epoch seconds beyond year 9999 (or before year 1) cannot be datetimes.
_MAX_EPOCH = 253402300799
_MIN_EPOCH = -62135596800


def require_mapping(value: Any, what: str, provider: Provider) -> Mapping[str, Any]:
    """The payload itself, or ResponseParseError when it is not a JSON object."""
    if not isinstance(value, Mapping):
        raise ResponseParseError(
            f"{what}: expected a JSON object, got {type(value).__name__}",
            excerpt=excerpt(repr(value)),
            provider=provider,
        )
    return value


def require_id(payload: Mapping[str, Any], what: str, provider: Provider, key: str = "id") -> str:
    """The identifying ``id`` as a string (ints are accepted), or ResponseParseError."""
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise ResponseParseError(
            f"{what}: missing or invalid {key!r}",
            excerpt=excerpt(repr(dict(payload))[:400]),
            provider=provider,
        )
    return str(value)


def as_str(value: Any) -> str | None:
    """A string, or None."""
    return value if isinstance(value, str) else None


def as_nonempty_str(value: Any) -> str | None:
    """A non-empty string, or None (OTX sends "" for "no value")."""
    return value if isinstance(value, str) and value else None


def as_id(value: Any) -> str | None:
    """An identifier as a string: str as is, int converted, anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return None


def as_int(value: Any) -> int | None:
    """An int from an int, an integral float or a decimal string; else None (bools are not ints)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str) and 0 < len(value) <= 20:
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def as_count(value: Any) -> int:
    """A count: an int, 0 when absent or malformed."""
    number = as_int(value)
    return number if number is not None else 0


def as_float(value: Any) -> float | None:
    """A finite float from an int or float; else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def as_bool(value: Any) -> bool | None:
    """A bool from a bool or the 0/1 integers OTX uses; else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    return None


def as_list(value: Any) -> list[Any] | None:
    """The list itself when the value is a JSON array (or tuple), else None."""
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    return None


def as_str_tuple(value: Any) -> tuple[str, ...] | None:
    """A tuple of the strings in a list (other items are dropped); None when not a list."""
    items = as_list(value)
    if items is None:
        return None
    return tuple(item for item in items if isinstance(item, str))


def as_mapping(value: Any) -> Mapping[str, Any] | None:
    """The mapping itself when the value is a JSON object, else None."""
    return value if isinstance(value, Mapping) else None


def epoch_dt(value: Any) -> datetime | None:
    """An aware UTC datetime from Unix seconds; None when absent, malformed or out of range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not (isinstance(value, int) or math.isfinite(value)) or not (
        _MIN_EPOCH <= value <= _MAX_EPOCH
    ):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def iso_dt(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO-8601 string (naive means UTC; Z or offsets honoured)."""
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        return None
    return _parse_iso(value)


@functools.lru_cache(maxsize=4096)
def _parse_iso(value: str) -> datetime | None:
    # Cached: the indicators of one pulse mostly share their timestamps (a 600,000-indicator feed
    # repeats a few thousand strings), and datetimes are immutable.
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def any_dt(value: Any) -> datetime | None:
    """An aware UTC datetime from either an ISO-8601 string or Unix seconds."""
    return iso_dt(value) if isinstance(value, str) else epoch_dt(value)


def freeze(value: Any) -> Any:
    """A read-only deep copy: objects become FrozenMap, arrays become tuples."""
    if isinstance(value, Mapping):
        return FrozenMap({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def frozen_map(value: Any) -> Mapping[str, Any] | None:
    """A read-only deep copy of a JSON object, or None when the value is not one."""
    if not isinstance(value, Mapping):
        return None
    frozen: Mapping[str, Any] = freeze(value)
    return frozen


def str_map(value: Any) -> Mapping[str, str] | None:
    """A read-only map of the string-valued entries of a JSON object, or None."""
    if not isinstance(value, Mapping):
        return None
    return FrozenMap({str(k): v for k, v in value.items() if isinstance(v, str)})


def model_tuple(
    value: Any, factory: Callable[[Mapping[str, Any]], T | None]
) -> tuple[T, ...] | None:
    """Sub-models built from the objects of a list; non-objects and rejected items are dropped."""
    items = as_list(value)
    if items is None:
        return None
    built = (factory(item) for item in items if isinstance(item, Mapping))
    return tuple(item for item in built if item is not None)


class LazyModelMap(Mapping[str, T], Generic[T]):
    """A read-only ``Mapping[str, T]`` that builds each sub-model on first access.

    VirusTotal reports carry ~70 engine results; most users read two or three of them.
    Only entries whose wire value is an object are kept, so ``len`` and iteration never lie.
    """

    __slots__ = ("_cache", "_factory", "_raw")

    def __init__(self, raw: Any, factory: Callable[[Mapping[str, Any]], T]) -> None:
        source = raw if isinstance(raw, Mapping) else {}
        # ``type(v) is dict`` first: decoded JSON is always a dict, and an ABC check costs 10x more.
        self._raw: dict[str, Mapping[str, Any]] = {
            str(k): v for k, v in source.items() if type(v) is dict or isinstance(v, Mapping)
        }
        self._factory = factory
        self._cache: dict[str, T] = {}

    def __getitem__(self, key: str) -> T:
        try:
            return self._cache[key]
        except KeyError:
            item = self._factory(self._raw[key])
            self._cache[key] = item
            return item

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __repr__(self) -> str:
        return short_map_repr(self)


def short_map_repr(value: Mapping[str, Any] | None) -> str:
    """A one-line repr of a possibly large mapping: its size and first keys."""
    if value is None:
        return "None"
    keys = list(value)
    more = ", ..." if len(keys) > 5 else ""
    return f"<{len(keys)} entries: {', '.join(map(str, keys[:5]))}{more}>"


def short_seq_repr(value: tuple[Any, ...] | None) -> str:
    """A one-line repr of a possibly long tuple: its length only."""
    return "None" if value is None else f"<{len(value)} items>"


def jsonable(value: Any) -> Any:
    """A JSON-ready copy: models via their to_dict, datetimes as ISO-8601, tuples as lists."""
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [jsonable(v) for v in value]
    return value


class Model:
    """Mixin of every tiintel model: ``to_dict()`` over the attrs fields, ``raw`` excluded."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the public fields (datetimes as ISO-8601 strings, tuples as lists)."""
        return {
            field.name: jsonable(getattr(self, field.name))
            for field in attrs.fields(type(self))  # type: ignore[arg-type]
            if field.name != "raw"
        }


def html_value(value: Any) -> str:
    """One escaped HTML cell: sequences joined with commas, mappings summarised, None as empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return html.escape(value.isoformat())
    if isinstance(value, Model):
        return html.escape(repr(value))
    if isinstance(value, Mapping):
        return html.escape(short_map_repr(value))
    if isinstance(value, tuple | list):
        return ", ".join(html_value(v) for v in value)
    return html.escape(str(value))


def html_table(title: str, rows: list[tuple[str, Any]]) -> str:
    """A small HTML table for Jupyter; every string in it is escaped (strangers write pulse names)."""
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(name)}</th><td>{html_value(value)}</td></tr>"
        for name, value in rows
    )
    return f"<table><caption>{html.escape(title)}</caption>{body}</table>"
