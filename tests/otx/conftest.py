"""Fixtures of the OTX client tests: one ``twin`` fixture runs a test on both clients."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tiintel.otx import AsyncOTXClient, OTXClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "otx"
KEY = "otx-test-key-0123456789abcdef0123456789abcdef"
BASE = "https://otx.alienvault.com/api/v1"


def load(name: str) -> Any:
    """A recorded (or hand-written) OTX response body."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def twin_clients() -> tuple[type, type, str]:
    return OTXClient, AsyncOTXClient, KEY
