"""The fan-out shells of ``correlate()`` and ``acorrelate()``: one verdict per indicator from VirusTotal and OTX.

These are thin fan-out shells. Parsing, the choice of endpoint, and the verdict live in pure code
(``_core.indicators``, ``_correlate``); here we only schedule lookups (a thread pool for the sync
clients, tasks for the async ones), keep per-provider concurrency bounded, stop a provider whose
day or month quota ran out, and hand the answers to the merge.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ._client import AsyncClient, SyncClient
from ._core.indicators import Indicator, IndicatorType, otx_path_type
from ._correlate import (
    merge,
    otx_context_from_details,
    otx_context_from_pulses,
    vt_reputation_from_report,
)
from ._exceptions import (
    ConfigurationError,
    InvalidIndicatorError,
    NotFoundError,
    QuotaExceededError,
    TiIntelError,
)
from .models.correlation import (
    CorrelationList,
    OTXContext,
    VerdictPolicy,
    VTReputation,
)

if TYPE_CHECKING:
    from .hunt import PulseStore
    from .otx import AsyncOTXClient, OTXClient
    from .virustotal import AsyncVirusTotalClient, VirusTotalClient

__all__ = ["acorrelate", "correlate"]

ErrorsMode = Literal["raise", "collect"]
Progress = Callable[[int, int], None]
Outcome = VTReputation | OTXContext | TiIntelError | None

_HASHES = frozenset({IndicatorType.MD5, IndicatorType.SHA1, IndicatorType.SHA256})
_IPS = frozenset({IndicatorType.IPV4, IndicatorType.IPV6})
_LONG_SCOPES = frozenset({"day", "month"})
_VT_PIVOT_RELATIONSHIPS: Mapping[IndicatorType, tuple[str, ...]] = {
    IndicatorType.URL: ("last_serving_ip_address",),
    IndicatorType.MD5: ("contacted_domains", "contacted_ips"),
    IndicatorType.SHA1: ("contacted_domains", "contacted_ips"),
    IndicatorType.SHA256: ("contacted_domains", "contacted_ips"),
}


# -- the pure plan --------------------------------------------------------------------------------


@attrs.frozen
class _Entry:
    input: str
    indicator: Indicator | None
    error: InvalidIndicatorError | None = None


@attrs.frozen
class _Plan:
    """Inputs parsed once, de-duplicated, and sorted into sent / withheld."""

    entries: tuple[_Entry, ...]
    to_send: tuple[Indicator, ...]
    withheld: Mapping[Indicator, str]

    @classmethod
    def build(
        cls, indicators: Iterable[str | Indicator], policy: VerdictPolicy, errors: ErrorsMode
    ) -> _Plan:
        if errors not in ("raise", "collect"):
            raise ConfigurationError(f'errors must be "raise" or "collect", got {errors!r}')
        if isinstance(indicators, str | Indicator):
            raise ConfigurationError(
                "correlate() takes an iterable of indicators, not a single one: use [value]"
            )
        entries: list[_Entry] = []
        unique: dict[Indicator, None] = {}
        for item in indicators:
            entry = _parse(item, errors)
            entries.append(entry)
            if entry.indicator is not None:
                unique.setdefault(entry.indicator)
        withheld = {ind: reason for ind in unique if (reason := _withhold_reason(ind, policy))}
        return cls(tuple(entries), tuple(ind for ind in unique if ind not in withheld), withheld)

    @property
    def total(self) -> int:
        return len(self.to_send) + len(self.withheld)

    def results(
        self,
        vt: Mapping[Indicator, Outcome],
        otx: Mapping[Indicator, Outcome],
        policy: VerdictPolicy,
        now: datetime,
    ) -> CorrelationList:
        out = CorrelationList()
        for entry in self.entries:
            ind = entry.indicator
            if ind is None:
                errors: dict[str, TiIntelError] = {"input": entry.error} if entry.error else {}
                out.append(
                    merge(
                        entry.input, None, vt=None, otx=None, errors=errors, policy=policy, now=now
                    )
                )
                continue
            if ind in self.withheld:
                out.append(
                    merge(
                        entry.input,
                        ind,
                        vt=None,
                        otx=None,
                        errors={},
                        policy=policy,
                        now=now,
                        skipped_reason=self.withheld[ind],
                    )
                )
                continue
            vt_outcome, otx_outcome = vt.get(ind), otx.get(ind)
            failures = {
                name: outcome
                for name, outcome in (("virustotal", vt_outcome), ("otx", otx_outcome))
                if isinstance(outcome, TiIntelError)
            }
            out.append(
                merge(
                    entry.input,
                    ind,
                    vt=vt_outcome if isinstance(vt_outcome, VTReputation) else None,
                    otx=otx_outcome if isinstance(otx_outcome, OTXContext) else None,
                    errors=failures,
                    policy=policy,
                    now=now,
                )
            )
        return out


def _parse(item: str | Indicator, errors: ErrorsMode) -> _Entry:
    if isinstance(item, Indicator):
        return _Entry(item.value, item)
    if not isinstance(item, str):
        error = InvalidIndicatorError(
            f"expected a string or an Indicator, got {type(item).__name__}"
        )
        if errors == "raise":
            raise error
        return _Entry(repr(item), None, error)
    try:
        return _Entry(item, Indicator.parse(item))
    except InvalidIndicatorError as error:
        if errors == "raise":
            raise
        return _Entry(item, None, error.without_response())  # type: ignore[arg-type]


def _withhold_reason(ind: Indicator, policy: VerdictPolicy) -> str | None:
    if policy.send_private or ind.is_global:
        return None
    return f"{ind.value} is not a global address (private, loopback, link-local or reserved)"


def _stored(error: TiIntelError) -> TiIntelError:
    """Keep errors small: no traceback, cause or response (100k results stay light)."""
    return error.without_response()


class _Stops:
    """Providers whose day or month quota ran out during this batch: nothing more is sent to them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: dict[str, QuotaExceededError] = {}

    def get(self, provider: str) -> QuotaExceededError | None:
        return self._errors.get(provider)

    def note(self, provider: str, error: TiIntelError) -> None:
        if isinstance(error, QuotaExceededError) and error.scope in _LONG_SCOPES:
            with self._lock:
                self._errors.setdefault(provider, error)

    def skipped(self, provider: str) -> QuotaExceededError | None:
        first = self.get(provider)
        if first is None:
            return None
        return QuotaExceededError(
            f"not sent: the {first.scope} quota ran out earlier in this batch ({first.message})",
            scope=first.scope,
            provider=first.provider,
        )


