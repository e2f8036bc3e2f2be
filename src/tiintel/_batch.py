"""What a correlate batch works from: the inputs parsed once, the provider stops, answer readers.

Everything here is shared by the sync and the async shells in ``_fanout``; only ``_Stops`` holds a
lock (it is written from worker threads).
"""

from __future__ import annotations

import math
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from typing import Any, Literal

import attrs

from ._core.indicators import Indicator, IndicatorType
from ._correlate import merge, otx_context_from_details, otx_context_from_pulses
from ._exceptions import (
    APIConnectionError,
    AuthenticationError,
    ConfigurationError,
    InvalidIndicatorError,
    QuotaExceededError,
    TiIntelError,
)
from .models.correlation import CorrelationList, OTXContext, VerdictPolicy, VTReputation

ErrorsMode = Literal["raise", "collect"]
Progress = Callable[[int, int], None]
Outcome = VTReputation | OTXContext | TiIntelError | None

_HASHES = frozenset({IndicatorType.MD5, IndicatorType.SHA1, IndicatorType.SHA256})
_LONG_SCOPES = frozenset({"day", "month"})
VT_PIVOT_RELATIONSHIPS: Mapping[IndicatorType, tuple[str, ...]] = {
    IndicatorType.URL: ("last_serving_ip_address",),
    IndicatorType.MD5: ("contacted_domains", "contacted_ips"),
    IndicatorType.SHA1: ("contacted_domains", "contacted_ips"),
    IndicatorType.SHA256: ("contacted_domains", "contacted_ips"),
}


@attrs.frozen
class _Entry:
    input: str
    indicator: Indicator | None
    error: InvalidIndicatorError | None = None


@attrs.frozen
class Plan:
    """Inputs parsed once, de-duplicated, and sorted into sent / withheld."""

    entries: tuple[_Entry, ...]
    to_send: tuple[Indicator, ...]
    withheld: Mapping[Indicator, str]

    @classmethod
    def build(
        cls, indicators: Iterable[str | Indicator], policy: VerdictPolicy, errors: ErrorsMode
    ) -> Plan:
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


def stored(error: TiIntelError) -> TiIntelError:
    """Keep errors small: no traceback, cause or response (100k results stay light)."""
    return error.without_response()


class Stops:
    """What a batch has learnt about each provider, so that nothing more is sent in vain.

    A provider is stopped for the rest of the batch when its day or month quota runs out, when it
    rejects the key, and when it could not be reached at all: a lookup failed without ever
    connecting, after its retries, before the provider had answered anything (DNS or network
    down). A provider that has answered once keeps being asked through later outages. Until it
    has answered, its lookups go one at a time (``first_answer``), so a dead network or a wrong
    key is learnt from one lookup instead of from every lookup queued in the rate limiter.
    """

    def __init__(self, lock: Callable[[], Any] = threading.Lock) -> None:
        self._lock = threading.Lock()
        self._errors: dict[str, TiIntelError] = {}
        self._answered: set[str] = set()
        self._probes = {"virustotal": lock(), "otx": lock()}

    def answered(self, provider: str) -> None:
        with self._lock:
            self._answered.add(provider)

    def note(self, provider: str, error: TiIntelError) -> None:
        with self._lock:
            final = isinstance(error, AuthenticationError) or (
                isinstance(error, QuotaExceededError) and error.scope in _LONG_SCOPES
            )
            unreachable = isinstance(error, APIConnectionError) and not error.reached_server
            if final or (unreachable and provider not in self._answered):
                self._errors.setdefault(provider, error)
            elif not unreachable:
                self._answered.add(provider)

    @contextmanager
    def first_answer(self, provider: str) -> Iterator[None]:
        """One lookup at a time for ``provider`` until it has answered (threads)."""
        if provider in self._answered:
            yield
            return
        with self._probes[provider]:
            if provider not in self._answered:
                yield
                return
        yield  # answered while this one waited: no need to hold the others back

    @asynccontextmanager
    async def afirst_answer(self, provider: str) -> AsyncIterator[None]:
        """One lookup at a time for ``provider`` until it has answered (tasks)."""
        if provider in self._answered:
            yield
            return
        async with self._probes[provider]:
            if provider not in self._answered:
                yield
                return
        yield

    def skipped(self, provider: str) -> TiIntelError | None:
        """The error of a lookup not sent because ``provider`` was stopped, or None."""
        first = self._errors.get(provider)
        if first is None:
            return None
        why = f"earlier in this batch ({first.message})"
        if isinstance(first, QuotaExceededError):
            return QuotaExceededError(
                f"not sent: the {first.scope} quota ran out {why}",
                scope=first.scope,
                provider=first.provider,
            )
        if isinstance(first, AuthenticationError):
            return AuthenticationError(
                f"not sent: the key was rejected {why}",
                status_code=first.status_code,
                provider=first.provider,
                code=first.code,
            )
        if isinstance(first, APIConnectionError):
            return APIConnectionError(
                f"not sent: unreachable {why}", provider=first.provider, reached_server=False
            )
        return None


def pivot_targets(report: Any, budget: int) -> list[tuple[str, Indicator]]:
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


def batch_client(client: Any) -> Any:
    """The client for a batch: minute and hour quota waits are not capped (day/month still stop)."""
    if client is None or not hasattr(client, "with_options"):
        return client
    return client.with_options(max_quota_wait=math.inf)


def vt_get(vt: Any, ind: Indicator, relationships: tuple[str, ...]) -> Any:
    extra = {"relationships": list(relationships)} if relationships else {}
    if ind.type in _HASHES:
        return vt.files.get(ind.value, **extra)
    if ind.type is IndicatorType.URL:
        return vt.urls.get(ind.value, **extra)
    if ind.type is IndicatorType.DOMAIN:
        return vt.domains.get(ind.value, **extra)
    return vt.ip_addresses.get(ind.value, **extra)


def pulses_of(found: Any) -> tuple[Any, ...]:
    if found is None:
        return ()
    if isinstance(found, list | tuple):
        return tuple(found)
    info = getattr(found, "pulse_info", None)
    return tuple(getattr(info, "pulses", None) or ())


def otx_context(found: Any, pivots: list[tuple[str, tuple[Any, ...]]]) -> OTXContext:
    if found is None:
        return otx_context_from_pulses((), whitelisted=None, pivots=pivots)
    if isinstance(found, list | tuple):
        return otx_context_from_pulses(found, whitelisted=None, pivots=pivots)
    return otx_context_from_details(found, pivots=pivots)
