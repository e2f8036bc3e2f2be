"""``tiintel lookup``: the raw typed reports of one indicator from VirusTotal and OTX."""

from __future__ import annotations

import json
from typing import Any, Final

from tiintel._core.indicators import Indicator, IndicatorType, otx_path_type
from tiintel._exceptions import AuthenticationError, NotFoundError, TiIntelError

from ._codes import EXIT_LOOKUP_FAILED, EXIT_OK
from ._inputs import Item, validate
from ._output import clean
from ._runtime import Provider, Runtime

__all__ = ["run_lookup"]

_WANTED: Final[dict[str, tuple[Provider, ...]]] = {
    "all": ("virustotal", "otx"),
    "vt": ("virustotal",),
    "otx": ("otx",),
}
_MAX_PULSES: Final = 10


def _vt_report(vt: Any, ind: Indicator) -> Any:
    if ind.type.is_hash:
        return vt.files.get(ind.value)
    if ind.type is IndicatorType.URL:
        return vt.urls.get(ind.value)
    if ind.type is IndicatorType.DOMAIN:
        return vt.domains.get(ind.value)
    return vt.ip_addresses.get(ind.value)


def _vt_lines(report: Any) -> list[str]:
    stats = report.last_analysis_stats
    lines = [
        f"  {type(report).__name__} {report.id}",
        f"  detections    {stats.malicious} malicious, {stats.suspicious} suspicious, "
        f"{stats.harmless} harmless, {stats.undetected} undetected",
        f"  reputation    {report.reputation}",
        f"  last analysis {report.last_analysis_date.isoformat() if report.last_analysis_date else '-'}",
    ]
    label = getattr(report, "popular_threat_label", None)
    if label:
        lines.append(f"  threat label  {label}")
    for name in ("meaningful_name", "type_description", "last_final_url", "as_owner", "country"):
        value = getattr(report, name, None)
        if value:
            lines.append(f"  {name.replace('_', ' '):<13} {value}")
    if report.tags:
        lines.append(f"  tags          {', '.join(report.tags)}")
    lines.append(f"  link          {report.link}")
    return lines


def _otx_lines(details: Any) -> list[str]:
    info = details.pulse_info
    lines = [
        f"  pulses        {info.count}",
        f"  whitelisted   {'yes' if details.whitelisted else 'no'}",
    ]
    if details.country_name:
        lines.append(f"  country       {details.country_name}")
    for pulse in info.pulses[:_MAX_PULSES]:
        extra = f" (adversary {pulse.adversary})" if pulse.adversary else ""
        lines.append(f"  - {pulse.name}{extra} [{pulse.id}]")
    if len(info.pulses) > _MAX_PULSES:
        lines.append(f"  ... and {len(info.pulses) - _MAX_PULSES} more (use --json)")
    return lines


def run_lookup(runtime: Runtime) -> int:
    """Look one indicator up and print the reports (pretty, or one JSON object)."""
    args = runtime.args
    (ind,) = validate([Item(args.ioc, "argument 1")])
    usable = runtime.available(_WANTED[args.provider])
    out: dict[str, Any] = {"indicator": {"type": ind.type.value, "value": ind.value}}
    pretty: list[str] = [f"{ind.type.value} {ind.value}"]
    failed = False
    if "virustotal" in usable:
        if ind.type is IndicatorType.CVE:
            out["virustotal"] = None
            pretty += ["VirusTotal", "  not asked: VirusTotal has no CVE reports"]
        else:
            vt = runtime.vt()
            try:
                report = _vt_report(vt, ind)
                out["virustotal"] = report.to_dict()
                pretty += ["VirusTotal", *_vt_lines(report)]
            except NotFoundError:
                out["virustotal"] = None
                pretty += ["VirusTotal", "  not found"]
            except AuthenticationError:
                raise
            except TiIntelError as exc:
                failed = True
                out["virustotal"] = None
                out.setdefault("errors", {})["virustotal"] = _error(exc)
                pretty += ["VirusTotal", f"  failed: {exc.message}"]
    if "otx" in usable:
        otx = runtime.otx()
        try:
            details = otx.indicators.get(ind.value, "general", type=otx_path_type(ind))
            out["otx"] = details.to_dict()
            pretty += ["OTX", *_otx_lines(details)]
        except AuthenticationError:
            raise
        except TiIntelError as exc:
            failed = True
            out["otx"] = None
            out.setdefault("errors", {})["otx"] = _error(exc)
            pretty += ["OTX", f"  failed: {exc.message}"]
    if args.json:
        runtime.write(json.dumps(out, indent=2, ensure_ascii=True, default=str) + "\n")
    else:
        runtime.write("".join(clean(line) + "\n" for line in pretty))
    return EXIT_LOOKUP_FAILED if failed else EXIT_OK


def _error(exc: TiIntelError) -> dict[str, str]:
    return {"type": type(exc).__name__, "message": exc.message}
