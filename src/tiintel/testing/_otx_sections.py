"""OTX ``/indicators/{type}/{value}/{section}``: every section, from pulses and generated data."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import unquote, urlsplit

from tiintel.testing._classify import canonical_url, hash_kind, valid_for_path_type
from tiintel.testing._otx_data import OTXDataset
from tiintel.testing._otx_render import detail_error, summary
from tiintel.testing._wire import FakeRequest, FakeResponse, json_response

__all__ = ["SECTIONS", "indicator_section", "split_indicator_path"]

_NET = [
    "general",
    "geo",
    "reputation",
    "url_list",
    "passive_dns",
    "malware",
    "nids_list",
    "http_scans",
]
_HOST = ["general", "geo", "url_list", "passive_dns", "malware", "whois", "http_scans"]
SECTIONS: dict[str, list[str]] = {
    "IPv4": _NET,
    "IPv6": _NET,
    "domain": _HOST,
    "hostname": _HOST,
    "url": ["general", "url_list", "http_scans", "screenshot"],
    "file": ["general", "analysis"],
    "cve": ["general", "nids_list", "malware"],
}
TITLES = {
    "IPv4": "IPv4",
    "IPv6": "IPv6",
    "domain": "Domain",
    "hostname": "Hostname",
    "url": "URL",
    "cve": "CVE",
}
_COUNTRIES = [
    ("US", "USA", "United States of America", "NA", 37.751, -97.822),
    ("DE", "DEU", "Germany", "EU", 51.2993, 9.491),
    ("NL", "NLD", "Netherlands", "EU", 52.3824, 4.8995),
    ("FR", "FRA", "France", "EU", 48.8582, 2.3387),
    ("SG", "SGP", "Singapore", "AS", 1.2929, 103.8547),
]


def split_indicator_path(raw_rest: str, raw_query: str) -> tuple[str, str, str, bool] | None:
    """(path type, value, section, query_was_part_of_value) from the raw path after /indicators/.

    The value is normally ONE percent-encoded segment; the raw form OTXv2 sends (a URL with its
    own slashes, and a ``?`` that split the query off) is accepted too.
    """
    path_type, _, rest = raw_rest.partition("/")
    if "/" not in rest:
        return None
    raw_value, _, section = rest.rpartition("/")
    in_query = False
    if section not in SECTIONS.get(path_type, []) and raw_query and "/" in raw_query:
        head, _, tail = raw_query.rpartition("/")
        if tail in SECTIONS.get(path_type, []):
            raw_value, section, in_query = f"{rest}?{head}", tail, True
    value = raw_value if "/" in raw_value else unquote(raw_value)
    return path_type, value, section, in_query


def _seed(value: str) -> bytes:
    return hashlib.sha256(value.lower().encode()).digest()


def _geo(value: str) -> dict[str, Any]:
    seed = _seed(value)
    code2, code3, name, continent, lat, lon = _COUNTRIES[seed[0] % len(_COUNTRIES)]
    return {
        "asn": f"AS{64512 + seed[1] % 1000} EXAMPLE-NET",
        "city": None,
        "city_data": True,
        "region": None,
        "continent_code": continent,
        "country_code": code2,
        "country_code2": code2,
        "country_code3": code3,
        "country_name": name,
        "latitude": lat,
        "longitude": lon,
        "accuracy_radius": 1000,
        "postal_code": None,
        "subdivision": None,
        "dma_code": 0,
        "area_code": 0,
        "charset": 0,
        "flag_url": f"/assets/images/flags/{code2.lower()}.png",
        "flag_title": name,
    }


def _pulse_info(data: OTXDataset, value: str) -> dict[str, Any]:
    pairs = data.pulses_for(value)
    pulses = [summary(p, i) for p, i in pairs]
    related: dict[str, dict[str, Any]] = {}
    for group in ("alienvault", "other"):
        chosen = [
            p for p, _ in pairs if (p["author_name"] == "AlienVault") == (group == "alienvault")
        ]
        related[group] = {
            "adversary": sorted({p["adversary"] for p in chosen if p["adversary"]}),
            "malware_families": sorted({m for p in chosen for m in p["malware_families"]}),
            "industries": sorted({i for p in chosen for i in p["industries"]}),
            "unique_indicators": len({i["indicator"] for p in chosen for i in p["indicators"]}),
        }
    references = sorted({r for p, _ in pairs for r in p["references"]})
    return {"count": len(pulses), "pulses": pulses, "references": references, "related": related}


def _general(data: OTXDataset, path_type: str, value: str) -> dict[str, Any]:
    pairs = data.pulses_for(value)
    kind = hash_kind(value) if path_type == "file" else None
    base: dict[str, Any] = {}
    if pairs:
        indicator = pairs[0][1]
        base = {
            k: indicator[k] for k in ("id", "indicator", "type", "title", "description", "content")
        }
        base.update({"access_type": "public", "access_reason": ""})
    out: dict[str, Any] = {
        "indicator": value,
        "type": kind or path_type,
        "type_title": f"FileHash-{kind.upper()}" if kind else TITLES[path_type],
        "sections": SECTIONS[path_type],
        "base_indicator": base,
        "pulse_info": _pulse_info(data, value),
        "false_positive": list(data.false_positive.get(value.lower(), [])),
        "validation": list(data.validation.get(value.lower(), [])),
    }
    if path_type in {"IPv4", "IPv6"}:
        out.update(_geo(value))
        out["reputation"] = 0
        out["whois"] = f"http://whois.domaintools.com/{value}"
    elif path_type in {"domain", "hostname"}:
        out["whois"] = f"http://whois.domaintools.com/{value}"
        out["alexa"] = f"http://www.alexa.com/siteinfo/{value}"
    elif path_type == "url":
        host = urlsplit(canonical_url(value) or value).hostname or ""
        out.update({"domain": ".".join(host.split(".")[-2:]), "hostname": host})
        out["alexa"] = f"http://www.alexa.com/siteinfo/{host}"
        out["whois"] = f"http://whois.domaintools.com/{host}"
    elif path_type == "cve":
        out.update({"cve": value.upper(), "description": "", "cvss": {}, "mitre_url": ""})
    return out


def _neighbours(data: OTXDataset, value: str, types: set[str]) -> list[str]:
    found: list[str] = []
    for pulse, _ in data.pulses_for(value):
        for indicator in pulse["indicators"]:
            if indicator["type"] in types and indicator["indicator"] not in found:
                found.append(indicator["indicator"])
    return [v for v in found if v.lower() != value.lower()]


def _section(data: OTXDataset, path_type: str, value: str, section: str) -> dict[str, Any]:
    seed = _seed(value)
    if section == "general":
        return _general(data, path_type, value)
    if section == "geo":
        return _geo(value)
    if section == "reputation":
        listed = bool(data.pulses_for(value))
        return {
            "reputation": {"threat_score": 5 if listed else 0, "counts": {}, "activities": []}
            if listed
            else None
        }
    if section == "url_list":
        items = [_url_row(u, value) for u in _neighbours(data, value, {"URL"})]
        return {
            "url_list": items,
            "page_num": 1,
            "limit": 10,
            "paged": True,
            "has_next": False,
            "full_size": len(items),
            "actual_size": len(items),
        }
    if section == "passive_dns":
        return _passive_dns(data, path_type, value)
    if section == "malware":
        hashes = _neighbours(data, value, {"FileHash-SHA256", "FileHash-MD5", "FileHash-SHA1"})
        rows = [_malware_row(h) for h in hashes]
        return {"data": rows, "size": len(rows), "count": len(rows)}
    if section == "nids_list":
        return {"results": [], "count": 0}
    if section == "http_scans":
        rows = [{"key": "80 title", "name": "80 Title", "value": "Welcome"}] if seed[0] % 2 else []
        return {"data": rows, "count": len(rows)}
    if section == "whois":
        rows = [
            {"key": "registrar", "name": "Registrar", "value": "Example Registrar, LLC"},
            {"key": "domain_name", "name": "Domain Name", "value": value.upper()},
        ]
        return {"data": rows, "count": len(rows), "related": []}
    if section == "analysis":
        return _analysis(data, value)
    return {"screenshot": None, "url": value}


def _url_row(url: str, address: str) -> dict[str, Any]:
    return {
        "url": url,
        "date": "2025-01-01T00:00:00",
        "domain": "",
        "hostname": urlsplit(url).hostname,
        "result": {
            "urlworker": {"ip": address, "http_code": 200},
            "safebrowsing": {"matches": []},
        },
        "httpcode": 200,
        "gsb": [],
        "encoded": url,
    }


def _malware_row(digest: str) -> dict[str, Any]:
    detections = {"avast": "Win32:Malware-gen", "avg": None, "clamav": None, "msdefender": None}
    return {
        "hash": digest,
        "detections": detections,
        "date": "2025-01-01T00:00:00",
        "datetime_int": 1735689600,
    }


def _passive_dns(data: OTXDataset, path_type: str, value: str) -> dict[str, Any]:
    is_ip = path_type in {"IPv4", "IPv6"}
    others = _neighbours(data, value, {"domain", "hostname"} if is_ip else {"IPv4", "IPv6"})
    geo = _geo(value)
    records = []
    for other in others:
        address, host = (value, other) if is_ip else (other, value)
        records.append(
            {
                "address": address,
                "hostname": host,
                "first": "2024-06-01T00:00:00",
                "last": "2025-01-01T00:00:00",
                "record_type": "A",
                "indicator_link": f"/indicator/hostname/{host}",
                "flag_url": geo["flag_url"],
                "flag_title": geo["flag_title"],
                "asset_type": "hostname",
                "asn": geo["asn"],
            }
        )
    return {"passive_dns": records, "count": len(records)}


def _analysis(data: OTXDataset, value: str) -> dict[str, Any]:
    if not data.pulses_for(value):
        return {"malware": {}, "page_type": "generic", "analysis": None}
    results = {hash_kind(value) or "sha256": value, "file_type": "unknown", "filesize": 0}
    return {
        "malware": {},
        "page_type": "generic",
        "analysis": {"info": {"results": results}, "plugins": {}, "_id": value[:24]},
    }


def indicator_section(data: OTXDataset, request: FakeRequest, raw_rest: str) -> FakeResponse:
    """GET /indicators/...: 404 for unknown types or sections, 400 for a malformed value."""
    parsed = split_indicator_path(raw_rest, request.raw_query)
    if parsed is None:
        return detail_error(404, "Not found.")
    path_type, value, section, _ = parsed
    if section not in SECTIONS.get(path_type, []):
        return detail_error(404, "Not found.")
    if not valid_for_path_type(path_type, value):
        return detail_error(400, f"Invalid {path_type} indicator: {value}")
    return json_response(200, _section(data, path_type, value, section))
