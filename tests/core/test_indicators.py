"""Table tests of the indicator parser: refanging, classification, normalisation, provider ids."""

from __future__ import annotations

import pickle

import pytest

from tiintel._core import indicators
from tiintel._core.indicators import (
    MULTI_LABEL_SUFFIXES,
    Indicator,
    IndicatorType,
    defang,
    indicator_type_from_otx,
    otx_path_type,
    otx_pulse_type,
    parse_as,
    path_segment,
    refang,
    vt_url_id,
    vt_url_identifier,
)
from tiintel._exceptions import InvalidIndicatorError

T = IndicatorType
MD5 = "44d88612fea8a8f36de82e1278abb02f"
SHA1 = "3395856ce81f2b7382dee72602f798b642f14140"
SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"


# --- refang ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hxxp://evil.example", "http://evil.example"),
        ("hxxps://evil.example", "https://evil.example"),
        ("hXXp://evil.example", "http://evil.example"),
        ("HXXPS://evil.example", "https://evil.example"),
        ("h**p://evil.example", "http://evil.example"),
        ("fxp://files.example", "ftp://files.example"),
        ("evil[.]example", "evil.example"),
        ("evil(.)example", "evil.example"),
        ("evil{.}example", "evil.example"),
        ("evil[dot]example", "evil.example"),
        ("evil(dot)example", "evil.example"),
        ("evil[DOT]example", "evil.example"),
        ("evil [.] example", "evil.example"),
        ("evil [ . ] example", "evil.example"),
        ("http[:]//evil.example", "http://evil.example"),
        ("hxxp[://]evil.example", "http://evil.example"),
        ("hxxp[:]//evil.example", "http://evil.example"),
        ("http:[//]evil.example", "http://evil.example"),
        ("http://evil.example[/]x", "http://evil.example/x"),
        ("user[@]evil.example", "user@evil.example"),
        ("user[at]evil.example", "user@evil.example"),
        ("  evil.example\t\n", "evil.example"),
        ("<http://evil.example/>", "http://evil.example/"),
        ('"evil.example"', "evil.example"),
        ("'evil.example'", "evil.example"),
        ("`evil.example`", "evil.example"),
        ('< "evil[.]example" >', "evil.example"),
        ("evil.example", "evil.example"),
        ("hxxpevil.example", "hxxpevil.example"),  # not a scheme: left alone
        ("", ""),
    ],
)
def test_refang(text: str, expected: str) -> None:
    assert refang(text) == expected


