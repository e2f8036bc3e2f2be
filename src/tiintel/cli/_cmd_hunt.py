"""``tiintel hunt``: search log files for the IoCs of a pulse store, of pulses, or of a list."""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from typing import Any

from tiintel._core.indicators import Indicator
from tiintel._exceptions import InvalidIndicatorError

from ._codes import EXIT_OK, EXIT_USAGE, CLIError
from ._inputs import read_items, validate
from ._output import clean, truncate
from ._runtime import Runtime

__all__ = ["run_hunt"]


def _pulse_iocs(runtime: Runtime) -> tuple[list[Indicator], dict[Indicator, list[str]]]:
    """The indicators of the ``--pulse`` pulses, and which pulse names carry each."""
    otx = runtime.otx()
    carriers: dict[Indicator, list[str]] = {}
    for pulse_id in runtime.args.pulse:
        pulse = otx.pulses.get(pulse_id)
        name = pulse.name or pulse_id
        for entry in otx.pulses.indicators(pulse_id):
            if not entry.indicator:
                continue
            try:
                ind = Indicator.parse(entry.indicator)
            except InvalidIndicatorError:
                continue  # CIDR, e-mail, YARA...: not something the hunter matches
            carriers.setdefault(ind, []).append(name)
    return list(carriers), carriers


def _check_logs(paths: list[str]) -> None:
    for path in paths:
        if not os.path.isfile(path):
            raise CLIError(f"cannot read {clean(path)}: no such file", EXIT_USAGE)


def run_hunt(runtime: Runtime) -> int:
    """Stream every match as it is found: one line each, or JSON Lines."""
    from tiintel.hunt import hunt

    args = runtime.args
    _check_logs(args.logs)
    carriers: dict[Indicator, list[str]] = {}
    with ExitStack() as stack:
        iocs: Any
        if args.store:
            from tiintel.hunt import PulseStore

            if not os.path.exists(args.store):
                raise CLIError(
                    f"no pulse store at {clean(args.store)}: create it with "
                    "tiintel pulses sync --store PATH",
                    EXIT_USAGE,
                )
            iocs = stack.enter_context(PulseStore(args.store))
        elif args.pulse:
            iocs, carriers = _pulse_iocs(runtime)
        else:
            iocs = validate(read_items([], [args.iocs], runtime.stdin))
        found = 0
        for match in hunt(args.logs, iocs):
            names = [p.name or p.id for p in match.pulses] or carriers.get(match.indicator, [])
            found += 1
            runtime.write(_render(match, names, args.format))
            runtime.stdout.flush()
    runtime.note(f"{found} match(es)")
    return EXIT_OK


def _render(match: Any, pulses: list[str], fmt: str) -> str:
    if fmt == "jsonl":
        record = {
            "source": match.source,
            "line": match.line_no,
            "indicator": {"type": match.indicator.type.value, "value": match.indicator.value},
            "matched": match.matched,
            "pulses": pulses,
            "context": match.context,
        }
        return json.dumps(record, ensure_ascii=True) + "\n"
    where = clean(f"{match.source}:{match.line_no}")
    label = clean(match.indicator.value)
    carried = f"  [{truncate(clean('; '.join(pulses)), 60)}]" if pulses else ""
    return f"{where}  {label}{carried}  {truncate(clean(match.context), 120)}\n"
