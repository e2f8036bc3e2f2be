from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

import tiintel.cli._runtime as runtime_module
from tiintel.testing import FakeOTX, FakeVirusTotal


class TTY(io.StringIO):
    """A captured stream that claims to be a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[Any, Any]]:
    """Install the fakes ``--offline`` uses; returns them (call with your own to replace)."""

    def install(vt: Any = None, otx: Any = None) -> tuple[Any, Any]:
        pair = (vt or FakeVirusTotal(), otx or FakeOTX())
        monkeypatch.setattr(runtime_module, "offline_transports", lambda: pair)
        return pair

    return install


@pytest.fixture
def live_on_fakes(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Make the "live" clients of the CLI talk to fakes (no network), recording their kwargs."""
    import tiintel.otx as otx_pkg
    import tiintel.virustotal as vt_pkg

    seen: dict[str, Any] = {"vt_fake": FakeVirusTotal(), "otx_fake": FakeOTX()}
    real_vt, real_otx = vt_pkg.VirusTotalClient, otx_pkg.OTXClient

    def vt_client(*args: Any, **kwargs: Any) -> Any:
        seen["vt_kwargs"] = kwargs
        return real_vt(*args, transport=seen["vt_fake"], **kwargs)

    def otx_client(*args: Any, **kwargs: Any) -> Any:
        seen["otx_kwargs"] = kwargs
        return real_otx(*args, transport=seen["otx_fake"], **kwargs)

    monkeypatch.setattr(vt_pkg, "VirusTotalClient", vt_client)
    monkeypatch.setattr(otx_pkg, "OTXClient", otx_client)
    return seen
