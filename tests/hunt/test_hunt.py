from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

import pytest

from tiintel._core.indicators import Indicator, IndicatorType
from tiintel.hunt import Match, PulseStore, _scan, extract_indicators, hunt

from .conftest import NOW, FakeOTX

IOCS = [
    "evil.com",
    "1.2.3.4",
    "2001:db8::1",
    "http://bad.example/drop/x.php",
    "44d88612fea8a8f36de82e1278abb02f",
    "CVE-2021-44228",
]


def found(line: str, iocs: list[str] = IOCS, **options: Any) -> set[str]:
    return {m.indicator.value for m in hunt([[line]], iocs, **options)}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET evil.com", {"evil.com"}),
        ("GET notevil.com", set()),
        ("GET not-evil.com", set()),
        ("GET evil.com.au", set()),
        ("GET evil.community", set()),
        ("host=www.evil.com", {"evil.com"}),
        ("host=a.b.EVIL.COM.", {"evil.com"}),
        ("mail user@evil.com", {"evil.com"}),
        ('"https://evil.com:8443/path"', {"evil.com"}),
        ("src=1.2.3.4 dst=5.6.7.8", {"1.2.3.4"}),
        ("src=11.2.3.45", set()),
        ("src=1.2.3.45", set()),
        ("src=1.2.3.4.5", set()),
        ("src=1.2.3.4:443", {"1.2.3.4"}),
        ("[1.2.3.4]", {"1.2.3.4"}),
        ("v6 2001:db8::1 here", {"2001:db8::1"}),
        ("v6 [2001:0db8:0:0:0:0:0:1]:443", {"2001:db8::1"}),
        ("v6 2001:db8::10", set()),
        ("GET http://bad.example/drop/x.php", {"http://bad.example/drop/x.php"}),
        ("GET HTTP://BAD.EXAMPLE/drop/x.php?id=7", {"http://bad.example/drop/x.php"}),
        ("GET http://bad.example/drop/x.php5", set()),
        ("GET http://bad.example/drop/X.php", set()),
        ("file 44D88612FEA8A8F36DE82E1278ABB02F", {"44d88612fea8a8f36de82e1278abb02f"}),
        ("file 44d88612fea8a8f36de82e1278abb02f.exe", {"44d88612fea8a8f36de82e1278abb02f"}),
        ("file 44d88612fea8a8f36de82e1278abb02f0", set()),
        ("file x44d88612fea8a8f36de82e1278abb02f", set()),
        ("exploit cve-2021-44228 seen", {"CVE-2021-44228"}),
        ("exploit CVE-2021-442280", set()),
    ],
)
def test_token_boundaries(line: str, expected: set[str]) -> None:
    assert found(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("evil[.]com", {"evil.com"}),
        ("evil(.)com", {"evil.com"}),
        ("evil{.}com", {"evil.com"}),
        ("evil[dot]com", {"evil.com"}),
        ("evil [.] com", {"evil.com"}),
        ("1[.]2[.]3[.]4", {"1.2.3.4"}),
        ("hxxp://bad[.]example/drop/x.php", {"http://bad.example/drop/x.php"}),
        ("hXXp[:]//bad.example/drop/x.php", {"http://bad.example/drop/x.php"}),
        ("www[.]evil[.]com", {"evil.com"}),
        ("notevil[.]com", set()),
    ],
)
def test_defanged_lines_are_refanged(line: str, expected: set[str]) -> None:
    assert found(line) == expected


def test_subdomains_can_be_turned_off() -> None:
    assert found("www.evil.com", match_subdomains=False) == set()
    assert found("evil.com", match_subdomains=False) == {"evil.com"}


def test_defanged_and_mixed_iocs_are_parsed() -> None:
    assert found("x EVIL.com", ["# comment", "", "evil[.]com", "not an ioc !"]) == {"evil.com"}


