"""The OTX side of the dataset: pulses, whitelist entries, the test user and events."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from tiintel.testing._classify import canonical_url, otx_type

__all__ = ["OTXDataset", "iso"]

_PULSE_TIME = timedelta(hours=9, minutes=30, seconds=12, microseconds=345000)


@cache
def _seed_json() -> dict[str, Any]:
    text = resources.files("tiintel.testing").joinpath("data/otx.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def iso(moment: datetime) -> str:
    """OTX timestamp text: naive UTC with microseconds, like ``2023-08-22T09:43:18.855000``."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _number(*parts: str) -> int:
    return (
        3_000_000_000 + int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:12], 16) % 10**9
    )


def match_key(value: str) -> str:
    """How indicators are compared: URLs by canonical form, everything else case-insensitively."""
    if "://" in value:
        return canonical_url(value) or value
    return value.lower()


class OTXDataset:
    """Everything a ``FakeOTX`` knows.

    Seeded pulse dates are relative to ``today`` (default: the current UTC date), so "recent"
    pulses stay recent and "older than a year" ones stay old whenever the tests run.
    """

    def __init__(self, *, seed: bool = True, today: datetime | None = None) -> None:
        now = today or datetime.now(UTC)
        self.base = now.replace(hour=0, minute=0, second=0, microsecond=0) + _PULSE_TIME
        self.pulses: dict[str, dict[str, Any]] = {}
        self.validation: dict[str, list[dict[str, Any]]] = {}
        self.false_positive: dict[str, list[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.user: dict[str, Any] = {"username": "tiintel_tester", "id": "424242", "groups": []}
        if seed:
            self._load(copy.deepcopy(_seed_json()))

    def _load(self, data: dict[str, Any]) -> None:
        self.user = data["user"]
        self.validation = data["validation"]
        self.false_positive = data["false_positive"]
        for pulse in data["pulses"]:
            self.add_pulse(
                pulse.pop("name"),
                pulse.pop("indicators"),
                created=self.base - timedelta(days=pulse.pop("created_days_ago")),
                modified=self.base - timedelta(days=pulse.pop("modified_days_ago")),
                **pulse,
            )
        for event in data["events"]:
            self.add_event(
                event["action"],
                event["object_type"],
                event["object_id"],
                self.base - timedelta(days=event["days_ago"]),
            )

    def add_pulse(
        self,
        name: str,
        indicators: Iterable[str | Mapping[str, Any]] = (),
        *,
        id: str | None = None,
        tlp: str = "green",
        public: int | bool = True,
        adversary: str = "",
        malware_families: Sequence[str] = (),
        attack_ids: Sequence[str | Mapping[str, str]] = (),
        tags: Sequence[str] = (),
        targeted_countries: Sequence[str] = (),
        industries: Sequence[str] = (),
        references: Sequence[str] = (),
        description: str = "",
        author_name: str = "AlienVault",
        subscribed: bool = True,
        created: datetime | None = None,
        modified: datetime | None = None,
    ) -> str:
        """Add a pulse and return its 24-hex id.

        ``indicators`` are plain values (their OTX type is worked out) or dicts with at least
        ``indicator`` (and optionally ``type``, ``title``, ``description``, ``role``, ``expiration``,
        ``is_active``). ``subscribed`` decides whether it shows in ``/pulses/subscribed``.
        """
        created = created or self.base
        modified = modified or created
        pulse_id = id or hashlib.sha256(name.encode()).hexdigest()[:24]
        pulse: dict[str, Any] = {
            "id": pulse_id,
            "name": name,
            "description": description or f"Synthetic pulse for tiintel tests: {name}.",
            "author_name": author_name,
            "created": iso(created),
            "modified": iso(modified),
            "revision": 1,
            "tlp": tlp.lower(),
            "public": int(bool(public)),
            "adversary": adversary,
            "malware_families": list(malware_families),
            "attack_ids": [_attack(a) for a in attack_ids],
            "tags": list(tags),
            "targeted_countries": list(targeted_countries),
            "industries": list(industries),
            "references": list(references),
            "subscribed": subscribed,
            "subscriber_count": 10 + int(pulse_id[:2], 16),
            "groups": [],
            "indicators": [],
        }
        for item in indicators:
            pulse["indicators"].append(self._indicator(pulse_id, item, pulse["created"][:19]))
        self.pulses[pulse_id] = pulse
        return pulse_id

    def _indicator(
        self, pulse_id: str, item: str | Mapping[str, Any], created: str
    ) -> dict[str, Any]:
        spec: dict[str, Any] = {"indicator": item} if isinstance(item, str) else dict(item)
        value = str(spec["indicator"])
        kind = spec.get("type") or otx_type(value)
        if kind is None:
            raise ValueError(f"cannot tell the OTX type of {value!r}; pass a dict with 'type'")
        return {
            "id": spec.get("id") or _number(pulse_id, value),
            "indicator": value,
            "type": kind,
            "created": spec.get("created", created),
            "content": spec.get("content", ""),
            "title": spec.get("title", ""),
            "description": spec.get("description", ""),
            "expiration": spec.get("expiration"),
            "is_active": int(spec.get("is_active", 1)),
            "role": spec.get("role"),
        }

    def add_event(self, action: str, object_type: str, object_id: str, when: datetime) -> None:
        """Record a subscription event (shown by ``/pulses/events``)."""
        created = iso(when)
        event_id = hashlib.sha256(f"{action}{object_id}{created}".encode()).hexdigest()[:24]
        self.events.append(
            {
                "id": event_id,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "created": created,
            }
        )

    def whitelist(self, value: str, *, name: str = "Whitelisted indicator") -> None:
        """Mark a value whitelisted (a ``validation`` entry on its general section)."""
        entry = {"source": "whitelist", "message": f"{name} {value}", "name": name}
        self.validation.setdefault(value.lower(), []).append(entry)

    def pulses_for(self, value: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(pulse, indicator) pairs of every pulse that carries the value, newest pulse first."""
        key = match_key(value)
        found = [
            (pulse, indicator)
            for pulse in self.pulses.values()
            for indicator in pulse["indicators"]
            if match_key(indicator["indicator"]) == key
        ]
        return sorted(found, key=lambda pair: pair[0]["modified"], reverse=True)


def _attack(value: str | Mapping[str, str]) -> dict[str, str]:
    if isinstance(value, Mapping):
        return {
            "id": value["id"],
            "name": value.get("name", ""),
            "display_name": value.get("display_name", value["id"]),
        }
    return {"id": value, "name": "", "display_name": value}
