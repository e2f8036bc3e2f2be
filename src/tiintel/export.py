"""Export correlation results: JSON, JSON Lines, CSV, a STIX 2.1 bundle, a pandas DataFrame.

``stix2`` and ``pandas`` are optional extras, imported only when their export is called; a missing
one raises ``ConfigurationError`` naming the extra to install.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from types import ModuleType
from typing import IO, Any, Final, Literal, overload

from tiintel._exceptions import ConfigurationError
from tiintel.models.correlation import Correlation, Verdict, VTReputation

__all__ = [
    "CSV_COLUMNS",
    "STIX_NAMESPACE",
    "to_csv",
    "to_dataframe",
    "to_json",
    "to_jsonl",
    "to_stix",
]

CSV_COLUMNS: Final[tuple[str, ...]] = (
    "input",
    "indicator",
    "type",
    "verdict",
    "score",
    "vt_malicious",
    "vt_total",
    "otx_pulses",
    "tlp",
    "top_reason",
    "errors",
)
"""The columns of ``to_csv`` (``to_dataframe`` has these and a few list-valued ones)."""

STIX_NAMESPACE: Final = uuid.UUID("5b0bd0a4-4b4e-5f50-9a3c-6b7c3b3a7e11")
"""The UUID namespace of tiintel's STIX ids: ``uuid5(STIX_NAMESPACE, "<type>:<value>")``."""

# Spreadsheets run a cell starting with these as a formula (CSV injection).
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r", "\n")

_STIX_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

_STIX_PATTERNS: Final[Mapping[str, str]] = {
    "md5": "file:hashes.MD5",
    "sha1": "file:hashes.'SHA-1'",
    "sha256": "file:hashes.'SHA-256'",
    "ipv4": "ipv4-addr:value",
    "ipv6": "ipv6-addr:value",
    "domain": "domain-name:value",
    "url": "url:value",
}

# TLP 2.0 names map onto stix2's TLP 1.0 markings; amber+strict errs on the restrictive side.
_TLP_MARKINGS: Final[Mapping[str, str]] = {
    "white": "TLP_WHITE",
    "clear": "TLP_WHITE",
    "green": "TLP_GREEN",
    "amber": "TLP_AMBER",
    "amber+strict": "TLP_RED",
    "red": "TLP_RED",
}


