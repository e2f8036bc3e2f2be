"""The pure merge of correlate(): verdict rules, thresholds, score bands, reasons, result models."""

from __future__ import annotations

import itertools
import json
import pickle
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiintel._correlate import (
    SCORE_BANDS,
    Evidence,
    merge,
    otx_context_from_details,
    otx_context_from_pulses,
    score_for,
    vt_reputation_from_report,
)
from tiintel._exceptions import (
    APITimeoutError,
    InvalidIndicatorError,
    QuotaExceededError,
    ServerError,
    TiIntelError,
)
from tiintel.models.correlation import (
    Correlation,
    CorrelationList,
    OTXContext,
    PulseRef,
    Verdict,
    VerdictPolicy,
    VTReputation,
    most_restrictive_tlp,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
POLICY = VerdictPolicy()


def vt(
    mal: int = 0,
    sus: int = 0,
    harm: int = 0,
    und: int = 0,
    *,
    found: bool = True,
    analysed: bool = True,
    engines: tuple[str, ...] = (),
    label: str | None = None,
) -> VTReputation:
    return VTReputation(
        found=found,
        malicious=mal,
        suspicious=sus,
        harmless=harm,
        undetected=und,
        last_analysis_date=NOW - timedelta(days=2) if analysed and found else None,
        malicious_engines=engines,
        threat_label=label,
        link="https://www.virustotal.com/gui/file/abc" if found else None,
    )


def pulse(n: int, days_old: float = 10, **kw: Any) -> PulseRef:
    defaults: dict[str, Any] = {"id": f"p{n}", "name": f"Pulse {n}", "tlp": "white"}
    defaults.update(kw)
    return PulseRef(modified=NOW - timedelta(days=days_old), **defaults)


def otx(
    *pulses: PulseRef,
    count: int | None = None,
    whitelisted: bool | None = False,
    sources: tuple[str, ...] = (),
    pivots: tuple[PulseRef, ...] = (),
) -> OTXContext:
    return OTXContext(
        pulse_count=len(pulses) if count is None else count,
        pulses=pulses,
        whitelisted=whitelisted,
        validation_sources=sources,
        pivot_hits=pivots,
    )


def fresh(n: int) -> tuple[PulseRef, ...]:
    return tuple(pulse(i) for i in range(n))


CLEAN = vt(0, 0, 60, 10)
VT_ERR = ServerError("VirusTotal 503: unavailable", status_code=503, provider="virustotal")
OTX_ERR = APITimeoutError("OTX did not answer", provider="otx")


@dataclass
class Case:
    vt: VTReputation | None = None
    otx: OTXContext | None = None
    policy: VerdictPolicy = POLICY
    errors: dict[str, TiIntelError] = field(default_factory=dict)
    skipped: str | None = None


# (id, case, expected verdict, substrings that must appear in the reasons)
VERDICT_TABLE: list[tuple[str, Case, Verdict, tuple[str, ...]]] = [
    # --- VirusTotal malicious threshold: 4 vs 5 engines
    ("vt-4-engines", Case(vt=vt(4, 0, 50, 10)), Verdict.SUSPICIOUS,
     ("VirusTotal: 4/64 engines malicious (>= 1, below 5)",)),
    ("vt-5-engines", Case(vt=vt(5, 0, 50, 10)), Verdict.MALICIOUS,
     ("VirusTotal: 5/65 engines malicious (>= 5)",)),
    ("vt-62-engines-label", Case(vt=vt(62, 0, 2, 8, label="trojan.emotet")), Verdict.MALICIOUS,
     ("VirusTotal: 62/72 engines malicious (>= 5), threat label 'trojan.emotet'",)),
    # --- trusted engines
    ("vt-trusted-engine", Case(vt=vt(1, 0, 60, 5, engines=("Kaspersky",))), Verdict.MALICIOUS,
     ("VirusTotal: flagged by trusted engine Kaspersky",)),
    ("vt-trusted-case-insensitive", Case(vt=vt(2, 0, 60, 5, engines=("microsoft", "Foo"))),
     Verdict.MALICIOUS, ("flagged by trusted engine microsoft",)),
    ("vt-two-trusted", Case(vt=vt(2, 0, 60, 5, engines=("ESET-NOD32", "Sophos"))),
     Verdict.MALICIOUS, ("flagged by trusted engines ESET-NOD32, Sophos",)),
    ("vt-untrusted-engine", Case(vt=vt(1, 0, 60, 5, engines=("Bkav",))), Verdict.SUSPICIOUS,
     ("VirusTotal: 1/66 engines malicious (>= 1, below 5)",)),
    ("vt-trusted-off-by-policy",
     Case(vt=vt(1, 0, 60, 5, engines=("Kaspersky",)), policy=VerdictPolicy(trusted_engines=())),
     Verdict.SUSPICIOUS, ("1/66 engines malicious",)),
    # --- suspicious engines: 2 vs 3
    ("vt-2-suspicious", Case(vt=vt(0, 2, 60, 5)), Verdict.UNKNOWN,
     ("VirusTotal: 0/67 engines malicious, 2 suspicious, 65 harmless or undetected: "
      "no VirusTotal rule applied",)),
    ("vt-3-suspicious", Case(vt=vt(0, 3, 60, 5)), Verdict.SUSPICIOUS,
     ("VirusTotal: 3/68 engines suspicious (>= 3)",)),
    # --- harmless: 9 vs 10 clean engines
    ("vt-9-clean", Case(vt=vt(0, 0, 5, 4)), Verdict.UNKNOWN, ("no VirusTotal rule applied",)),
    ("vt-10-clean", Case(vt=vt(0, 0, 5, 5)), Verdict.HARMLESS,
     ("VirusTotal: 0/10 engines malicious or suspicious, 10 harmless or undetected (>= 10)",)),
    # --- not found / never analysed
    ("vt-not-found", Case(vt=vt(found=False)), Verdict.UNKNOWN, ("VirusTotal: not found",)),
    ("vt-never-analysed", Case(vt=vt(50, 0, 0, 0, analysed=False)), Verdict.UNKNOWN,
     ("VirusTotal: known but never analysed; no VirusTotal rule applied",)),
    # --- OTX pulses: 0 / 1 / 2
    ("otx-0-pulses", Case(otx=otx()), Verdict.UNKNOWN, ("OTX: in no pulse",)),
    ("otx-1-pulse", Case(otx=otx(*fresh(1))), Verdict.SUSPICIOUS, ("OTX: in 1 pulse incl.",)),
    ("otx-2-pulses", Case(otx=otx(*fresh(2))), Verdict.MALICIOUS, ("OTX: in 2 pulses incl.",)),
    ("otx-adversary-in-reason",
     Case(otx=otx(pulse(1), pulse(2), pulse(3, 30, name="Emotet C2", adversary="TA542"))),
     Verdict.MALICIOUS, ("OTX: in 3 pulses incl. 'Emotet C2' (adversary TA542)",)),
    # --- pulse age: exactly at max age counts, one second older does not
    ("otx-pulse-at-max-age", Case(otx=otx(pulse(1), pulse(2, 365))), Verdict.MALICIOUS,
     ("OTX: in 2 pulses",)),
    ("otx-pulse-past-max-age",
     Case(otx=otx(pulse(1), pulse(2, 365 + 1 / 86400))), Verdict.SUSPICIOUS,
     ("OTX: in 1 pulse", "OTX: 1 pulse older than 365 days not counted")),
    ("otx-only-stale", Case(otx=otx(pulse(1, 800), pulse(2, 900))), Verdict.UNKNOWN,
     ("OTX: 2 pulses older than 365 days not counted",)),
    ("otx-no-max-age",
     Case(otx=otx(pulse(1, 800), pulse(2, 900)), policy=VerdictPolicy(pulse_max_age=None)),
     Verdict.MALICIOUS, ("OTX: in 2 pulses",)),
    ("otx-unknown-age-counts", Case(otx=otx(PulseRef(id="x", name="undated"))),
     Verdict.SUSPICIOUS, ("OTX: in 1 pulse incl. 'undated'",)),
    ("otx-unlisted-pulses", Case(otx=otx(pulse(1), count=3)), Verdict.MALICIOUS,
     ("OTX: in 3 pulses", "OTX: 2 of 3 pulses not listed by the source, counted as fresh")),
    # --- pivots are capped at SUSPICIOUS by default
    ("otx-pivots-capped",
     Case(otx=otx(pivots=(pulse(1, via="url host phish.example"),
                          pulse(2, via="url host phish.example")))),
     Verdict.SUSPICIOUS,
     ("OTX: 2 pulses via url host phish.example incl.", "pivots count at most as suspicious")),
    ("otx-pivots-ignored",
     Case(otx=otx(pivots=(pulse(1, via="url host a.example"),)),
          policy=VerdictPolicy(otx_pivot_cap=Verdict.UNKNOWN)),
     Verdict.UNKNOWN, ("OTX: in no pulse",)),
    ("otx-stale-pivot", Case(otx=otx(pivots=(pulse(1, 900, via="url host a.example"),))),
     Verdict.UNKNOWN, ("OTX: 1 pivot pulse older than 365 days not counted",)),
    # --- whitelisting
    ("otx-whitelisted", Case(otx=otx(whitelisted=True, sources=("whitelist", "majestic"))),
     Verdict.HARMLESS, ("OTX: whitelisted (validation: whitelist, majestic)",)),
    ("whitelisted-vs-otx-pulses", Case(otx=otx(*fresh(3), whitelisted=True)), Verdict.HARMLESS,
     ("OTX whitelisting overrides OTX pulses malicious", "OTX: in 3 pulses", "OTX: whitelisted")),
    ("whitelisted-vs-both", Case(vt=vt(1, 0, 50, 5), otx=otx(*fresh(1), whitelisted=True)),
     Verdict.HARMLESS,
     ("OTX whitelisting overrides VirusTotal suspicious, OTX pulses suspicious",)),
    ("whitelisted-vs-vt-harmless", Case(vt=CLEAN, otx=otx(whitelisted=True)), Verdict.HARMLESS,
     ("VirusTotal: 0/70 engines malicious or suspicious", "OTX: whitelisted")),
    ("whitelisted-vs-vt-malicious", Case(vt=vt(20, 0, 40, 5), otx=otx(whitelisted=True)),
     Verdict.MALICIOUS, ("OTX whitelisting ignored: VirusTotal says malicious",)),
    ("whitelisted-vs-vt-suspicious", Case(vt=vt(2, 0, 40, 5), otx=otx(whitelisted=True)),
     Verdict.HARMLESS, ("OTX whitelisting overrides VirusTotal suspicious",)),
    ("whitelisted-no-override",
     Case(vt=vt(2, 0, 40, 5), otx=otx(whitelisted=True),
          policy=VerdictPolicy(whitelist_overrides=False)),
     Verdict.SUSPICIOUS, ("OTX: whitelisted",)),
    ("whitelisted-no-override-pulses",
     Case(otx=otx(*fresh(2), whitelisted=True), policy=VerdictPolicy(whitelist_overrides=False)),
     Verdict.MALICIOUS, ("OTX: in 2 pulses",)),
    ("whitelist-unknown-local-store", Case(otx=otx(whitelisted=None)), Verdict.UNKNOWN, ()),
    # --- joining
    ("disagree", Case(vt=CLEAN, otx=otx(*fresh(2))), Verdict.SUSPICIOUS,
     ("providers disagree: VirusTotal harmless, OTX malicious",)),
    ("disagree-rule-off",
     Case(vt=CLEAN, otx=otx(*fresh(2)), policy=VerdictPolicy(disagreement_rule=False)),
     Verdict.MALICIOUS, ("OTX: in 2 pulses",)),
    ("vt-harmless-otx-suspicious", Case(vt=CLEAN, otx=otx(*fresh(1))), Verdict.SUSPICIOUS,
     ("OTX: in 1 pulse",)),
    ("vt-suspicious-otx-malicious", Case(vt=vt(1, 0, 60, 5), otx=otx(*fresh(2))),
     Verdict.MALICIOUS, ()),
    ("vt-malicious-otx-none", Case(vt=vt(10, 0, 50, 5), otx=otx()), Verdict.MALICIOUS, ()),
    ("vt-harmless-otx-none", Case(vt=CLEAN, otx=otx()), Verdict.HARMLESS, ()),
    ("vt-not-found-otx-nothing", Case(vt=vt(found=False), otx=otx()), Verdict.UNKNOWN,
     ("VirusTotal: not found", "OTX: in no pulse")),
    # --- errors and skips
    ("vt-error-otx-malicious", Case(otx=otx(*fresh(2)), errors={"virustotal": VT_ERR}),
     Verdict.MALICIOUS, ("VirusTotal lookup failed: ServerError (VirusTotal 503: unavailable)",)),
    ("otx-error-vt-harmless", Case(vt=CLEAN, errors={"otx": OTX_ERR}), Verdict.HARMLESS,
     ("OTX lookup failed: APITimeoutError",)),
    ("both-errors", Case(errors={"virustotal": VT_ERR, "otx": QuotaExceededError("quota")}),
     Verdict.UNKNOWN, ("VirusTotal lookup failed: ServerError", "OTX lookup failed: QuotaExceeded")),
    ("both-none", Case(), Verdict.UNKNOWN, ("no provider was asked",)),
    ("skipped-private", Case(skipped="10.0.0.1 is a private address"), Verdict.UNKNOWN,
     ("not sent to any provider: 10.0.0.1 is a private address",)),
    ("input-error",
     Case(errors={"input": InvalidIndicatorError("cannot classify 'zzz'", value="zzz")}),
     Verdict.UNKNOWN, ("input rejected: cannot classify 'zzz'",)),
    # --- thresholds are data
    ("policy-vt-10", Case(vt=vt(9, 0, 50, 5), policy=VerdictPolicy(vt_malicious_engines=10)),
     Verdict.SUSPICIOUS, ("9/64 engines malicious (>= 1, below 10)",)),
    ("policy-otx-3", Case(otx=otx(*fresh(2)), policy=VerdictPolicy(otx_malicious_pulses=3)),
     Verdict.SUSPICIOUS, ()),
    ("policy-zero-threshold-is-one",
     Case(otx=otx(), policy=VerdictPolicy(otx_suspicious_pulses=0)), Verdict.UNKNOWN, ()),
]  # fmt: skip


def run(case: Case) -> Correlation:
    return merge(
        "input",
        None,
        vt=case.vt,
        otx=case.otx,
        errors=case.errors,
        policy=case.policy,
        now=NOW,
        skipped_reason=case.skipped,
    )


@pytest.mark.parametrize(
    ("case", "expected", "snippets"),
    [pytest.param(c, v, s, id=i) for i, c, v, s in VERDICT_TABLE],
)
def test_verdict_table(case: Case, expected: Verdict, snippets: tuple[str, ...]) -> None:
    result = run(case)
    assert result.verdict is expected, result.reasons
    joined = "\n".join(result.reasons)
    for snippet in snippets:
        assert snippet in joined
    low, high = SCORE_BANDS[expected]
    assert low <= result.score <= high
    assert result.reasons  # every result explains itself


def test_reason_order_puts_the_decisive_exception_first() -> None:
    result = run(Case(vt=CLEAN, otx=otx(*fresh(2))))
    assert result.reasons[0] == "providers disagree: VirusTotal harmless, OTX malicious"


@pytest.mark.parametrize(
    ("case", "first"),
    [
        (Case(vt=vt(found=False), otx=otx(*fresh(1))), "OTX:"),
        (Case(vt=vt(12, 0, 50, 5), otx=otx(*fresh(1))), "VirusTotal:"),
        (Case(vt=vt(0, 0, 60, 10), otx=otx()), "VirusTotal:"),
    ],
)
def test_the_deciding_provider_speaks_first(case: Case, first: str) -> None:
    assert run(case).reasons[0].startswith(first)


def test_ignored_pivots_add_no_evidence() -> None:
    ctx = otx(pivots=(pulse(1, via="url host a.example"),))
    counted = run(Case(vt=vt(0, 2, 50, 5), otx=ctx))
    ignored = run(
        Case(vt=vt(0, 2, 50, 5), otx=ctx, policy=VerdictPolicy(otx_pivot_cap=Verdict.UNKNOWN))
    )
    assert counted.verdict is Verdict.SUSPICIOUS
    assert ignored.verdict is Verdict.UNKNOWN
    assert ignored.score == score_for(Verdict.UNKNOWN, Evidence(vt_suspicious=2), POLICY)


def test_result_keeps_the_policy_view_of_trusted_hits() -> None:
    stale_hits = VTReputation(
        found=True, malicious=1, harmless=60, last_analysis_date=NOW, trusted_hits=("Kaspersky",)
    )
    off = run(Case(vt=stale_hits, policy=VerdictPolicy(trusted_engines=())))
    assert off.vt is not None
    assert off.vt.trusted_hits == ()
    on = run(Case(vt=stale_hits))
    assert on.vt is not None
    assert on.vt.trusted_hits == ("Kaspersky",)
    assert on.verdict is Verdict.MALICIOUS


# --- score ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "evidence", "expected"),
    [
        (Verdict.HARMLESS, Evidence(), 0),
        (Verdict.UNKNOWN, Evidence(), 10),
        (Verdict.SUSPICIOUS, Evidence(), 30),
        (Verdict.MALICIOUS, Evidence(), 70),
        # halfway: strength == score_half_evidence (10) -> floor(width / 2)
        (Verdict.SUSPICIOUS, Evidence(vt_malicious=10), 50),
        (Verdict.MALICIOUS, Evidence(vt_malicious=10), 85),
        (Verdict.MALICIOUS, Evidence(vt_malicious=62, trusted_hits=1, fresh_pulses=3), 97),
        (Verdict.MALICIOUS, Evidence(vt_malicious=10**9), 100),
        (Verdict.HARMLESS, Evidence(vt_malicious=10**9), 9),
        (Verdict.UNKNOWN, Evidence(vt_suspicious=2), 11),
    ],
)
def test_score_values(verdict: Verdict, evidence: Evidence, expected: int) -> None:
    assert score_for(verdict, evidence, POLICY) == expected


