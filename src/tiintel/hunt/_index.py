"""The IoC index a hunt matches against: exact keys for the line matcher, byte anchors for the pre-filter."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from tiintel._core.indicators import Indicator, IndicatorType
from tiintel._exceptions import InvalidIndicatorError
from tiintel.hunt._extract import (
    IPV6,
    TOKEN,
    URL,
    ipv6_key,
    is_hash,
    refang,
    url_host,
    url_key,
)
from tiintel.hunt._protocols import IndicatorStore

logger = logging.getLogger("tiintel.hunt")

_HASHES = frozenset({IndicatorType.MD5, IndicatorType.SHA1, IndicatorType.SHA256})
_EXACT = _HASHES | {IndicatorType.IPV4, IndicatorType.DOMAIN, IndicatorType.CVE}


def _ascii(text: str) -> bytes | None:
    try:
        return text.encode("ascii")
    except UnicodeEncodeError:
        try:
            return text.encode("idna")
        except UnicodeError:
            return None


class IocIndex:
    """Every IoC of a hunt under the key the line matcher computes for it.

    ``anchors`` are the byte tokens the pre-filter looks for: a line can only match an IoC if
    the IoC's anchor is one of the line's tokens (an exact key, a parent domain, a URL's host),
    so lines without any anchor are skipped without running the line matcher.
    """

    def __init__(self, indicators: Iterable[Indicator], *, match_subdomains: bool = True) -> None:
        self.match_subdomains = match_subdomains
        self.exact: dict[str, list[Indicator]] = {}
        self.urls: dict[str, list[Indicator]] = {}
        self.ipv6: dict[str, list[Indicator]] = {}
        self.domains: set[str] = set()
        anchors: set[bytes] = set()
        ipv6_anchors: set[bytes] = set()
        self.has_hashes = False
        for indicator in indicators:
            kind, value = indicator.type, indicator.value
            if kind in _EXACT:
                key = value.lower().strip(".")
                self.exact.setdefault(key, []).append(indicator)
                self.has_hashes = self.has_hashes or kind in _HASHES
                if kind is IndicatorType.DOMAIN:
                    self.domains.add(key)
                anchor = _ascii(key)
            elif kind is IndicatorType.IPV6:
                key6 = ipv6_key(value)
                if key6 is None:
                    continue
                self.ipv6.setdefault(key6, []).append(indicator)
                ipv6_anchors.add(key6.encode())
                continue
            elif kind is IndicatorType.URL:
                url = url_key(value)
                if url is None:
                    continue
                self.urls.setdefault(url, []).append(indicator)
                host = url_host(url)
                host6 = ipv6_key(host) if ":" in host else None
                if host6 is not None:
                    ipv6_anchors.add(host6.encode())
                    continue
                anchor = _ascii(host)
            else:
                continue
            if anchor is None:
                logger.debug("IoC %r has no ASCII form; it cannot be hunted", value)
                continue
            anchors.add(anchor)
        self.anchors = frozenset(anchors)
        self.ipv6_anchors = frozenset(ipv6_anchors)
        self.domain_anchors = frozenset(d.encode() for d in self.domains if d.isascii())

    def __len__(self) -> int:
        return sum(map(len, (self.exact, self.urls, self.ipv6)))

    def match_line(self, line: str) -> list[tuple[Indicator, str]]:
        """The IoCs on one line, each once, with the text that matched it (normalised)."""
        text = refang(line)
        found: dict[Indicator, str] = {}
        if self.urls:
            for m in URL.finditer(text):
                key = url_key(m.group())
                if key is None:
                    continue
                # A URL IoC also matches the same URL with a query string or fragment.
                bare = key.partition("#")[0].partition("?")[0]
                for candidate in (key, bare):
                    for indicator in self.urls.get(candidate, ()):
                        found.setdefault(indicator, key)
        if self.ipv6:
            for m in IPV6.finditer(text):
                key6 = ipv6_key(m.group())
                for indicator in self.ipv6.get(key6 or "", ()):
                    found.setdefault(indicator, key6 or "")
        for m in TOKEN.finditer(text):
            token = m.group().strip(".").lower()
            for indicator in self.exact.get(token, ()):
                found.setdefault(indicator, token)
            if "." not in token:
                continue
            if self.has_hashes and len(token) > 32:
                for label in token.split("."):
                    if is_hash(label):
                        for indicator in self.exact.get(label, ()):
                            found.setdefault(indicator, label)
            if self.match_subdomains and self.domains:
                at = token.find(".")
                while at != -1:
                    parent = token[at + 1 :]
                    if parent in self.domains:
                        for indicator in self.exact[parent]:
                            found.setdefault(indicator, token)
                    at = token.find(".", at + 1)
        return list(found.items())


def build_index(
    iocs: IndicatorStore | Iterable[str | Indicator],
    *,
    match_subdomains: bool,
    include_expired: bool,
    now: datetime | None = None,
) -> IocIndex:
    """An index from a store's indicators or from strings and Indicators (invalid strings skipped)."""
    if isinstance(iocs, IndicatorStore):
        return IocIndex(
            iocs.indicators(include_expired=include_expired, now=now),
            match_subdomains=match_subdomains,
        )
    return IocIndex(_parsed(iocs), match_subdomains=match_subdomains)


def _parsed(iocs: Iterable[str | Indicator]) -> Iterable[Indicator]:
    skipped = 0
    for item in iocs:
        if isinstance(item, Indicator):
            yield item
            continue
        text = item.strip()
        if not text or text.startswith("#"):
            continue
        try:
            yield Indicator.parse(refang(text))
        except InvalidIndicatorError:
            skipped += 1
    if skipped:
        logger.warning("%d IoC(s) could not be parsed and are not hunted", skipped)
