"""In-memory fakes of VirusTotal API v3 and AlienVault OTX for tests and offline demos.

``FakeVirusTotal()`` and ``FakeOTX()`` are httpx transports (sync and async) seeded with a
realistic dataset; ``serve()`` runs them as a loopback HTTP server; ``instant_sleep()`` makes
clients skip back-off sleeps. See docs/testing.md. Heavy parts load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tiintel._lazy import lazy_names
from tiintel.testing._keys import INVALID_API_KEY, TEST_API_KEY

if TYPE_CHECKING:
    from tiintel.testing import _seed as seeded
    from tiintel.testing._base import RecordedRequest
    from tiintel.testing._clock import VirtualClock, instant_sleep
    from tiintel.testing._otx_data import OTXDataset
    from tiintel.testing._otx_fake import FakeOTX
    from tiintel.testing._server import FakeServer, serve
    from tiintel.testing._vt_data import VTDataset
    from tiintel.testing._vt_fake import FakeVirusTotal

__all__ = [
    "INVALID_API_KEY",
    "TEST_API_KEY",
    "FakeOTX",
    "FakeServer",
    "FakeVirusTotal",
    "OTXDataset",
    "RecordedRequest",
    "VTDataset",
    "VirtualClock",
    "instant_sleep",
    "seeded",
    "serve",
]

_LAZY = {
    "FakeOTX": "tiintel.testing._otx_fake",
    "FakeServer": "tiintel.testing._server",
    "FakeVirusTotal": "tiintel.testing._vt_fake",
    "OTXDataset": "tiintel.testing._otx_data",
    "RecordedRequest": "tiintel.testing._base",
    "VTDataset": "tiintel.testing._vt_data",
    "VirtualClock": "tiintel.testing._clock",
    "instant_sleep": "tiintel.testing._clock",
    "serve": "tiintel.testing._server",
}


_lazy_getattr, __dir__ = lazy_names(__name__, _LAZY)


def __getattr__(name: str) -> Any:
    if name == "seeded":  # a module, not a name inside one
        return importlib.import_module("tiintel.testing._seed")
    return _lazy_getattr(name)