def test_match_fields_and_line_numbers(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("clean\r\nGET evil.com\nclean\n1.2.3.4 to evil.com\n")
    matches = list(hunt(log, IOCS))  # a single path is accepted on its own
    assert [(m.line_no, m.indicator.value) for m in matches] == [
        (2, "evil.com"),
        (4, "1.2.3.4"),
        (4, "evil.com"),
    ]
    first = matches[0]
    assert isinstance(first, Match)
    assert first.source == str(log)
    assert first.context == "GET evil.com"
    assert first.indicator == Indicator(type=IndicatorType.DOMAIN, value="evil.com")
    assert first.pulses == ()


def test_gzip_file_is_read_by_content(tmp_path: Path) -> None:
    plain = "a\nhost www.evil.com\nb\n"
    (tmp_path / "log.gz").write_bytes(gzip.compress(plain.encode()))
    (tmp_path / "rotated.1").write_bytes(gzip.compress(plain.encode()))
    for name in ("log.gz", "rotated.1"):
        assert [(m.line_no, m.matched) for m in hunt([tmp_path / name], IOCS)] == [
            (2, "www.evil.com")
        ]


@pytest.mark.parametrize(
    "source",
    [
        io.StringIO("x\nevil.com\n"),
        io.BytesIO(b"x\nevil.com"),
        ["x\n", "evil.com\n"],
        ("x", "evil.com"),
    ],
)
def test_streams_and_line_iterables(source: Any) -> None:
    assert [m.line_no for m in hunt([source], IOCS)] == [2]


def test_lines_across_block_boundaries(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_scan, "BLOCK_SIZE", 7)
    lines = [f"line {n} {'evil.com' if n % 3 == 0 else 'clean.org'}" for n in range(1, 40)]
    lines[10] = "a very long line without any break that spans many blocks " * 3 + "1.2.3.4"
    log = tmp_path / "small-blocks.log"
    log.write_text("\n".join(lines))  # no final line break
    got = [(m.line_no, m.indicator.value) for m in hunt([log], IOCS)]
    expected = [(n, "evil.com") for n in range(3, 40, 3)] + [(11, "1.2.3.4")]
    assert sorted(got) == sorted(expected)


def test_repeated_tokens_in_later_chunks_still_match(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pre-filter caches clean tokens: a token that hit must never be cached as clean.
    monkeypatch.setattr(_scan, "BLOCK_SIZE", 16)
    lines = ["evil.com x", "clean.org", "evil.com y", "www.evil.com", "www.evil.com"]
    assert [m.line_no for m in hunt([lines], IOCS)] == [1, 3, 4, 5]


def test_empty_ioc_list_yields_nothing(tmp_path: Path) -> None:
    assert list(hunt([["evil.com"]], [])) == []


def test_store_as_ioc_source_with_pulses_and_expiry(tmp_path: Path, payloads: Any) -> None:
    with PulseStore(tmp_path / "s.db", now=lambda: NOW) as store:
        store.sync(FakeOTX(payloads))
        lines = ["ok", "GET http://bad.example/x.php", "old.example gone.example", "to 1.2.3.4"]
        matches = list(hunt([lines], store))
        assert [(m.line_no, m.indicator.value) for m in matches] == [
            (2, "http://bad.example/x.php"),
            (4, "1.2.3.4"),
        ]
        assert [p.id for p in matches[1].pulses] == ["b" * 24, "a" * 24]
        with_expired = {m.indicator.value for m in hunt([lines], store, include_expired=True)}
        assert {"old.example", "gone.example"} <= with_expired


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see hxxp://evil[.]com/a and 8[.]8[.]8[.]8", ["http://evil.com/a", "evil.com", "8.8.8.8"]),
        ("notevil.com 11.2.3.45", ["notevil.com", "11.2.3.45"]),
        ("2001:DB8::1 at 10:20:30", ["2001:db8::1"]),
        ("44D88612FEA8A8F36DE82E1278ABB02F", ["44d88612fea8a8f36de82e1278abb02f"]),
        ("nothing here 999.1.1.1", []),
    ],
)
def test_extract_indicators(text: str, expected: list[str]) -> None:
    assert [i.value for i in extract_indicators(text)] == expected


def test_hunt_streams_lazily() -> None:
    # An endless source: the first match arrives without reading everything first.
    def endless() -> Any:
        n = 0
        while True:
            n += 1
            yield "evil.com" if n == 5 else "clean line"

    assert next(iter(hunt([endless()], IOCS))).line_no == 5
