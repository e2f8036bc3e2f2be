"""The fan-out shells of ``correlate()`` and ``acorrelate()``: one verdict per indicator from VirusTotal and OTX.

Parsing, the choice of endpoint and the verdict live elsewhere (``_core.indicators``, ``_batch``,
``_correlate``); here we only schedule lookups (a thread pool for the sync clients, tasks for the
async ones) with bounded per-provider concurrency, and hand the answers to the merge.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ._batch import (
    VT_PIVOT_RELATIONSHIPS,
    ErrorsMode,
    Outcome,
    Plan,
    Progress,
    Stops,
    batch_client,
    otx_context,
    pivot_targets,
    pulses_of,
    stored,
    vt_get,
)
from ._client import AsyncClient, SyncClient
from ._core.indicators import Indicator, IndicatorType, otx_path_type
from ._correlate import vt_reputation_from_report
from ._exceptions import ConfigurationError, NotFoundError, TiIntelError
from .models.correlation import CorrelationList, VerdictPolicy, VTReputation

if TYPE_CHECKING:
    from .hunt import PulseStore
    from .otx import AsyncOTXClient, OTXClient
    from .virustotal import AsyncVirusTotalClient, VirusTotalClient

__all__ = ["acorrelate", "correlate"]


# -- sync -----------------------------------------------------------------------------------------


class _SyncLookups:
    def __init__(
        self,
        vt: Any,
        otx: Any,
        policy: VerdictPolicy,
        pivot: bool,
        pivot_budget: int,
        stops: Stops,
    ) -> None:
        self.vt, self.otx, self.policy = vt, otx, policy
        self.pivot, self.pivot_budget, self.stops = pivot, pivot_budget, stops

    def virustotal(self, ind: Indicator) -> tuple[Outcome, list[tuple[str, Indicator]]]:
        if self.vt is None or ind.type is IndicatorType.CVE:
            return None, []
        with self.stops.first_answer("virustotal"):
            return self._virustotal(ind)

    def _virustotal(self, ind: Indicator) -> tuple[Outcome, list[tuple[str, Indicator]]]:
        if skipped := self.stops.skipped("virustotal"):
            return skipped, []
        relationships = VT_PIVOT_RELATIONSHIPS.get(ind.type, ()) if self.pivot else ()
        try:
            report = vt_get(self.vt, ind, relationships)
        except NotFoundError:
            self.stops.answered("virustotal")
            return VTReputation(found=False), []
        except TiIntelError as error:
            self.stops.note("virustotal", error)
            return stored(error), []
        self.stops.answered("virustotal")
        return vt_reputation_from_report(report, policy=self.policy), pivot_targets(
            report, self.pivot_budget
        )

    def otx_pulses(self, ind: Indicator) -> Any:
        if hasattr(self.otx, "lookup"):
            return self.otx.lookup(ind)
        try:
            return self.otx.indicators.get(ind.value, "general", type=otx_path_type(ind))
        except NotFoundError:
            return None

    def otx_context(self, ind: Indicator, pivots: list[tuple[str, Indicator]]) -> Outcome:
        if self.otx is None:
            return None
        with self.stops.first_answer("otx"):
            return self._otx_context(ind, pivots)

    def _otx_context(self, ind: Indicator, pivots: list[tuple[str, Indicator]]) -> Outcome:
        if skipped := self.stops.skipped("otx"):
            return skipped
        try:
            found = self.otx_pulses(ind)
            if self.pivot and ind.type is IndicatorType.URL and ind.host and ind.host != ind.value:
                pivots = [(f"url host {ind.host}", Indicator.parse(ind.host)), *pivots]
            hits = [(path, pulses_of(self.otx_pulses(target))) for path, target in pivots]
        except TiIntelError as error:
            self.stops.note("otx", error)
            return stored(error)
        self.stops.answered("otx")
        return otx_context(found, hits)


def correlate(
    indicators: Iterable[str | Indicator],
    *,
    vt: VirusTotalClient | None = None,
    otx: OTXClient | PulseStore | None = None,
    policy: VerdictPolicy | None = None,
    concurrency: int = 8,
    pivot: bool = False,
    pivot_budget: int = 5,
    progress: Progress | None = None,
    errors: ErrorsMode = "raise",
    now: datetime | None = None,
) -> CorrelationList:
    """Look every indicator up on VirusTotal and OTX and return one ``Correlation`` each, in input order.

    Inputs are parsed first (refanged, normalised): with ``errors="raise"`` the first invalid one
    raises ``InvalidIndicatorError`` before any request; with ``errors="collect"`` it becomes an
    UNKNOWN result with ``errors["input"]``. Duplicates after normalisation are looked up once.
    Non-global addresses are not sent unless ``policy.send_private``. Per indicator, VirusTotal and
    OTX are asked at the same time, with at most ``concurrency`` requests in flight per provider;
    each client's rate limits are respected, minute and hour quota waits are not capped, and a day
    or month exhaustion, a rejected key or a provider unreachable from the start stops that
    provider for the rest of the batch. A provider failure lands in that result's ``errors`` and
    never aborts the batch. ``otx`` may be a local ``PulseStore``.
    ``pivot=True`` (costs quota) also checks a URL's host and serving IP, and a file's first
    ``pivot_budget`` contacted domains and IPs, in OTX. ``progress(done, total)`` is called on the
    caller's thread after each unique indicator completes; ``now`` fixes the clock for pulse ages.

    Example::

        with VirusTotalClient() as vt, OTXClient() as otx:
            for result in correlate(["44d88612fea8a8f36de82e1278abb02f", "8.8.8.8"], vt=vt, otx=otx):
                print(result.input, result.verdict.value, result.score, result.reasons[0])
    """
    policy = policy or VerdictPolicy()
    _check_concurrency(concurrency)
    _check_clients(vt, otx, async_=False)
    plan = Plan.build(indicators, policy, errors)
    lookups = _SyncLookups(
        batch_client(vt), batch_client(otx), policy, pivot, pivot_budget, Stops()
    )
    vt_out: dict[Indicator, Outcome] = {}
    otx_out: dict[Indicator, Outcome] = {}
    done = len(plan.withheld)
    if progress and done:
        progress(done, plan.total)
    # VT runs on the main workers and OTX on the side workers: at most ``concurrency`` per provider
    with (
        ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="tiintel-vt") as main,
        ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="tiintel-otx") as side,
    ):

        def one(ind: Indicator) -> tuple[Indicator, Outcome, Outcome]:
            if pivot:  # pivots need VT's relationships first
                vt_result, targets = lookups.virustotal(ind)
                return ind, vt_result, lookups.otx_context(ind, targets)
            otx_future = side.submit(lookups.otx_context, ind, [])
            vt_result, _ = lookups.virustotal(ind)
            return ind, vt_result, otx_future.result()

        pending: set[Future[tuple[Indicator, Outcome, Outcome]]] = set()
        queue: Iterator[Indicator] = iter(plan.to_send)
        for ind in _take(queue, concurrency * 2):
            pending.add(main.submit(one, ind))
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                ind, vt_result, otx_result = future.result()
                vt_out[ind], otx_out[ind] = vt_result, otx_result
                done += 1
                if progress:
                    progress(done, plan.total)
            for ind in _take(queue, len(finished)):
                pending.add(main.submit(one, ind))
    return plan.results(vt_out, otx_out, policy, now or datetime.now(UTC))


def _take(iterator: Iterator[Indicator], count: int) -> list[Indicator]:
    taken: list[Indicator] = []
    for ind in iterator:
        taken.append(ind)
        if len(taken) >= count:
            break
    return taken


# -- async ----------------------------------------------------------------------------------------


class _AsyncLookups:
    def __init__(
        self,
        vt: Any,
        otx: Any,
        policy: VerdictPolicy,
        pivot: bool,
        pivot_budget: int,
        stops: Stops,
    ) -> None:
        self.vt, self.otx, self.policy = vt, otx, policy
        self.pivot, self.pivot_budget, self.stops = pivot, pivot_budget, stops

    async def virustotal(self, ind: Indicator) -> tuple[Outcome, list[tuple[str, Indicator]]]:
        if self.vt is None or ind.type is IndicatorType.CVE:
            return None, []
        async with self.stops.afirst_answer("virustotal"):
            return await self._virustotal(ind)

    async def _virustotal(self, ind: Indicator) -> tuple[Outcome, list[tuple[str, Indicator]]]:
        if skipped := self.stops.skipped("virustotal"):
            return skipped, []
        relationships = VT_PIVOT_RELATIONSHIPS.get(ind.type, ()) if self.pivot else ()
        try:
            report = await vt_get(self.vt, ind, relationships)
        except NotFoundError:
            self.stops.answered("virustotal")
            return VTReputation(found=False), []
        except TiIntelError as error:
            self.stops.note("virustotal", error)
            return stored(error), []
        self.stops.answered("virustotal")
        return vt_reputation_from_report(report, policy=self.policy), pivot_targets(
            report, self.pivot_budget
        )

    async def otx_pulses(self, ind: Indicator) -> Any:
        if hasattr(self.otx, "lookup"):
            return await asyncio.to_thread(self.otx.lookup, ind)
        try:
            return await self.otx.indicators.get(ind.value, "general", type=otx_path_type(ind))
        except NotFoundError:
            return None

    async def otx_context(self, ind: Indicator, pivots: list[tuple[str, Indicator]]) -> Outcome:
        if self.otx is None:
            return None
        async with self.stops.afirst_answer("otx"):
            return await self._otx_context(ind, pivots)

    async def _otx_context(self, ind: Indicator, pivots: list[tuple[str, Indicator]]) -> Outcome:
        if skipped := self.stops.skipped("otx"):
            return skipped
        try:
            found = await self.otx_pulses(ind)
            if self.pivot and ind.type is IndicatorType.URL and ind.host and ind.host != ind.value:
                pivots = [(f"url host {ind.host}", Indicator.parse(ind.host)), *pivots]
            hits = [(path, pulses_of(await self.otx_pulses(target))) for path, target in pivots]
        except TiIntelError as error:
            self.stops.note("otx", error)
            return stored(error)
        self.stops.answered("otx")
        return otx_context(found, hits)


async def acorrelate(
    indicators: Iterable[str | Indicator],
    *,
    vt: AsyncVirusTotalClient | None = None,
    otx: AsyncOTXClient | PulseStore | None = None,
    policy: VerdictPolicy | None = None,
    concurrency: int = 8,
    pivot: bool = False,
    pivot_budget: int = 5,
    progress: Progress | None = None,
    errors: ErrorsMode = "raise",
    now: datetime | None = None,
) -> CorrelationList:
    """Look every indicator up on VirusTotal and OTX and return one ``Correlation`` each, in input order.

    Inputs are parsed first (refanged, normalised): with ``errors="raise"`` the first invalid one
    raises ``InvalidIndicatorError`` before any request; with ``errors="collect"`` it becomes an
    UNKNOWN result with ``errors["input"]``. Duplicates after normalisation are looked up once.
    Non-global addresses are not sent unless ``policy.send_private``. Per indicator, VirusTotal and
    OTX are asked at the same time, with at most ``concurrency`` requests in flight per provider;
    each client's rate limits are respected, minute and hour quota waits are not capped, and a day
    or month exhaustion, a rejected key or a provider unreachable from the start stops that
    provider for the rest of the batch. A provider failure lands in that result's ``errors`` and
    never aborts the batch. ``otx`` may be a local ``PulseStore``.
    ``pivot=True`` (costs quota) also checks a URL's host and serving IP, and a file's first
    ``pivot_budget`` contacted domains and IPs, in OTX. ``progress(done, total)`` is called on the
    caller's thread after each unique indicator completes; ``now`` fixes the clock for pulse ages.

    Example::

        async with AsyncVirusTotalClient() as vt, AsyncOTXClient() as otx:
            for result in await acorrelate(["44d88612fea8a8f36de82e1278abb02f", "8.8.8.8"], vt=vt, otx=otx):
                print(result.input, result.verdict.value, result.score, result.reasons[0])
    """
    policy = policy or VerdictPolicy()
    _check_concurrency(concurrency)
    _check_clients(vt, otx, async_=True)
    plan = Plan.build(indicators, policy, errors)
    lookups = _AsyncLookups(
        batch_client(vt), batch_client(otx), policy, pivot, pivot_budget, Stops(asyncio.Lock)
    )
    vt_out: dict[Indicator, Outcome] = {}
    otx_out: dict[Indicator, Outcome] = {}
    counter = [len(plan.withheld)]
    if progress and counter[0]:
        progress(counter[0], plan.total)
    queue = iter(plan.to_send)

    async def one(ind: Indicator) -> None:
        if pivot:
            vt_result, targets = await lookups.virustotal(ind)
            otx_result = await lookups.otx_context(ind, targets)
        else:
            (vt_result, _), otx_result = await asyncio.gather(
                lookups.virustotal(ind), lookups.otx_context(ind, [])
            )
        vt_out[ind], otx_out[ind] = vt_result, otx_result
        counter[0] += 1
        if progress:
            progress(counter[0], plan.total)

    async def worker() -> None:
        # ``concurrency`` workers, each on one indicator at a time: at most that many per provider
        for ind in queue:
            await one(ind)

    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, len(plan.to_send))):
            group.create_task(worker())
    return plan.results(vt_out, otx_out, policy, now or datetime.now(UTC))


def _check_concurrency(concurrency: int) -> None:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ConfigurationError(f"concurrency must be an int >= 1, got {concurrency!r}")


def _check_clients(vt: Any, otx: Any, *, async_: bool) -> None:
    wanted, other = (AsyncClient, SyncClient) if async_ else (SyncClient, AsyncClient)
    for name, client in (("vt", vt), ("otx", otx)):
        if isinstance(client, other):
            fn = "acorrelate" if async_ else "correlate"
            kind = "async" if async_ else "sync"
            raise ConfigurationError(
                f"{fn}() needs a {kind} client for {name}=, got {type(client).__name__}"
            )
        if client is not None and not isinstance(client, wanted) and not hasattr(client, "lookup"):
            raise ConfigurationError(
                f"{name}= must be a tiintel client (or a PulseStore for otx=), got {type(client).__name__}"
            )
