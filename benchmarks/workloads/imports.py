"""Scenario 6: import time of one statement, in this fresh interpreter."""

from __future__ import annotations

import time
from typing import Any


def run(statement: str) -> dict[str, Any]:
    """Seconds to execute ``statement`` (an import) once, in milliseconds."""
    start = time.perf_counter()
    exec(statement, {})  # a fixed import statement chosen by the runner
    return {"ms": (time.perf_counter() - start) * 1000}
