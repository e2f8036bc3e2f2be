"""AlienVault OTX DirectConnect API v1: ``OTXClient`` and its async twin ``AsyncOTXClient``."""

from __future__ import annotations

from tiintel.otx._indicators import PATH_TYPES, PULSE_TYPES, SECTIONS
from tiintel.otx._pager import AsyncOTXPageIterator, OTXPageIterator
from tiintel.otx._pulse_bodies import TLPS
from tiintel.otx.client import AsyncOTXClient, OTXClient
from tiintel.otx.resources.indicators import IndicatorSection

__all__ = [
    "PATH_TYPES",
    "PULSE_TYPES",
    "SECTIONS",
    "TLPS",
    "AsyncOTXClient",
    "AsyncOTXPageIterator",
    "IndicatorSection",
    "OTXClient",
    "OTXPageIterator",
]
