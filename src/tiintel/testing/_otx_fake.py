"""``FakeOTX``: the AlienVault OTX DirectConnect API v1 fake (routing, auth and quirks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tiintel.testing import _otx_pulses as pulses
from tiintel.testing._base import FakeService
from tiintel.testing._keys import INVALID_API_KEY
from tiintel.testing._otx_data import OTXDataset
from tiintel.testing._otx_render import detail_error, page_numbers
from tiintel.testing._otx_sections import indicator_section
from tiintel.testing._wire import FakeRequest, FakeResponse, html_response, json_response

__all__ = ["FakeOTX"]

PREFIX = "/api/v1"


class FakeOTX(FakeService):
    """An in-memory OTX API: pass it as ``transport=`` to sync or async clients.

    It answers under ``/api/v1`` on any host and checks ``X-OTX-API-KEY`` (missing or
    ``INVALID_API_KEY``: 403 with a ``detail`` body; any other non-empty key is accepted).
    ``subscribed_504_over_page_size=N`` makes /pulses/subscribed answer 504 whenever ``limit``
    is above N, as the real feed does for big pages. Paged ``next`` links are absolute and
    built from the request's own scheme and host.
    """

    prefix = PREFIX
    key_header = "x-otx-api-key"

    def __init__(
        self,
        *,
        dataset: OTXDataset | None = None,
        subscribed_504_over_page_size: int | None = None,
        rate_limits: Sequence[tuple[int, float]] = (),
        fail_rate: float = 0.0,
        fail_statuses: Sequence[int] = (500, 502, 503, 504),
        reset_rate: float = 0.0,
        timeout_rate: float = 0.0,
        garbage_rate: float = 0.0,
        latency: float = 0.0,
        seed: int | None = None,
        clock: Any = None,
    ) -> None:
        super().__init__(
            rate_limits=rate_limits,
            fail_rate=fail_rate,
            fail_statuses=fail_statuses,
            reset_rate=reset_rate,
            timeout_rate=timeout_rate,
            garbage_rate=garbage_rate,
            latency=latency,
            seed=seed,
            clock=clock,
        )
        self.dataset = dataset if dataset is not None else OTXDataset()
        self.subscribed_504_over_page_size = subscribed_504_over_page_size

    def add_pulse(self, name: str, indicators: Any = (), **kwargs: Any) -> str:
        """Add a pulse; returns its id. See ``OTXDataset.add_pulse`` for the keywords."""
        with self._lock:
            return self.dataset.add_pulse(name, indicators, **kwargs)

    def whitelist(self, value: str) -> None:
        """Mark a value whitelisted (a ``validation`` entry on its general section)."""
        with self._lock:
            self.dataset.whitelist(value)

    # ---- service rules -------------------------------------------------------------------

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        """403 for a missing or invalid key (OTX never says 401)."""
        key = request.header(self.key_header)
        if not key:
            return detail_error(403, "Authentication credentials were not provided.")
        if key == INVALID_API_KEY:
            return detail_error(403, "Invalid API key.")
        return None

    def quota_exceeded(self) -> FakeResponse:
        """429 ``{"detail": "Request was throttled."}`` without Retry-After."""
        return detail_error(429, "Request was throttled.")

    def failure(self, status: int) -> FakeResponse:
        """Gateway errors come as HTML pages from the front end; others as ``detail`` JSON."""
        if status in {502, 503, 504}:
            return html_response(status, "Gateway Time-out" if status == 504 else "Bad Gateway")
        return detail_error(status, "A server error occurred.")

    def not_found(self, request: FakeRequest) -> FakeResponse:
        """Paths outside /api/v1."""
        return detail_error(404, "Not found.")

    def route(self, request: FakeRequest, segments: list[str]) -> FakeResponse:
        """Dispatch on method and path segments."""
        data, method = self.dataset, request.method
        sub = (self.subpath(request) or "/").strip("/")
        if segments[:1] == ["indicators"] and len(segments) > 1 and segments[1] != "export":
            return indicator_section(data, request, sub.removeprefix("indicators/"))
        parts = segments + [""] * 3
        head, second, third = parts[0], parts[1], parts[2]
        if (head, second) == ("indicators", "export"):
            return pulses.export(data, request)
        if (head, second) == ("search", "pulses"):
            return pulses.search(data, request)
        if (head, second) in {("users", "me"), ("user", "me")}:
            return self._me()
        if head == "groups" and third in {"add_pulse", "remove_pulse"}:
            return self._group(second)
        if head == "pulses":
            return self._pulses(request, segments[1:], method)
        return detail_error(404, "Not found.")

    def _pulses(self, request: FakeRequest, rest: list[str], method: str) -> FakeResponse:
        data = self.dataset
        if rest == ["subscribed"]:
            limit = page_numbers(request, 50)[1]
            cap = self.subscribed_504_over_page_size
            if cap is not None and limit > cap:
                return html_response(504, "Gateway Time-out")
            return pulses.subscribed_feed(data, request)
        if rest == ["activity"]:
            return pulses.activity(data, request)
        if rest == ["events"]:
            return pulses.events(data, request)
        if rest == ["create"] and method == "POST":
            return pulses.create(data, request)
        if rest == ["indicators", "validate"] and method == "POST":
            return pulses.validate(request)
        if len(rest) == 1 and method == "GET":
            return pulses.get_pulse(data, rest[0])
        if len(rest) == 1 and method == "PATCH":
            return pulses.patch_pulse(data, request, rest[0])
        if len(rest) == 2 and rest[1] == "indicators":
            return pulses.pulse_indicators(data, request, rest[0])
        if len(rest) == 2 and rest[1] == "related":
            return pulses.related(data, request, rest[0])
        if len(rest) == 2 and rest[1] in {"subscribe", "unsubscribe"}:
            return pulses.subscribe(data, rest[0], on=rest[1] == "subscribe")
        return detail_error(404, "Not found.")

    def _me(self) -> FakeResponse:
        user = {k: v for k, v in self.dataset.user.items() if k != "groups"}
        mine = [p for p in self.dataset.pulses.values() if p["author_name"] == user["username"]]
        user["pulse_count"] = len(mine)
        return json_response(200, user)

    def _group(self, group: str) -> FakeResponse:
        members = {str(g) for g in self.dataset.user.get("groups", [])}
        if group not in members:
            return detail_error(403, "You do not have permission to perform this action.")
        return json_response(200, {"status": "success"})
