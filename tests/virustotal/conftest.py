"""Fixtures of the VirusTotal client tests: one ``twin`` fixture runs a test on both clients."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tiintel.virustotal import AsyncVirusTotalClient, VirusTotalClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "virustotal"
KEY = "vt-test-key-0123456789abcdef0123456789abcdef"
BASE = "https://www.virustotal.com/api/v3"


def load(name: str) -> Any:
    """A recorded (or hand-written) VirusTotal response body."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def twin_clients() -> tuple[type, type, str]:
    return VirusTotalClient, AsyncVirusTotalClient, KEY


Handler = Callable[[httpx.Request], httpx.Response]


class Wire:
    """A MockTransport that answers from a route table and records what it saw."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, str, Any]] = []
        self.seen: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self._handle)

    def on(self, method: str, raw_path: str, *answers: httpx.Response | Handler) -> Wire:
        """Answer ``method raw_path`` (exact, percent-encoded, without query) in order; the last repeats."""
        self.routes.append((method, raw_path, list(answers)))
        return self

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        path = request.url.raw_path.split(b"?")[0].decode()
        for method, raw_path, answers in self.routes:
            if method == request.method and path == raw_path:
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                return answer(request) if callable(answer) else answer
        return httpx.Response(
            404, json={"error": {"code": "NotFoundError", "message": f"no route {path}"}}
        )

    def paths(self, method: str | None = None) -> list[str]:
        return [r.url.raw_path.decode() for r in self.seen if method is None or r.method == method]


@pytest.fixture
def wire() -> Wire:
    return Wire()
