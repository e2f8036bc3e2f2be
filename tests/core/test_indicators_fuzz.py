"""Property tests of the indicator parser: it only ever raises InvalidIndicatorError, and every
value it accepts is a fixed point that cannot escape one URL path segment."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tiintel._core.indicators import (
    Indicator,
    IndicatorType,
    defang,
    otx_path_type,
    otx_pulse_type,
    path_segment,
    vt_url_identifier,
)
from tiintel._exceptions import InvalidIndicatorError

FUZZ = settings(derandomize=True, deadline=None, database=None, max_examples=300)

# Pieces that make the parser's branches likely: defang tokens, delimiters, valid indicators.
PIECES = [
    "[.]", "(.)", "{.}", "[dot]", "(dot)", " [.] ", "[:]", "[://]", "[/]", "[@]", "[at]",
    "hxxp", "hXXps", "fxp", "http", "https", "ftp", "://", ":", "/", "?", "#", "@", "%", ".",
    "..", "[", "]", "<", ">", '"', "'", "-", "_", " ", "\t", "\x00", "\u202e", "\u200b",
    "8080", "65536", "example", "com", "co.uk", "xn--", "bücher", "例え", "。", "ß",
    "1.2.3.4", "999", "01", "::", "::1", "::ffff:1.2.3.4", "fe80::1%eth0", "2001:db8::1",
    "44d88612fea8a8f36de82e1278abb02f", "3395856ce81f2b7382dee72602f798b642f14140",
    "CVE-2021-44228", "cve-", "evil", "EVIL", "a" * 63, "a" * 64,
]  # fmt: skip
built_text = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
any_text = st.one_of(st.text(max_size=80), built_text)


def _check(indicator: Indicator) -> None:
    value = indicator.value
    assert Indicator.parse(value) == indicator
    assert Indicator.parse(value, type=indicator.type) == indicator
    assert Indicator.parse(defang(value)) == indicator
    segment = path_segment(value)
    assert not {"/", "?", "#"} & set(segment)
    assert value == value.strip()
    assert value.isprintable()
    if indicator.type is not IndicatorType.URL:
        assert "/" not in value
    else:
        host = indicator.host
        assert host is not None
        assert Indicator.parse(host).host in (host, None)
        assert vt_url_identifier(value) == vt_url_identifier(defang(value))
    assert isinstance(indicator.is_global, bool)
    assert otx_path_type(indicator)
    assert otx_pulse_type(indicator)


@FUZZ
@given(any_text)
def test_parse_only_raises_invalid_indicator(text: str) -> None:
    try:
        indicator = Indicator.parse(text)
    except InvalidIndicatorError as error:
        message = str(error)
    else:
        _check(indicator)
        return
    assert message.isprintable()


@FUZZ
@given(
    st.sampled_from(["", " ", "<", '"', "hxxp://", "http://", "HTTPS://", "fxp://"]),
    st.lists(
        st.from_regex(r"[a-zA-Z0-9_-]{1,12}", fullmatch=True) | st.sampled_from(["bücher", "例え"]),
        min_size=2,
        max_size=5,
    ),
    st.sampled_from([".", "[.]", "(.)", "[dot]", " [.] "]),
    st.sampled_from(["", "/", "/a?b=c", ":8080", ":8080/x#y", "/%2e%2e/"]),
)
def test_parse_built_urls_and_domains(prefix: str, labels: list[str], dot: str, tail: str) -> None:
    text = prefix + dot.join(labels) + tail
    try:
        indicator = Indicator.parse(text)
    except InvalidIndicatorError:
        return
    _check(indicator)
    if prefix.strip(' <"') or tail:
        assert indicator.type is IndicatorType.URL


@FUZZ
@given(st.ip_addresses())
def test_every_ip_address_parses_to_its_canonical_form(address: object) -> None:
    indicator = Indicator.parse(str(address))
    assert indicator.type in (IndicatorType.IPV4, IndicatorType.IPV6)
    _check(indicator)
    bracketed = Indicator.parse(f"[{address}]") if indicator.type is IndicatorType.IPV6 else None
    assert bracketed in (None, indicator)


@FUZZ
@given(st.binary(min_size=16, max_size=32))
def test_hashes_in_any_case(digest: bytes) -> None:
    text = digest.hex()
    if len(text) not in (32, 40, 64):
        text = text[:32]
    indicator = Indicator.parse(text.upper())
    assert indicator.type.is_hash
    assert indicator.value == text.lower()
    _check(indicator)
