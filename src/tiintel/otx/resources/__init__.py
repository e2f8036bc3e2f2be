"""The resources of the OTX clients: ``indicators``, ``pulses`` and ``users`` (sync and async)."""

from __future__ import annotations

from tiintel.otx.resources.indicators import AsyncIndicators, Indicators, IndicatorSection
from tiintel.otx.resources.pulses import AsyncPulses, Pulses
from tiintel.otx.resources.users import AsyncUsers, Users

__all__ = [
    "AsyncIndicators",
    "AsyncPulses",
    "AsyncUsers",
    "IndicatorSection",
    "Indicators",
    "Pulses",
    "Users",
]
