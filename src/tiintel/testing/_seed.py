"""Names for the seeded dataset's notable indicators, so tests need not copy hashes around."""

from __future__ import annotations

from typing import Final

__all__ = [
    "C2_DOMAIN",
    "C2_IP",
    "CLEAN_SHA256",
    "EICAR_MD5",
    "EICAR_SHA1",
    "EICAR_SHA256",
    "HARMLESS_DOMAIN",
    "HARMLESS_IP",
    "LOADER_SHA256",
    "LOG4SHELL_CVE",
    "PHISH_DOMAIN",
    "PHISH_IP",
    "PHISH_URL",
    "UNKNOWN_SHA256",
]

EICAR_MD5: Final = "44d88612fea8a8f36de82e1278abb02f"
EICAR_SHA1: Final = "3395856ce81f2b7382dee72602f798b642f14140"
EICAR_SHA256: Final = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
CLEAN_SHA256: Final = "fe3fb2db1bd6a21b66f898962d89d3d5d1398cf31deef276d5472e30c43aa2cc"
LOADER_SHA256: Final = "eb9c3c8ef8d9a0b49b26e464459bf9b538a40e3fa80f53f73f4650bfaf932ca6"
UNKNOWN_SHA256: Final = "f" * 64
"""Unknown to VirusTotal by the 404 rule (first hex digit 8-f and not seeded)."""

PHISH_URL: Final = "http://phish.example/login"
PHISH_DOMAIN: Final = "phish.example"
PHISH_IP: Final = "45.133.1.20"
"""A global address (documentation ranges such as 203.0.113.0/24 are not global in ipaddress)."""

C2_IP: Final = "185.220.101.47"
C2_DOMAIN: Final = "c2.badcorp.example"
HARMLESS_IP: Final = "8.8.8.8"
HARMLESS_DOMAIN: Final = "google.com"
LOG4SHELL_CVE: Final = "CVE-2021-44228"
