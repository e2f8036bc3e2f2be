"""The argparse parser of ``tiintel``: subcommands, shared options, help and exit codes."""

from __future__ import annotations

import argparse

from tiintel._version import __version__

from ._codes import EPILOG
from ._runtime import parse_rate

__all__ = ["build_parser"]

_FORMATS = ("table", "json", "jsonl", "csv", "stix")


def _shared(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """Options every subcommand takes; also accepted before the subcommand.

    On subcommands the defaults are suppressed, so ``tiintel --offline correlate ...`` is not
    undone by the subcommand's own default.
    """
    default = (lambda value: value) if top else (lambda value: argparse.SUPPRESS)
    group = parser.add_argument_group("keys and quota")
    group.add_argument(
        "--offline",
        action="store_true",
        default=default(False),
        help="run against the built-in fakes and their seeded dataset (a demo: no keys, no network)",
    )
    group.add_argument(
        "--offline-if-no-keys",
        action="store_true",
        default=default(False),
        help="like --offline when neither VT_API_KEY nor OTX_API_KEY is set; live otherwise",
    )
    group.add_argument(
        "--vt-rate-limit",
        metavar="N/SECONDS",
        type=parse_rate,
        action="append",
        default=default(None),
        help="VirusTotal client-side limit, repeatable (default: the public tier, 4/60 500/86400 ...)",
    )
    group.add_argument(
        "--no-rate-limit",
        action="store_true",
        default=default(False),
        help="no client-side VirusTotal limit (premium keys)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``tiintel`` parser."""
    parser = argparse.ArgumentParser(
        prog="tiintel",
        description="Threat intelligence from VirusTotal and AlienVault OTX, from the shell.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tiintel {__version__}")
    _shared(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _shared(p, top=False)
        return p

    p = command("lookup", "the raw reports of one indicator from VirusTotal and OTX")
    p.add_argument("ioc", metavar="IOC", help="hash, IP, domain, URL or CVE (defanged is fine)")
    p.add_argument("--provider", choices=("all", "vt", "otx"), default="all")
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")

    p = command("correlate", "one explained verdict per indicator, from both providers")
    p.add_argument("iocs", metavar="IOC", nargs="*", help="indicators; - reads stdin (one a line)")
    p.add_argument("-f", "--file", action="append", metavar="FILE", help="one indicator a line")
    p.add_argument("--format", choices=_FORMATS, default="table")
    p.add_argument("--pivot", action="store_true", help="also check URL hosts, serving IPs...")
    p.add_argument(
        "--fail-on",
        choices=("malicious", "suspicious"),
        help="exit 1 when a result is this bad or worse (CI and SOAR gates)",
    )
    p.add_argument("--concurrency", type=int, default=8, help="requests in flight per provider")

    p = command("scan", "scan a file (hash first; upload only with --upload) or a URL")
    p.add_argument("target", metavar="FILE|URL")
    p.add_argument("--upload", action="store_true", help="send the file if VirusTotal lacks it")
    p.add_argument("--no-wait", action="store_true", help="return the queued analysis at once")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds to wait (default 300)")
    p.add_argument("--json", action="store_true")

    p = command("pulses", "OTX pulses: subscribed, search, show, sync")
    pulses = p.add_subparsers(dest="pulses_command", metavar="ACTION", required=True)
    q = pulses.add_parser("subscribed", help="the pulses you subscribe to, newest first")
    q.add_argument("--since", help="only pulses modified since (ISO date)")
    q.add_argument("--limit", type=int, default=50)
    q.add_argument("--json", action="store_true", help="JSON Lines")
    q = pulses.add_parser("search", help="public pulses matching a query")
    q.add_argument("query")
    q.add_argument("--limit", type=int, default=20)
    q.add_argument("--json", action="store_true", help="JSON Lines")
    q = pulses.add_parser("show", help="one pulse with its indicators")
    q.add_argument("pulse_id", metavar="PULSE_ID")
    q.add_argument("--json", action="store_true")
    q = pulses.add_parser("sync", help="sync subscribed pulses into a local store (incremental)")
    q.add_argument("--store", required=True, metavar="PATH", help="SQLite file (created if needed)")
    q.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    for action in pulses.choices.values():
        _shared(action, top=False)

    p = command("quota", "VirusTotal quota usage")
    p.add_argument("--json", action="store_true")

    p = command("hunt", "search log files for IoCs (of a pulse store, of pulses, of a list)")
    p.add_argument("logs", metavar="LOG", nargs="+", help="log files (plain or gzip)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--store", metavar="PATH", help="a store made by tiintel pulses sync")
    source.add_argument("--pulse", action="append", metavar="ID", help="an OTX pulse (repeatable)")
    source.add_argument("--iocs", metavar="FILE", help="one IoC a line (defanged is fine), - stdin")
    p.add_argument("--format", choices=("table", "jsonl"), default="table")
    return parser
