"""The ``tiintel`` command: look up, correlate, scan and hunt from the shell.

``main(argv)`` runs one command and returns its exit code (see ``EXIT_*``); expected failures
(a missing key, a bad indicator, an exhausted quota) print one line on stderr, never a
traceback. Importing this package is cheap: commands import the SDK when they run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Final

from ._codes import (
    EXIT_CONFIG,
    EXIT_FAIL_ON,
    EXIT_LOOKUP_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CLIError,
)

__all__ = [
    "EXIT_CONFIG",
    "EXIT_FAIL_ON",
    "EXIT_LOOKUP_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "main",
]

EXIT_INTERRUPTED: Final = 130


def _command(name: str) -> Callable[..., int]:
    if name == "lookup":
        from ._cmd_lookup import run_lookup

        return run_lookup
    if name == "correlate":
        from ._cmd_correlate import run_correlate

        return run_correlate
    if name == "scan":
        from ._cmd_scan import run_scan

        return run_scan
    if name == "pulses":
        from ._cmd_pulses import run_pulses

        return run_pulses
    if name == "quota":
        from ._cmd_quota import run_quota

        return run_quota
    from ._cmd_hunt import run_hunt

    return run_hunt


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tiintel`` with ``argv`` (default: the process arguments) and return the exit code."""
    from ._parser import build_parser

    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    from ._runtime import Runtime

    stderr = sys.stderr
    try:
        with Runtime(
            args, env=os.environ, stdin=sys.stdin, stdout=sys.stdout, stderr=stderr
        ) as runtime:
            return _command(args.command)(runtime)
    except CLIError as exc:
        return _fail(str(exc), exc.code)
    except KeyboardInterrupt:
        stderr.write("\ntiintel: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (``| head``): stop quietly, like other Unix tools
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaces the closed pipe for interpreter exit
        return EXIT_OK
    except Exception as exc:
        code, message = _expected(exc)
        if code is None:
            raise
        return _fail(message, code)


def _fail(message: str, code: int) -> int:
    from ._output import clean

    sys.stderr.write(f"tiintel: error: {clean(message)}\n")
    return code


def _expected(exc: Exception) -> tuple[int | None, str]:
    """The exit code and message of an expected failure, or (None, "") for a bug."""
    from tiintel._exceptions import (
        AuthenticationError,
        ConfigurationError,
        InvalidIndicatorError,
        QuotaExceededError,
        RateLimitError,
        TiIntelError,
    )

    if isinstance(exc, AuthenticationError):
        variable = "VT_API_KEY" if exc.provider == "virustotal" else "OTX_API_KEY"
        return EXIT_CONFIG, f"{exc.message}: check {variable}"
    if isinstance(exc, ConfigurationError):
        return EXIT_CONFIG, exc.message
    if isinstance(exc, InvalidIndicatorError):
        return EXIT_USAGE, exc.message
    if isinstance(exc, QuotaExceededError):
        scope = f" ({exc.scope} window)" if exc.scope else ""
        return (
            EXIT_LOOKUP_FAILED,
            f"quota exhausted{scope}: {exc.message}; nothing more was sent, try again when it resets",
        )
    if isinstance(exc, RateLimitError):
        return EXIT_LOOKUP_FAILED, f"rate limited: {exc.message}; nothing more was sent"
    if isinstance(exc, TiIntelError):
        return EXIT_LOOKUP_FAILED, exc.message
    if isinstance(exc, OSError):
        return EXIT_USAGE, f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    return None, ""
