"""The pure half of ``correlate()``: provider results in, one explained ``Correlation`` out.

No I/O and no clock: the caller passes ``now``. The adapters at the bottom turn the providers'
report models into the small ``VTReputation`` / ``OTXContext`` the rules read; they use only the
attribute names of the public models (duck typing), so this module imports no provider code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs

from tiintel._exceptions import TiIntelError
from tiintel.models.correlation import (
    Correlation,
    OTXContext,
    PulseRef,
    Verdict,
    VerdictPolicy,
    VTReputation,
    most_restrictive_tlp,
)

if TYPE_CHECKING:
    from tiintel._core.indicators import Indicator

__all__ = [
    "SCORE_BANDS",
    "Evidence",
    "merge",
    "otx_context_from_details",
    "otx_context_from_pulses",
    "score_for",
    "vt_reputation_from_report",
]

SCORE_BANDS: Final[Mapping[Verdict, tuple[int, int]]] = {
    Verdict.HARMLESS: (0, 9),
    Verdict.UNKNOWN: (10, 29),
    Verdict.SUSPICIOUS: (30, 69),
    Verdict.MALICIOUS: (70, 100),
}
"""Inclusive score range of each verdict."""

_PROVIDER_LABELS: Final[Mapping[str, str]] = {
    "virustotal": "VirusTotal lookup failed",
    "otx": "OTX lookup failed",
    "input": "input rejected",
}
_MESSAGE_CHARS: Final = 160
_OTX_PULSE_URL: Final = "https://otx.alienvault.com/pulse/"


@attrs.frozen(kw_only=True, slots=True)
class Evidence:
    """The counts the score is computed from (all "more is worse")."""

    vt_malicious: int = 0
    vt_suspicious: int = 0
    trusted_hits: int = 0
    fresh_pulses: int = 0
    fresh_pivot_pulses: int = 0

    def strength(self, policy: VerdictPolicy) -> float:
        """Return the weighted sum of the counts (the policy's ``score_weight_*`` fields)."""
        return (
            policy.score_weight_vt_malicious * self.vt_malicious
            + policy.score_weight_vt_suspicious * self.vt_suspicious
            + policy.score_weight_trusted * self.trusted_hits
            + policy.score_weight_pulse * self.fresh_pulses
            + policy.score_weight_pivot_pulse * self.fresh_pivot_pulses
        )


def score_for(verdict: Verdict, evidence: Evidence, policy: VerdictPolicy) -> int:
    """Return the 0-100 score: the verdict picks the band, the evidence the position in it.

    ``position = 1 - half / (strength + half)`` grows from 0 towards 1 and never reaches it, so
    the score is ``low + floor((high - low + 1) * position)``: the band's low end with no evidence,
    its middle at ``score_half_evidence``, its high end only in the limit.
    Written this way, each floating-point step is monotone, so more evidence never lowers it.
    """
    low, high = SCORE_BANDS[verdict]
    half = policy.score_half_evidence
    position = 1.0 - half / (evidence.strength(policy) + half)
    return min(high, low + math.floor((high - low + 1) * position))


# --- rules -----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=True)
class _Opinion:
    verdict: Verdict | None
    reasons: tuple[str, ...]


def _at_least(count: int, threshold: int) -> bool:
    # A threshold below 1 would make silence count as evidence: treat it as 1.
    return count >= max(1, threshold)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _trusted_hits(vt: VTReputation, policy: VerdictPolicy) -> tuple[str, ...]:
    trusted = {name.casefold() for name in policy.trusted_engines}
    seen: dict[str, None] = {}
    for name in (*vt.trusted_hits, *vt.malicious_engines):
        if name.casefold() in trusted:
            seen.setdefault(name, None)
    return tuple(seen)


def _total_engines(vt: VTReputation) -> int:
    return vt.total_engines or (vt.malicious + vt.suspicious + vt.harmless + vt.undetected)


def _vt_opinion(vt: VTReputation, hits: tuple[str, ...], policy: VerdictPolicy) -> _Opinion:
    if not vt.found:
        return _Opinion(verdict=None, reasons=("VirusTotal: not found",))
    if vt.last_analysis_date is None:
        return _Opinion(
            verdict=None,
            reasons=("VirusTotal: known but never analysed; no VirusTotal rule applied",),
        )
    total = _total_engines(vt)
    label = f", threat label '{vt.threat_label}'" if vt.threat_label else ""
    reasons: list[str] = []
    verdict: Verdict | None = None
    if _at_least(vt.malicious, policy.vt_malicious_engines):
        verdict = Verdict.MALICIOUS
        reasons.append(
            f"VirusTotal: {vt.malicious}/{total} engines malicious "
            f"(>= {policy.vt_malicious_engines}){label}"
        )
    if hits:
        verdict = Verdict.MALICIOUS
        noun = "engine" if len(hits) == 1 else "engines"
        reasons.append(f"VirusTotal: flagged by trusted {noun} {', '.join(hits)}")
    if verdict is None:
        if _at_least(vt.malicious, policy.vt_suspicious_malicious):
            verdict = Verdict.SUSPICIOUS
            reasons.append(
                f"VirusTotal: {vt.malicious}/{total} engines malicious "
                f"(>= {policy.vt_suspicious_malicious}, below {policy.vt_malicious_engines}){label}"
            )
        if _at_least(vt.suspicious, policy.vt_suspicious_engines):
            verdict = Verdict.SUSPICIOUS
            reasons.append(
                f"VirusTotal: {vt.suspicious}/{total} engines suspicious "
                f"(>= {policy.vt_suspicious_engines})"
            )
    if verdict is None:
        clean = vt.harmless + vt.undetected
        if (
            vt.malicious == 0
            and vt.suspicious == 0
            and _at_least(clean, policy.vt_harmless_min_engines)
        ):
            verdict = Verdict.HARMLESS
            reasons.append(
                f"VirusTotal: 0/{total} engines malicious or suspicious, "
                f"{clean} harmless or undetected (>= {policy.vt_harmless_min_engines})"
            )
        else:
            reasons.append(
                f"VirusTotal: {vt.malicious}/{total} engines malicious, "
                f"{vt.suspicious} suspicious, "
                f"{clean} harmless or undetected: no VirusTotal rule applied"
            )
    return _Opinion(verdict=verdict, reasons=tuple(reasons))


def _is_fresh(pulse: PulseRef, policy: VerdictPolicy, now: datetime) -> bool:
    if policy.pulse_max_age is None or pulse.modified is None:
        return True  # an unknown age cannot prove a pulse stale
    modified = pulse.modified
    if modified.tzinfo is None:
        modified = modified.replace(tzinfo=UTC)
    return now - modified <= policy.pulse_max_age


def _pulse_verdict(count: int, policy: VerdictPolicy) -> Verdict | None:
    if _at_least(count, policy.otx_malicious_pulses):
        return Verdict.MALICIOUS
    if _at_least(count, policy.otx_suspicious_pulses):
        return Verdict.SUSPICIOUS
    return None


def _pulse_summary(pulses: list[PulseRef]) -> str:
    # "incl. 'name' (adversary X)": the latest pulse, preferring one that names an adversary.
    if not pulses:
        return ""
    oldest = datetime.min.replace(tzinfo=UTC)

    def key(p: PulseRef) -> tuple[bool, datetime]:
        modified = p.modified or oldest
        if modified.tzinfo is None:
            modified = modified.replace(tzinfo=UTC)
        return (p.adversary is not None, modified)

    best = max(pulses, key=key)
    extra = []
    if best.adversary:
        extra.append(f"adversary {best.adversary}")
    if best.malware_families:
        extra.append(f"malware {', '.join(best.malware_families)}")
    detail = f" ({'; '.join(extra)})" if extra else ""
    return f" incl. '{best.name}'{detail}"


def _age_text(policy: VerdictPolicy) -> str:
    age = policy.pulse_max_age
    if age is None:  # pragma: no cover - no pulse is stale then
        return "the maximum age"
    if age.seconds == 0 and age.microseconds == 0:
        return _plural(age.days, "day")
    return str(age)


def _otx_opinion(
    otx: OTXContext, policy: VerdictPolicy, now: datetime
) -> tuple[_Opinion, int, int]:
    # Returns the OTX opinion, the fresh direct pulse count and the fresh pivot pulse count.
    reasons: list[str] = []
    fresh = [p for p in otx.pulses if _is_fresh(p, policy, now)]
    stale = len(otx.pulses) - len(fresh)
    unlisted = max(0, otx.pulse_count - len(otx.pulses))
    counted = len(fresh) + unlisted
    verdict = _pulse_verdict(counted, policy)
    if counted:
        reasons.append(f"OTX: in {_plural(counted, 'pulse')}{_pulse_summary(fresh)}")
    if unlisted:
        reasons.append(
            f"OTX: {unlisted} of {_plural(otx.pulse_count, 'pulse')} not listed by the source, "
            "counted as fresh"
        )
    if stale:
        reasons.append(f"OTX: {_plural(stale, 'pulse')} older than {_age_text(policy)} not counted")
    if not otx.pulse_count and not otx.pulses:
        reasons.append("OTX: in no pulse")

    fresh_pivots = [p for p in otx.pivot_hits if _is_fresh(p, policy, now)]
    if fresh_pivots and policy.otx_pivot_cap is not Verdict.UNKNOWN:
        pivot_verdict = _pulse_verdict(len(fresh_pivots), policy)
        if pivot_verdict is not None and pivot_verdict.severity > policy.otx_pivot_cap.severity:
            pivot_verdict = policy.otx_pivot_cap
        by_path: dict[str, list[PulseRef]] = {}
        for pulse in fresh_pivots:
            by_path.setdefault(pulse.via or "pivot", []).append(pulse)
        for path, pulses in by_path.items():
            reasons.append(
                f"OTX: {_plural(len(pulses), 'pulse')} via {path}{_pulse_summary(pulses)} "
                f"(pivots count at most as {policy.otx_pivot_cap.value})"
            )
        if pivot_verdict is not None and (
            verdict is None or pivot_verdict.severity > verdict.severity
        ):
            verdict = pivot_verdict
    stale_pivots = len(otx.pivot_hits) - len(fresh_pivots)
    if stale_pivots:
        reasons.append(
            f"OTX: {_plural(stale_pivots, 'pivot pulse')} older than {_age_text(policy)} "
            "not counted"
        )

    if otx.whitelisted:
        sources = (
            f" (validation: {', '.join(otx.validation_sources)})" if otx.validation_sources else ""
        )
        reasons.append(f"OTX: whitelisted{sources}")
        # With whitelist_overrides, _join applies it (it must see the pulse verdict it overrides).
        if not policy.whitelist_overrides and verdict is None:
            verdict = Verdict.HARMLESS
    pivot_evidence = 0 if policy.otx_pivot_cap is Verdict.UNKNOWN else len(fresh_pivots)
    return _Opinion(verdict=verdict, reasons=tuple(reasons)), counted, pivot_evidence


def _join(
    vt_verdict: Verdict | None,
    otx_verdict: Verdict | None,
    otx: OTXContext | None,
    policy: VerdictPolicy,
) -> tuple[Verdict, tuple[str, ...]]:
    # Returns the joined verdict and the reasons for any exception to "the more severe wins".
    whitelisted = otx is not None and bool(otx.whitelisted)
    if whitelisted and policy.whitelist_overrides:
        if vt_verdict is Verdict.MALICIOUS:
            return Verdict.MALICIOUS, ("OTX whitelisting ignored: VirusTotal says malicious",)
        overridden = [
            f"{name} {verdict.value}"
            for name, verdict in (("VirusTotal", vt_verdict), ("OTX pulses", otx_verdict))
            if verdict in (Verdict.SUSPICIOUS, Verdict.MALICIOUS)
        ]
        if overridden:
            return Verdict.HARMLESS, (f"OTX whitelisting overrides {', '.join(overridden)}",)
        return Verdict.HARMLESS, ()
    if (
        policy.disagreement_rule
        and vt_verdict is Verdict.HARMLESS
        and otx_verdict is Verdict.MALICIOUS
    ):
        return Verdict.SUSPICIOUS, ("providers disagree: VirusTotal harmless, OTX malicious",)
    known = [v for v in (vt_verdict, otx_verdict) if v is not None]
    if not known:
        return Verdict.UNKNOWN, ()
    return max(known, key=lambda v: v.severity), ()


def _error_reason(key: str, error: TiIntelError) -> str:
    label = _PROVIDER_LABELS.get(key, f"{key} failed")
    message = error.message
    if len(message) > _MESSAGE_CHARS:
        message = message[: _MESSAGE_CHARS - 1] + "…"
    if key == "input":
        return f"{label}: {message}" if message else label
    return f"{label}: {type(error).__name__}" + (f" ({message})" if message else "")


def merge(
    input: str,
    indicator: Indicator | None,
    *,
    vt: VTReputation | None,
    otx: OTXContext | None,
    errors: Mapping[str, TiIntelError],
    policy: VerdictPolicy,
    now: datetime,
    skipped_reason: str | None = None,
) -> Correlation:
    """Apply ``policy`` to what the providers said about one indicator.

    ``vt`` / ``otx`` are None when the provider was not asked or failed (its error is then in
    ``errors``). ``skipped_reason`` says why the indicator was not sent at all (a private
    address, ...). ``now`` (aware) decides which pulses are fresh. Never raises for data reasons.
    """
    head: list[str] = []
    if skipped_reason:
        head.append(f"not sent to any provider: {skipped_reason}")
    if "input" in errors:
        head.append(_error_reason("input", errors["input"]))

    evidence_vt: dict[str, int] = {}
    vt_verdict: Verdict | None = None
    vt_reasons: tuple[str, ...] = ()
    if vt is not None:
        hits = _trusted_hits(vt, policy) if vt.analysed else ()
        vt = attrs.evolve(vt, trusted_hits=hits)
        opinion = _vt_opinion(vt, hits, policy)
        vt_verdict, vt_reasons = opinion.verdict, opinion.reasons
        if vt.analysed:
            evidence_vt = {
                "vt_malicious": vt.malicious,
                "vt_suspicious": vt.suspicious,
                "trusted_hits": len(hits),
            }

    otx_verdict: Verdict | None = None
    otx_reasons: tuple[str, ...] = ()
    fresh = fresh_pivots = 0
    if otx is not None:
        otx_opinion, fresh, fresh_pivots = _otx_opinion(otx, policy, now)
        otx_verdict, otx_reasons = otx_opinion.verdict, otx_opinion.reasons

    verdict, join_reasons = _join(vt_verdict, otx_verdict, otx, policy)
    tail = [_error_reason(k, e) for k, e in errors.items() if k != "input"]
    # the provider whose opinion decided the verdict speaks first (reasons[0] is the "top reason")
    otx_decided = otx_verdict is verdict and vt_verdict is not verdict
    providers = [*otx_reasons, *vt_reasons] if otx_decided else [*vt_reasons, *otx_reasons]
    reasons = [*head, *join_reasons, *providers, *tail]
    if not reasons:
        reasons.append("no provider was asked")

    evidence = Evidence(fresh_pulses=fresh, fresh_pivot_pulses=fresh_pivots, **evidence_vt)
    tlp = None
    if otx is not None:
        tlp = most_restrictive_tlp(p.tlp for p in (*otx.pulses, *otx.pivot_hits))
    return Correlation(
        input=input,
        indicator=indicator,
        verdict=verdict,
        score=score_for(verdict, evidence, policy),
        reasons=tuple(reasons),
        tlp=tlp,
        vt=vt,
        otx=otx,
        # Kept without response, traceback or cause: 100k results must stay small.
        errors={key: error.without_response() for key, error in errors.items()},
    )


# --- adapters from the provider models --------------------------------------------------------


class _StatsLike(Protocol):
    @property
    def malicious(self) -> int: ...
    @property
    def suspicious(self) -> int: ...
    @property
    def harmless(self) -> int: ...
    @property
    def undetected(self) -> int: ...


class _EngineLike(Protocol):
    @property
    def category(self) -> str | None: ...


class _VTReportLike(Protocol):
    @property
    def reputation(self) -> int | None: ...
    @property
    def last_analysis_date(self) -> datetime | None: ...
    @property
    def last_analysis_stats(self) -> _StatsLike | None: ...
    @property
    def last_analysis_results(self) -> Mapping[str, _EngineLike] | None: ...


def vt_reputation_from_report(
    report: _VTReportLike, *, policy: VerdictPolicy | None = None
) -> VTReputation:
    """Build a ``VTReputation`` from a VirusTotal report (``FileReport``, ``URLReport``, ...).

    ``trusted_hits`` are computed with ``policy`` (default ``VerdictPolicy()``); ``merge`` checks
    them again against the policy it is given. For an indicator VirusTotal does not know, use
    ``VTReputation(found=False)``.
    """
    policy = policy or VerdictPolicy()
    stats = report.last_analysis_stats
    results = report.last_analysis_results or {}
    malicious_engines = tuple(
        sorted(name for name, result in results.items() if result.category == "malicious")
    )
    counts = {
        "malicious": stats.malicious if stats is not None else 0,
        "suspicious": stats.suspicious if stats is not None else 0,
        "harmless": stats.harmless if stats is not None else 0,
        "undetected": stats.undetected if stats is not None else 0,
    }
    label = getattr(report, "popular_threat_label", None)
    link = getattr(report, "link", None)
    partial = VTReputation(found=True, malicious_engines=malicious_engines)
    return VTReputation(
        found=True,
        reputation=report.reputation,
        threat_label=label if isinstance(label, str) else None,
        last_analysis_date=report.last_analysis_date,
        link=link if isinstance(link, str) else None,
        trusted_hits=_trusted_hits(partial, policy),
        malicious_engines=malicious_engines,
        total_engines=sum(counts.values()),
        **counts,
    )


def _strings(values: Iterable[Any] | None) -> tuple[str, ...]:
    return tuple(v for v in (values or ()) if isinstance(v, str) and v)


def _pulse_ref(pulse: Any, via: str | None) -> PulseRef:
    pulse_id = str(getattr(pulse, "id", ""))
    link = getattr(pulse, "link", None)
    tlp = getattr(pulse, "tlp", None)
    adversary = getattr(pulse, "adversary", None)
    modified = getattr(pulse, "modified", None)
    return PulseRef(
        id=pulse_id,
        name=str(getattr(pulse, "name", "") or ""),
        tlp=tlp.lower() if isinstance(tlp, str) and tlp else None,
        adversary=adversary if isinstance(adversary, str) and adversary else None,
        malware_families=_strings(getattr(pulse, "malware_families", None)),
        attack_ids=_strings(getattr(pulse, "attack_ids", None)),
        tags=_strings(getattr(pulse, "tags", None)),
        modified=modified if isinstance(modified, datetime) else None,
        link=link if isinstance(link, str) else (_OTX_PULSE_URL + pulse_id if pulse_id else None),
        via=via,
    )


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def otx_context_from_pulses(
    pulses: Iterable[Any],
    whitelisted: bool | None = None,
    *,
    pulse_count: int | None = None,
    validation_sources: Iterable[str] = (),
    pivots: Iterable[tuple[str, Iterable[Any]]] = (),
) -> OTXContext:
    """Build an ``OTXContext`` from pulses (OTX ``Pulse`` models or look-alikes).

    ``whitelisted`` stays None for a source without validation data (a local ``PulseStore``).
    ``pulse_count`` defaults to the number of pulses given. ``pivots`` are ``(path, pulses)``
    pairs such as ``("url host phish.example", host_pulses)``; a pivot pulse already listed
    directly, or already found through an earlier pivot, is kept once.
    """
    direct = [_pulse_ref(p, None) for p in pulses]
    seen = {p.id for p in direct}
    pivot_hits: list[PulseRef] = []
    for path, found in pivots:
        for pulse in found:
            ref = _pulse_ref(pulse, path)
            if ref.id not in seen:
                seen.add(ref.id)
                pivot_hits.append(ref)
    involved = (*direct, *pivot_hits)
    return OTXContext(
        pulse_count=len(direct) if pulse_count is None else max(pulse_count, len(direct)),
        pulses=tuple(direct),
        adversaries=_unique(p.adversary for p in involved if p.adversary),
        malware_families=_unique(f for p in involved for f in p.malware_families),
        attack_ids=_unique(a for p in involved for a in p.attack_ids),
        tags=_unique(t for p in involved for t in p.tags),
        whitelisted=whitelisted,
        validation_sources=_unique(validation_sources),
        pivot_hits=tuple(pivot_hits),
    )


def _field(entry: Any, name: str) -> Any:
    if isinstance(entry, Mapping):
        return entry.get(name)
    return getattr(entry, name, None)


def otx_context_from_details(
    details: Any, *, pivots: Iterable[tuple[str, Iterable[Any]]] = ()
) -> OTXContext:
    """Build an ``OTXContext`` from OTX's ``IndicatorDetails`` (the ``general`` section).

    Uses ``pulse_info.count`` / ``pulse_info.pulses``, ``whitelisted``, and the sources of the
    ``validation`` entries (plus ``"false_positive"`` when a false positive was accepted).
    """
    info = getattr(details, "pulse_info", None)
    pulses = tuple(getattr(info, "pulses", None) or ())
    count = getattr(info, "count", None)
    sources = [
        source
        for entry in getattr(details, "validation", None) or ()
        if isinstance(source := _field(entry, "source"), str) and source
    ]
    if any(
        _field(entry, "assessment") == "accepted"
        for entry in getattr(details, "false_positive", None) or ()
    ):
        sources.append("false_positive")
    whitelisted = getattr(details, "whitelisted", None)
    return otx_context_from_pulses(
        pulses,
        whitelisted=bool(whitelisted) if whitelisted is not None else False,
        pulse_count=count if isinstance(count, int) else None,
        validation_sources=sources,
        pivots=pivots,
    )
