"""The official clients (vt-py, OTXv2) read the fakes correctly over a real loopback server.

vt-py's sync API runs its own event loop, so these are plain (non-async) test functions.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator

import pytest

from tiintel.testing import TEST_API_KEY, FakeServer, seeded, serve

vt = pytest.importorskip("vt")
otxv2 = pytest.importorskip("OTXv2")
IndicatorTypes = pytest.importorskip("IndicatorTypes")


@pytest.fixture(autouse=True)
def own_event_loop() -> Iterator[None]:
    # vt-py's sync API runs on asyncio.get_event_loop() and never closes it: give it one we close
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with serve() as running:
        yield running


def test_vtpy_reads_eicar_by_every_hash_form(server: FakeServer) -> None:
    with vt.Client(TEST_API_KEY, host=server.url) as client:
        for value in (seeded.EICAR_MD5, seeded.EICAR_SHA1, seeded.EICAR_SHA256):
            report = client.get_object("/files/{}", value)
            assert report.id == seeded.EICAR_SHA256
            assert report.last_analysis_stats["malicious"] == 60
            label = report.popular_threat_classification["suggested_threat_label"]
            assert label == "virus.eicar/test"


def test_vtpy_reads_a_url_by_its_base64_id(server: FakeServer) -> None:
    with vt.Client(TEST_API_KEY, host=server.url) as client:
        report = client.get_object("/urls/{}", vt.url_id(seeded.PHISH_URL))
    assert report.url == seeded.PHISH_URL
    assert report.last_analysis_stats["malicious"] == 12


def test_vtpy_iterates_a_relationship_over_several_pages(server: FakeServer) -> None:
    with vt.Client(TEST_API_KEY, host=server.url) as client:
        path = f"/domains/{seeded.C2_DOMAIN}/resolutions"
        ids = [item.id for item in client.iterator(path, batch_size=10)]
    assert len(ids) == 25
    assert len(set(ids)) == 25
    assert server.vt.count(f"/domains/{seeded.C2_DOMAIN}/resolutions") == 3


def test_vtpy_scan_file_goes_through_upload_url(server: FakeServer) -> None:
    with vt.Client(TEST_API_KEY, host=server.url) as client:
        analysis = client.scan_file(io.BytesIO(b"a brand new file for the fake"))
    assert analysis.type == "analysis"
    assert server.vt.count("/files/upload_url") == 1
    assert server.vt.count("/_upload/", method="POST", status=200) == 1


def test_vtpy_surfaces_the_error_codes(server: FakeServer) -> None:
    with vt.Client(TEST_API_KEY, host=server.url) as client, pytest.raises(vt.APIError) as err:
        client.get_object("/files/{}", seeded.UNKNOWN_SHA256)
    assert err.value.code == "NotFoundError"


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("IPv4", seeded.C2_IP),
        ("DOMAIN", seeded.C2_DOMAIN),
        ("URL", seeded.PHISH_URL),
        ("FILE_HASH_MD5", seeded.EICAR_MD5),
    ],
)
def test_otxv2_reads_general_sections(server: FakeServer, kind: str, value: str) -> None:
    client = otxv2.OTXv2(TEST_API_KEY, server=server.url)
    details = client.get_indicator_details_by_section(
        getattr(IndicatorTypes, kind), value, "general"
    )
    assert details["pulse_info"]["count"] >= 1
    assert details["indicator"] == value


def test_otxv2_getall_follows_absolute_next_links(server: FakeServer) -> None:
    client = otxv2.OTXv2(TEST_API_KEY, server=server.url)
    pulses = client.getall(limit=2)
    subscribed = [p for p in server.otx.dataset.pulses.values() if p["subscribed"]]
    assert len(pulses) == len(subscribed)
    assert server.otx.count("/pulses/subscribed") == (len(subscribed) + 1) // 2
    assert all("tlp" in p and isinstance(p["attack_ids"], list) for p in pulses)


def test_otxv2_getsince_filters_by_modification(server: FakeServer) -> None:
    client = otxv2.OTXv2(TEST_API_KEY, server=server.url)
    recent = client.getsince("2000-01-01T00:00:00", limit=3)
    newest = sorted(p["modified"] for p in server.otx.dataset.pulses.values() if p["subscribed"])
    assert len(recent) == len(newest)
    cutoff = newest[-2]
    assert [p["modified"] for p in client.getsince(cutoff, limit=3)] == [newest[-1]]


def test_otxv2_search_and_pulse_details(server: FakeServer) -> None:
    client = otxv2.OTXv2(TEST_API_KEY, server=server.url)
    found = client.search_pulses("badcorp")
    assert found["results"]
    details = client.get_pulse_details(found["results"][0]["id"])
    assert details["TLP"] in {"white", "green", "amber", "red"}
    assert all(isinstance(a, dict) for a in details["attack_ids"])
