"""Analyses: ``GET /analyses/{id}`` and waiting for one to complete with bounded backoff."""

from __future__ import annotations

import math
from typing import Final

from tiintel._exceptions import InvalidArgumentError

from ..._core.request import RequestSpec
from ..._exceptions import AnalysisTimeoutError
from ..._types import JSON
from ...models.virustotal import Analysis
from .._ids import data_of
from ._base import AsyncResource, SyncResource

POLL_INITIAL: Final = 2.0
"""Seconds before the second poll; each later wait doubles, up to POLL_MAX."""
POLL_MAX: Final = 30.0


def analysis_spec(analysis_id: str, *, cost: int = 1) -> RequestSpec:
    """GET /analyses/{id}; polls of one's own upload are free (``cost=0``)."""
    if not isinstance(analysis_id, str) or not analysis_id.strip():
        raise InvalidArgumentError(f"analysis_id must be a non-empty string, got {analysis_id!r}")
    return RequestSpec(path=("analyses", analysis_id.strip()), cost=cost)


def parse_analysis(payload: JSON) -> Analysis:
    """The Analysis in a GET /analyses answer (with its ``meta`` file or URL info)."""
    meta = payload.get("meta") if isinstance(payload, dict) else None
    return Analysis.from_api(data_of(payload, "analysis"), meta)


def check_timeout(timeout: float) -> float:
    """``timeout`` as float seconds; ValueError unless finite and >= 0."""
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout >= 0:
        raise InvalidArgumentError(f"timeout must be a number of seconds >= 0, got {timeout!r}")
    if math.isinf(timeout):
        raise InvalidArgumentError("timeout must be finite")
    return float(timeout)


def poll_delay(polls_done: int, now: float, deadline: float) -> float | None:
    """Seconds to wait before the next poll, or None when the deadline has passed.

    2 s doubling to a 30 s cap, and never past the deadline (the last poll lands on it).
    """
    remaining = deadline - now
    if remaining <= 0:
        return None
    return min(POLL_INITIAL * 2.0 ** max(polls_done - 1, 0), POLL_MAX, remaining)


def timeout_error(analysis_id: str, status: str | None, timeout: float) -> AnalysisTimeoutError:
    """The error for an analysis still not completed after ``timeout`` seconds."""
    return AnalysisTimeoutError(
        f"VirusTotal analysis {analysis_id} is still {status or 'pending'} after "
        f"{timeout:g}s; poll it later with analyses.get({analysis_id!r})",
        analysis_id=analysis_id,
    )


class Analyses(SyncResource):
    """``vt.analyses``: analyses of submitted files and URLs."""

    def get(self, analysis_id: str) -> Analysis:
        """The analysis with this id, in whatever state it is (queued, in-progress or completed)."""
        return parse_analysis(self._sender.request(analysis_spec(analysis_id)))

    def wait(self, analysis_id: str, timeout: float = 300.0) -> Analysis:
        """Poll the analysis until it is completed and return it.

        Waits grow from 2 s to 30 s and never run past ``timeout`` seconds; after that,
        ``AnalysisTimeoutError`` (with ``.analysis_id``) is raised.
        """
        return self._wait(analysis_id, timeout, cost=1)

    def _wait(self, analysis_id: str, timeout: float, *, cost: int) -> Analysis:
        spec, limit, clock = (
            analysis_spec(analysis_id, cost=cost),
            check_timeout(timeout),
            self._sender.clock(),
        )
        deadline, polls = clock.monotonic() + limit, 0
        while True:
            analysis = parse_analysis(self._sender.request(spec))
            polls += 1
            if analysis.is_completed:
                return analysis
            delay = poll_delay(polls, clock.monotonic(), deadline)
            if delay is None:
                raise timeout_error(spec.path[1], analysis.status, limit)
            clock.sleep(delay)


class AsyncAnalyses(AsyncResource):
    """``vt.analyses``: analyses of submitted files and URLs."""

    async def get(self, analysis_id: str) -> Analysis:
        """The analysis with this id, in whatever state it is (queued, in-progress or completed)."""
        return parse_analysis(await self._sender.request(analysis_spec(analysis_id)))

    async def wait(self, analysis_id: str, timeout: float = 300.0) -> Analysis:  # noqa: ASYNC109 - an analysis deadline, part of the API
        """Poll the analysis until it is completed and return it.

        Waits grow from 2 s to 30 s and never run past ``timeout`` seconds; after that,
        ``AnalysisTimeoutError`` (with ``.analysis_id``) is raised.
        """
        return await self._wait(analysis_id, timeout, cost=1)

    async def _wait(self, analysis_id: str, timeout: float, *, cost: int) -> Analysis:  # noqa: ASYNC109 - an analysis deadline, part of the API
        spec, limit, clock = (
            analysis_spec(analysis_id, cost=cost),
            check_timeout(timeout),
            self._sender.clock(),
        )
        deadline, polls = clock.monotonic() + limit, 0
        while True:
            analysis = parse_analysis(await self._sender.request(spec))
            polls += 1
            if analysis.is_completed:
                return analysis
            delay = poll_delay(polls, clock.monotonic(), deadline)
            if delay is None:
                raise timeout_error(spec.path[1], analysis.status, limit)
            await clock.asleep(delay)