def test_score_bands_cover_0_to_100_without_gaps() -> None:
    ranges = sorted(SCORE_BANDS.values())
    assert ranges[0][0] == 0
    assert ranges[-1][1] == 100
    for (_, high), (low, _) in itertools.pairwise(ranges):
        assert low == high + 1


def test_score_weights_come_from_the_policy() -> None:
    heavy = VerdictPolicy(score_weight_pulse=30.0)
    assert score_for(Verdict.SUSPICIOUS, Evidence(fresh_pulses=1), heavy) > score_for(
        Verdict.SUSPICIOUS, Evidence(fresh_pulses=1), POLICY
    )


@pytest.mark.parametrize("kwargs", [{"score_half_evidence": 0}, {"score_weight_pulse": -1.0}])
def test_policy_rejects_nonsense_scoring(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be"):
        VerdictPolicy(**kwargs)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "mal": draw(st.integers(0, 80)),
        "sus": draw(st.integers(0, 20)),
        "clean": draw(st.integers(0, 80)),
        "analysed": draw(st.booleans()),
        "found": draw(st.booleans()),
        "trusted": draw(st.booleans()),
        "pulses": draw(st.integers(0, 6)),
        "stale": draw(st.integers(0, 3)),
        "pivots": draw(st.integers(0, 4)),
        "whitelisted": draw(st.sampled_from([True, False, None])),
        "otx_asked": draw(st.booleans()),
        "policy": VerdictPolicy(
            whitelist_overrides=draw(st.booleans()),
            disagreement_rule=draw(st.booleans()),
            otx_pivot_cap=draw(st.sampled_from(list(Verdict))),
        ),
    }


