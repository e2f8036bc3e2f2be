"""Rate-limit window math for several windows at once. Pure: callers pass the time in, nothing sleeps.

Two kinds of window, chosen by period:

- Short windows (under an hour, e.g. VT's 4/minute) use GCRA with no burst: slots are spaced
  ``period / max_requests`` apart (plus a small margin). Whatever window the service really uses
  (fixed or sliding), no ``period``-long stretch ever holds more than ``max_requests``.
- Long windows (an hour or more, e.g. 500/day) are counters over wall-clock windows aligned to the
  epoch, which for a day is 00:00 UTC: VirusTotal's own reset. Bursts inside the window are free.

State is one number per short window and a (window, count) pair per long one: no log of timestamps.
"""

from __future__ import annotations

import math

import attrs

from .._constants import QUOTA_SAFETY_MARGIN
from .._exceptions import QuotaScope

LONG_WINDOW = 3600.0
# Wall clocks drift: never send in the first seconds of a new long window.
LONG_WINDOW_MARGIN = 2.0


def _positive_int(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be a positive int, got {value!r}")


def _positive_float(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{attribute.name} must be a positive number of seconds, got {value!r}")


@attrs.frozen
class RateLimit:
    """At most ``max_requests`` requests per ``period`` seconds."""

    max_requests: int = attrs.field(validator=_positive_int)
    period: float = attrs.field(validator=_positive_float, converter=float)

    @property
    def scope(self) -> QuotaScope:
        """The quota window this limit stands for: "minute", "hour", "day" or "month"."""
        return scope_of(self.period)


def scope_of(period: float) -> QuotaScope:
    """Name a window by its period (anything under an hour counts as "minute")."""
    if period < LONG_WINDOW:
        return "minute"
    if period < 86400:
        return "hour"
    if period <= 86400:
        return "day"
    return "month"


@attrs.frozen
class Reservation:
    """A booked slot: send after ``delay`` seconds. ``scope`` names the window that caused the delay."""

    delay: float
    scope: QuotaScope | None
    cost: int
    # (window kind, index, value before, value booked): what release() needs to give the slot back
    undo: tuple[tuple[str, int, float, float], ...] = attrs.field(repr=False, default=())


@attrs.define
class _Spacing:
    limit: RateLimit
    interval: float
    next_free: float = -math.inf
    # slots given back while a later one was booked: booked end -> the end before it
    released: dict[float, float] = attrs.field(factory=dict)

    def earliest(self, at: float) -> float:
        return max(at, self.next_free)


@attrs.define
class _Counter:
    limit: RateLimit
    window: int = -1
    count: int = 0

    def earliest(self, wall: float, cost: int) -> float:
        period = self.limit.period
        index = math.floor(wall / period)
        used = self.count if index == self.window else 0
        if index < self.window:
            return wall  # a later window is already booked; this one is older and unused
        if used + cost <= self.limit.max_requests:
            return wall
        return (index + 1) * period + LONG_WINDOW_MARGIN


class QuotaState:
    """The combined state of several RateLimits; not thread-safe (the limiter shell holds a lock)."""

    def __init__(self, limits: tuple[RateLimit, ...], margin: float = QUOTA_SAFETY_MARGIN) -> None:
        self.limits = limits
        self._spacings = [
            _Spacing(limit, limit.period / limit.max_requests * (1.0 + margin))
            for limit in limits
            if limit.period < LONG_WINDOW
        ]
        self._counters = [_Counter(limit) for limit in limits if limit.period >= LONG_WINDOW]

    def reserve(self, now: float, wall: float, cost: int = 1) -> Reservation:
        """Book the earliest slot at or after ``now`` (monotonic) that every window allows."""
        if cost <= 0 or not self.limits:
            return Reservation(0.0, None, cost)
        slot, scope = now, None
        for spacing in self._spacings:
            if spacing.released:  # a past hole can no longer move next_free: forget it
                spacing.released = {b: v for b, v in spacing.released.items() if b > now}
        for _ in range(8):  # windows push each other forward; a few rounds settle it
            moved = False
            for spacing in self._spacings:
                earliest = spacing.earliest(slot)
                if earliest > slot:
                    slot, scope, moved = earliest, spacing.limit.scope, True
            for counter in self._counters:
                slot_wall = wall + (slot - now)
                earliest_wall = counter.earliest(slot_wall, cost)
                if earliest_wall > slot_wall:
                    slot, scope, moved = (
                        slot + (earliest_wall - slot_wall),
                        counter.limit.scope,
                        True,
                    )
            if not moved:
                break
        undo: list[tuple[str, int, float, float]] = []
        for i, spacing in enumerate(self._spacings):
            booked = slot + spacing.interval * cost
            undo.append(("spacing", i, spacing.next_free, booked))
            spacing.next_free = booked
        slot_wall = wall + (slot - now)
        for j, counter in enumerate(self._counters):
            index = math.floor(slot_wall / counter.limit.period)
            if index > counter.window:
                counter.window, counter.count = index, 0
            if index == counter.window:
                counter.count += cost
                undo.append(("counter", j, float(index), float(cost)))
        return Reservation(slot - now, scope, cost, tuple(undo))

    def release(self, reservation: Reservation) -> None:
        """Give back an unused reservation (cancelled, or refused as too long to wait).

        A spacing slot is rolled back when nothing was booked after it; otherwise it is remembered,
        so that when the later slots are given back too (tasks cancelled in any order) the roll-back
        runs through it.
        """
        for kind, i, before, booked in reservation.undo:
            if kind == "spacing":
                spacing = self._spacings[i]
                if spacing.next_free == booked:
                    spacing.next_free = before
                    while spacing.next_free in spacing.released:
                        spacing.next_free = spacing.released.pop(spacing.next_free)
                else:
                    spacing.released[booked] = before
            else:
                counter = self._counters[i]
                if counter.window == int(before) and counter.count >= int(booked):
                    counter.count -= int(booked)
