"""VirusTotal API v3: ``VirusTotalClient`` and its async twin ``AsyncVirusTotalClient``."""

from __future__ import annotations

from tiintel.virustotal._pager import AsyncVTIterator, VTIterator
from tiintel.virustotal.client import AsyncVirusTotalClient, VirusTotalClient
from tiintel.virustotal.resources._upload import DIRECT_UPLOAD_LIMIT, MAX_UPLOAD_SIZE

__all__ = [
    "DIRECT_UPLOAD_LIMIT",
    "MAX_UPLOAD_SIZE",
    "AsyncVTIterator",
    "AsyncVirusTotalClient",
    "VTIterator",
    "VirusTotalClient",
]
