"""Small indicator classifiers of the fakes' own.

Deliberately independent of ``tiintel._core.indicators``: a parsing bug in the SDK must not be
mirrored by the fakes that test it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "canonical_url",
    "hash_kind",
    "is_cve",
    "is_domain",
    "ip_version",
    "otx_type",
    "url_from_b64_id",
    "url_sha256",
    "valid_for_path_type",
]

_HEX = re.compile(r"[0-9a-fA-F]+")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_HASH_KINDS = {32: "md5", 40: "sha1", 64: "sha256"}


def hash_kind(value: str) -> str | None:
    """``md5``, ``sha1`` or ``sha256`` for a hex digest of that length, else None."""
    if not _HEX.fullmatch(value):
        return None
    return _HASH_KINDS.get(len(value))


def ip_version(value: str) -> int | None:
    """4 or 6 for an IP address literal, else None."""
    try:
        return ipaddress.ip_address(value).version
    except ValueError:
        return None


def is_domain(value: str) -> bool:
    """A syntactically valid host name with at least two labels and an alphabetic TLD."""
    name = value.lower().rstrip(".")
    if not name or len(name) > 253 or ip_version(name) is not None:
        return False
    labels = name.split(".")
    if len(labels) < 2 or not labels[-1].isalpha():
        return False
    return all(_LABEL.fullmatch(label) for label in labels)


def canonical_url(url: str) -> str | None:
    """VirusTotal-style canonical form: scheme added when missing, scheme/host lower-cased, ``/`` path.

    Returns None when the value does not look like a URL with a host.
    """
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https", "ftp"} or not parts.hostname:
        return None
    host = parts.hostname
    if not (is_domain(host) or ip_version(host) is not None):
        return None
    netloc = parts.netloc.rsplit("@", 1)[-1]
    netloc = netloc.replace(parts.hostname, host.lower()) if parts.hostname else netloc
    return urlunsplit((parts.scheme.lower(), netloc.lower(), parts.path or "/", parts.query, ""))


def url_sha256(url: str) -> str:
    """The sha256 URL identifier (of the canonical URL when it has one)."""
    return hashlib.sha256((canonical_url(url) or url).encode()).hexdigest()


def url_from_b64_id(identifier: str) -> str | None:
    """Decode an unpadded url-safe base64 URL identifier; None when it is not one."""
    if not identifier or len(identifier) % 4 == 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(identifier + "=" * (-len(identifier) % 4))
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return text if canonical_url(text) else None


_CVE = re.compile(r"CVE-\d{4}-\d{4,}", re.IGNORECASE)
_OTX_HASH_TYPES = {"md5": "FileHash-MD5", "sha1": "FileHash-SHA1", "sha256": "FileHash-SHA256"}


def is_cve(value: str) -> bool:
    """A CVE identifier such as ``CVE-2021-44228``."""
    return _CVE.fullmatch(value) is not None


def otx_type(value: str) -> str | None:
    """The OTX pulse-indicator type of a value (``IPv4``, ``domain``, ``URL``, ``FileHash-SHA256``...)."""
    kind = hash_kind(value)
    if kind:
        return _OTX_HASH_TYPES[kind]
    version = ip_version(value)
    if version:
        return f"IPv{version}"
    if is_cve(value):
        return "CVE"
    if is_domain(value):
        return "domain" if value.count(".") == 1 else "hostname"
    if "://" in value and canonical_url(value):
        return "URL"
    return None


def valid_for_path_type(path_type: str, value: str) -> bool:
    """Whether a value fits an OTX ``/indicators/{type}/`` path type."""
    checks = {
        "IPv4": lambda v: ip_version(v) == 4,
        "IPv6": lambda v: ip_version(v) == 6,
        "domain": is_domain,
        "hostname": is_domain,
        "url": lambda v: canonical_url(v) is not None,
        "file": lambda v: hash_kind(v) is not None,
        "cve": is_cve,
    }
    check = checks.get(path_type)
    return bool(check and check(value))
