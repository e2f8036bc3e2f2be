"""Exit codes of the ``tiintel`` command, and the error that carries one."""

from __future__ import annotations

from typing import Final

__all__ = [
    "EXIT_CONFIG",
    "EXIT_FAIL_ON",
    "EXIT_LOOKUP_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CLIError",
]

EXIT_OK: Final = 0
"""Success."""
EXIT_FAIL_ON: Final = 1
"""``--fail-on`` matched: a result was at least as bad as asked (results are printed)."""
EXIT_USAGE: Final = 2
"""Usage or input error: bad option, unreadable file, bad indicator (with file:line)."""
EXIT_CONFIG: Final = 3
"""Configuration: a missing or rejected API key."""
EXIT_LOOKUP_FAILED: Final = 4
"""Some lookups failed (quota, network, service errors); the results obtained are printed."""

EPILOG: Final = """\
exit codes:
  0  success
  1  --fail-on matched (results are printed)
  2  usage or input error (bad option, unreadable file, bad indicator: file:line)
  3  configuration: missing or rejected API key (VT_API_KEY, OTX_API_KEY)
  4  some lookups failed (quota, network, service); the results obtained are printed

keys come from VT_API_KEY and OTX_API_KEY; with one key only, the other provider is
skipped. --offline runs against the built-in fakes and their seeded dataset (a demo).
"""


class CLIError(Exception):
    """An expected failure: printed as one line on stderr, never as a traceback."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code
