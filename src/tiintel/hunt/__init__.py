"""Threat hunting offline: a local store of synced OTX pulses and a log hunter.

``PulseStore`` keeps subscribed pulses and their indicators in one SQLite file, synced
incrementally; ``hunt()`` streams log files for the IoCs of a store or of any list.
Importing this package does not import ``sqlite3``: the store module loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tiintel.hunt._extract import extract_indicators
from tiintel.hunt._hunter import hunt
from tiintel.hunt._models import Match, StoreStats, SyncResult

if TYPE_CHECKING:
    from tiintel.hunt._store import PulseStore

__all__ = ["Match", "PulseStore", "StoreStats", "SyncResult", "extract_indicators", "hunt"]


def __getattr__(name: str) -> Any:
    if name == "PulseStore":
        from tiintel.hunt._store import PulseStore

        return PulseStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