# --- accepted inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        # the brief's must-accepts
        ("hxxp://evil[.]example/a?b=c", T.URL, "http://evil.example/a?b=c"),
        ("hxxp://evil[.]example/x", T.URL, "http://evil.example/x"),
        ("1[.]2[.]3[.]4", T.IPV4, "1.2.3.4"),
        ("EVIL(.)Example(.)COM", T.DOMAIN, "evil.example.com"),
        ("CVE-2021-44228", T.CVE, "CVE-2021-44228"),
        # hashes
        (MD5, T.MD5, MD5),
        (MD5.upper(), T.MD5, MD5),
        (SHA1.upper(), T.SHA1, SHA1),
        (SHA256, T.SHA256, SHA256),
        (SHA256.upper(), T.SHA256, SHA256),
        (f"  '{MD5}' ", T.MD5, MD5),
        # IPv4
        ("8.8.8.8", T.IPV4, "8.8.8.8"),
        ("0.0.0.0", T.IPV4, "0.0.0.0"),
        ("255.255.255.255", T.IPV4, "255.255.255.255"),
        ("10(.)0(.)0(.)1", T.IPV4, "10.0.0.1"),
        # IPv6: every textual form to the compressed one
        ("2001:db8::1", T.IPV6, "2001:db8::1"),
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", T.IPV6, "2001:db8::1"),
        ("2001:DB8:0:0:0:0:0:1", T.IPV6, "2001:db8::1"),
        ("[2001:db8::1]", T.IPV6, "2001:db8::1"),
        ("[::1]", T.IPV6, "::1"),
        ("::", T.IPV6, "::"),
        ("::ffff:1.2.3.4", T.IPV6, "::ffff:1.2.3.4"),
        ("::FFFF:0102:0304", T.IPV6, "::ffff:1.2.3.4"),
        ("0:0:0:0:0:ffff:1.2.3.4", T.IPV6, "::ffff:1.2.3.4"),
        ("64:ff9b::1.2.3.4", T.IPV6, "64:ff9b::102:304"),
        ("FE80::1", T.IPV6, "fe80::1"),
        # domains
        ("evil.example", T.DOMAIN, "evil.example"),
        ("Evil.Example.", T.DOMAIN, "evil.example"),
        ("a.b.c.d.example.co.uk", T.DOMAIN, "a.b.c.d.example.co.uk"),
        ("_dmarc.example.com", T.DOMAIN, "_dmarc.example.com"),
        ("my_host.example.com", T.DOMAIN, "my_host.example.com"),
        ("123.example.com", T.DOMAIN, "123.example.com"),
        ("a-b.example", T.DOMAIN, "a-b.example"),
        ("xn--bcher-kva.de", T.DOMAIN, "xn--bcher-kva.de"),
        ("bücher.de", T.DOMAIN, "xn--bcher-kva.de"),
        ("BÜCHER.DE", T.DOMAIN, "xn--bcher-kva.de"),
        ("straße.de", T.DOMAIN, "strasse.de"),  # IDNA 2003 maps ß to ss
        ("пример.рф", T.DOMAIN, "xn--e1afmkfd.xn--p1ai"),
        ("例え。テスト", T.DOMAIN, "xn--r8jz45g.xn--zckzah"),  # ideographic full stop
        ("a" * 63 + ".example", T.DOMAIN, "a" * 63 + ".example"),
        (".".join(["a" * 61] * 4) + ".com", T.DOMAIN, ".".join(["a" * 61] * 4) + ".com"),
        ("index.html", T.DOMAIN, "index.html"),  # shape only: a file name looks like a host
        # URLs
        ("http://evil.example", T.URL, "http://evil.example"),  # no slash added
        ("http://evil.example/", T.URL, "http://evil.example/"),
        ("HTTPS://EVIL.Example/Path?Q=A#Frag", T.URL, "https://evil.example/Path?Q=A#Frag"),
        ("ftp://files.example/pub/x.zip", T.URL, "ftp://files.example/pub/x.zip"),
        ("http://evil.example:80/", T.URL, "http://evil.example:80/"),  # default port kept
        ("http://evil.example:8080", T.URL, "http://evil.example:8080"),
        ("http://user:pw@evil.example/", T.URL, "http://user:pw@evil.example/"),
        ("hxxp://u[@]evil[.]example/", T.URL, "http://u@evil.example/"),
        ("http://google.com@evil.example/", T.URL, "http://google.com@evil.example/"),
        ("http://1.2.3.4/x", T.URL, "http://1.2.3.4/x"),
        ("http://[2001:DB8::1]:8443/x", T.URL, "http://[2001:db8::1]:8443/x"),
        ("http://[::FFFF:1.2.3.4]/", T.URL, "http://[::ffff:1.2.3.4]/"),
        ("http://bücher.de/bücher", T.URL, "http://xn--bcher-kva.de/bücher"),
        ("http://evil.example./x", T.URL, "http://evil.example/x"),
        ("http://evil.example?q=1", T.URL, "http://evil.example?q=1"),
        ("http://evil.example#top", T.URL, "http://evil.example#top"),
        ("http://evil.example/a%20b/../c", T.URL, "http://evil.example/a%20b/../c"),
        (
            "http://evil.example/r?u=http://x.example/",
            T.URL,
            "http://evil.example/r?u=http://x.example/",
        ),
        # scheme-less host/path and host:port
        ("evil.example/login", T.URL, "http://evil.example/login"),
        ("evil[.]example/login.php?x=1", T.URL, "http://evil.example/login.php?x=1"),
        ("evil.example/", T.URL, "http://evil.example/"),
        ("1.2.3.4:8080/x", T.URL, "http://1.2.3.4:8080/x"),
        ("evil.example:8080", T.URL, "http://evil.example:8080"),
        ("[::1]:8080/x", T.URL, "http://[::1]:8080/x"),
        ("evil.example/r?u=http://x.example", T.URL, "http://evil.example/r?u=http://x.example"),
        # CVE
        ("cve-2021-44228", T.CVE, "CVE-2021-44228"),
        ("Cve-1999-0001", T.CVE, "CVE-1999-0001"),
        ("CVE-2024-1234567", T.CVE, "CVE-2024-1234567"),
    ],
)
def test_parse_accepts(text: str, kind: IndicatorType, value: str) -> None:
    indicator = Indicator.parse(text)
    assert indicator == Indicator(type=kind, value=value)
    assert Indicator.parse(indicator.value) == indicator  # a fixed point
    assert Indicator.parse(text, type=kind) == indicator


