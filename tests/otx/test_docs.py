"""Every Python example of docs/otx.md runs against the offline fakes."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "otx.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 15


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_example_runs(code: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(code, str(DOC), "exec"), {"__name__": "__docs__"})
    assert out.getvalue()
