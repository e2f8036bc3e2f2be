"""Indicators: refang, classify and normalise one value; provider ids and path types (pure).

``Indicator.parse`` is the single gate every user-supplied value goes through before it can reach
a request path: it accepts MD5/SHA-1/SHA-256 hashes, IPv4 and IPv6 addresses, domains, http(s)/ftp
URLs and CVE ids, and rejects everything else with ``InvalidIndicatorError``. Accepted values are
fixed points: ``Indicator.parse(ind.value) == ind``.
"""

from __future__ import annotations

import base64
import binascii
import enum
import ipaddress
import re
from collections.abc import Collection, Mapping
from typing import Final
from urllib.parse import quote

import attrs

from tiintel._exceptions import InvalidIndicatorError

__all__ = [
    "MAX_INDICATOR_LENGTH",
    "MULTI_LABEL_SUFFIXES",
    "Indicator",
    "IndicatorType",
    "defang",
    "indicator_type_from_otx",
    "otx_path_type",
    "otx_pulse_type",
    "parse_as",
    "path_segment",
    "refang",
    "vt_url_id",
    "vt_url_identifier",
]

MAX_INDICATOR_LENGTH: Final = 8192
"""Longer inputs are rejected before any other work (no regex ever sees them)."""

_SHOWN_CHARS: Final = 80
_MAX_IDN_INPUT: Final = 1024
_URL_SCHEMES: Final = frozenset({"http", "https", "ftp"})


class IndicatorType(enum.StrEnum):
    """The kinds of indicator tiintel understands; ``.value`` is the lower-case name."""

    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    DOMAIN = "domain"
    URL = "url"
    CVE = "cve"

    @property
    def is_hash(self) -> bool:
        """True for MD5, SHA-1 and SHA-256."""
        return self in _HASH_TYPES

    @property
    def is_ip(self) -> bool:
        """True for IPv4 and IPv6."""
        return self is IndicatorType.IPV4 or self is IndicatorType.IPV6


_HASH_TYPES: Final = frozenset({IndicatorType.MD5, IndicatorType.SHA1, IndicatorType.SHA256})
_HASH_OF_LENGTH: Final[Mapping[int, IndicatorType]] = {
    32: IndicatorType.MD5,
    40: IndicatorType.SHA1,
    64: IndicatorType.SHA256,
}
_DESCRIPTIONS: Final[Mapping[IndicatorType, str]] = {
    IndicatorType.MD5: "an MD5 hash",
    IndicatorType.SHA1: "a SHA-1 hash",
    IndicatorType.SHA256: "a SHA-256 hash",
    IndicatorType.IPV4: "an IPv4 address",
    IndicatorType.IPV6: "an IPv6 address",
    IndicatorType.DOMAIN: "a domain",
    IndicatorType.URL: "a URL",
    IndicatorType.CVE: "a CVE id",
}
_ANY: Final = "an MD5, SHA-1 or SHA-256 hash, an IPv4/IPv6 address, a domain, a URL or a CVE id"

# Every pattern is linear: no nested or adjacent unbounded quantifiers over the same characters.
_DEFANG_TOKEN = re.compile(
    r" {0,3}[\[({] {0,3}(\.|dot|:|://|//|/|@|at) {0,3}[\])}] {0,3}", re.IGNORECASE
)
_TOKEN_TEXT: Final[Mapping[str, str]] = {"dot": ".", "at": "@"}
_SCHEME_DEFANG = re.compile(r"(?:h(?:xx|\*\*)p|fxp)(s?)(?=://)", re.IGNORECASE)
_SURROUNDING: Final[Mapping[str, str]] = {'"': '"', "'": "'", "<": ">", "`": "`"}
_WHITESPACE = re.compile(r"\s")
_HEX = re.compile(r"[0-9a-fA-F]+")
# CVE sequence numbers have 4 digits or more (7 today); 12 is a generous sanity cap.
_CVE = re.compile(r"[cC][vV][eE]-([0-9]{4})-([0-9]{4,12})")
_DIGITS_AND_DOTS = re.compile(r"[0-9.]+")
_IPV6_CHARS = re.compile(r"[0-9a-fA-F:.]+")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,31})://")
_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_TLD = re.compile(r"[a-z0-9-]{1,63}")
_PORT = re.compile(r"[0-9]{1,5}")
_USERINFO = re.compile(r"[A-Za-z0-9._~%!$&'()*+,;=:-]*")
_URL_DELIMITERS = re.compile(r"[/?#]")
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")

