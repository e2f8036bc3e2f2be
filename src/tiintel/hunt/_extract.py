"""The exact line matcher's vocabulary: refanging, candidate tokens and their normal forms.

Token rule (shared with the byte-level pre-filter in ``_scan``, which must never be stricter):
a host, address, hash or CVE is a maximal run of ``[A-Za-z0-9_.-]`` with its leading and
trailing dots removed; URLs run from ``scheme://`` to the next blank or quote; IPv6 addresses
are maximal runs of hex digits, colons and dots with at least two colons.
"""

from __future__ import annotations

import ipaddress
import re

from tiintel._core.indicators import Indicator
from tiintel._exceptions import InvalidIndicatorError

__all__ = ["extract_indicators"]

_REFANG = (
    (re.compile(r"\s*[\[({]\s*(?:\.|dot)\s*[\])}]\s*", re.IGNORECASE), "."),
    (re.compile(r"\[(:|://|/)\]"), r"\1"),
    (re.compile(r"\bh(?:xx|XX|\*\*)p(s?)(?=\[?:)", re.IGNORECASE), r"http\1"),
    (re.compile(r"\bfxp(?=\[?:)", re.IGNORECASE), "ftp"),
)
# Cheap test: only lines with one of these characters can hold a defanged indicator.
_DEFANG_HINT = re.compile(r"[\[({]|xx|XX|\*\*|fxp", re.IGNORECASE)

TOKEN = re.compile(r"[A-Za-z0-9_.-]+")
URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{0,15}://[^\s\"'<>`]+")
IPV6 = re.compile(r"(?<![0-9A-Za-z:.])[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?![0-9A-Za-z:])")
_HEX = re.compile(r"[0-9a-f]+")
_IPV4 = re.compile(
    r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
)
_CVE = re.compile(r"cve-\d{4}-\d{4,}")
_HASH_LENGTHS = frozenset({32, 40, 64})
_URL_TRAILERS = ".,;:!?)]}'\""


def refang(text: str) -> str:
    """Undo the usual defanging (``[.]``, ``(dot)``, ``hxxp``, ``[:]``) in free text."""
    if _DEFANG_HINT.search(text) is None:
        return text
    for pattern, replacement in _REFANG:
        text = pattern.sub(replacement, text)
    return text


def url_key(url: str) -> str | None:
    """A URL's matching form: scheme and host lower-cased, a bare ``/`` path dropped."""
    url = url.rstrip(_URL_TRAILERS)
    scheme, sep, rest = url.partition("://")
    if not sep or not rest:
        return None
    cut = len(rest)
    for mark in "/?#":
        at = rest.find(mark)
        if at != -1 and at < cut:
            cut = at
    authority, path = rest[:cut].lower(), rest[cut:]
    if path == "/":
        path = ""
    return f"{scheme.lower()}://{authority}{path}"


def url_host(key: str) -> str:
    """The host of a ``url_key`` result: no user info, port or IPv6 brackets."""
    authority = key.partition("://")[2]
    for mark in "/?#":
        authority = authority.partition(mark)[0]
    host = authority.rpartition("@")[2]
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.partition(":")[0].rstrip(".")


def ipv6_key(text: str) -> str | None:
    """The compressed form of an IPv6 address, or None when ``text`` is not one."""
    try:
        address = ipaddress.IPv6Address(text.strip(".:") if text.endswith(".") else text)
    except ValueError:
        return None
    return address.compressed


def is_hash(token: str) -> bool:
    """A lower-case hex run of MD5, SHA-1 or SHA-256 length."""
    return len(token) in _HASH_LENGTHS and _HEX.fullmatch(token) is not None


def _classify(token: str) -> bool:
    """Whether a lower-cased host-ish token is worth handing to ``Indicator.parse``."""
    if is_hash(token) or _CVE.fullmatch(token) or _IPV4.fullmatch(token):
        return True
    last = token.rpartition(".")[2]
    return "." in token and len(last) >= 2 and last.isalpha()


def extract_indicators(text: str) -> list[Indicator]:
    """Every indicator found in free text, refanged and normalised, in order of first appearance.

    Finds URLs, IPv4 and IPv6 addresses, domains and host names, MD5/SHA-1/SHA-256 hashes and
    CVE ids on token boundaries (``notevil.com`` does not yield ``evil.com``). A host name is
    recognised by shape (dotted labels ending in letters), so file names such as ``index.html``
    come out as domains too: filter by type where that matters.
    """
    text = refang(text)
    found: dict[Indicator, None] = {}
    spans: list[tuple[int, str]] = []
    spans.extend((m.start(), m.group().rstrip(_URL_TRAILERS)) for m in URL.finditer(text))
    spans.extend((m.start(), m.group()) for m in IPV6.finditer(text) if ipv6_key(m.group()))
    for m in TOKEN.finditer(text):
        token = m.group().strip(".").lower()
        if token and _classify(token):
            spans.append((m.start(), token))
        if "." in token:
            spans.extend((m.start(), label) for label in token.split(".") if is_hash(label))
    for _start, candidate in sorted(spans, key=lambda span: span[0]):
        try:
            found.setdefault(Indicator.parse(candidate), None)
        except InvalidIndicatorError:
            continue
    return list(found)