def _pivot_targets(report: Any, budget: int) -> list[tuple[str, Indicator]]:
    """(path, indicator) pairs to check in OTX from a VT report's embedded relationships."""
    blocks = getattr(report, "relationships", None) or {}
    targets: list[tuple[str, Indicator]] = []
    for name, block in blocks.items():
        data = block.get("data") if isinstance(block, Mapping) else None
        items = data if isinstance(data, list) else [data] if isinstance(data, Mapping) else []
        for item in items:
            value = item.get("id") if isinstance(item, Mapping) else None
            if not isinstance(value, str):
                continue
            try:
                target = Indicator.parse(value)
            except InvalidIndicatorError:
                continue
            if target.is_global:
                targets.append((f"{name.replace('_', ' ')} {target.value}", target))
    return targets[:budget]


def _batch(client: Any) -> Any:
    """The client for a batch: minute and hour quota waits are not capped (day/month still stop)."""
    if client is None or not hasattr(client, "with_options"):
        return client
    return client.with_options(max_quota_wait=math.inf)


# -- sync -----------------------------------------------------------------------------------------


class _SyncLookups:
    def __init__(
        self,
        vt: Any,
        otx: Any,
        policy: VerdictPolicy,
        pivot: bool,
        pivot_budget: int,
        stops: _Stops,
    ) -> None:
        self.vt, self.otx, self.policy = vt, otx, policy
        self.pivot, self.pivot_budget, self.stops = pivot, pivot_budget, stops

    def virustotal(self, ind: Indicator) -> tuple[Outcome, list[tuple[str, Indicator]]]:
        if self.vt is None or ind.type is IndicatorType.CVE:
            return None, []
        if skipped := self.stops.skipped("virustotal"):
            return skipped, []
        relationships = _VT_PIVOT_RELATIONSHIPS.get(ind.type, ()) if self.pivot else ()
        try:
            report = _vt_get(self.vt, ind, relationships)
        except NotFoundError:
            return VTReputation(found=False), []
        except TiIntelError as error:
            self.stops.note("virustotal", error)
            return _stored(error), []
        return vt_reputation_from_report(report, policy=self.policy), _pivot_targets(
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
        if skipped := self.stops.skipped("otx"):
            return skipped
        try:
            found = self.otx_pulses(ind)
            if self.pivot and ind.type is IndicatorType.URL and ind.host and ind.host != ind.value:
                pivots = [(f"url host {ind.host}", Indicator.parse(ind.host)), *pivots]
            hits = [(path, _pulses_of(self.otx_pulses(target))) for path, target in pivots]
        except TiIntelError as error:
            self.stops.note("otx", error)
            return _stored(error)
        return _context(found, hits)


def _vt_get(vt: Any, ind: Indicator, relationships: tuple[str, ...]) -> Any:
    extra = {"relationships": list(relationships)} if relationships else {}
    if ind.type in _HASHES:
        return vt.files.get(ind.value, **extra)
    if ind.type is IndicatorType.URL:
        return vt.urls.get(ind.value, **extra)
    if ind.type is IndicatorType.DOMAIN:
        return vt.domains.get(ind.value, **extra)
    return vt.ip_addresses.get(ind.value, **extra)


def _pulses_of(found: Any) -> tuple[Any, ...]:
    if found is None:
        return ()
    if isinstance(found, list | tuple):
        return tuple(found)
    info = getattr(found, "pulse_info", None)
    return tuple(getattr(info, "pulses", None) or ())


def _context(found: Any, pivots: list[tuple[str, tuple[Any, ...]]]) -> OTXContext:
    if found is None:
        return otx_context_from_pulses((), whitelisted=None, pivots=pivots)
    if isinstance(found, list | tuple):
        return otx_context_from_pulses(found, whitelisted=None, pivots=pivots)
    return otx_context_from_details(found, pivots=pivots)


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
    or month exhaustion stops that provider for the rest of the batch. A provider failure lands in
    that result's ``errors`` and never aborts the batch. ``otx`` may be a local ``PulseStore``.
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
    plan = _Plan.build(indicators, policy, errors)
    lookups = _SyncLookups(_batch(vt), _batch(otx), policy, pivot, pivot_budget, _Stops())
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
        stops: _Stops,
    ) -> None:
        self.vt, self.otx, self.policy = vt, otx, policy
        self.pivot, self.pivot_budget, self.stops = pivot, pivot_budget, stops

    async def virustotal(self, ind: Indicator) -> tuple[Outcome, list[tuple[str, Indicator]]]:
        if self.vt is None or ind.type is IndicatorType.CVE:
            return None, []
        if skipped := self.stops.skipped("virustotal"):
            return skipped, []
        relationships = _VT_PIVOT_RELATIONSHIPS.get(ind.type, ()) if self.pivot else ()
        try:
            report = await _vt_get(self.vt, ind, relationships)
        except NotFoundError:
            return VTReputation(found=False), []
        except TiIntelError as error:
            self.stops.note("virustotal", error)
            return _stored(error), []
        return vt_reputation_from_report(report, policy=self.policy), _pivot_targets(
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
        if skipped := self.stops.skipped("otx"):
            return skipped
        try:
            found = await self.otx_pulses(ind)
            if self.pivot and ind.type is IndicatorType.URL and ind.host and ind.host != ind.value:
                pivots = [(f"url host {ind.host}", Indicator.parse(ind.host)), *pivots]
            hits = [(path, _pulses_of(await self.otx_pulses(target))) for path, target in pivots]
        except TiIntelError as error:
            self.stops.note("otx", error)
            return _stored(error)
        return _context(found, hits)


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
    or month exhaustion stops that provider for the rest of the batch. A provider failure lands in
    that result's ``errors`` and never aborts the batch. ``otx`` may be a local ``PulseStore``.
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
    plan = _Plan.build(indicators, policy, errors)
    lookups = _AsyncLookups(_batch(vt), _batch(otx), policy, pivot, pivot_budget, _Stops())
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
