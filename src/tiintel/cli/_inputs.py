"""Reading indicators from arguments, files and stdin, with the place of each (file:line)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TextIO

import attrs

from tiintel._core.indicators import Indicator
from tiintel._exceptions import InvalidIndicatorError

from ._codes import EXIT_USAGE, CLIError
from ._output import clean

__all__ = ["Item", "read_items", "validate"]


@attrs.frozen
class Item:
    """One input as given, and where it came from (``iocs.txt:3``, ``<stdin>:1``, ``argument 2``)."""

    text: str
    origin: str


def _lines(stream: Iterable[str], name: str) -> Iterator[Item]:
    for number, raw in enumerate(stream, start=1):
        text = raw.strip()
        if text and not text.startswith("#"):
            yield Item(text, f"{name}:{number}")


def _read_file(path: str) -> list[Item]:
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            return list(_lines(stream, path))
    except OSError as exc:
        raise CLIError(f"cannot read {clean(path)}: {clean(exc.strerror or exc)}") from None


def read_items(values: Sequence[str], files: Sequence[str], stdin: TextIO) -> list[Item]:
    """Inputs from positional values (``-`` reads stdin), then from each ``-f FILE``.

    Files and stdin hold one indicator per line; blank lines and ``#`` comments are skipped.
    """
    items: list[Item] = []
    for position, value in enumerate(values, start=1):
        if value == "-":
            items.extend(_lines(stdin, "<stdin>"))
        else:
            items.append(Item(value, f"argument {position}"))
    for path in files:
        items.extend(_lines(stdin, "<stdin>") if path == "-" else _read_file(path))
    return items


def validate(items: Iterable[Item]) -> list[Indicator]:
    """Parse every input (refanged); the first bad one is a usage error naming its place."""
    parsed: list[Indicator] = []
    for item in items:
        try:
            parsed.append(Indicator.parse(item.text))
        except InvalidIndicatorError as exc:
            raise CLIError(
                f"bad indicator at {clean(item.origin)}: {clean(exc)}", EXIT_USAGE
            ) from None
    return parsed
