"""Terminal output: sanitising data, aligned tables, colours and a progress bar (stdlib only).

Pulse names, tags, comments and even indicators are written by strangers: every string that
comes from data goes through ``clean()`` before it reaches a terminal, so an ANSI or OSC
sequence in a pulse name can neither recolour the screen, rewrite the title, nor hide text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import Final, TextIO

__all__ = [
    "Progress",
    "Style",
    "clean",
    "clean_text",
    "render_table",
    "truncate",
]

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte ESC sequences, and the
# 8-bit C1 forms of CSI / OSC / DCS (0x9b, 0x9d, 0x90 ... ST).
_SEQUENCES: Final = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x9d\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
)
# C0 and C1 controls, DEL, and bidirectional overrides that reorder what a reader sees.
_CONTROLS: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_KEEP_LINES: Final = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)


def clean(value: object) -> str:
    """One terminal-safe line: escape sequences and control characters removed.

    Tabs and line breaks become spaces, so a value can never break a table row.
    """
    text = "" if value is None else str(value)
    text = _SEQUENCES.sub("", text)
    text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return _CONTROLS.sub("", text)


def clean_text(text: str) -> str:
    """Terminal-safe multi-line text (CSV, STIX): sequences and controls removed, line breaks kept."""
    return _CONTROLS_KEEP_LINES.sub("", _SEQUENCES.sub("", text))


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


_COLOURS: Final[Mapping[str, str]] = {
    "malicious": "\x1b[1;31m",
    "suspicious": "\x1b[33m",
    "harmless": "\x1b[32m",
    "unknown": "\x1b[2m",
    "bold": "\x1b[1m",
    "dim": "\x1b[2m",
}
_RESET: Final = "\x1b[0m"


class Style:
    """Colours for a stream: only on a terminal, and never when ``NO_COLOR`` is set."""

    def __init__(self, stream: TextIO, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        isatty = getattr(stream, "isatty", None)
        self.enabled = bool(isatty and isatty()) and "NO_COLOR" not in env

    def paint(self, text: str, colour: str | None) -> str:
        """``text`` in ``colour`` (a verdict name, "bold" or "dim") when colours are on."""
        code = _COLOURS.get(colour or "")
        if not self.enabled or code is None:
            return text
        return f"{code}{text}{_RESET}"


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    style: Style | None = None,
    colour_column: int | None = None,
    caps: Mapping[int, int] | None = None,
) -> str:
    """An aligned text table; every cell is cleaned, and column ``i`` cut to ``caps[i]`` characters.

    ``colour_column`` names a column whose cell value is also its colour (verdicts).
    """
    last = len(headers) - 1
    caps = caps or {}
    cells = [
        [truncate(clean(c), caps[i]) if i in caps else clean(c) for i, c in enumerate(row)]
        for row in rows
    ]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(row: Sequence[str], header: bool = False) -> str:
        parts = []
        for i, cell in enumerate(row):
            padded = cell if i == last else cell.ljust(widths[i])
            if style is not None and header:
                padded = style.paint(padded, "bold")
            elif style is not None and i == colour_column:
                padded = style.paint(padded, cell)
            parts.append(padded)
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers, header=True), *(line(row) for row in cells)]) + "\n"


class Progress:
    """A one-line progress bar on a terminal stream; silent when the stream is not a TTY."""

    def __init__(self, stream: TextIO, label: str, *, width: int = 30) -> None:
        isatty = getattr(stream, "isatty", None)
        self.stream, self.label, self.width = stream, label, width
        self.enabled = bool(isatty and isatty())
        self._drawn = False

    def update(self, done: int, total: int) -> None:
        """Redraw the bar at ``done`` of ``total``."""
        if not self.enabled or total <= 0:
            return
        filled = self.width * done // total
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        self.stream.flush()
        self._drawn = True

    def status(self, text: str) -> None:
        """Show a free-form status line (a spinner's text) in place of the bar."""
        if not self.enabled:
            return
        self.stream.write(f"\r\x1b[K{self.label} {clean(text)}")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the bar so that later output starts on a clean line."""
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False