def build(s: dict[str, Any]) -> Correlation:
    trusted = s["trusted"] and s["mal"] > 0
    rep = vt(
        s["mal"],
        s["sus"],
        s["clean"],
        0,
        found=s["found"],
        analysed=s["analysed"],
        engines=("Kaspersky",) if trusted else ("Bkav",) * min(1, s["mal"]),
    )
    ctx = None
    if s["otx_asked"]:
        ctx = otx(
            *fresh(s["pulses"]),
            *(pulse(100 + i, 900) for i in range(s["stale"])),
            whitelisted=s["whitelisted"],
            pivots=tuple(pulse(200 + i, via="url host h.example") for i in range(s["pivots"])),
        )
    return merge("x", None, vt=rep, otx=ctx, errors={}, policy=s["policy"], now=NOW)


@settings(derandomize=True, deadline=None, database=None, max_examples=400)
@given(
    base=scenarios(),
    more_mal=st.integers(0, 30),
    more_sus=st.integers(0, 10),
    more_pulses=st.integers(0, 4),
    more_pivots=st.integers(0, 3),
    add_trusted=st.booleans(),
)
def test_score_is_monotone_in_the_evidence(
    base: dict[str, Any],
    more_mal: int,
    more_sus: int,
    more_pulses: int,
    more_pivots: int,
    add_trusted: bool,
) -> None:
    more = dict(base)
    more["mal"] += more_mal
    more["sus"] += more_sus
    more["pulses"] += more_pulses
    more["pivots"] += more_pivots
    more["trusted"] = base["trusted"] or add_trusted
    before, after = build(base), build(more)
    assert after.score >= before.score, (before, after)
    for result in (before, after):
        low, high = SCORE_BANDS[result.verdict]
        assert low <= result.score <= high


