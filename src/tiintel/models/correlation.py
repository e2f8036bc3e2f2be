"""Public result types of ``correlate()``: the verdict, the policy, what each provider said.

Everything here is plain data (frozen attrs classes): the pure merge in ``tiintel._correlate``
builds them, the exports in ``tiintel.export`` read them. Pulse names, tags and adversaries are
written by strangers, so every HTML rendering escapes every string it shows.
"""

from __future__ import annotations

import enum
import html
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import attrs

from tiintel._exceptions import TiIntelError

if TYPE_CHECKING:
    from tiintel._core.indicators import Indicator

__all__ = [
    "DEFAULT_TRUSTED_ENGINES",
    "TLP_RANK",
    "Correlation",
    "CorrelationList",
    "OTXContext",
    "PulseRef",
    "VTReputation",
    "Verdict",
    "VerdictPolicy",
    "most_restrictive_tlp",
]


class Verdict(enum.StrEnum):
    """The joined verdict of one indicator; ``.value`` is the lower-case name."""

    MALICIOUS = "malicious"
    SUSPICIOUS = "suspicious"
    HARMLESS = "harmless"
    UNKNOWN = "unknown"

    @property
    def severity(self) -> int:
        """Order for "the more severe wins": UNKNOWN 0 < HARMLESS 1 < SUSPICIOUS 2 < MALICIOUS 3.

        HARMLESS ranks above UNKNOWN because a provider saying "clean" is information, and
        information beats silence when verdicts are joined with ``max(..., key=...)``.
        """
        return _SEVERITY[self]


_SEVERITY: Final[Mapping[Verdict, int]] = {
    Verdict.UNKNOWN: 0,
    Verdict.HARMLESS: 1,
    Verdict.SUSPICIOUS: 2,
    Verdict.MALICIOUS: 3,
}

TLP_RANK: Final[Mapping[str, int]] = {
    "white": 0,
    "clear": 0,
    "green": 1,
    "amber": 2,
    "amber+strict": 3,
    "red": 4,
}
"""How restrictive each TLP label is (TLP 1.0 and 2.0 names, lower-case)."""


def most_restrictive_tlp(labels: Iterable[str | None]) -> str | None:
    """Return the most restrictive known TLP label (red > amber > green > white/clear), or None."""
    best: str | None = None
    for label in labels:
        if label is None:
            continue
        key = label.strip().lower().removeprefix("tlp:")
        if key in TLP_RANK and (best is None or TLP_RANK[key] > TLP_RANK[best]):
            best = key
    return best


DEFAULT_TRUSTED_ENGINES: Final[tuple[str, ...]] = (
    "BitDefender",
    "CrowdStrike",
    "ESET-NOD32",
    "Google",
    "Kaspersky",
    "Microsoft",
    "SentinelOne",
    "Sophos",
)
"""Engines whose single "malicious" makes VirusTotal's verdict MALICIOUS, spelled as VirusTotal
spells them in ``last_analysis_results`` (matched case-insensitively)."""


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@attrs.frozen(kw_only=True, slots=True)
class VTReputation:
    """What VirusTotal said about one indicator, reduced to what the verdict needs.

    ``found`` is False when VirusTotal does not know the indicator (not an error: the counts are
    then 0). ``trusted_hits`` are the engines of the policy's trusted list that said malicious;
    ``malicious_engines`` are all engines that said malicious (the merge re-checks them against
    the policy it is given). ``total_engines`` counts the engines that gave a verdict
    (malicious + suspicious + harmless + undetected).
    """

    found: bool
    malicious: int = 0
    suspicious: int = 0
    harmless: int = 0
    undetected: int = 0
    reputation: int | None = None
    threat_label: str | None = None
    last_analysis_date: datetime | None = None
    link: str | None = None
    trusted_hits: tuple[str, ...] = ()
    malicious_engines: tuple[str, ...] = ()
    total_engines: int = 0

    @property
    def analysed(self) -> bool:
        """Whether VirusTotal knows the indicator and has analysed it (only then does VT count)."""
        return self.found and self.last_analysis_date is not None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "found": self.found,
            "malicious": self.malicious,
            "suspicious": self.suspicious,
            "harmless": self.harmless,
            "undetected": self.undetected,
            "total_engines": self.total_engines,
            "reputation": self.reputation,
            "threat_label": self.threat_label,
            "last_analysis_date": _iso(self.last_analysis_date),
            "link": self.link,
            "trusted_hits": list(self.trusted_hits),
            "malicious_engines": list(self.malicious_engines),
        }


