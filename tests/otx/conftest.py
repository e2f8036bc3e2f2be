"""Fixtures of the OTX client tests: one ``twin`` fixture runs a test on both clients."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from tiintel.otx import AsyncOTXClient, AsyncOTXPageIterator, OTXClient, OTXPageIterator

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "otx"
KEY = "otx-test-key-0123456789abcdef0123456789abcdef"
BASE = "https://otx.alienvault.com/api/v1"


def load(name: str) -> Any:
    """A recorded (or hand-written) OTX response body."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class Twin:
    """Builds the sync or the async client and runs calls on either the same way."""

    def __init__(self, kind: str, clock: Any) -> None:
        self.kind = kind
        self.clock = clock
        self._clients: list[Any] = []

    def make(self, transport: Any, **kwargs: Any) -> Any:
        cls = OTXClient if self.kind == "sync" else AsyncOTXClient
        kwargs.setdefault("clock", self.clock)
        client = cls(kwargs.pop("api_key", KEY), transport=transport, **kwargs)
        self._clients.append(client)
        return client

    async def run(self, value: Any) -> Any:
        """Await a coroutine, drain an iterator into a list, or return the value."""
        if inspect.isawaitable(value):
            value = await value
        if isinstance(value, AsyncOTXPageIterator):
            return [item async for item in value]
        if isinstance(value, OTXPageIterator):
            return list(value)
        return value

    async def next(self, iterator: Any) -> Any:
        """One item of a sync or async iterator."""
        if isinstance(iterator, AsyncOTXPageIterator):
            return await iterator.__anext__()
        return next(iterator)

    async def close(self) -> None:
        for client in self._clients:
            if isinstance(client, AsyncOTXClient):
                await client.aclose()
            else:
                client.close()


@pytest.fixture(params=["sync", "async"])
async def twin(request: pytest.FixtureRequest, clock: Any) -> Any:
    pair = Twin(request.param, clock)
    yield pair
    await pair.close()