# --- result models ---------------------------------------------------------------------------


def test_verdict_enum() -> None:
    assert [v.value for v in Verdict] == ["malicious", "suspicious", "harmless", "unknown"]
    assert max(Verdict, key=lambda v: v.severity) is Verdict.MALICIOUS
    assert Verdict.HARMLESS.severity > Verdict.UNKNOWN.severity
    assert Verdict("suspicious") is Verdict.SUSPICIOUS
    assert f"{Verdict.HARMLESS}" == "harmless"


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ([], None),
        ([None, None], None),
        (["white", "green"], "green"),
        (["green", "red", "amber"], "red"),
        (["clear", "amber"], "amber"),
        (["amber", "amber+strict"], "amber+strict"),
        (["TLP:RED", "green"], "red"),
        (["bogus", "white"], "white"),
    ],
)
def test_most_restrictive_tlp(labels: list[str | None], expected: str | None) -> None:
    assert most_restrictive_tlp(labels) == expected


def test_result_tlp_covers_every_pulse_involved() -> None:
    result = run(
        Case(
            otx=otx(
                pulse(1, tlp="green"),
                pulse(2, 900, tlp="amber"),
                pivots=(pulse(3, tlp="white", via="url host x"),),
            )
        )
    )
    assert result.tlp == "amber"
    assert run(Case(vt=CLEAN)).tlp is None


