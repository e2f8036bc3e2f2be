"""``python -m tiintel``: the same as the ``tiintel`` command."""

from __future__ import annotations

import sys

from tiintel.cli import main

if __name__ == "__main__":
    sys.exit(main())
