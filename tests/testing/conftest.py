"""Helpers for the fakes' own tests: raw httpx clients bound to a fake."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tiintel.testing import TEST_API_KEY, FakeOTX, FakeVirusTotal

VT_BASE = "https://www.virustotal.com/api/v3"
OTX_BASE = "https://otx.alienvault.com/api/v1"


@pytest.fixture
def vt_fake() -> FakeVirusTotal:
    return FakeVirusTotal()


@pytest.fixture
def otx_fake() -> FakeOTX:
    return FakeOTX()


@pytest.fixture
def vt_http(vt_fake: FakeVirusTotal) -> Iterator[httpx.Client]:
    headers = {"x-apikey": TEST_API_KEY}
    with httpx.Client(transport=vt_fake, base_url=VT_BASE, headers=headers) as client:
        yield client


@pytest.fixture
def otx_http(otx_fake: FakeOTX) -> Iterator[httpx.Client]:
    headers = {"X-OTX-API-KEY": TEST_API_KEY}
    with httpx.Client(transport=otx_fake, base_url=OTX_BASE, headers=headers) as client:
        yield client