def test_parse_example_from_the_api() -> None:
    assert Indicator.parse("hxxp://evil[.]example/x") == Indicator(
        type=IndicatorType.URL, value="http://evil.example/x"
    )


# --- rejected inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\t\n",
        "not-a-hash",
        "../users/me",
        "..",
        "/",
        "evil example.com",
        "evil.example /x",
        "http://evil.example/a b",
        "http://evil.example/\tb",
        "evil.example\x00",
        "\x1bevil.example",
        "evil\x7f.example",
        "http://evil.example/\x85x",
        "evil.example\u202e",
        "ev\u200bil.example",
        "http://evil.example/\ud800",
        "http://evil.example/\ue000",  # private use
        "evil.example/\u2028x",
        # hashes of the wrong length
        "a" * 31,
        "a" * 33,
        "a" * 39,
        "a" * 41,
        "a" * 63,
        "a" * 65,
        MD5[:-1] + "g",
        # IPv4
        "1.2.3.999",
        "256.1.1.1",
        "01.2.3.4",
        "1.2.3.04",
        "1.2.3",
        "1.2.3.4.5",
        "1..2.3",
        "1.2.3.4.",
        # IPv6
        "fe80::1%eth0",
        "[fe80::1%25eth0]",
        "2001:db8:::1",
        "2001:db8::1::2",
        "1:2:3:4:5:6:7:8:9",
        "[2001:db8::1",
        "[1.2.3.4]",
        # domains
        "localhost",
        "example",
        "-evil.example",
        "evil-.example",
        "evil.-example",
        "evil..example",
        ".evil.example",
        "evil.example..",
        "evil.exam_ple",
        "evil.123",
        "a" * 64 + ".example",
        ".".join(["a" * 63] * 4),  # 255 characters
        "evil!.example",
        "evil.example@",
        "user@evil.example",
        "user[at]evil.example",
        "xn--.example\u0301",
        # URLs
        "javascript:alert(1)",
        "file:///etc/passwd",
        "gopher://evil.example/",
        "mailto:a@evil.example",
        "user@evil.example/x",
        "user:pw@evil.example",
        "data:text/html,hi",
        "http://",
        "http:///x",
        "http://:80/",
        "http://evil.example:/",
        "http://evil.example:99999/",
        "http://evil.example:8o/",
        "http://1.2.3.999/",
        "http://[::1/",
        "http://[::1]x/",
        "http://[not:v6]/",
        "http://a@b@evil.example/",
        "http://us er@evil.example/",
        "http://evil/",
        "//evil.example/x",
        "C:/Windows/system32",
        "C:\\Windows\\system32",
        "host:port",
        # CVE
        "CVE-21-44228",
        "CVE-2021-123",
        "CVE-2021-44228x",
        "CVE 2021 44228",
        # nested defanging has no single meaning
        "evil[[.]]example",
        "evil[(.)]example",
        # too long
        "a" * 10_000,
        "a." * 4097,
    ],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(InvalidIndicatorError) as caught:
        Indicator.parse(text)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert message.startswith("expected an MD5, SHA-1 or SHA-256 hash, an IPv4/IPv6 address")
    assert message.isprintable()
    assert len(message) < 300


