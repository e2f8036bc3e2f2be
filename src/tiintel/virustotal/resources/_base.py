"""What every VirusTotal resource holds: the client's sender."""

from __future__ import annotations

from ..._http import AsyncSender, SyncSender


class SyncResource:
    """A group of endpoints sharing a synchronous client's sender."""

    def __init__(self, sender: SyncSender) -> None:
        self._sender = sender


class AsyncResource:
    """A group of endpoints sharing an asynchronous client's sender."""

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender
