"""What one run of the command needs: its streams, its keys, and the clients built from them.

Live clients read ``VT_API_KEY`` / ``OTX_API_KEY``. ``--offline`` builds them on the built-in
fakes instead (``tiintel.testing`` is imported only then) and says so on stderr;
``--offline-if-no-keys`` does so only when neither key is set. Offline is never chosen without
one of these flags: a playbook with a missing secret must fail, not get demo verdicts.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal, Self, TextIO

from tiintel._clock import Clock, SystemClock
from tiintel._constants import OTX_API_KEY_ENV, VT_API_KEY_ENV

from ._codes import EXIT_CONFIG, EXIT_USAGE, CLIError
from ._output import Style

if TYPE_CHECKING:
    from tiintel._core.quota import RateLimit
    from tiintel.otx import OTXClient
    from tiintel.virustotal import VirusTotalClient

__all__ = ["BANNER", "Provider", "Runtime", "TickingClock", "offline_transports", "parse_rate"]

Provider = Literal["virustotal", "otx"]

BANNER: Final = (
    "tiintel: OFFLINE demo: answers come from the built-in fakes and their seeded dataset, "
    "not from VirusTotal or OTX"
)
_ENV: Final[Mapping[Provider, str]] = {"virustotal": VT_API_KEY_ENV, "otx": OTX_API_KEY_ENV}
_NAMES: Final[Mapping[Provider, str]] = {"virustotal": "VirusTotal", "otx": "OTX"}


def offline_transports() -> tuple[Any, Any]:
    """Fresh fakes (VirusTotal, OTX) with the seeded dataset; tests replace this function."""
    from tiintel.testing import FakeOTX, FakeVirusTotal

    return FakeVirusTotal(), FakeOTX()


def parse_rate(text: str) -> RateLimit:
    """``"4/60"`` -> ``RateLimit(4, 60.0)``: at most N requests per SECONDS."""
    from tiintel._core.quota import RateLimit

    count, sep, period = text.partition("/")
    try:
        if not sep:
            raise ValueError
        return RateLimit(int(count), float(period))
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(f"expected N/SECONDS such as 4/60, got {text!r}") from None


class TickingClock:
    """A clock that reports each wait (to a progress line) before delegating it."""

    def __init__(self, base: Clock) -> None:
        self.base = base
        self.on_sleep: Callable[[float], None] | None = None

    def monotonic(self) -> float:
        """The base clock's monotonic reading."""
        return self.base.monotonic()

    def time(self) -> float:
        """The base clock's wall-clock reading."""
        return self.base.time()

    def sleep(self, seconds: float) -> None:
        """Report the wait, then sleep on the base clock."""
        if self.on_sleep is not None:
            self.on_sleep(seconds)
        self.base.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """Report the wait, then sleep on the base clock."""
        if self.on_sleep is not None:
            self.on_sleep(seconds)
        await self.base.asleep(seconds)


