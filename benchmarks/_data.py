"""Deterministic lookup values: known file hashes and global IPv4 addresses the fakes answer for."""

from __future__ import annotations

import hashlib


def known_hashes(count: int) -> list[str]:
    """``count`` distinct sha256 values the VirusTotal fake knows (first hex digit 0-7)."""
    out: list[str] = []
    i = 0
    while len(out) < count:
        digest = hashlib.sha256(f"tiintel-bench-{i}".encode()).hexdigest()
        if digest[0] in "01234567":
            out.append(digest)
        i += 1
    return out


def global_ips(count: int) -> list[str]:
    """``count`` distinct global IPv4 addresses (45.0.0.0/8 is ordinary public space)."""
    return [f"45.{i // 65024 % 256}.{i // 254 % 256}.{i % 254 + 1}" for i in range(count)]


def cycle(values: list[str], n: int) -> list[str]:
    """``n`` lookups cycling over ``values`` (the server has seen each one after the first round)."""
    return [values[i % len(values)] for i in range(n)]
