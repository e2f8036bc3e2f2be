"""``tiintel pulses``: subscribed, search and show stream OTX pulses; sync fills a local store."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ._codes import EXIT_OK
from ._output import clean, truncate
from ._runtime import Runtime

__all__ = ["run_pulses"]


def _pulse_line(pulse: Any) -> str:
    modified = pulse.modified.date().isoformat() if pulse.modified else "-"
    count = pulse.indicator_count if pulse.indicator_count else len(pulse.indicators or ())
    tlp = pulse.tlp or "-"
    name = truncate(clean(pulse.name), 80)
    return f"{clean(pulse.id):<24}  {modified:<10}  {clean(tlp):<12}  {count:>6}  {name}\n"


def _stream(runtime: Runtime, pulses: Iterable[Any], as_json: bool) -> int:
    """Print pulses as they arrive: one line each, or JSON Lines; one page in memory."""
    shown = 0
    if not as_json:
        header = f"{'id':<24}  {'modified':<10}  {'tlp':<12}  {'iocs':>6}  name\n"
        runtime.write(runtime.style.paint(header.rstrip("\n"), "bold") + "\n")
    for pulse in pulses:
        if as_json:
            runtime.write(json.dumps(pulse.to_dict(), ensure_ascii=True, default=str) + "\n")
        else:
            runtime.write(_pulse_line(pulse))
        runtime.stdout.flush()
        shown += 1
    if not as_json:
        runtime.note(f"{shown} pulse(s)")
    return EXIT_OK


def _show(runtime: Runtime, pulse: Any, as_json: bool) -> int:
    if as_json:
        runtime.write(json.dumps(pulse.to_dict(), indent=2, ensure_ascii=True, default=str) + "\n")
        return EXIT_OK
    lines = [
        f"{pulse.name}",
        f"  id          {pulse.id}",
        f"  tlp         {pulse.tlp or '-'}",
        f"  modified    {pulse.modified.isoformat() if pulse.modified else '-'}",
    ]
    if pulse.adversary:
        lines.append(f"  adversary   {pulse.adversary}")
    for label, values in (
        ("malware", pulse.malware_families),
        ("att&ck", pulse.attack_ids),
        ("tags", pulse.tags),
    ):
        if values:
            lines.append(f"  {label:<11} {', '.join(values)}")
    indicators = pulse.indicators or ()
    lines.append(f"  indicators  {len(indicators)}")
    lines += [f"    {ind.type:<16} {ind.indicator}" for ind in indicators]
    runtime.write("".join(clean(line) + "\n" for line in lines))
    return EXIT_OK


def _sync(runtime: Runtime) -> int:
    from tiintel.hunt import PulseStore

    otx = runtime.otx()
    with PulseStore(runtime.args.store) as store:
        result = store.sync(otx, limit=runtime.args.limit)
        stats = store.stats()
    watermark = result.watermark_after.isoformat() if result.watermark_after else "-"
    runtime.write(
        f"synced {result.pulses_seen} pulse(s): {result.pulses_new} new, "
        f"{result.pulses_updated} updated, {result.pulses_stale} unchanged, "
        f"{result.pulses_removed} removed (unsubscribed or deleted); "
        f"{result.indicators_written} indicator(s) written\n"
        f"store {clean(stats.path)}: {stats.pulses} pulse(s), {stats.active_indicators} active "
        f"indicator(s); next sync starts from {watermark}\n"
    )
    return EXIT_OK


def run_pulses(runtime: Runtime) -> int:
    """Dispatch ``pulses subscribed|search|show|sync``."""
    args = runtime.args
    if args.pulses_command == "sync":
        return _sync(runtime)
    otx = runtime.otx()
    if args.pulses_command == "show":
        return _show(runtime, otx.pulses.get(args.pulse_id), args.json)
    if args.pulses_command == "search":
        return _stream(runtime, otx.pulses.search(args.query, limit=args.limit), args.json)
    feed = otx.pulses.subscribed(modified_since=args.since, limit=args.limit)
    return _stream(runtime, feed, args.json)
