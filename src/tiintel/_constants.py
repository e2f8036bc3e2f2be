"""Defaults, in one place."""

from __future__ import annotations

from typing import Final

VT_BASE_URL: Final = "https://www.virustotal.com/api/v3"
OTX_BASE_URL: Final = "https://otx.alienvault.com/api/v1"
VT_API_KEY_ENV: Final = "VT_API_KEY"
OTX_API_KEY_ENV: Final = "OTX_API_KEY"
VT_KEY_HEADER: Final = "x-apikey"
OTX_KEY_HEADER: Final = "X-OTX-API-KEY"

VT_TIMEOUT: Final = 30.0
# OTX feeds and passive DNS routinely take 20-60 s on the real service.
OTX_TIMEOUT: Final = 90.0
CONNECT_TIMEOUT: Final = 5.0

MAX_RETRIES: Final = 3
MAX_QUOTA_WAIT: Final = 60.0
# Neither service sends Retry-After on 429: never retry a 429 sooner than this.
MIN_429_INTERVAL: Final = 15.0
BACKOFF_INITIAL: Final = 0.5
BACKOFF_MAX: Final = 30.0
RETRY_AFTER_CAP: Final = 120.0

# A drip-fed or huge body cannot hang a call or exhaust memory.
MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024

# Safety margin added to every limiter period, against clock jitter between us and the service.
QUOTA_SAFETY_MARGIN: Final = 0.05
