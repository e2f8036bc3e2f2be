"""The mutable state behind ``FakeVirusTotal``: dataset, analyses, upload/download tokens, voters."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from tiintel.testing._faults import QuotaBook
from tiintel.testing._vt_data import VTDataset

__all__ = ["Analysis", "VTState"]


@dataclass
class Analysis:
    """One submitted analysis; its status moves forward on every GET /analyses poll."""

    kind: str  # "file" or "url"
    target: str  # sha256 or url id
    date: int
    stats: dict[str, int]
    results: dict[str, Any]
    info: dict[str, Any]
    pending: dict[str, Any] | None = None  # a new upload, stored when the analysis completes
    polls: int = 0


@dataclass
class VTState:
    """What the handlers read and change; one per fake."""

    dataset: VTDataset
    quota: QuotaBook
    premium: bool = False
    analysis_polls: int = 3
    analyses: dict[str, Analysis] = field(default_factory=dict)
    upload_tokens: set[str] = field(default_factory=set)
    download_tokens: dict[str, str] = field(default_factory=dict)
    voters: set[tuple[str, str, str]] = field(default_factory=set)
    _serial: int = 0
    _last_ts: int = 0

    def token(self, purpose: str) -> str:
        """A fresh opaque token (deterministic per fake: a counter, hashed)."""
        self._serial += 1
        return hashlib.sha256(f"{purpose}:{self._serial}".encode()).hexdigest()[:32]

    def timestamp(self) -> int:
        """Wall-clock seconds, strictly increasing so analysis ids never collide."""
        self._last_ts = max(self._last_ts + 1, int(time.time()))
        return self._last_ts
