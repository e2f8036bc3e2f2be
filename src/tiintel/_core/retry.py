"""Which failures are retried and how long to wait, as data. No sleeping here."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import attrs

from .._constants import BACKOFF_INITIAL, BACKOFF_MAX, MIN_429_INTERVAL
from .._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    QuotaExceededError,
    RateLimitError,
    TiIntelError,
)

Action = Literal["retry", "wait_quota", "raise"]

# VT codes that are worth another try whatever their status.
_TRANSIENT_CODES = frozenset({"TransientError", "DeadlineExceededError"})
_LONG_SCOPES = frozenset({"day", "month"})


@attrs.frozen
class Decision:
    """What to do after a failed attempt: retry after ``delay``, wait for quota, or raise ``error``."""

    action: Action
    delay: float = 0.0
    error: TiIntelError | None = None


@attrs.define
class CallBudget:
    """What one call has spent so far: transient retries and seconds waited for quota."""

    max_retries: int
    max_quota_wait: float
    retries_used: int = 0
    quota_waited: float = 0.0

    def quota_left(self) -> float:
        """Seconds of quota wait this call may still spend."""
        return max(self.max_quota_wait - self.quota_waited, 0.0)


def is_transient(error: TiIntelError, *, idempotent: bool) -> bool:
    """True when another attempt may succeed.

    Connection errors, timeouts, 408, 5xx and VT's TransientError/DeadlineExceededError are transient.
    TLS verification failures and 4xx (other than 408/429) never are. A request that creates
    something is retried only when it provably never reached the server.
    """
    if isinstance(error, APIConnectionError):
        if error.tls_failure:
            return False
        return idempotent or not error.reached_server
    if not idempotent:
        return False
    if isinstance(error, APITimeoutError):
        return True
    if isinstance(error, APIStatusError):
        return (
            error.status_code == 408 or error.status_code >= 500 or error.code in _TRANSIENT_CODES
        )
    return False


def backoff_delay(
    retry_number: int,
    *,
    rand: Callable[[], float],
    initial: float = BACKOFF_INITIAL,
    cap: float = BACKOFF_MAX,
) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, initial * 2**n)]."""
    ceiling = min(cap, initial * (2.0 ** min(retry_number, 30)))
    return rand() * ceiling


def decide(
    error: TiIntelError,
    budget: CallBudget,
    *,
    idempotent: bool,
    rand: Callable[[], float],
    min_429_interval: float = MIN_429_INTERVAL,
) -> Decision:
    """Decide the next step after ``error``; ``budget`` is read, never changed (the shell records spending).

    429s do not consume ``max_retries``: they are waited out (Retry-After when given, else no sooner
    than ``min_429_interval``) while the call's total quota wait stays within ``max_quota_wait``; past
    it the error becomes QuotaExceededError. A day or month exhaustion raises at once.
    """
    if isinstance(error, RateLimitError):
        if isinstance(error, QuotaExceededError) and error.scope in _LONG_SCOPES:
            return Decision("raise", error=error)
        wait = error.retry_after if error.retry_after is not None else min_429_interval
        if wait > budget.quota_left() or math.isinf(wait):
            return Decision("raise", error=quota_spent(error, budget))
        return Decision("wait_quota", delay=wait)
    if is_transient(error, idempotent=idempotent):
        if budget.retries_used >= budget.max_retries:
            return Decision("raise", error=with_attempts(error, budget.retries_used + 1))
        retry_after = getattr(error, "retry_after", None)
        delay = backoff_delay(budget.retries_used, rand=rand)
        if isinstance(retry_after, float):
            delay = max(delay, retry_after)
        return Decision("retry", delay=delay)
    return Decision("raise", error=error)


def quota_spent(error: RateLimitError, budget: CallBudget) -> QuotaExceededError:
    """The QuotaExceededError raised when a call's quota wait budget is spent."""
    scope = error.scope if isinstance(error, QuotaExceededError) else None
    message = (
        f"{error.message} (gave up after waiting {budget.quota_waited:.0f}s for quota; "
        f"max_quota_wait={budget.max_quota_wait:g}s)"
    )
    return QuotaExceededError(
        message,
        scope=scope,
        provider=error.provider,
        retry_after=error.retry_after,
        status_code=error.status_code,
        code=error.code,
        response=error.response,
    )


def with_attempts(error: TiIntelError, attempts: int) -> TiIntelError:
    """The same error, its message now telling how many attempts were made."""
    if attempts > 1:
        error.args = (f"{error.message} (after {attempts} attempts)",)
    return error