MULTI_LABEL_SUFFIXES: Final = frozenset(
    {
        "ac.jp", "ac.uk", "ac.nz", "ac.za", "ad.jp", "co.id", "co.il", "co.in", "co.jp", "co.ke",
        "co.kr", "co.nz", "co.th", "co.uk", "co.za", "com.ar", "com.au", "com.br", "com.cn",
        "com.co", "com.eg", "com.hk", "com.mx", "com.my", "com.ng", "com.pe", "com.ph", "com.pk",
        "com.sa", "com.sg", "com.tr", "com.tw", "com.ua", "com.ve", "com.vn", "edu.au", "edu.cn",
        "gen.in", "go.jp", "gov.au", "gov.br", "gov.cn", "gov.uk", "ind.in", "ltd.uk", "me.uk",
        "ne.jp", "net.au", "net.br", "net.cn", "net.in", "net.nz", "net.uk", "or.id", "or.jp",
        "or.kr", "org.au", "org.br", "org.cn", "org.il", "org.in", "org.nz", "org.uk", "org.za",
        "plc.uk",
    }
)  # fmt: skip
"""Common two-label public suffixes (a short list, not the Public Suffix List).

``shop.example.co.uk`` has a registrable domain of three labels because ``co.uk`` is here.
"""


class _Rejected(Exception):
    """Internal: the value cannot be an indicator; ``reason`` is safe to print."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


def _shown(value: str) -> str:
    """A printable, bounded rendering of an untrusted value for messages."""
    if len(value) > _SHOWN_CHARS:
        value = value[:_SHOWN_CHARS] + "…"
    return repr(value)


def _got(value: object) -> str:
    if not isinstance(value, str):
        return f"a {type(value).__name__}"
    if len(value) > MAX_INDICATOR_LENGTH:
        return f"a string of {len(value)} characters (the limit is {MAX_INDICATOR_LENGTH})"
    if not value.strip():
        return "an empty string" if not value else "only whitespace"
    return _shown(value)


def _unwrap(text: str) -> str:
    """``text`` without surrounding whitespace, quotes and angle brackets (a few layers)."""
    text = text.strip()
    for _ in range(3):
        if len(text) >= 2 and _SURROUNDING.get(text[0]) == text[-1]:
            text = text[1:-1].strip()
        else:
            break
    return text


def _refang_once(text: str) -> str:
    text = _DEFANG_TOKEN.sub(lambda m: _TOKEN_TEXT.get(m.group(1).lower(), m.group(1)), text)
    match = _SCHEME_DEFANG.match(text)
    if match:
        scheme = "ftp" if match.group().lower().startswith("f") else "http"
        text = scheme + match.group(1).lower() + text[match.end() :]
    return text


def refang(text: str) -> str:
    """Undo the usual defanging of one indicator.

    Removes surrounding whitespace, quotes and angle brackets, turns ``[.]``, ``(.)``, ``{.}``,
    ``[dot]``, ``(dot)`` (with optional spaces around them) into ``.``, ``[:]``, ``[://]``,
    ``[/]`` into their characters, ``[@]``/``[at]`` into ``@``, and the schemes ``hxxp``,
    ``hXXp``, ``h**p``, ``hxxps`` and ``fxp`` into ``http``, ``https`` and ``ftp``. Other text
    is returned unchanged; no validation is done here.
    """
    return _refang_once(_unwrap(text))


def _defang_host(host: str) -> str:
    return host.replace(".", "[.]")


def defang(value: str) -> str:
    """A display form that will not be clicked or resolved: ``hxxp://evil[.]example/x``.

    Dots of domains, IPv4 addresses and URL hosts become ``[.]``; URL schemes become ``hxxp``,
    ``hxxps`` or ``fxp``. Hashes, CVE ids and IPv6 addresses are returned unchanged.
    ``refang`` (and so ``Indicator.parse``) undoes it.
    """
    match = _SCHEME.match(value)
    if match is None:
        if ":" in value:  # IPv6: nothing to defang
            return value
        return _defang_host(value)
    scheme = match.group(1).lower()
    rest = value[match.end() :]
    cut = _URL_DELIMITERS.search(rest)
    authority, tail = (rest[: cut.start()], rest[cut.start() :]) if cut else (rest, "")
    userinfo, at, hostport = authority.rpartition("@")
    new_scheme = {"http": "hxxp", "https": "hxxps", "ftp": "fxp"}.get(scheme, match.group(1))
    return f"{new_scheme}://{userinfo}{at}{_defang_host(hostport)}{tail}"


def _domain(text: str) -> str:
    """The normalised domain (lower-case, punycode, no trailing dot) or _Rejected."""
    if not text.isascii():
        if len(text) > _MAX_IDN_INPUT:  # bound the codec's work; no real name comes close
            raise _Rejected("a domain name is at most 253 characters long")
        try:
            # The stdlib codec implements IDNA 2003 (nameprep), label by label.
            text = text.encode("idna").decode("ascii")
        except (UnicodeError, ValueError):
            raise _Rejected("not a valid internationalised domain name") from None
    text = text.lower()
    if text.endswith("."):
        text = text[:-1]
    if len(text) > 253:
        raise _Rejected("a domain name is at most 253 characters long")
    labels = text.split(".")
    if len(labels) < 2:
        raise _Rejected("a domain has at least two labels")
    for label in labels:
        if not _LABEL.fullmatch(label) or label[0] == "-" or label[-1] == "-":
            raise _Rejected("not a valid domain label")
    tld = labels[-1]
    if not _TLD.fullmatch(tld) or tld.isdigit():
        raise _Rejected("not a valid top-level domain")
    return text


def _looks_ipv4(text: str) -> bool:
    """Only digits and dots: an IPv4 address or nothing (a top-level domain is never numeric)."""
    return _DIGITS_AND_DOTS.fullmatch(text) is not None and text.strip(".") != ""


def _ipv4(text: str) -> str:
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        raise _Rejected("not a valid IPv4 address") from None


def _ipv6(text: str) -> str | None:
    """The canonical form of an IPv6 address, or None when ``text`` is not one.

    IPv4-mapped addresses are written ``::ffff:1.2.3.4`` on every Python version (RFC 5952
    section 5); everything else is ``ipaddress``'s compressed form. Zone ids are not accepted.
    """
    if "%" in text or not _IPV6_CHARS.fullmatch(text):
        return None
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return None
    mapped = address.ipv4_mapped
    return f"::ffff:{mapped}" if mapped is not None else address.compressed


def _host(text: str) -> str:
    """A URL host: a bracketed IPv6 address, an IPv4 address or a domain; normalised."""
    if text.startswith("["):
        if not text.endswith("]"):
            raise _Rejected("unbalanced brackets in the URL host")
        address = _ipv6(text[1:-1])
        if address is None:
            raise _Rejected("not a valid IPv6 address in brackets")
        return f"[{address}]"
    if _looks_ipv4(text):
        return _ipv4(text)
    return _domain(text)


def _split_authority(authority: str) -> tuple[str, str, str]:
    """(userinfo with its ``@`` or "", host, port with its ``:`` or "")."""
    userinfo, at, hostport = authority.rpartition("@")
    if at and not _USERINFO.fullmatch(userinfo):
        raise _Rejected("not a valid URL user-info")
    if hostport.startswith("["):
        close = hostport.find("]")
        host, port = (
            (hostport[: close + 1], hostport[close + 1 :]) if close != -1 else (hostport, "")
        )
    else:
        host, colon, number = hostport.rpartition(":")
        host, port = (host, colon + number) if colon else (hostport, "")
    if port and (port[0] != ":" or not _PORT.fullmatch(port[1:]) or int(port[1:]) > 65535):
        raise _Rejected("not a valid port")
    if not host:
        raise _Rejected("a URL needs a host")
    return userinfo + at, host, port


def _url(scheme: str, rest: str) -> str:
    """The normalised URL: scheme and host lower-cased, IDN host in punycode, the rest verbatim."""
    scheme = scheme.lower()
    if scheme not in _URL_SCHEMES:
        raise _Rejected(f"unsupported URL scheme {_shown(scheme)} (http, https or ftp)")
    cut = _URL_DELIMITERS.search(rest)
    authority, tail = (rest[: cut.start()], rest[cut.start() :]) if cut else (rest, "")
    userinfo, host, port = _split_authority(authority)
    return f"{scheme}://{userinfo}{_host(host)}{port}{tail}"


def _classify(text: str) -> Indicator:
    """The indicator in a refanged, unwrapped, checked string, or _Rejected."""
    scheme = _SCHEME.match(text)
    if scheme is not None:
        return Indicator(IndicatorType.URL, _url(scheme.group(1), text[scheme.end() :]))
    kind = _HASH_OF_LENGTH.get(len(text))
    if kind is not None and _HEX.fullmatch(text):
        return Indicator(kind, text.lower())
    cve = _CVE.fullmatch(text)
    if cve is not None:
        return Indicator(IndicatorType.CVE, f"CVE-{cve.group(1)}-{cve.group(2)}")
    if ":" in text:
        bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
        address = _ipv6(bare)
        if address is not None:
            return Indicator(IndicatorType.IPV6, address)
        if "%" in bare and _ipv6(bare.partition("%")[0]) is not None:
            raise _Rejected("IPv6 zone ids are not accepted")
    if _looks_ipv4(text):
        return Indicator(IndicatorType.IPV4, _ipv4(text))
    delimiter = _URL_DELIMITERS.search(text)
    if ":" in text or delimiter:
        # A scheme-less "host/path" or "host:port" is read as http; user-info needs a scheme
        # ("mailto:a@evil.example" is not a URL on evil.example).
        if "@" in text[: delimiter.start() if delimiter else len(text)]:
            raise _Rejected("a URL with user-info needs a scheme")
        return Indicator(IndicatorType.URL, _url("http", text))
    return Indicator(IndicatorType.DOMAIN, _domain(text))


def _checked(text: object) -> Indicator:
    """Unwrap, check, refang and classify; _Rejected (with a reason when useful) otherwise."""
    if not isinstance(text, str) or len(text) > MAX_INDICATOR_LENGTH:
        raise _Rejected  # checked first: nothing below ever scans an oversized string
    unwrapped = _unwrap(text)
    if not unwrapped:
        raise _Rejected
    # Controls, format characters (bidi overrides, zero-width), surrogates, private-use and
    # unassigned code points: nothing invisible reaches a value, a path or a log line.
    if not unwrapped.isprintable():
        raise _Rejected("control or invisible characters are not allowed")
    refanged = _refang_once(unwrapped)
    if _refang_once(refanged) != refanged:
        raise _Rejected("nested defanging is ambiguous")
    if _WHITESPACE.search(refanged):
        raise _Rejected("whitespace inside an indicator is not allowed")
    return _classify(refanged)


def _invalid(expected: str, text: object, reason: str) -> InvalidIndicatorError:
    suffix = f" ({reason})" if reason else ""
    value = text if isinstance(text, str) else None
    if value is not None and len(value) > MAX_INDICATOR_LENGTH:
        value = value[:_SHOWN_CHARS]
    return InvalidIndicatorError(f"{expected} {_got(text)}{suffix}", value=value)


def _parse(text: object) -> Indicator:
    try:
        return _checked(text)
    except _Rejected as error:
        raise _invalid(f"expected {_ANY}; got", text, error.reason) from None


def _split_url(value: str) -> tuple[str, str, str, str, str]:
    """(scheme, userinfo, host, port, tail) of a normalised URL value."""
    scheme, _, rest = value.partition("://")
    cut = _URL_DELIMITERS.search(rest)
    authority, tail = (rest[: cut.start()], rest[cut.start() :]) if cut else (rest, "")
    userinfo, host, port = _split_authority(authority)
    return scheme, userinfo, host, port, tail


def _address_is_global(value: str) -> bool:
    address = ipaddress.ip_address(value)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # An IPv4-mapped address reaches the IPv4 host: judge that one.
        address = address.ipv4_mapped
    # ipaddress counts multicast as global; a multicast group is never a host to look up.
    return address.is_global and not address.is_multicast


@attrs.frozen(repr=False)
class Indicator:
    """One normalised indicator: its ``type`` and canonical ``value``.

    Build one with ``Indicator.parse(text)``; the constructor trusts its arguments. Indicators are
    hashable and compare by (type, value); ``str()`` gives the value.
    """

    type: IndicatorType
    value: str

    @classmethod
    def parse(cls, text: str, *, type: IndicatorType | None = None) -> Indicator:
        """Refang, normalise and classify ``text``.

        Accepts MD5/SHA-1/SHA-256 hashes (lower-cased), IPv4 addresses (strict dotted quad),
        IPv6 addresses (any textual form, optionally in brackets; canonical compressed form),
        domains (lower-case, IDN to punycode with the stdlib IDNA 2003 codec, trailing dot
        dropped), http/https/ftp URLs (scheme and host normalised, the rest kept verbatim;
        ``http://`` added to a scheme-less ``host/path`` or ``host:port``) and CVE ids
        (``CVE-2021-44228``). Raises ``InvalidIndicatorError`` for anything else, or when
        ``type`` is given and the value is of another type.
        """
        if type is None:
            return _parse(text)
        return parse_as(text, (type,), _DESCRIPTIONS[type])

    @property
    def host(self) -> str | None:
        """The host of a URL (an IPv6 host without brackets), a domain itself, else None."""
        if self.type is IndicatorType.DOMAIN:
            return self.value
        if self.type is not IndicatorType.URL:
            return None
        try:
            host = _split_url(self.value)[2]
        except _Rejected:
            return None
        return host[1:-1] if host.startswith("[") else host

    @property
    def is_global(self) -> bool:
        """False for an address (or a URL on an address) that is not globally reachable.

        Follows ``ipaddress``'s ``is_global``: private, loopback, link-local, reserved,
        unspecified, shared (100.64/10) and documentation ranges are not global; multicast is
        not global either, and an IPv4-mapped IPv6 address is judged by its IPv4 address. Domains, URLs on a domain,
        hashes and CVE ids are global.
        """
        if self.type.is_ip:
            return _address_is_global(self.value)
        if self.type is IndicatorType.URL:
            host = self.host
            if host is not None and (":" in host or _looks_ipv4(host)):
                try:
                    return _address_is_global(host)
                except ValueError:
                    return True
        return True

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Indicator(type=IndicatorType.{self.type.name}, value={self.value!r})"


def parse_as(text: str, allowed: Collection[IndicatorType], expected: str) -> Indicator:
    """Parse ``text`` and require its type to be one of ``allowed``.

    ``expected`` names what the caller wanted, for the message: ``parse_as("example.com",
    (IndicatorType.IPV4, IndicatorType.IPV6), "an IP address")`` raises
    ``InvalidIndicatorError("expected an IP address, got a domain ('example.com')")``.
    """
    try:
        indicator = _checked(text)
    except _Rejected as error:
        raise _invalid(f"expected {expected}, got", text, error.reason) from None
    if indicator.type not in allowed:
        raise InvalidIndicatorError(
            f"expected {expected}, got {_DESCRIPTIONS[indicator.type]} ({_shown(indicator.value)})",
            value=indicator.value,
        )
    return indicator


def vt_url_id(url: str) -> str:
    """VirusTotal's URL identifier: the unpadded url-safe base64 of the URL string as given."""
    return base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii").rstrip("=")


def _is_vt_url_b64(text: str) -> bool:
    if len(text) % 4 == 1 or not _B64URL.fullmatch(text):
        return False
    try:
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    scheme = _SCHEME.match(decoded)
    return (
        scheme is not None
        and scheme.group(1).lower() in _URL_SCHEMES
        and len(decoded) > scheme.end()
        and decoded.isprintable()
    )


def vt_url_identifier(value: str) -> str:
    """The VirusTotal id for ``urls.get(url_or_id)``.

    A 64-hex string is the sha256 id (lower-cased); an unpadded url-safe base64 string that
    decodes to an http, https or ftp URL is already an id and is returned as it is; anything
    else must parse as a URL (refanged, normalised) and is converted with ``vt_url_id``.
    """
    if isinstance(value, str) and len(value) <= MAX_INDICATOR_LENGTH:
        text = value.strip()
        if _HEX64.fullmatch(text):
            return text.lower()
        if _is_vt_url_b64(text):
            return text
    url = parse_as(value, (IndicatorType.URL,), "a URL or a VirusTotal URL id")
    return vt_url_id(url.value)


def _registrable(domain: str) -> bool:
    labels = domain.split(".")
    if len(labels) <= 2:
        return True
    return len(labels) == 3 and ".".join(labels[1:]) in MULTI_LABEL_SUFFIXES


def otx_path_type(ind: Indicator) -> str:
    """The OTX ``/indicators/{type}/...`` path type of an indicator.

    ``IPv4``, ``IPv6``, ``url``, ``file`` (every hash), ``cve``; a domain is ``domain`` when
    it is registrable — exactly two labels, or three when the last two are one of
    ``MULTI_LABEL_SUFFIXES`` such as ``co.uk`` — and ``hostname`` when it is longer.
    """
    if ind.type is IndicatorType.DOMAIN:
        return "domain" if _registrable(ind.value) else "hostname"
    return _OTX_PATH_TYPES[ind.type]


def otx_pulse_type(ind: Indicator) -> str:
    """The OTX pulse-indicator ``type`` string of an indicator (domain/hostname as above)."""
    if ind.type is IndicatorType.DOMAIN:
        return "domain" if _registrable(ind.value) else "hostname"
    return _OTX_PULSE_TYPES[ind.type]


_OTX_PATH_TYPES: Final[Mapping[IndicatorType, str]] = {
    IndicatorType.MD5: "file",
    IndicatorType.SHA1: "file",
    IndicatorType.SHA256: "file",
    IndicatorType.IPV4: "IPv4",
    IndicatorType.IPV6: "IPv6",
    IndicatorType.URL: "url",
    IndicatorType.CVE: "cve",
}
_OTX_PULSE_TYPES: Final[Mapping[IndicatorType, str]] = {
    IndicatorType.MD5: "FileHash-MD5",
    IndicatorType.SHA1: "FileHash-SHA1",
    IndicatorType.SHA256: "FileHash-SHA256",
    IndicatorType.IPV4: "IPv4",
    IndicatorType.IPV6: "IPv6",
    IndicatorType.URL: "URL",
    IndicatorType.CVE: "CVE",
}
_FROM_OTX: Final[Mapping[str, IndicatorType]] = {
    "filehash-md5": IndicatorType.MD5,
    "filehash-sha1": IndicatorType.SHA1,
    "filehash-sha256": IndicatorType.SHA256,
    "ipv4": IndicatorType.IPV4,
    "ipv6": IndicatorType.IPV6,
    "domain": IndicatorType.DOMAIN,
    "hostname": IndicatorType.DOMAIN,
    "url": IndicatorType.URL,
    "cve": IndicatorType.CVE,
}


def indicator_type_from_otx(type_string: str) -> IndicatorType | None:
    """Our type for an OTX pulse-indicator type (case-insensitive), or None.

    ``URI``, ``CIDR``, ``email``, ``FilePath``, ``Mutex``, ``YARA``, ``FileHash-PEHASH`` and the
    other pulse-only types have no counterpart and give None.
    """
    return _FROM_OTX.get(type_string.strip().lower())


def path_segment(value: str) -> str:
    """``value`` as one percent-encoded URL path segment (``/``, ``?``, ``#`` included)."""
    return quote(value, safe="")
