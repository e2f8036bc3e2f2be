"""hunt(): stream log files and text for the IoCs of a store or a list."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO, TypeAlias, cast

from tiintel.hunt._index import build_index
from tiintel.hunt._models import Match
from tiintel.hunt._protocols import IndicatorStore
from tiintel.hunt._scan import Prefilter, chunks, open_source

if TYPE_CHECKING:
    from tiintel._core.indicators import Indicator
    from tiintel.models.otx import Pulse

__all__ = ["hunt"]

Source: TypeAlias = "str | os.PathLike[str] | TextIO | Iterable[str]"


def hunt(
    sources: Iterable[Source] | Source,
    iocs: IndicatorStore | Iterable[str | Indicator],
    *,
    match_subdomains: bool = True,
    include_expired: bool = False,
    now: datetime | None = None,
) -> Iterator[Match]:
    """Yield every IoC found in the sources, line by line, as ``Match`` objects.

    ``sources`` are file paths (plain or gzip, recognised by content), text or binary streams,
    or iterables of lines; a single path or stream may be passed on its own. ``iocs`` is a
    ``PulseStore`` (its active indicators, and each match carries the pulses) or any iterable of
    IoC strings and ``Indicator`` objects (strings are refanged and parsed; blank lines,
    ``#`` comments and unparseable entries are skipped).

    Matching is exact on token boundaries, after refanging the line: ``evil.com`` does not match
    ``notevil.com`` and ``1.2.3.4`` does not match ``11.2.3.45``; a domain IoC also matches its
    subdomains unless ``match_subdomains`` is false; a URL IoC also matches the same URL with a
    query string. Expired or inactive store indicators are left out unless ``include_expired``
    (``now`` fixes the clock for that test). Files are read in blocks: memory does not grow with
    the size of the logs.
    """
    index = build_index(
        iocs, match_subdomains=match_subdomains, include_expired=include_expired, now=now
    )
    store = iocs if isinstance(iocs, IndicatorStore) else None
    pulses: dict[Indicator, tuple[Pulse, ...]] = {}
    todo: Iterable[Any]
    if isinstance(sources, str | os.PathLike) or hasattr(sources, "read"):
        todo = [sources]
    else:
        todo = cast("Iterable[Any]", sources)
    if not len(index):
        return
    prefilter = Prefilter(index)
    for source in todo:
        name, blocks = open_source(source)
        line_base = 0
        for chunk in chunks(blocks):
            counted_to, line_no = 0, line_base
            for start, end in prefilter.candidate_lines(chunk):
                line_no += chunk.count(b"\n", counted_to, start)
                counted_to = start
                text = chunk[start:end].decode("utf-8", "replace").rstrip("\r")
                for indicator, matched in index.match_line(text):
                    carried: tuple[Pulse, ...] = ()
                    if store is not None:
                        carried = pulses.get(indicator) or pulses.setdefault(
                            indicator,
                            tuple(
                                store.lookup(indicator, include_expired=include_expired, now=now)
                            ),
                        )
                    yield Match(
                        source=name,
                        line_no=line_no + 1,
                        indicator=indicator,
                        matched=matched,
                        context=text,
                        pulses=carried,
                    )
            line_base += chunk.count(b"\n")