@pytest.mark.parametrize("value", [None, 42, b"evil.example", ["evil.example"]])
def test_parse_rejects_non_strings(value: object) -> None:
    with pytest.raises(InvalidIndicatorError, match=f"got a {type(value).__name__}"):
        Indicator.parse(value)  # type: ignore[arg-type]


def test_message_example() -> None:
    with pytest.raises(InvalidIndicatorError) as caught:
        Indicator.parse("not-a-hash")
    assert str(caught.value).startswith(
        "expected an MD5, SHA-1 or SHA-256 hash, an IPv4/IPv6 address, a domain, a URL or a CVE id;"
        " got 'not-a-hash'"
    )
    assert caught.value.value == "not-a-hash"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x00\x1b[31mred", r"'\x00\x1b[31mred'"),
        ("evil\u202eexample", r"'evil\u202eexample'"),
        ("x" * 200, "'" + "x" * 80 + "…'"),
        ("", "an empty string"),
        ("  \n", "only whitespace"),
        ("y" * 9000, "a string of 9000 characters (the limit is 8192)"),
    ],
)
def test_messages_are_safe_to_print(text: str, shown: str) -> None:
    with pytest.raises(InvalidIndicatorError) as caught:
        Indicator.parse(text)
    message = str(caught.value)
    assert f"got {shown}" in message
    assert message.isprintable()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("fe80::1%eth0", "zone ids"),
        ("gopher://x.example/", "unsupported URL scheme 'gopher'"),
        ("a b.example", "whitespace"),
        ("a\x00.example", "control or invisible characters"),
        ("1.2.3.999", "not a valid IPv4 address"),
        ("evil[[.]]example", "nested defanging"),
        ("mailto:a@evil.example", "user-info needs a scheme"),
    ],
)
def test_messages_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidIndicatorError, match=reason):
        Indicator.parse(text)


def test_oversized_input_is_rejected_before_any_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(_text: str) -> str:
        raise AssertionError("an oversized string reached the scanners")

    monkeypatch.setattr(indicators, "_unwrap", boom)
    with pytest.raises(InvalidIndicatorError) as caught:
        Indicator.parse("a" * (indicators.MAX_INDICATOR_LENGTH + 1))
    assert caught.value.value is not None
    assert len(caught.value.value) <= 80  # the error does not keep the whole blob


def test_limit_is_inclusive() -> None:
    path = "/" + "a" * (indicators.MAX_INDICATOR_LENGTH - len("http://evil.example/"))
    url = "http://evil.example" + path
    assert len(url) == indicators.MAX_INDICATOR_LENGTH
    assert Indicator.parse(url).value == url
    with pytest.raises(InvalidIndicatorError):
        Indicator.parse(url + "a")


@pytest.mark.parametrize(
    "text",
    [
        "[" * 8192,
        " [ " * 2730,
        "a:" * 4096,
        "1." * 4096,
        "ä." * 4096,
        "(." * 4096,
        "[.]" * 2730,
        "hxxp" * 2048,
        "http://" + "a." * 4000,
        "<" * 4096 + ">" * 4096,
    ],
)
def test_adversarial_inputs_are_rejected(text: str) -> None:
    with pytest.raises(InvalidIndicatorError):
        Indicator.parse(text)


