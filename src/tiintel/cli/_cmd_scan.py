"""``tiintel scan``: a file (hash first; uploaded only with ``--upload``) or a URL."""

from __future__ import annotations

import json
import os
from typing import Any

from tiintel._core.indicators import Indicator, IndicatorType
from tiintel._exceptions import InvalidIndicatorError, NotFoundError

from ._codes import EXIT_OK, EXIT_USAGE, CLIError
from ._output import Progress, clean
from ._runtime import Runtime

__all__ = ["run_scan"]


def _target(text: str) -> tuple[str, str]:
    """("file", path) for an existing file, ("url", url) for a URL (defanged allowed)."""
    if os.path.isfile(text):
        return "file", text
    try:
        ind = Indicator.parse(text)
    except InvalidIndicatorError:
        ind = None
    if ind is not None and ind.type is IndicatorType.URL:
        return "url", ind.value
    raise CLIError(f"{clean(text)} is neither a readable file nor a URL", EXIT_USAGE)


def run_scan(runtime: Runtime) -> int:
    """Scan, waiting (with a progress line on a terminal) unless ``--no-wait``."""
    args = runtime.args
    kind, target = _target(args.target)
    vt = runtime.vt()
    progress = Progress(runtime.stderr, "scan:")
    waited = [0.0]

    def tick(seconds: float) -> None:
        waited[0] += seconds
        progress.status(f"waiting for the VirusTotal analysis ({waited[0]:.0f}s so far)")

    runtime.clock.on_sleep = tick
    try:
        if kind == "file":
            try:
                result: Any = vt.files.scan(
                    target, upload=args.upload, wait=not args.no_wait, timeout=args.timeout
                )
            except NotFoundError:
                progress.close()
                runtime.note(
                    f"{clean(target)} is not known to VirusTotal and nothing was uploaded; "
                    "run again with --upload to send the file (it becomes available to "
                    "VirusTotal's partners)"
                )
                return EXIT_OK
        else:
            progress.status("submitting the URL")
            result = vt.urls.scan(target, wait=not args.no_wait, timeout=args.timeout)
    finally:
        runtime.clock.on_sleep = None
        progress.close()
    if args.json:
        runtime.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=True, default=str) + "\n")
    else:
        runtime.write("".join(clean(line) + "\n" for line in _lines(result)))
    return EXIT_OK


def _lines(result: Any) -> list[str]:
    stats = getattr(result, "last_analysis_stats", None) or result.stats
    head = f"{type(result).__name__} {result.id}"
    status = getattr(result, "status", None)
    lines = [head + (f" ({status})" if status else "")]
    lines.append(
        f"  detections {stats.malicious} malicious, {stats.suspicious} suspicious, "
        f"{stats.harmless} harmless, {stats.undetected} undetected"
    )
    label = getattr(result, "popular_threat_label", None)
    if label:
        lines.append(f"  threat label {label}")
    link = getattr(result, "link", None)
    if link:
        lines.append(f"  link {link}")
    return lines
