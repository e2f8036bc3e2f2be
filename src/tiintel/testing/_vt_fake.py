"""``FakeVirusTotal``: the VirusTotal API v3 fake (routing, auth and quota rules)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tiintel.testing import _vt_analyses as sub
from tiintel.testing import _vt_social as social
from tiintel.testing._base import IN_MEMORY_STORAGE_ROOT, FakeService
from tiintel.testing._keys import INVALID_API_KEY
from tiintel.testing._vt_data import COLLECTIONS, VTDataset
from tiintel.testing._vt_objects import get_object, relationship
from tiintel.testing._vt_render import PREFIX, error, not_found
from tiintel.testing._vt_state import VTState
from tiintel.testing._wire import FakeRequest, FakeResponse, html_response, json_response

__all__ = ["FakeVirusTotal"]

STORAGE_HOST = IN_MEMORY_STORAGE_ROOT.split("://", 1)[1]
# Endpoints the service does not charge (DOCS quota-consumption; maintainer on upload_url).
_FREE = {("users", "overall_quotas"), ("users", "api_usage"), ("files", "upload_url")}


class FakeVirusTotal(FakeService):
    """An in-memory VirusTotal API v3: pass it as ``transport=`` to sync or async clients.

    It answers under ``/api/v3`` on any host, checks the ``x-apikey`` header (missing: 401
    AuthenticationRequiredError; ``INVALID_API_KEY``: 401 WrongCredentialsError; anything else is
    accepted), serves the seeded dataset plus generated data for unseeded indicators, and records
    every request in ``requests``. ``premium=True`` unlocks intelligence search and downloads.
    ``analysis_polls`` is the GET /analyses poll on which an analysis completes (the first poll
    says ``queued``, later ones ``in-progress``). The fault and quota knobs are described in
    ``FakeService`` and docs/testing.md.
    """

    prefix = PREFIX
    key_header = "x-apikey"

    def __init__(
        self,
        *,
        dataset: VTDataset | None = None,
        premium: bool = False,
        analysis_polls: int = 3,
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
        self.dataset = dataset if dataset is not None else VTDataset()
        self.state = VTState(
            dataset=self.dataset,
            quota=self.quota,
            premium=premium,
            analysis_polls=max(1, analysis_polls),
        )

    # ---- dataset helpers (see VTDataset for the parameters) --------------------------------

    def add_file(self, content: bytes | None = None, **kwargs: Any) -> str:
        """Add a file report (bytes or hashes); returns its sha256. See ``VTDataset.add_file``."""
        with self._lock:
            return self.dataset.add_file(content, **kwargs)

    def add_url(self, url: str, **kwargs: Any) -> str:
        """Add a URL report; returns its sha256 id. See ``VTDataset.add_url``."""
        with self._lock:
            return self.dataset.add_url(url, **kwargs)

    def add_domain(self, domain: str, **kwargs: Any) -> str:
        """Add a domain report. See ``VTDataset.add_domain``."""
        with self._lock:
            return self.dataset.add_domain(domain, **kwargs)

    def add_ip(self, ip: str, **kwargs: Any) -> str:
        """Add an IP address report. See ``VTDataset.add_ip``."""
        with self._lock:
            return self.dataset.add_ip(ip, **kwargs)

    @property
    def storage_requests(self) -> list[Any]:
        """Recorded requests to the download storage (check ``had_key`` is False on them)."""
        return [r for r in self.requests if r.path.startswith("/_storage/")]

    # ---- service rules -------------------------------------------------------------------

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        """401 AuthenticationRequiredError without a key, WrongCredentialsError for the bad one."""
        key = request.header(self.key_header)
        if not key:
            return error(401, "AuthenticationRequiredError", "X-Apikey header is missing")
        if key == INVALID_API_KEY:
            return error(401, "WrongCredentialsError", "Wrong API key")
        return None

    def costs_quota(self, request: FakeRequest, segments: list[str]) -> bool:
        """Everything but overall_quotas, api_usage, upload_url and analyses polls is charged."""
        if segments[:1] == ["analyses"]:
            return False
        return not (len(segments) >= 2 and (segments[0], segments[-1]) in _FREE)

    def quota_exceeded(self) -> FakeResponse:
        """429 QuotaExceededError, without Retry-After."""
        return error(429, "QuotaExceededError", "Quota exceeded")

    def failure(self, status: int) -> FakeResponse:
        """503 TransientError / 504 DeadlineExceededError as JSON; others as a front-end page."""
        if status == 503:
            return error(503, "TransientError", "Transient error, please retry")
        if status == 504:
            return error(504, "DeadlineExceededError", "Deadline exceeded")
        return html_response(status, "Server Error")

    def not_found(self, request: FakeRequest) -> FakeResponse:
        """Paths outside /api/v3."""
        return error(404, "NotFoundError", f'Resource "{request.raw_path}" not found')

    def special(self, request: FakeRequest) -> FakeResponse | None:
        """Upload URLs (``/_upload/<token>``) and the storage host, both without a key."""
        path = request.raw_path
        if path.startswith("/_upload/"):
            return sub.use_upload_url(self.state, request, path.removeprefix("/_upload/"))
        if request.host == STORAGE_HOST or path.startswith("/_storage/"):
            return sub.serve_storage(self.state, request, path.rsplit("/", 1)[-1])
        return None

    def route(self, request: FakeRequest, segments: list[str]) -> FakeResponse:
        """Dispatch on method and path segments."""
        method, n = request.method, len(segments)
        head = segments[0] if segments else ""
        state = self.state
        if head == "files" and segments[1:] == ["upload_url"] and method == "GET":
            return sub.upload_url(state, request)
        if head == "files" and n == 1 and method == "POST":
            return sub.upload(state, request)
        if head == "urls" and n == 1 and method == "POST":
            return sub.submit_url(state, request)
        if head == "analyses" and n == 2 and method == "GET":
            return sub.get_analysis(state, request, segments[1])
        if head == "search" and n == 1 and method == "GET":
            return social.search(state, request)
        if segments[:2] == ["intelligence", "search"] and method == "GET":
            return social.intelligence_search(state, request)
        if head == "users" and n >= 2 and method == "GET":
            return self._users(request, segments)
        if head in COLLECTIONS and n >= 2:
            return self._collection(request, segments)
        return error(404, "NotFoundError", f'Resource "{request.raw_path}" not found')

    def _users(self, request: FakeRequest, segments: list[str]) -> FakeResponse:
        tail = segments[2:]
        if not tail:
            return social.user(self.state, request, segments[1])
        if tail == ["overall_quotas"]:
            return social.overall_quotas(self.state, request, segments[1])
        if tail == ["api_usage"]:
            return social.api_usage(self.state, request, segments[1])
        return error(404, "NotFoundError", f'Resource "{request.raw_path}" not found')

    def _collection(self, request: FakeRequest, segments: list[str]) -> FakeResponse:
        collection, object_id, tail = segments[0], segments[1], segments[2:]
        method, state = request.method, self.state
        if not tail and method == "GET":
            return get_object(state, request, collection, object_id)
        if tail == ["analyse"] and method == "POST":
            if collection == "files":
                return sub.analyse_file(state, request, object_id)
            if collection == "urls":
                return sub.analyse_url(state, request, object_id)
        if tail == ["comments"] and method in {"GET", "POST"}:
            return social.comments(state, request, collection, object_id)
        if tail == ["votes"] and method in {"GET", "POST"}:
            return social.votes(state, request, collection, object_id)
        if collection == "files" and tail in (["download"], ["download_url"]) and method == "GET":
            return sub.download(state, request, object_id, as_url=tail == ["download_url"])
        if collection == "files" and tail == ["behaviour_summary"] and method == "GET":
            return self._behaviour_summary(object_id)
        if method == "GET" and len(tail) == 1:
            return relationship(state, request, collection, object_id, tail[0], descriptors=False)
        if method == "GET" and len(tail) == 2 and tail[0] == "relationships":
            return relationship(state, request, collection, object_id, tail[1], descriptors=True)
        return error(404, "NotFoundError", f'Resource "{request.raw_path}" not found')

    def _behaviour_summary(self, file_id: str) -> FakeResponse:
        found = self.dataset.find("file", file_id)
        if found is None:
            return not_found("file", file_id)
        summary = self.dataset.behaviours.get(found[0], {})
        empty: dict[str, list[Any]] = {
            "calls_highlighted": [],
            "files_opened": [],
            "processes_tree": [],
            "tags": [],
        }
        return json_response(200, {"data": summary or empty})