# --- typed parsing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "allowed", "expected", "message"),
    [
        (
            "example.com",
            (T.IPV4, T.IPV6),
            "an IP address",
            "expected an IP address, got a domain ('example.com')",
        ),
        (
            "8.8.8.8",
            (T.DOMAIN,),
            "a domain name",
            "expected a domain name, got an IPv4 address ('8.8.8.8')",
        ),
        (
            "example.com",
            (T.MD5, T.SHA1, T.SHA256),
            "a file hash",
            "expected a file hash, got a domain ('example.com')",
        ),
        (MD5, (T.URL,), "a URL", f"expected a URL, got an MD5 hash ('{MD5}')"),
        (
            "evil.example/x",
            (T.DOMAIN,),
            "a domain",
            "expected a domain, got a URL ('http://evil.example/x')",
        ),
        ("not-a-hash", (T.MD5,), "an MD5", "expected an MD5, got 'not-a-hash'"),
    ],
)
def test_parse_as_rejects_other_types(
    text: str, allowed: tuple[IndicatorType, ...], expected: str, message: str
) -> None:
    with pytest.raises(InvalidIndicatorError) as caught:
        parse_as(text, allowed, expected)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("text", "allowed", "value"),
    [
        (MD5.upper(), (T.MD5, T.SHA1, T.SHA256), MD5),
        ("8[.]8[.]8[.]8", (T.IPV4, T.IPV6), "8.8.8.8"),
        ("hxxp://evil[.]example", (T.URL,), "http://evil.example"),
    ],
)
def test_parse_as_accepts(text: str, allowed: tuple[IndicatorType, ...], value: str) -> None:
    assert parse_as(text, allowed, "whatever").value == value


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("example.com", T.IPV4, "expected an IPv4 address, got a domain ('example.com')"),
        ("1.2.3.4", T.IPV6, "expected an IPv6 address, got an IPv4 address ('1.2.3.4')"),
        (SHA1, T.SHA256, f"expected a SHA-256 hash, got a SHA-1 hash ('{SHA1}')"),
        ("evil.example", T.URL, "expected a URL, got a domain ('evil.example')"),
        ("CVE-2021-44228", T.DOMAIN, "expected a domain, got a CVE id ('CVE-2021-44228')"),
    ],
)
def test_parse_with_type(text: str, kind: IndicatorType, message: str) -> None:
    with pytest.raises(InvalidIndicatorError) as caught:
        Indicator.parse(text, type=kind)
    assert str(caught.value) == message


# --- the Indicator value -----------------------------------------------------------------------


def test_indicator_value_semantics() -> None:
    url = Indicator.parse("hxxp://evil[.]example/x")
    assert repr(url) == "Indicator(type=IndicatorType.URL, value='http://evil.example/x')"
    assert str(url) == "http://evil.example/x"
    assert f"{url}" == "http://evil.example/x"
    assert {url, Indicator.parse("http://evil.example/x")} == {url}
    assert Indicator.parse("8[.]8[.]8[.]8") == Indicator.parse("8.8.8.8")
    assert Indicator.parse(MD5.upper()) == Indicator.parse(MD5)
    assert Indicator(T.DOMAIN, "a.example") != Indicator(T.URL, "a.example")
    assert pickle.loads(pickle.dumps(url)) == url
    with pytest.raises(AttributeError):
        url.value = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kind", "is_hash", "is_ip"),
    [
        (T.MD5, True, False),
        (T.SHA1, True, False),
        (T.SHA256, True, False),
        (T.IPV4, False, True),
        (T.IPV6, False, True),
        (T.DOMAIN, False, False),
        (T.URL, False, False),
        (T.CVE, False, False),
    ],
)
def test_type_helpers(kind: IndicatorType, is_hash: bool, is_ip: bool) -> None:
    assert kind.is_hash is is_hash
    assert kind.is_ip is is_ip
    assert str(kind) == kind.value
    assert IndicatorType(kind.value) is kind