def test_to_dict_is_json_ready() -> None:
    result = run(
        Case(
            vt=vt(62, 0, 2, 8, engines=("Kaspersky",)),
            otx=otx(pulse(1, adversary="TA542", tags=("emotet",)), whitelisted=False),
            errors={"otx": OTX_ERR},
        )
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert data["verdict"] == "malicious"
    assert data["indicator"] is None
    assert data["errors"] == {"otx": {"type": "APITimeoutError", "message": "OTX did not answer"}}
    assert data["vt"]["trusted_hits"] == ["Kaspersky"]
    assert data["vt"]["last_analysis_date"] == "2026-05-30T12:00:00+00:00"
    assert data["otx"]["pulses"][0]["adversary"] == "TA542"
    assert data["otx"]["pulses"][0]["modified"] == "2026-05-22T12:00:00+00:00"
    policy = json.loads(json.dumps(VerdictPolicy().to_dict()))
    assert policy["pulse_max_age"] == 365 * 86400
    assert policy["vt_malicious_engines"] == 5


def test_repr_is_short_and_readable() -> None:
    text = repr(run(Case(otx=otx(*fresh(2)), errors={"virustotal": VT_ERR})))
    assert text.startswith("Correlation(input='input', verdict='malicious', score=")
    assert "errors=['virustotal']" in text


EVIL = "<script>alert('x')</script>"


def test_html_escapes_every_stranger_string() -> None:
    nasty = pulse(
        1,
        name=EVIL,
        adversary="<b>APT</b>",
        tags=("<img src=x onerror=alert(1)>",),
        link="javascript:alert(1)",
    )
    result = merge(
        "<i>input</i>",
        None,
        vt=vt(5, 0, 1, 1, label="<u>label</u>"),
        otx=otx(nasty, pulse(2, link="https://otx.alienvault.com/pulse/p2")),
        errors={"otx": TiIntelError("<svg onload=alert(1)>")},
        policy=POLICY,
        now=NOW,
    )
    for page in (result._repr_html_(), CorrelationList([result])._repr_html_()):
        for raw in ("<script", "<b>", "<i>input", "<img", "<u>", "<svg", "javascript:"):
            assert raw not in page
    page = result._repr_html_()
    assert "&lt;script&gt;" in page
    assert "href='https://otx.alienvault.com/pulse/p2'" in page
    assert "href='https://www.virustotal.com/gui/file/abc'" in page


def test_correlation_list_table() -> None:
    results = CorrelationList([run(Case(vt=CLEAN)), run(Case(otx=otx(*fresh(2))))])
    page = results._repr_html_()
    assert page.count("<tr>") == 3
    assert "harmless" in page
    assert "malicious" in page
    assert [d["verdict"] for d in results.to_dicts()] == ["harmless", "malicious"]


def test_results_are_frozen_and_errors_pickle_small() -> None:
    try:
        raise ServerError("VirusTotal 500", status_code=500, provider="virustotal")
    except ServerError as exc:
        raised = exc
    assert raised.__traceback__ is not None
    result = run(Case(errors={"virustotal": raised}))
    kept = result.errors["virustotal"]
    assert isinstance(kept, ServerError)
    assert kept.__traceback__ is None
    assert kept.status_code == 500
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.score = 0  # type: ignore[misc]
    clone = pickle.loads(pickle.dumps(result))
    assert clone.errors["virustotal"].message == "VirusTotal 500"


# --- adapters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeStats:
    malicious: int = 0
    suspicious: int = 0
    harmless: int = 0
    undetected: int = 0
    timeout: int = 0


@dataclass(frozen=True)
class FakeEngine:
    engine_name: str
    category: str | None


@dataclass(frozen=True)
class FakeFileReport:
    reputation: int | None
    last_analysis_date: datetime | None
    last_analysis_stats: FakeStats | None
    last_analysis_results: dict[str, FakeEngine] | None
    popular_threat_label: str | None = None
    link: str = "https://www.virustotal.com/gui/file/44d88612fea8a8f36de82e1278abb02f"


def test_vt_reputation_from_report() -> None:
    results = {
        name: FakeEngine(name, cat)
        for name, cat in [
            ("Kaspersky", "malicious"),
            ("Bkav", "malicious"),
            ("ClamAV", "undetected"),
            ("Microsoft", "type-unsupported"),
        ]
    }
    report = FakeFileReport(
        reputation=-5,
        last_analysis_date=NOW,
        last_analysis_stats=FakeStats(malicious=2, undetected=1, timeout=3),
        last_analysis_results=results,
        popular_threat_label="virus.eicar/test",
    )
    rep = vt_reputation_from_report(report)
    assert rep.found
    assert rep.analysed
    assert (rep.malicious, rep.undetected, rep.total_engines) == (2, 1, 3)
    assert rep.malicious_engines == ("Bkav", "Kaspersky")
    assert rep.trusted_hits == ("Kaspersky",)
    assert rep.threat_label == "virus.eicar/test"
    assert rep.link is not None
    assert rep.link.endswith("44d88612fea8a8f36de82e1278abb02f")
    assert (
        vt_reputation_from_report(report, policy=VerdictPolicy(trusted_engines=())).trusted_hits
        == ()
    )


def test_vt_reputation_from_sparse_report() -> None:
    report = FakeFileReport(
        reputation=None,
        last_analysis_date=None,
        last_analysis_stats=None,
        last_analysis_results=None,
    )
    rep = vt_reputation_from_report(report)
    assert rep.found
    assert not rep.analysed
    assert rep.total_engines == 0
    assert rep.malicious_engines == ()


@dataclass(frozen=True)
class FakePulse:
    id: str
    name: str
    tlp: str | None = None
    tags: tuple[str, ...] = ()
    adversary: str | None = None
    malware_families: tuple[str, ...] = ()
    attack_ids: tuple[str, ...] = ()
    modified: datetime | None = None


def test_otx_context_from_pulses_dedupes_in_order() -> None:
    a = FakePulse("a", "A", tlp="GREEN", tags=("x", "y"), adversary="TA542", attack_ids=("T1059",))
    b = FakePulse("b", "B", tags=("y", "z"), malware_families=("Emotet",), adversary="")
    c = FakePulse("c", "C", tags=("w",), adversary="APT1")
    ctx = otx_context_from_pulses(
        [a, b], pivots=[("url host h.example", [b, c]), ("domain ip 1.2.3.4", [c])]
    )
    assert ctx.pulse_count == 2
    assert [p.id for p in ctx.pulses] == ["a", "b"]
    assert [(p.id, p.via) for p in ctx.pivot_hits] == [("c", "url host h.example")]
    assert ctx.tags == ("x", "y", "z", "w")
    assert ctx.adversaries == ("TA542", "APT1")
    assert ctx.malware_families == ("Emotet",)
    assert ctx.attack_ids == ("T1059",)
    assert ctx.whitelisted is None
    assert ctx.pulses[0].tlp == "green"
    assert ctx.pulses[0].link == "https://otx.alienvault.com/pulse/a"


@dataclass(frozen=True)
class FakePulseInfo:
    count: int
    pulses: tuple[FakePulse, ...]


@dataclass(frozen=True)
class FakeDetails:
    pulse_info: FakePulseInfo
    whitelisted: bool
    validation: tuple[dict[str, str], ...] = ()
    false_positive: tuple[dict[str, str], ...] = ()


def test_otx_context_from_details() -> None:
    details = FakeDetails(
        pulse_info=FakePulseInfo(count=5, pulses=(FakePulse("a", "A", modified=NOW),)),
        whitelisted=True,
        validation=({"source": "whitelist", "name": "Whitelisted IP"}, {"source": "majestic"}),
        false_positive=({"assessment": "accepted"},),
    )
    ctx = otx_context_from_details(details)
    assert ctx.pulse_count == 5
    assert len(ctx.pulses) == 1
    assert ctx.whitelisted is True
    assert ctx.validation_sources == ("whitelist", "majestic", "false_positive")
    result = merge("1.2.3.4", None, vt=None, otx=ctx, errors={}, policy=POLICY, now=NOW)
    assert result.verdict is Verdict.HARMLESS
    assert "OTX: whitelisted (validation: whitelist, majestic, false_positive)" in result.reasons


# --- adapters against the real report models ----------------------------------------------------


def test_adapters_with_the_real_models() -> None:
    from tiintel.models.otx import IndicatorDetails
    from tiintel.models.virustotal import FileReport

    report = FileReport.from_api(
        {
            "id": "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
            "type": "file",
            "attributes": {
                "reputation": -12,
                "last_analysis_date": 1780000000,
                "last_analysis_stats": {
                    "malicious": 3,
                    "suspicious": 0,
                    "harmless": 0,
                    "undetected": 60,
                    "type-unsupported": 9,
                },
                "last_analysis_results": {
                    "Kaspersky": {"category": "malicious", "engine_name": "Kaspersky"},
                    "Bkav": {"category": "malicious", "engine_name": "Bkav"},
                    "Lionic": {"category": "malicious", "engine_name": "Lionic"},
                    "ClamAV": {"category": "undetected", "engine_name": "ClamAV"},
                },
                "popular_threat_classification": {"suggested_threat_label": "virus.eicar/test"},
            },
        }
    )
    rep = vt_reputation_from_report(report)
    assert rep.total_engines == 63
    assert rep.trusted_hits == ("Kaspersky",)
    assert rep.threat_label == "virus.eicar/test"
    assert rep.link == report.link

    details = IndicatorDetails.from_api(
        {
            "indicator": "8.8.8.8",
            "type": "IPv4",
            "validation": [{"source": "whitelist", "name": "Whitelisted IP", "message": "m"}],
            "pulse_info": {
                "count": 1,
                "pulses": [
                    {
                        "id": "5f0000000000000000000001",
                        "name": "Scanner <b>list</b>",
                        "TLP": "Green",
                        "tags": ["scan"],
                        "adversary": "",
                        "malware_families": [],
                        "attack_ids": [{"id": "T1595", "name": "Active Scanning"}],
                        "modified": "2026-05-20T10:00:00.000000",
                    }
                ],
            },
        }
    )
    ctx = otx_context_from_details(details)
    assert ctx.whitelisted is True
    assert ctx.validation_sources == ("whitelist",)
    assert ctx.attack_ids == ("T1595",)
    assert ctx.pulses[0].tlp == "green"
    assert ctx.pulses[0].adversary is None
    assert ctx.pulses[0].link == "https://otx.alienvault.com/pulse/5f0000000000000000000001"
    result = merge("8.8.8.8", None, vt=rep, otx=ctx, errors={}, policy=POLICY, now=NOW)
    # Kaspersky is trusted: VirusTotal MALICIOUS beats the OTX whitelist
    assert result.verdict is Verdict.MALICIOUS
    assert result.tlp == "green"