class Runtime:
    """Streams, environment and clients of one command run; a context manager closing them."""

    def __init__(
        self,
        args: argparse.Namespace,
        *,
        env: Mapping[str, str],
        stdin: TextIO,
        stdout: TextIO,
        stderr: TextIO,
    ) -> None:
        self.args, self.env = args, env
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        no_keys = not any(env.get(name, "").strip() for name in _ENV.values())
        self.offline = bool(getattr(args, "offline", False)) or (
            no_keys and bool(getattr(args, "offline_if_no_keys", False))
        )
        self.style = Style(stdout, env)
        self._stack = ExitStack()
        self._fakes: tuple[Any, Any] | None = None
        self._banner_shown = False
        base: Clock = SystemClock()
        if self.offline:
            from tiintel.testing import VirtualClock

            base = VirtualClock()  # the fakes answer at once; polls and back-offs need no real wait
        self.clock = TickingClock(base)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.close()

    # -- messages ----------------------------------------------------------------------------

    def note(self, text: str) -> None:
        """One ``tiintel: ...`` line on stderr (never on stdout, which carries the results)."""
        self.stderr.write(f"tiintel: {text}\n")
        self.stderr.flush()

    def write(self, text: str) -> None:
        """Results on stdout."""
        self.stdout.write(text)

    # -- keys and clients --------------------------------------------------------------------

    def has_key(self, provider: Provider) -> bool:
        """Whether this run can use ``provider`` (offline, or its key variable is set)."""
        return self.offline or bool(self.env.get(_ENV[provider], "").strip())

    def available(self, wanted: Sequence[Provider]) -> list[Provider]:
        """The wanted providers that have a key; none at all is a configuration error.

        With only some keys, the others are skipped and a note on stderr says so.
        """
        usable = [p for p in wanted if self.has_key(p)]
        if not usable:
            raise CLIError(missing_keys_message(wanted, self.args), EXIT_CONFIG)
        for provider in wanted:
            if provider not in usable:
                self.note(
                    f"{_NAMES[provider]} skipped: {_ENV[provider]} is not set "
                    "(results below come from " + " and ".join(_NAMES[p] for p in usable) + " only)"
                )
        return usable

    def _fake(self, index: int) -> Any:
        if self._fakes is None:
            self._fakes = offline_transports()
        if not self._banner_shown:
            self.stderr.write(BANNER + "\n")
            self._banner_shown = True
        return self._fakes[index]

    def vt(self) -> VirusTotalClient:
        """A VirusTotal client (live or offline); CLIError (exit 3) without a key."""
        from tiintel.virustotal import VirusTotalClient

        self.available(["virustotal"])
        if self.offline:
            from tiintel.testing import TEST_API_KEY

            client = VirusTotalClient(
                TEST_API_KEY,
                transport=self._fake(0),
                rate_limits=self._vt_limits(offline=True),
                clock=self.clock,
            )
        else:
            client = VirusTotalClient(
                self.env[VT_API_KEY_ENV].strip(),
                rate_limits=self._vt_limits(offline=False),
                clock=self.clock,
            )
        return self._stack.enter_context(client)

    def otx(self) -> OTXClient:
        """An OTX client (live or offline); CLIError (exit 3) without a key."""
        from tiintel.otx import OTXClient

        self.available(["otx"])
        if self.offline:
            from tiintel.testing import TEST_API_KEY

            client = OTXClient(TEST_API_KEY, transport=self._fake(1), clock=self.clock)
        else:
            client = OTXClient(self.env[OTX_API_KEY_ENV].strip(), clock=self.clock)
        return self._stack.enter_context(client)

    def clients(
        self, wanted: Sequence[Provider] = ("virustotal", "otx")
    ) -> tuple[VirusTotalClient | None, OTXClient | None]:
        """The clients of the wanted providers that have keys (the others are None, with a note)."""
        usable = self.available(wanted)
        vt = self.vt() if "virustotal" in usable else None
        otx = self.otx() if "otx" in usable else None
        return vt, otx

    def _vt_limits(self, *, offline: bool) -> Any:
        if getattr(self.args, "no_rate_limit", False):
            if getattr(self.args, "vt_rate_limit", None):
                raise CLIError("give --vt-rate-limit or --no-rate-limit, not both", EXIT_USAGE)
            return None
        custom = getattr(self.args, "vt_rate_limit", None)
        if custom:
            return list(custom)
        return None if offline else "public"


def missing_keys_message(wanted: Sequence[Provider], args: argparse.Namespace) -> str:
    """Which variable to set, and how to run the offline demo instead."""
    variables = " and/or ".join(f"{_ENV[p]} ({_NAMES[p]})" for p in wanted)
    command = getattr(args, "command", None) or "correlate"
    return (
        f"no API key: set {variables} in the environment; "
        f"to try tiintel without keys, run the offline demo: tiintel {command} --offline ... "
        "(answers from built-in fakes, not real verdicts)"
    )
