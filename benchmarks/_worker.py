"""Entry point of one measurement in a fresh interpreter: ``python -m benchmarks._worker TASK JSON``.

Prints one JSON line (the result) last on stdout.
"""

from __future__ import annotations

import importlib
import json
import sys


def main() -> None:
    task, params = sys.argv[1], json.loads(sys.argv[2])
    module = importlib.import_module(f"benchmarks.workloads.{task}")
    result = module.run(**params)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