@attrs.frozen(kw_only=True, slots=True)
class PulseRef:
    """One OTX pulse as a correlation keeps it.

    ``via`` is the pivot path that led to the pulse (for example ``"url host phish.example"``), or
    None when the pulse lists the indicator itself. ``tlp`` is lower-case or None.
    """

    id: str
    name: str
    tlp: str | None = None
    adversary: str | None = None
    malware_families: tuple[str, ...] = ()
    attack_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    modified: datetime | None = None
    link: str | None = None
    via: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "id": self.id,
            "name": self.name,
            "tlp": self.tlp,
            "adversary": self.adversary,
            "malware_families": list(self.malware_families),
            "attack_ids": list(self.attack_ids),
            "tags": list(self.tags),
            "modified": _iso(self.modified),
            "link": self.link,
            "via": self.via,
        }


@attrs.frozen(kw_only=True, slots=True)
class OTXContext:
    """What OTX (or a local pulse store) knows about one indicator.

    ``pulse_count`` is the number of pulses that list the indicator itself, as the source reports
    it (it may exceed ``len(pulses)`` when the source lists only some). ``pulses`` are those direct
    pulses, ``pivot_hits`` the pulses found through pivots (a URL's host, ...).
    ``adversaries``, ``malware_families``, ``attack_ids`` and ``tags`` are de-duplicated in
    first-seen order over direct pulses then pivot hits. ``whitelisted`` is None when the source
    has no validation data (a local store), ``validation_sources`` names the known-good sources
    that vouched for it (``"whitelist"``, ``"majestic"``, ``"false_positive"``...).
    """

    pulse_count: int = 0
    pulses: tuple[PulseRef, ...] = ()
    adversaries: tuple[str, ...] = ()
    malware_families: tuple[str, ...] = ()
    attack_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    whitelisted: bool | None = None
    validation_sources: tuple[str, ...] = ()
    pivot_hits: tuple[PulseRef, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "pulse_count": self.pulse_count,
            "pulses": [p.to_dict() for p in self.pulses],
            "adversaries": list(self.adversaries),
            "malware_families": list(self.malware_families),
            "attack_ids": list(self.attack_ids),
            "tags": list(self.tags),
            "whitelisted": self.whitelisted,
            "validation_sources": list(self.validation_sources),
            "pivot_hits": [p.to_dict() for p in self.pivot_hits],
        }


