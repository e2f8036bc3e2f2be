"""Deterministic generated data: engine result maps and records for indicators nobody seeded.

Everything here is a pure function of its arguments (a value's sha256 drives every choice), so bulk
runs over thousands of indicators are repeatable.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from tiintel.testing._classify import hash_kind

__all__ = [
    "analysis_results",
    "derived_hashes",
    "engines",
    "file_is_known",
    "generated_file",
    "generated_network",
    "stats_block",
]

FILE_STAT_KEYS = (
    "harmless",
    "type-unsupported",
    "suspicious",
    "confirmed-timeout",
    "timeout",
    "failure",
    "malicious",
    "undetected",
)
NETWORK_STAT_KEYS = ("harmless", "malicious", "suspicious", "undetected", "timeout")
_BASE_EPOCH = 1_700_000_000


def digest(value: str) -> bytes:
    """The sha256 of a value: the single source of every generated choice."""
    return hashlib.sha256(value.encode()).digest()


@cache
def _engine_table() -> dict[str, Any]:
    text = resources.files("tiintel.testing").joinpath("data/engines.json").read_text("utf-8")
    table: dict[str, Any] = json.loads(text)
    return table


def engines(kind: str) -> list[dict[str, str]]:
    """The engine list for ``file`` analyses or for network (url/domain/ip) analyses."""
    table = _engine_table()
    if kind == "file":
        return list(table["file_engines"])
    return [{"name": name} for name in table["url_engines"]]


def stats_block(kind: str, counts: dict[str, int]) -> dict[str, int]:
    """A full ``last_analysis_stats`` map: every key the service sends, missing ones zero."""
    keys = FILE_STAT_KEYS if kind == "file" else NETWORK_STAT_KEYS
    return {key: int(counts.get(key, 0)) for key in keys}


def analysis_results(
    kind: str, object_id: str, stats: dict[str, int], names: list[str]
) -> dict[str, dict[str, Any]]:
    """An engine result map whose categories add up to ``stats`` exactly.

    Engines are ordered by a hash of (object id, engine) so each object gets its own spread.
    """
    pool = sorted(engines(kind), key=lambda e: digest(object_id + e["name"]))
    order = ["malicious", "suspicious", "harmless", "timeout", "type-unsupported", "undetected"]
    categories: list[str] = []
    for category in order:
        categories.extend([category] * stats.get(category, 0))
    categories.extend(["undetected"] * max(0, len(pool) - len(categories)))
    results: dict[str, dict[str, Any]] = {}
    for index, (engine, category) in enumerate(zip(pool, categories, strict=False)):
        results[engine["name"]] = _engine_result(kind, engine, category, names, index)
    return dict(sorted(results.items()))


def _engine_result(
    kind: str, engine: dict[str, str], category: str, names: list[str], index: int
) -> dict[str, Any]:
    if category in {"malicious", "suspicious"}:
        result: str | None = names[index % len(names)] if names else category
    elif kind == "file":
        result = None
    else:
        result = "clean" if category == "harmless" else "unrated"
    entry: dict[str, Any] = {
        "category": category,
        "engine_name": engine["name"],
        "method": "blacklist",
        "result": result,
    }
    if kind == "file":
        entry["engine_version"] = engine["version"]
        entry["engine_update"] = engine["update"]
    return entry


def file_is_known(value: str) -> bool:
    """The documented 404 rule: a hash whose first hex digit is 0-7 is known, 8-f is unknown."""
    return hash_kind(value) is not None and value[0].lower() in "01234567"


def derived_hashes(value: str) -> dict[str, str]:
    """md5/sha1/sha256 of one generated file; the given form is kept, the others keep its first digit."""
    given = value.lower()
    out = {"md5": "", "sha1": "", "sha256": ""}
    for name in out:
        out[name] = given[0] + hashlib.new(name, f"tiintel:{given}".encode()).hexdigest()[1:]
    out[hash_kind(given) or "sha256"] = given
    return out


def generated_file(value: str) -> dict[str, Any]:
    """Seed attributes (with ``stats``) for a known-by-rule file hash."""
    hashes = derived_hashes(value)
    seed = digest(hashes["sha256"])
    malicious = 5 + seed[1] % 40 if seed[0] % 4 == 0 else 0
    suspicious = seed[2] % 3 if malicious else 0
    when = _BASE_EPOCH + int.from_bytes(seed[4:8], "big") % 30_000_000
    return {
        **hashes,
        "size": 1024 + int.from_bytes(seed[8:11], "big") % 4_000_000,
        "names": [f"sample_{hashes['sha256'][:8]}.bin"],
        "meaningful_name": f"sample_{hashes['sha256'][:8]}.bin",
        "type_description": "Win32 EXE" if seed[3] % 2 else "Text",
        "type_tag": "peexe" if seed[3] % 2 else "text",
        "tags": [],
        "first_submission_date": when - 86_400 * (seed[9] % 100),
        "last_submission_date": when,
        "last_analysis_date": when,
        "last_modification_date": when + 60,
        "times_submitted": 1 + seed[10] % 50,
        "unique_sources": 1 + seed[10] % 20,
        "reputation": -malicious,
        "total_votes": {"harmless": 0, "malicious": 0},
        "stats": {
            "malicious": malicious,
            "suspicious": suspicious,
            "type-unsupported": 4,
            "undetected": 73 - 4 - malicious - suspicious,
        },
        "detection_names": ["Trojan.Generic.Fake", "Malware.Gen"],
    }


def generated_network(value: str) -> dict[str, Any]:
    """Seed attributes (with ``stats``) for any valid URL, domain or IP nobody seeded.

    About 1 in 8 values is malicious, 1 in 8 suspicious, the rest harmless (by the value's hash).
    """
    seed = digest(value.lower())
    band = seed[0]
    if band < 32:
        malicious, suspicious = 5 + seed[1] % 10, seed[2] % 3
    elif band < 64:
        malicious, suspicious = 1, 2
    else:
        malicious, suspicious = 0, 0
    harmless = 50 + seed[3] % 10
    when = _BASE_EPOCH + int.from_bytes(seed[4:8], "big") % 30_000_000
    return {
        "tags": [],
        "reputation": -5 * malicious,
        "total_votes": {"harmless": 0, "malicious": 0},
        "last_analysis_date": when,
        "last_modification_date": when + 60,
        "stats": {
            "malicious": malicious,
            "suspicious": suspicious,
            "harmless": harmless,
            "undetected": 72 - harmless - malicious - suspicious,
        },
        "detection_names": ["malicious", "malware"],
    }
