"""Suite-wide fixtures: no test may see a real API key or reach the internet."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_real_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VT_API_KEY", raising=False)
    monkeypatch.delenv("OTX_API_KEY", raising=False)