def _require(module: str, function: str, extra: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigurationError(
            f"{function} needs the {module} package: pip install 'tiintel[{extra}]'"
        ) from exc


def _kind(result: Correlation) -> str:
    if result.indicator is None:
        return ""
    kind = result.indicator.type
    return str(getattr(kind, "value", kind))


def _errors_text(result: Correlation) -> str:
    return "; ".join(f"{key}: {type(err).__name__}" for key, err in sorted(result.errors.items()))


def _row(result: Correlation) -> dict[str, Any]:
    return {
        "input": result.input,
        "indicator": "" if result.indicator is None else result.indicator.value,
        "type": _kind(result),
        "verdict": result.verdict.value,
        "score": result.score,
        "vt_malicious": None if result.vt is None else result.vt.malicious,
        "vt_total": None if result.vt is None else _vt_total(result.vt),
        "otx_pulses": None if result.otx is None else result.otx.pulse_count,
        "tlp": result.tlp or "",
        "top_reason": result.reasons[0] if result.reasons else "",
        "errors": _errors_text(result),
    }


def _vt_total(vt: VTReputation) -> int:
    return vt.total_engines or (vt.malicious + vt.suspicious + vt.harmless + vt.undetected)


def _neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def to_json(results: Iterable[Correlation], indent: int | None = 2) -> str:
    """Return the results as one JSON array of ``Correlation.to_dict()`` objects."""
    return json.dumps([r.to_dict() for r in results], indent=indent, ensure_ascii=False)


@overload
def to_jsonl(results: Iterable[Correlation], fp: None = None) -> str: ...
@overload
def to_jsonl(results: Iterable[Correlation], fp: IO[str]) -> None: ...
def to_jsonl(results: Iterable[Correlation], fp: IO[str] | None = None) -> str | None:
    """Write one JSON object per line (JSON Lines) to ``fp``, or return the text when ``fp`` is None.

    Written to ``fp`` one result at a time, so a large batch is never held twice in memory.
    """
    out = io.StringIO() if fp is None else fp
    for result in results:
        out.write(json.dumps(result.to_dict(), ensure_ascii=False))
        out.write("\n")
    return out.getvalue() if isinstance(out, io.StringIO) and fp is None else None


@overload
def to_csv(results: Iterable[Correlation], fp: None = None) -> str: ...
@overload
def to_csv(results: Iterable[Correlation], fp: IO[str]) -> None: ...
def to_csv(results: Iterable[Correlation], fp: IO[str] | None = None) -> str | None:
    """Write a CSV table (``CSV_COLUMNS``) to ``fp``, or return it when ``fp`` is None.

    Text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a line break get a leading
    ``'`` so that a spreadsheet shows them instead of running them as formulas (inputs, pulse
    names and reasons come from strangers). Open ``fp`` with ``newline=""``.
    """
    out = io.StringIO() if fp is None else fp
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for result in results:
        writer.writerow({k: _neutralise(v) for k, v in _row(result).items()})
    return out.getvalue() if isinstance(out, io.StringIO) and fp is None else None


def to_dataframe(results: Iterable[Correlation]) -> Any:
    """Return a pandas DataFrame with one row per result (needs ``tiintel[pandas]``).

    Columns: ``CSV_COLUMNS`` (cells not neutralised) plus ``vt_suspicious``, ``reasons``,
    ``adversaries``, ``malware_families`` and ``attack_ids`` (lists).
    """
    pandas = _require("pandas", "to_dataframe", "pandas")
    rows = []
    for result in results:
        row = _row(result)
        row["vt_suspicious"] = None if result.vt is None else result.vt.suspicious
        row["reasons"] = list(result.reasons)
        otx = result.otx
        row["adversaries"] = [] if otx is None else list(otx.adversaries)
        row["malware_families"] = [] if otx is None else list(otx.malware_families)
        row["attack_ids"] = [] if otx is None else list(otx.attack_ids)
        rows.append(row)
    columns = [
        *CSV_COLUMNS,
        "vt_suspicious",
        "reasons",
        "adversaries",
        "malware_families",
        "attack_ids",
    ]
    return pandas.DataFrame(rows, columns=columns)


# --- STIX 2.1 --------------------------------------------------------------------------------


def _stix_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _stix_time(result: Correlation, default: datetime) -> datetime:
    """Take the latest date in the data, so that the same data always gives the same object."""
    dates: list[datetime] = []
    if result.vt is not None and result.vt.last_analysis_date is not None:
        dates.append(result.vt.last_analysis_date)
    if result.otx is not None:
        dates.extend(p.modified for p in (*result.otx.pulses, *result.otx.pivot_hits) if p.modified)
    dates = [d if d.tzinfo else d.replace(tzinfo=UTC) for d in dates]
    return max(dates, default=default)


def _references(result: Correlation) -> list[dict[str, str]]:
    refs: list[dict[str, str]] = []
    if result.vt is not None and result.vt.link:
        refs.append({"source_name": "VirusTotal", "url": result.vt.link})
    if result.otx is not None:
        for pulse in (*result.otx.pulses, *result.otx.pivot_hits):
            ref = {"source_name": "AlienVault OTX", "external_id": pulse.id}
            if pulse.link:
                ref["url"] = pulse.link
            if pulse.name:
                ref["description"] = pulse.name
            refs.append(ref)
    return refs


def _stix_object(stix2: ModuleType, result: Correlation, default_time: datetime) -> Any | None:
    if result.indicator is None or result.verdict not in (Verdict.MALICIOUS, Verdict.SUSPICIOUS):
        return None
    kind, value = _kind(result), result.indicator.value
    object_id = str(uuid.uuid5(STIX_NAMESPACE, f"{kind}:{value}"))
    when = _stix_time(result, default_time)
    common: dict[str, Any] = {
        "created": when,
        "modified": when,
        "confidence": result.score,
        "description": "\n".join(result.reasons),
    }
    refs = _references(result)
    marking = _TLP_MARKINGS.get(result.tlp or "")
    if marking:
        common["object_marking_refs"] = [getattr(stix2, marking)]
    families = result.otx.malware_families if result.otx is not None else ()
    if families:
        common["labels"] = list(families)
    if kind == "cve":
        cve_ref = {"source_name": "cve", "external_id": value.upper()}
        return stix2.Vulnerability(
            id=f"vulnerability--{object_id}",
            name=value.upper(),
            external_references=[cve_ref, *refs],
            **common,
        )
    path = _STIX_PATTERNS.get(kind)
    if path is None:
        return None
    if refs:
        common["external_references"] = refs
    malicious = result.verdict is Verdict.MALICIOUS
    return stix2.Indicator(
        id=f"indicator--{object_id}",
        name=value,
        pattern=f"[{path} = {_stix_string(value)}]",
        pattern_type="stix",
        valid_from=when,
        indicator_types=["malicious-activity" if malicious else "anomalous-activity"],
        **common,
    )


@overload
def to_stix(
    results: Iterable[Correlation],
    *,
    as_dict: Literal[False] = False,
    default_time: datetime | None = None,
) -> str: ...
@overload
def to_stix(
    results: Iterable[Correlation],
    *,
    as_dict: Literal[True],
    default_time: datetime | None = None,
) -> dict[str, Any]: ...
def to_stix(
    results: Iterable[Correlation],
    *,
    as_dict: bool = False,
    default_time: datetime | None = None,
) -> str | dict[str, Any]:
    """Return a STIX 2.1 bundle (JSON text, or a dict with ``as_dict=True``); needs ``tiintel[stix]``.

    One ``indicator`` per MALICIOUS or SUSPICIOUS result (a ``vulnerability`` for a CVE); other
    results are left out. Ids are ``uuid5`` of the indicator, and ``created`` / ``modified`` are
    the latest date in the result's own data (VirusTotal analysis, pulse modification), falling
    back to ``default_time`` (default 1970-01-01): the same data always gives the same bundle.
    ``confidence`` is the score, TLP markings come from ``tlp``, ``labels`` are the malware
    families, external references point at VirusTotal and the OTX pulses.
    """
    stix2 = _require("stix2", "to_stix", "stix")
    default = default_time or _STIX_EPOCH
    objects: dict[str, Any] = {}
    used_markings: set[str] = set()
    for result in results:
        obj = _stix_object(stix2, result, default)
        if obj is None or obj.id in objects:
            continue
        objects[obj.id] = obj
        used_markings.update(str(ref) for ref in obj.get("object_marking_refs", ()))
    # The TLP marking definitions travel with the bundle, in a fixed order.
    marking_objects = [
        getattr(stix2, name)
        for name in dict.fromkeys(_TLP_MARKINGS.values())
        if getattr(stix2, name).id in used_markings
    ]
    bundle_id = uuid.uuid5(STIX_NAMESPACE, "bundle:" + ",".join(sorted(objects)))
    bundle = stix2.Bundle(
        *marking_objects, *objects.values(), id=f"bundle--{bundle_id}", allow_custom=False
    )
    text: str = bundle.serialize(pretty=True)
    if as_dict:
        data: dict[str, Any] = json.loads(text)
        return data
    return text