@attrs.frozen(kw_only=True, slots=True)
class VerdictPolicy:
    """Every threshold of ``correlate()``'s verdict, as data.

    The defaults are tiintel's own rules (see docs/correlate.md); change any field with
    ``VerdictPolicy(vt_malicious_engines=10)`` or ``attrs.evolve(policy, ...)``.
    """

    vt_malicious_engines: int = 5
    """VirusTotal is MALICIOUS when at least this many engines say malicious."""

    trusted_engines: tuple[str, ...] = attrs.field(default=DEFAULT_TRUSTED_ENGINES, converter=tuple)
    """Engines (VirusTotal's spelling, matched case-insensitively) whose single "malicious" makes
    VirusTotal MALICIOUS. An empty tuple turns the rule off."""

    vt_suspicious_malicious: int = 1
    """VirusTotal is SUSPICIOUS when at least this many engines say malicious (below MALICIOUS)."""

    vt_suspicious_engines: int = 3
    """VirusTotal is SUSPICIOUS when at least this many engines say suspicious."""

    vt_harmless_min_engines: int = 10
    """VirusTotal is HARMLESS when no engine says malicious or suspicious and at least this many
    engines say harmless or undetected."""

    otx_malicious_pulses: int = 2
    """OTX is MALICIOUS when at least this many fresh pulses list the indicator."""

    otx_suspicious_pulses: int = 1
    """OTX is SUSPICIOUS when at least this many fresh pulses list the indicator."""

    pulse_max_age: timedelta | None = timedelta(days=365)
    """A pulse counts only if it was modified within this age of ``now`` (exactly at the age still
    counts). Older pulses stay in the context and the reasons. None counts every pulse."""

    otx_pivot_cap: Verdict = Verdict.SUSPICIOUS
    """The most severe verdict that pulses found only through pivots (a URL's host, ...) can give;
    they use the OTX pulse thresholds, capped here. ``Verdict.UNKNOWN`` ignores pivots."""

    whitelist_overrides: bool = True
    """OTX whitelisting makes the result HARMLESS unless VirusTotal says MALICIOUS. When False,
    whitelisting is one more HARMLESS opinion joined like the others."""

    send_private: bool = False
    """Send non-global addresses (private, loopback, link-local, reserved) to the providers.
    By default they are not sent and their result is UNKNOWN with a reason saying so."""

    disagreement_rule: bool = True
    """VirusTotal HARMLESS against OTX MALICIOUS gives SUSPICIOUS ("providers disagree") instead
    of MALICIOUS."""

    score_weight_vt_malicious: float = 1.0
    """Evidence per VirusTotal engine saying malicious."""

    score_weight_vt_suspicious: float = 0.5
    """Evidence per VirusTotal engine saying suspicious."""

    score_weight_trusted: float = 3.0
    """Extra evidence per trusted engine saying malicious (on top of its malicious weight)."""

    score_weight_pulse: float = 3.0
    """Evidence per fresh OTX pulse listing the indicator."""

    score_weight_pivot_pulse: float = 1.0
    """Evidence per fresh OTX pulse found through a pivot."""

    score_half_evidence: float = 10.0
    """The evidence at which the score sits halfway through its verdict's band (must be > 0)."""

    def __attrs_post_init__(self) -> None:
        if self.score_half_evidence <= 0:
            raise ValueError("score_half_evidence must be > 0")
        weights = (
            self.score_weight_vt_malicious,
            self.score_weight_vt_suspicious,
            self.score_weight_trusted,
            self.score_weight_pulse,
            self.score_weight_pivot_pulse,
        )
        if any(w < 0 for w in weights):
            raise ValueError("score weights must be >= 0 (the score is monotone in the evidence)")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (``pulse_max_age`` in seconds)."""
        data = attrs.asdict(self, recurse=False)
        data["trusted_engines"] = list(self.trusted_engines)
        data["pulse_max_age"] = (
            None if self.pulse_max_age is None else self.pulse_max_age.total_seconds()
        )
        data["otx_pivot_cap"] = self.otx_pivot_cap.value
        return data


def _error_dict(error: TiIntelError) -> dict[str, str]:
    return {"type": type(error).__name__, "message": error.message}


def _indicator_dict(indicator: Indicator | None) -> dict[str, str] | None:
    if indicator is None:
        return None
    return {"type": str(indicator.type.value), "value": indicator.value}


def _safe_href(url: str | None) -> str | None:
    # Links come from the services' data: only http(s) may become a clickable href.
    if url and url.lower().startswith(("https://", "http://")):
        return html.escape(url, quote=True)
    return None


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


_VERDICT_COLOURS: Final[Mapping[Verdict, str]] = {
    Verdict.MALICIOUS: "#c0392b",
    Verdict.SUSPICIOUS: "#d68910",
    Verdict.HARMLESS: "#1e8449",
    Verdict.UNKNOWN: "#7f8c8d",
}


@attrs.frozen(kw_only=True, slots=True, repr=False)
class Correlation:
    """The joined, explained verdict for one input of ``correlate()``.

    ``input`` is the string as given; ``indicator`` is None when it could not be parsed.
    ``score`` is 0-100 in bands (0-9 harmless, 10-29 unknown, 30-69 suspicious, 70-100
    malicious). ``reasons`` say which rules fired. ``tlp`` is the most restrictive TLP of the
    pulses involved. ``vt`` / ``otx`` are None when that provider was not asked or failed; its
    error is then in ``errors`` under ``"virustotal"`` / ``"otx"`` (``"input"`` for a rejected
    input).
    """

    input: str
    indicator: Indicator | None = None
    verdict: Verdict = Verdict.UNKNOWN
    score: int = 10
    reasons: tuple[str, ...] = ()
    tlp: str | None = None
    vt: VTReputation | None = None
    otx: OTXContext | None = None
    errors: Mapping[str, TiIntelError] = attrs.field(factory=dict, eq=False)

    def __repr__(self) -> str:
        parts = [
            f"input={self.input!r}",
            f"verdict={self.verdict.value!r}",
            f"score={self.score}",
        ]
        if self.tlp:
            parts.append(f"tlp={self.tlp!r}")
        parts.append(f"reasons={self.reasons!r}")
        if self.errors:
            parts.append(f"errors={sorted(self.errors)!r}")
        return f"Correlation({', '.join(parts)})"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict; errors become ``{"type": class name, "message": ...}``."""
        return {
            "input": self.input,
            "indicator": _indicator_dict(self.indicator),
            "verdict": self.verdict.value,
            "score": self.score,
            "reasons": list(self.reasons),
            "tlp": self.tlp,
            "vt": None if self.vt is None else self.vt.to_dict(),
            "otx": None if self.otx is None else self.otx.to_dict(),
            "errors": {key: _error_dict(err) for key, err in sorted(self.errors.items())},
        }

    def _repr_html_(self) -> str:
        colour = _VERDICT_COLOURS[self.verdict]
        head = (
            f"<div class='tiintel-correlation'><p><code>{_e(self.input)}</code> "
            f"<strong style='color:{colour}'>{_e(self.verdict.value.upper())}</strong> "
            f"score {self.score}"
            + (f" &middot; TLP:{_e(self.tlp.upper())}" if self.tlp else "")
            + "</p>"
        )
        reasons = "".join(f"<li>{_e(r)}</li>" for r in self.reasons)
        links: list[str] = []
        if self.vt is not None and (href := _safe_href(self.vt.link)):
            links.append(f"<a href='{href}' rel='noopener noreferrer'>VirusTotal</a>")
        if self.otx is not None:
            for pulse in (*self.otx.pulses, *self.otx.pivot_hits):
                text = _e(pulse.name)
                href = _safe_href(pulse.link)
                links.append(
                    f"<a href='{href}' rel='noopener noreferrer'>{text}</a>" if href else text
                )
        body = f"<ul>{reasons}</ul>"
        if links:
            body += "<p>" + " &middot; ".join(links) + "</p>"
        return head + body + "</div>"


_TABLE_COLUMNS: Final = ("input", "type", "verdict", "score", "tlp", "top reason", "errors")


class CorrelationList(list[Correlation]):
    """A list of correlations that renders as a table in notebooks."""

    def to_dicts(self) -> list[dict[str, Any]]:
        """Return every result as a JSON-ready dict."""
        return [item.to_dict() for item in self]

    def _repr_html_(self) -> str:
        header = "".join(f"<th>{_e(c)}</th>" for c in _TABLE_COLUMNS)
        rows = []
        for item in self:
            kind = "" if item.indicator is None else str(item.indicator.type.value)
            colour = _VERDICT_COLOURS[item.verdict]
            cells = (
                f"<td><code>{_e(item.input)}</code></td>",
                f"<td>{_e(kind)}</td>",
                f"<td style='color:{colour}'><strong>{_e(item.verdict.value)}</strong></td>",
                f"<td>{item.score}</td>",
                f"<td>{_e(item.tlp or '')}</td>",
                f"<td>{_e(item.reasons[0] if item.reasons else '')}</td>",
                f"<td>{_e(', '.join(sorted(item.errors)))}</td>",
            )
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return (
            "<table class='tiintel-correlations'><thead><tr>"
            + header
            + "</tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
        )