@pytest.mark.parametrize(
    ("text", "is_global"),
    [
        ("8.8.8.8", True),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("169.254.1.1", False),
        ("100.64.0.1", False),  # shared address space
        ("192.0.2.1", False),  # documentation
        ("198.51.100.7", False),
        ("203.0.113.9", False),
        ("224.0.0.1", False),  # multicast
        ("0.0.0.0", False),
        ("240.0.0.1", False),  # reserved
        ("255.255.255.255", False),
        ("2606:4700:4700::1111", True),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("2001:db8::1", False),
        ("ff02::1", False),  # multicast
        ("ff0e::1", False),
        ("::ffff:10.0.0.1", False),  # judged by its IPv4 address on every Python
        ("::ffff:8.8.8.8", True),
        ("http://10.0.0.1/admin", False),
        ("http://[::1]:8080/", False),
        ("http://8.8.8.8/", True),
        ("http://evil.example/", True),
        ("evil.example", True),
        (MD5, True),
        ("CVE-2021-44228", True),
    ],
)
def test_is_global(text: str, is_global: bool) -> None:
    assert Indicator.parse(text).is_global is is_global


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("http://evil.example/x", "evil.example"),
        ("https://user:pw@Evil.Example:8443/x?y#z", "evil.example"),
        ("http://1.2.3.4:80/", "1.2.3.4"),
        ("http://[2001:db8::1]/", "2001:db8::1"),
        ("evil.example", "evil.example"),
        ("1.2.3.4", None),
        ("::1", None),
        (MD5, None),
        ("CVE-2021-44228", None),
    ],
)
def test_host(text: str, host: str | None) -> None:
    assert Indicator.parse(text).host == host


def test_url_host_parses_back() -> None:
    for text in ("http://[::1]/", "http://1.2.3.4/", "http://evil.example/"):
        host = Indicator.parse(text).host
        assert host is not None
        assert Indicator.parse(host).value == host


# --- defang ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("http://evil.example/a.b?c=d.e", "hxxp://evil[.]example/a.b?c=d.e"),
        ("https://evil.example", "hxxps://evil[.]example"),
        ("ftp://files.example/x", "fxp://files[.]example/x"),
        ("http://u@1.2.3.4:8080/", "hxxp://u@1[.]2[.]3[.]4:8080/"),
        ("http://[::1]/", "hxxp://[::1]/"),
        ("evil.example", "evil[.]example"),
        ("1.2.3.4", "1[.]2[.]3[.]4"),
        ("2001:db8::1", "2001:db8::1"),
        (MD5, MD5),
        ("CVE-2021-44228", "CVE-2021-44228"),
    ],
)
def test_defang(value: str, shown: str) -> None:
    assert defang(value) == shown
    assert Indicator.parse(shown).value == value


# --- provider helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path_type", "pulse_type"),
    [
        ("1.2.3.4", "IPv4", "IPv4"),
        ("2001:db8::1", "IPv6", "IPv6"),
        ("example.com", "domain", "domain"),
        ("www.example.com", "hostname", "hostname"),
        ("example.co.uk", "domain", "domain"),
        ("www.example.co.uk", "hostname", "hostname"),
        ("shop.example.com.au", "hostname", "hostname"),
        ("example.com.br", "domain", "domain"),
        ("example.co.jp", "domain", "domain"),
        ("a.b.example.com", "hostname", "hostname"),
        ("sub.example.de", "hostname", "hostname"),
        ("http://example.com/", "url", "URL"),
        (MD5, "file", "FileHash-MD5"),
        (SHA1, "file", "FileHash-SHA1"),
        (SHA256, "file", "FileHash-SHA256"),
        ("CVE-2021-44228", "cve", "CVE"),
    ],
)
def test_otx_types(text: str, path_type: str, pulse_type: str) -> None:
    indicator = Indicator.parse(text)
    assert otx_path_type(indicator) == path_type
    assert otx_pulse_type(indicator) == pulse_type
    back = indicator_type_from_otx(pulse_type)
    assert back is indicator.type


def test_multi_label_suffixes_are_two_labels() -> None:
    assert {"co.uk", "com.au", "co.jp", "com.br"} <= MULTI_LABEL_SUFFIXES
    assert all(len(s.split(".")) == 2 and s == s.lower() for s in MULTI_LABEL_SUFFIXES)


