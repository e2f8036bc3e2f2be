"""pytest fixtures for tiintel users (entry point ``tiintel`` in the ``pytest11`` group).

Import-cheap: the fakes and the clients load only when a fixture is used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tiintel.testing._clock import VirtualClock
    from tiintel.testing._otx_fake import FakeOTX
    from tiintel.testing._server import FakeServer
    from tiintel.testing._vt_fake import FakeVirusTotal

VT_BASE_URL = "https://www.virustotal.com/api/v3"
OTX_BASE_URL = "https://otx.alienvault.com/api/v1"


@pytest.fixture
def fake_vt() -> FakeVirusTotal:
    """A fresh ``FakeVirusTotal`` with the seeded dataset."""
    from tiintel.testing import FakeVirusTotal

    return FakeVirusTotal()


@pytest.fixture
def fake_otx() -> FakeOTX:
    """A fresh ``FakeOTX`` with the seeded dataset."""
    from tiintel.testing import FakeOTX

    return FakeOTX()


@pytest.fixture
def tiintel_instant_sleep() -> Iterator[VirtualClock]:
    """Clients built without a clock skip back-off sleeps; yields the ``VirtualClock``."""
    from tiintel.testing import instant_sleep

    with instant_sleep() as clock:
        yield clock


@pytest.fixture
def tiintel_server(fake_vt: FakeVirusTotal, fake_otx: FakeOTX) -> Iterator[FakeServer]:
    """``fake_vt`` and ``fake_otx`` on a loopback HTTP server (stopped after the test)."""
    from tiintel.testing import serve

    with serve(fake_vt, fake_otx) as server:
        yield server


@pytest.fixture
def vt_client(fake_vt: FakeVirusTotal) -> Iterator[Any]:
    """A ``tiintel.VirusTotalClient`` wired to ``fake_vt``."""
    from tiintel import VirusTotalClient
    from tiintel.testing import TEST_API_KEY

    with VirusTotalClient(TEST_API_KEY, base_url=VT_BASE_URL, transport=fake_vt) as client:
        yield client


@pytest.fixture
def otx_client(fake_otx: FakeOTX) -> Iterator[Any]:
    """A ``tiintel.OTXClient`` wired to ``fake_otx``."""
    from tiintel import OTXClient
    from tiintel.testing import TEST_API_KEY

    with OTXClient(TEST_API_KEY, base_url=OTX_BASE_URL, transport=fake_otx) as client:
        yield client


@pytest.fixture
async def async_vt_client(fake_vt: FakeVirusTotal) -> AsyncIterator[Any]:
    """A ``tiintel.AsyncVirusTotalClient`` wired to ``fake_vt``."""
    from tiintel import AsyncVirusTotalClient
    from tiintel.testing import TEST_API_KEY

    async with AsyncVirusTotalClient(
        TEST_API_KEY, base_url=VT_BASE_URL, transport=fake_vt
    ) as client:
        yield client


@pytest.fixture
async def async_otx_client(fake_otx: FakeOTX) -> AsyncIterator[Any]:
    """A ``tiintel.AsyncOTXClient`` wired to ``fake_otx``."""
    from tiintel import AsyncOTXClient
    from tiintel.testing import TEST_API_KEY

    async with AsyncOTXClient(TEST_API_KEY, base_url=OTX_BASE_URL, transport=fake_otx) as client:
        yield client
