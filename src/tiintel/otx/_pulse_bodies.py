"""Bodies of pulse creation and edits, validated client-side (pure).

OTX rejects these with a 400 after a slow round trip; checking here gives a clear error and
sends nothing. Argument errors (name, TLP, public) raise ``ValueError``; indicator errors raise
``InvalidIndicatorError`` (itself a ``ValueError``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from tiintel._exceptions import InvalidArgumentError

from ..models.otx import PulseIndicator
from ._indicators import IndicatorArg, pulse_indicator

__all__ = ["NAME_LENGTH", "TLPS", "create_body", "update_body"]

TLPS: Final = ("white", "clear", "green", "amber", "red")
"""Traffic Light Protocol levels OTX accepts (``clear`` is TLP 2.0's name for white)."""
PRIVATE_TLPS: Final = frozenset({"amber", "red"})
NAME_LENGTH: Final = (5, 64)
"""Inclusive bounds of a pulse name's length."""


def check_name(name: object) -> str:
    """The stripped name; ValueError unless it is a string of 5 to 64 characters."""
    low, high = NAME_LENGTH
    if not isinstance(name, str) or not low <= len(name.strip()) <= high:
        raise InvalidArgumentError(f"a pulse name must be {low} to {high} characters, got {name!r}")
    return name.strip()


def check_tlp(tlp: object, public: bool) -> str:
    """The lower-case TLP; ValueError for an unknown one or a public amber/red pulse."""
    level = tlp.strip().lower() if isinstance(tlp, str) else None
    if level not in TLPS:
        raise InvalidArgumentError(f"tlp must be one of {', '.join(TLPS)}, got {tlp!r}")
    if level in PRIVATE_TLPS and public:
        raise InvalidArgumentError(
            f"a TLP:{level.upper()} pulse cannot be public: pass public=False"
        )
    return level


def _strings(name: str, values: Iterable[str]) -> list[str]:
    if isinstance(values, str):
        return [values]
    items = list(values)
    if not all(isinstance(v, str) for v in items):
        raise InvalidArgumentError(f"{name} must be strings, got {items!r}")
    return items


def create_body(
    name: str,
    *,
    indicators: Iterable[IndicatorArg],
    description: str,
    public: bool,
    tlp: str,
    tags: Iterable[str],
    references: Iterable[str],
    adversary: str | None,
    malware_families: Iterable[str],
    attack_ids: Iterable[str],
    group_ids: Iterable[int],
) -> dict[str, Any]:
    """The JSON body of POST /pulses/create, every field checked."""
    if not isinstance(public, bool):
        raise InvalidArgumentError(f"public must be True or False, got {public!r}")
    groups = list(group_ids)
    if not all(isinstance(g, int) and not isinstance(g, bool) for g in groups):
        raise InvalidArgumentError(f"group_ids must be ints, got {groups!r}")
    body: dict[str, Any] = {
        "name": check_name(name),
        "description": description,
        "public": public,
        "TLP": check_tlp(tlp, public),
        "tags": _strings("tags", tags),
        "references": _strings("references", references),
        "indicators": [pulse_indicator(item) for item in indicators],
        "malware_families": _strings("malware_families", malware_families),
        "attack_ids": _strings("attack_ids", attack_ids),
        "group_ids": groups,
    }
    if adversary is not None:
        body["adversary"] = adversary
    return body


def _indicator_id(item: PulseIndicator | int | str | Mapping[str, Any]) -> dict[str, Any]:
    ident: Any = item
    if isinstance(item, PulseIndicator):
        ident = item.id
    elif isinstance(item, Mapping):
        ident = item.get("id")
    if ident is None or isinstance(ident, bool) or not isinstance(ident, int | str):
        raise InvalidArgumentError(
            f"remove= takes pulse indicator ids (or PulseIndicator objects), got {item!r}"
        )
    return {"id": ident}


def update_body(
    *,
    add: Iterable[IndicatorArg],
    remove: Iterable[PulseIndicator | int | str | Mapping[str, Any]],
    name: str | None,
    description: str | None,
    add_tags: Iterable[str],
    remove_tags: Iterable[str],
) -> dict[str, Any]:
    """The JSON body of PATCH /pulses/{id}; ValueError when it would change nothing."""
    body: dict[str, Any] = {}
    if name is not None:
        body["name"] = check_name(name)
    if description is not None:
        body["description"] = description
    added = [pulse_indicator(item) for item in add]
    removed = [_indicator_id(item) for item in remove]
    if added or removed:
        body["indicators"] = {"add": added, "remove": removed}
    tags_added, tags_removed = _strings("add_tags", add_tags), _strings("remove_tags", remove_tags)
    if tags_added or tags_removed:
        body["tags"] = {"add": tags_added, "remove": tags_removed}
    if not body:
        raise InvalidArgumentError(
            "nothing to update: pass add=, remove=, name=, description= or tags"
        )
    return body
