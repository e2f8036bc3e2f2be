"""The VirusTotal side of the dataset: seeded records, generation rules and user additions."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from tiintel.testing import _generate as gen
from tiintel.testing._classify import (
    canonical_url,
    hash_kind,
    ip_version,
    is_domain,
    url_from_b64_id,
    url_sha256,
)

__all__ = ["COLLECTIONS", "VTDataset"]

COLLECTIONS = {"files": "file", "urls": "url", "domains": "domain", "ip_addresses": "ip_address"}
ObjectKey = tuple[str, str]


@cache
def _seed_json() -> dict[str, Any]:
    text = resources.files("tiintel.testing").joinpath("data/virustotal.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class VTDataset:
    """Everything a ``FakeVirusTotal`` knows: files, URLs, domains, IPs, relationships, comments.

    ``VTDataset()`` starts from the seeded package data; ``VTDataset(seed=False)`` starts empty
    (generated data for unknown indicators still applies). Objects are kept as attribute maps
    keyed by (type, id); unseeded valid indicators get deterministic generated records on first
    lookup.
    """

    def __init__(self, *, seed: bool = True) -> None:
        self.objects: dict[ObjectKey, dict[str, Any]] = {}
        self.relationships: dict[ObjectKey, dict[str, list[ObjectKey]]] = {}
        self.comments: dict[ObjectKey, list[dict[str, Any]]] = {}
        self.votes: dict[ObjectKey, list[dict[str, Any]]] = {}
        self.behaviours: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self._file_index: dict[str, str] = {}
        if seed:
            self._load(copy.deepcopy(_seed_json()))

    def _load(self, data: dict[str, Any]) -> None:
        for record in data["files"]:
            content = record.pop("content", None)
            encoding = record.pop("content_encoding", "utf-8")
            sha256 = self.add_file(**record)
            if content is not None:
                self.contents[sha256] = content.encode(encoding)
        for record in data["urls"]:
            serving_ip = record.pop("serving_ip", None)
            url_id = self.add_url(**record)
            if serving_ip:
                self.relate("url", url_id, "last_serving_ip_address", [("ip_address", serving_ip)])
        for record in data["domains"]:
            resolutions = record.pop("resolutions", [])
            name = self.add_domain(record.pop("id"), **record)
            self.relate(
                "domain", name, "resolutions", [("resolution", ip + name) for ip in resolutions]
            )
        for record in data["ip_addresses"]:
            resolutions = record.pop("resolutions", [])
            ip = record.pop("id")
            self.add_ip(ip, **record)
            self.relate(
                "ip_address", ip, "resolutions", [("resolution", ip + d) for d in resolutions]
            )
        for target, rels in data["relationships"].items():
            collection, _, object_id = target.partition("/")
            if collection == "urls":
                object_id = url_sha256(object_id)
            for name, items in rels.items():
                self.relate(COLLECTIONS[collection], object_id, name, [tuple(i) for i in items])
        for comment in data["comments"]:
            collection, _, object_id = comment["target"].partition("/")
            self.add_comment(COLLECTIONS[collection], object_id, comment["text"], comment["date"])
        self.behaviours.update(data["behaviours"])

    # ---- additions -------------------------------------------------------------------------

    def add_file(
        self,
        content: bytes | None = None,
        *,
        md5: str | None = None,
        sha1: str | None = None,
        sha256: str | None = None,
        malicious: int = 0,
        suspicious: int = 0,
        label: str | None = None,
        **attributes: Any,
    ) -> str:
        """Add or replace a file report; returns its sha256.

        Give the bytes (hashes and size are computed, and ``/download`` serves them) or at least
        one hash. ``malicious``/``suspicious`` set the engine counts (73 file engines), ``label``
        the suggested threat label; any other keyword becomes a file attribute as is.
        """
        if content is not None:
            md5 = hashlib.md5(content).hexdigest()  # noqa: S324 - a file identifier, not security
            sha1 = hashlib.sha1(content).hexdigest()  # noqa: S324
            sha256 = hashlib.sha256(content).hexdigest()
            attributes.setdefault("size", len(content))
        given = sha256 or sha1 or md5
        if not given or hash_kind(given) is None:
            raise ValueError("add_file needs the content or a valid md5, sha1 or sha256")
        hashes = gen.derived_hashes(given)
        hashes.update({k: v.lower() for k, v in (("md5", md5), ("sha1", sha1)) if v})
        if sha256:
            hashes["sha256"] = sha256.lower()
        stats = attributes.pop("stats", None) or {
            "malicious": malicious,
            "suspicious": suspicious,
            "type-unsupported": 4,
            "undetected": 69 - malicious - suspicious,
        }
        names = attributes.pop("detection_names", None) or [label or "Malware.Generic"]
        attributes.setdefault("size", 0)
        attributes.setdefault("names", [])
        attributes.setdefault("tags", [])
        attributes.setdefault("last_analysis_date", 1_735_689_600)
        attributes.setdefault("total_votes", {"harmless": 0, "malicious": 0})
        attributes.setdefault("reputation", 0)
        if label and "popular_threat_classification" not in attributes:
            attributes["popular_threat_classification"] = {
                "suggested_threat_label": label,
                "popular_threat_category": [{"count": stats["malicious"], "value": "trojan"}],
                "popular_threat_name": [{"count": stats["malicious"], "value": label}],
            }
        attributes.update(hashes)
        if content is not None:
            self.contents[hashes["sha256"]] = content
        self._store("file", hashes["sha256"], attributes, stats, names)
        for value in hashes.values():
            self._file_index[value] = hashes["sha256"]
        return hashes["sha256"]

    def add_url(
        self, url: str, *, malicious: int = 0, suspicious: int = 0, **attributes: Any
    ) -> str:
        """Add or replace a URL report; returns its sha256 identifier."""
        canonical = canonical_url(url)
        if canonical is None:
            raise ValueError(f"not a URL: {url!r}")
        url_id = url_sha256(canonical)
        attributes.setdefault("last_final_url", canonical)
        attributes["url"] = canonical
        self._store_network("url", url_id, attributes, malicious, suspicious)
        host = canonical.split("/")[2].split(":")[0]
        location = "ip_address" if ip_version(host) else "domain"
        self.relationships.setdefault(("url", url_id), {}).setdefault(
            "network_location", [(location, host)]
        )
        return url_id

    def add_domain(
        self, domain: str, *, malicious: int = 0, suspicious: int = 0, **attributes: Any
    ) -> str:
        """Add or replace a domain report; returns the domain."""
        name = domain.lower().rstrip(".")
        if not is_domain(name):
            raise ValueError(f"not a domain: {domain!r}")
        self._store_network("domain", name, attributes, malicious, suspicious)
        return name

    def add_ip(self, ip: str, *, malicious: int = 0, suspicious: int = 0, **attributes: Any) -> str:
        """Add or replace an IP address report; returns the address."""
        if ip_version(ip) is None:
            raise ValueError(f"not an IP address: {ip!r}")
        self._store_network("ip_address", ip, attributes, malicious, suspicious)
        return ip

    def relate(
        self, kind: str, object_id: str, name: str, items: Iterable[tuple[Any, ...]]
    ) -> None:
        """Set relationship ``name`` of an object to (type, id) pairs (replacing earlier ones)."""
        pairs = [(t, url_sha256(i) if t == "url" and "://" in i else i) for t, i in items]
        self.relationships.setdefault((kind, object_id), {})[name] = pairs

    def add_comment(self, kind: str, object_id: str, text: str, date: int) -> dict[str, Any]:
        """Add a comment (newest first, like the service) and return the comment object."""
        prefix = {"file": "f", "url": "u", "domain": "d", "ip_address": "i"}[kind]
        comment_id = (
            f"{prefix}-{object_id}-{hashlib.sha256(f'{text}{date}'.encode()).hexdigest()[:8]}"
        )
        words = text.split()
        comment = {
            "type": "comment",
            "id": comment_id,
            "attributes": {
                "date": date,
                "text": text,
                "html": text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
                "tags": [w[1:].strip(".,") for w in words if w.startswith("#") and len(w) > 1],
                "votes": {"positive": 0, "negative": 0, "abuse": 0},
            },
        }
        self.comments.setdefault((kind, object_id), []).insert(0, comment)
        return comment

    # ---- lookups ---------------------------------------------------------------------------

    def find(self, kind: str, object_id: str) -> tuple[str, dict[str, Any]] | None:
        """The (canonical id, attributes) of an object, generating it by the documented rules."""
        if kind == "file":
            return self._find_file(object_id.lower())
        if kind == "url":
            return self._find_url(object_id)
        key_id = object_id.lower().rstrip(".") if kind == "domain" else object_id
        if (kind, key_id) in self.objects:
            return key_id, self.objects[(kind, key_id)]
        valid = is_domain(key_id) if kind == "domain" else ip_version(key_id) is not None
        if not valid:
            return None
        self._store_network(kind, key_id, gen.generated_network(key_id), 0, 0)
        return key_id, self.objects[(kind, key_id)]

    def _find_file(self, value: str) -> tuple[str, dict[str, Any]] | None:
        sha256 = self._file_index.get(value)
        if sha256 is None:
            if not gen.file_is_known(value):
                return None
            sha256 = self.add_file(**gen.generated_file(value))
        return sha256, self.objects[("file", sha256)]

    def _find_url(self, value: str) -> tuple[str, dict[str, Any]] | None:
        if hash_kind(value) == "sha256":
            key = value.lower()
            return (key, self.objects[("url", key)]) if ("url", key) in self.objects else None
        url = url_from_b64_id(value) if "://" not in value else value
        canonical = canonical_url(url) if url else None
        if canonical is None:
            return None
        url_id = url_sha256(canonical)
        if ("url", url_id) not in self.objects:
            self.add_url(canonical, **gen.generated_network(canonical))
        return url_id, self.objects[("url", url_id)]

    def file_id(self, value: str) -> str | None:
        """The sha256 of a file the dataset holds (by any hash form), without generating."""
        return self._file_index.get(value.lower())

    # ---- storage ---------------------------------------------------------------------------

    def _store_network(
        self, kind: str, object_id: str, attributes: dict[str, Any], malicious: int, suspicious: int
    ) -> None:
        stats = attributes.pop("stats", None)
        if stats is None:
            harmless = 60 if not malicious else 50
            stats = {
                "malicious": malicious,
                "suspicious": suspicious,
                "harmless": harmless,
                "undetected": max(0, 72 - harmless - malicious - suspicious),
            }
        names = attributes.pop("detection_names", None) or ["malicious"]
        attributes.setdefault("tags", [])
        attributes.setdefault("reputation", 0)
        attributes.setdefault("total_votes", {"harmless": 0, "malicious": 0})
        attributes.setdefault("last_analysis_date", 1_735_689_600)
        self._store(kind, object_id, attributes, stats, names)

    def _store(
        self,
        kind: str,
        object_id: str,
        attributes: dict[str, Any],
        stats: dict[str, int],
        names: list[str],
    ) -> None:
        engine_kind = "file" if kind == "file" else "network"
        attributes["last_analysis_stats"] = gen.stats_block(engine_kind, stats)
        attributes["last_analysis_results"] = gen.analysis_results(
            engine_kind, object_id, stats, names
        )
        self.objects[(kind, object_id)] = attributes
