"""``tiintel correlate``: one verdict per indicator, as a table or for other tools."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from ._codes import EXIT_FAIL_ON, EXIT_LOOKUP_FAILED, EXIT_OK, EXIT_USAGE, CLIError
from ._inputs import read_items, validate
from ._output import Progress, clean, clean_text, render_table
from ._runtime import Runtime

if TYPE_CHECKING:
    from tiintel.models.correlation import Correlation

__all__ = ["PROGRESS_THRESHOLD", "run_correlate"]

PROGRESS_THRESHOLD: Final = 5
"""More unique indicators than this get a progress bar (on a terminal only)."""

HEADERS: Final = ("indicator", "type", "verdict", "score", "VT", "OTX pulses", "top reason")
_PROVIDERS: Final = (("virustotal", "VirusTotal"), ("otx", "OTX"))


def vt_cell(result: Correlation) -> str:
    """The VirusTotal column: ``malicious/engines``, ``not found``, ``error`` or ``-``."""
    if result.vt is None:
        return "error" if "virustotal" in result.errors else "-"
    if not result.vt.found:
        return "not found"
    if not result.vt.analysed:
        return "not analysed"
    return f"{result.vt.malicious}/{result.vt.total_engines}"


def otx_cell(result: Correlation) -> str:
    """The OTX column: the pulse count (and pivot hits), ``error`` or ``-``."""
    if result.otx is None:
        return "error" if "otx" in result.errors else "-"
    text = str(result.otx.pulse_count)
    if result.otx.pivot_hits:
        text += f" (+{len(result.otx.pivot_hits)} via pivots)"
    return text


def top_reason(result: Correlation) -> str:
    """The decisive reason; for an UNKNOWN result with a failed lookup, the failure."""
    if result.errors and (result.verdict.value == "unknown" or not result.reasons):
        name, error = sorted(result.errors.items())[0]
        return f"{name} failed: {error.message}"
    return result.reasons[0] if result.reasons else ""


def table(results: Sequence[Correlation], runtime: Runtime) -> str:
    """The verdict table."""
    rows = [
        (
            r.input,
            "" if r.indicator is None else r.indicator.type.value,
            r.verdict.value,
            str(r.score),
            vt_cell(r),
            otx_cell(r),
            top_reason(r),
        )
        for r in results
    ]
    return render_table(HEADERS, rows, style=runtime.style, colour_column=2)


def render(results: Sequence[Correlation], fmt: str, runtime: Runtime) -> str:
    """The results in ``fmt``: table, json, jsonl, csv or stix (all terminal-safe)."""
    from tiintel import export

    if fmt == "table":
        return table(results, runtime)
    if fmt == "json":
        # ensure_ascii escapes every control character: faithful data, safe terminal
        return json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=True) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(r.to_dict(), ensure_ascii=True) + "\n" for r in results)
    if fmt == "csv":
        return clean_text(export.to_csv(results))
    return clean_text(export.to_stix(results)) + "\n"


def failure_notes(results: Sequence[Correlation]) -> list[str]:
    """What failed, per provider: how many were looked up, how many were not, and why."""
    from tiintel._exceptions import QuotaExceededError

    notes: list[str] = []
    for key, name in _PROVIDERS:
        failed = [r for r in results if key in r.errors]
        if not failed:
            continue
        answered = sum(1 for r in results if (r.vt if key == "virustotal" else r.otx) is not None)
        quota = [r.errors[key] for r in failed if isinstance(r.errors[key], QuotaExceededError)]
        kinds = Counter(type(r.errors[key]).__name__ for r in failed)
        summary = ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
        if quota:
            scope = getattr(quota[0], "scope", None)
            window = f"{scope} " if scope else ""
            notes.append(
                f"{name} {window}quota exhausted: {answered} indicator(s) answered by {name}, "
                f"{len(failed)} not looked up there ({summary}); their rows show the other "
                "provider only. Try again when the quota resets."
            )
        else:
            first = clean(failed[0].errors[key].message)
            notes.append(
                f"{name} lookup failed for {len(failed)} indicator(s) ({summary}), "
                f"{answered} answered; first error: {first}"
            )
    return notes


def matches_fail_on(result: Correlation, fail_on: str | None) -> bool:
    """Whether ``result`` is at least as bad as ``--fail-on``."""
    from tiintel.models.correlation import Verdict

    if fail_on is None:
        return False
    return result.verdict.severity >= Verdict(fail_on).severity


def run_correlate(runtime: Runtime) -> int:
    """Parse the inputs, correlate them, print them, and choose the exit code."""
    from tiintel._fanout import correlate

    args = runtime.args
    items = read_items(args.iocs, args.file or (), runtime.stdin)
    if not items:
        raise CLIError("no indicators given: pass them as arguments, with -f FILE, or - for stdin")
    indicators = validate(items)
    if args.format == "stix":
        _check_stix()
    vt, otx = runtime.clients()
    progress = Progress(runtime.stderr, "correlating")
    unique = len(set(indicators))
    callback = progress.update if unique > PROGRESS_THRESHOLD else None
    try:
        results = correlate(
            [item.text for item in items],
            vt=vt,
            otx=otx,
            pivot=args.pivot,
            concurrency=args.concurrency,
            progress=callback,
        )
    finally:
        progress.close()
    runtime.write(render(results, args.format, runtime))
    runtime.stdout.flush()
    for note in failure_notes(results):
        runtime.note(note)
    if any(matches_fail_on(r, args.fail_on) for r in results):
        return EXIT_FAIL_ON
    if any(set(r.errors) - {"input"} for r in results):
        return EXIT_LOOKUP_FAILED
    return EXIT_OK


def _check_stix() -> None:
    import importlib.util

    if importlib.util.find_spec("stix2") is None:
        raise CLIError(
            "--format stix needs the stix2 package: pip install 'tiintel[stix]'", EXIT_USAGE
        )