@pytest.mark.parametrize(
    ("type_string", "kind"),
    [
        ("FileHash-MD5", T.MD5),
        ("filehash-sha1", T.SHA1),
        ("FILEHASH-SHA256", T.SHA256),
        ("IPv4", T.IPV4),
        ("ipv6", T.IPV6),
        ("domain", T.DOMAIN),
        ("hostname", T.DOMAIN),
        ("URL", T.URL),
        ("CVE", T.CVE),
        (" URL ", T.URL),
        ("URI", None),
        ("CIDR", None),
        ("email", None),
        ("FilePath", None),
        ("Mutex", None),
        ("YARA", None),
        ("FileHash-PEHASH", None),
        ("FileHash-IMPHASH", None),
        ("file", None),
        ("", None),
    ],
)
def test_indicator_type_from_otx(type_string: str, kind: IndicatorType | None) -> None:
    assert indicator_type_from_otx(type_string) is kind


@pytest.mark.parametrize(
    ("url", "identifier"),
    [
        ("http://example.com/", "aHR0cDovL2V4YW1wbGUuY29tLw"),
        ("http://example.com", "aHR0cDovL2V4YW1wbGUuY29t"),
        ("https://a.example/?x=1", "aHR0cHM6Ly9hLmV4YW1wbGUvP3g9MQ"),
    ],
)
def test_vt_url_id(url: str, identifier: str) -> None:
    assert vt_url_id(url) == identifier
    assert "=" not in identifier


@pytest.mark.parametrize(
    ("value", "identifier"),
    [
        ("http://example.com/", "aHR0cDovL2V4YW1wbGUuY29tLw"),
        ("hxxp://example[.]com/", "aHR0cDovL2V4YW1wbGUuY29tLw"),
        ("HTTP://EXAMPLE.COM/", "aHR0cDovL2V4YW1wbGUuY29tLw"),
        ("example.com/", "aHR0cDovL2V4YW1wbGUuY29tLw"),
        ("aHR0cDovL2V4YW1wbGUuY29tLw", "aHR0cDovL2V4YW1wbGUuY29tLw"),  # already an id
        ("  aHR0cDovL2V4YW1wbGUuY29tLw ", "aHR0cDovL2V4YW1wbGUuY29tLw"),
        ("ZnRwOi8vZmlsZXMuZXhhbXBsZS94", "ZnRwOi8vZmlsZXMuZXhhbXBsZS94"),  # ftp://files.example/x
        ("A" * 64, "a" * 64),  # the sha256 form
        ("2a1b4024" + "0" * 56, "2a1b4024" + "0" * 56),
    ],
)
def test_vt_url_identifier(value: str, identifier: str) -> None:
    assert vt_url_identifier(value) == identifier


@pytest.mark.parametrize(
    "value",
    [
        "example.com",  # a domain is not a URL id
        "hello",  # a word that happens to be valid base64
        "ZXhhbXBsZS5jb20",  # base64 of "example.com": no scheme
        "amF2YXNjcmlwdDovL3g",  # base64 of "javascript://x"
        "aHR0cDovLw",  # base64 of "http://": nothing after the scheme
        MD5,
        "../users/me",
        "",
        "a" * 10_000,
    ],
)
def test_vt_url_identifier_rejects(value: str) -> None:
    with pytest.raises(InvalidIndicatorError, match="expected a URL or a VirusTotal URL id"):
        vt_url_identifier(value)


@pytest.mark.parametrize(
    ("value", "segment"),
    [
        ("evil.example", "evil.example"),
        ("http://evil.example/a?b=c#d", "http%3A%2F%2Fevil.example%2Fa%3Fb%3Dc%23d"),
        ("../users/me", "..%2Fusers%2Fme"),
        ("2001:db8::1", "2001%3Adb8%3A%3A1"),
        ("a b%", "a%20b%25"),
        ("bücher", "b%C3%BCcher"),
    ],
)
def test_path_segment(value: str, segment: str) -> None:
    assert path_segment(value) == segment
