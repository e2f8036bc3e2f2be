"""Fake pulse sources for the store tests: generators of Pulse.from_api payloads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

import tiintel
from tiintel.models import PulseEvent
from tiintel.models.otx import Pulse

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def pulse_payload(
    pulse_id: str, modified: str, indicators: Sequence[tuple[Any, ...]], **extra: Any
) -> dict[str, Any]:
    """A /pulses/subscribed pulse; indicators are (value, type[, expiration[, is_active]])."""
    items = []
    for number, spec in enumerate(indicators):
        value, kind, *rest = spec
        expiration = rest[0] if rest else None
        active = rest[1] if len(rest) > 1 else 1
        items.append(
            {
                "id": number + 1,
                "indicator": value,
                "type": kind,
                "created": "2024-01-01T00:00:00",
                "expiration": expiration,
                "is_active": active,
                "title": "",
                "description": "",
            }
        )
    return {
        "id": pulse_id,
        "name": f"pulse {pulse_id}",
        "tlp": "white",
        "tags": ["t"],
        "adversary": "",
        "malware_families": [],
        "attack_ids": [],
        "created": "2024-01-01T00:00:00",
        "modified": modified,
        "indicators": items,
        **extra,
    }


class FakeStream:
    """Iterates pulses like the client; ``watermark`` is set only after a complete pass."""

    def __init__(self, pulses: list[Pulse], fail_after: int | None) -> None:
        self._pulses = pulses
        self._fail_after = fail_after
        self.watermark: datetime | None = None

    def __iter__(self) -> Iterator[Pulse]:
        newest = None
        for number, pulse in enumerate(self._pulses):
            if self._fail_after is not None and number == self._fail_after:
                raise ConnectionError("504 Gateway Timeout")
            newest = pulse.modified if newest is None else max(newest, pulse.modified)
            yield pulse
        self.watermark = newest


class FakeAsyncStream(FakeStream):
    def __aiter__(self) -> Any:
        return self._agen()

    async def _agen(self) -> Any:
        for pulse in iter(self):
            yield pulse


class FakePulses:
    def __init__(self, payloads: list[dict[str, Any]], asynchronous: bool = False) -> None:
        self.payloads = payloads
        self.fail_after: int | None = None
        self.calls: list[Any] = []
        self.events_log: list[dict[str, Any]] = []
        self.event_calls: list[Any] = []
        self._asynchronous = asynchronous
        self._stream = FakeAsyncStream if asynchronous else FakeStream

    def event(self, action: str, pulse_id: str, created: str) -> None:
        """Record a subscription event, as /pulses/events lists it."""
        self.events_log.append(
            {"id": str(len(self.events_log)), "action": action, "object_type": "pulse",
             "object_id": pulse_id, "created": created}
        )  # fmt: skip

    def events(self, *, since: datetime | None = None) -> Any:
        self.event_calls.append(since)
        found = [PulseEvent.from_api(e) for e in self.events_log]
        found = [e for e in found if since is None or (e.created and e.created > since)]
        return _aiter(found) if self._asynchronous else iter(found)

    def get(self, pulse_id: str) -> Any:
        found = [Pulse.from_api(p) for p in self.payloads if p["id"] == pulse_id]
        if not self._asynchronous:
            return _one(found, pulse_id)

        async def later() -> Pulse:
            return _one(found, pulse_id)

        return later()

    def subscribed(
        self,
        *,
        modified_since: datetime | str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> Any:
        self.calls.append(modified_since)
        pulses = [Pulse.from_api(p) for p in self.payloads]
        if isinstance(modified_since, datetime):
            pulses = [p for p in pulses if p.modified >= modified_since]
        pulses.sort(key=lambda p: p.modified)
        return self._stream(pulses, self.fail_after)


async def _aiter(items: list[Any]) -> Any:
    for item in items:
        yield item


def _one(found: list[Pulse], pulse_id: str) -> Pulse:
    if not found:
        raise tiintel.NotFoundError(f"no pulse {pulse_id}", status_code=404, provider="otx")
    return found[0]


class FakeOTX:
    def __init__(self, payloads: list[dict[str, Any]], asynchronous: bool = False) -> None:
        self.pulses = FakePulses(payloads, asynchronous)


@pytest.fixture
def payloads() -> list[dict[str, Any]]:
    return [
        pulse_payload(
            "a" * 24,
            "2024-05-01T10:00:00",
            [
                ("evil.example", "domain"),
                ("1.2.3.4", "IPv4"),
                ("44D88612FEA8A8F36DE82E1278ABB02F", "FileHash-MD5"),
                ("old.example", "hostname", "2024-01-01T00:00:00"),
                ("gone.example", "domain", None, 0),
                ("10.0.0.0/8", "CIDR"),
            ],
            adversary="APT Test",
        ),
        pulse_payload(
            "b" * 24,
            "2024-05-02T10:00:00",
            [("hxxp://bad[.]example/x.php", "URL"), ("1.2.3.4", "IPv4")],
        ),
        pulse_payload("c" * 24, "2024-05-03T10:00:00", [("CVE-2021-44228", "CVE")]),
    ]
