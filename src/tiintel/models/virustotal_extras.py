"""VirusTotal models beyond the reports: behaviour summaries, comments, votes, quotas and API usage."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Literal, Self

import attrs

from tiintel.models._base import (
    EMPTY_MAP,
    Model,
    as_count,
    as_int,
    as_list,
    as_mapping,
    as_str,
    as_str_tuple,
    epoch_dt,
    frozen_map,
    require_id,
    require_mapping,
    short_map_repr,
    short_seq_repr,
)
from tiintel.models.virustotal_parts import wire_attributes

__all__ = [
    "APIUsage",
    "BehaviourSummary",
    "Comment",
    "CommentVotes",
    "QuotaUsage",
    "Quotas",
    "Vote",
]


def _seq() -> Any:
    return attrs.field(default=None, repr=short_seq_repr)


def _technique_ids(data: Any) -> tuple[str, ...] | None:
    """``mitre_attack_techniques`` objects reduced to their ids (``T1059``)."""
    items = as_list(data)
    if items is None:
        return None
    ids = (item.get("id") if isinstance(item, Mapping) else item for item in items)
    return tuple(dict.fromkeys(i for i in ids if isinstance(i, str)))


@attrs.frozen(kw_only=True)
class BehaviourSummary(Model):
    """The merged sandbox behaviour of a file (``GET /files/{hash}/behaviour_summary``).

    Built from the response's ``data`` object, which has no type or id. Every list of strings
    is a tuple (None when the sandboxes reported nothing of the kind); the many other blocks
    (process trees, network traffic, registry values) stay available in ``raw``.
    """

    tags: tuple[str, ...] | None = None
    calls_highlighted: tuple[str, ...] | None = _seq()
    command_executions: tuple[str, ...] | None = _seq()
    files_opened: tuple[str, ...] | None = _seq()
    files_written: tuple[str, ...] | None = _seq()
    files_deleted: tuple[str, ...] | None = _seq()
    modules_loaded: tuple[str, ...] | None = _seq()
    mutexes_created: tuple[str, ...] | None = _seq()
    mutexes_opened: tuple[str, ...] | None = _seq()
    processes_created: tuple[str, ...] | None = _seq()
    processes_terminated: tuple[str, ...] | None = _seq()
    processes_killed: tuple[str, ...] | None = _seq()
    registry_keys_opened: tuple[str, ...] | None = _seq()
    registry_keys_deleted: tuple[str, ...] | None = _seq()
    services_started: tuple[str, ...] | None = _seq()
    text_highlighted: tuple[str, ...] | None = _seq()
    text_decoded: tuple[str, ...] | None = _seq()
    verdicts: tuple[str, ...] | None = None
    mitre_attack_techniques: tuple[str, ...] | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from the ``data`` object of a behaviour_summary response."""
        d = require_mapping(data, "BehaviourSummary", "virustotal")
        names = [
            f.name for f in attrs.fields(cls) if f.name not in ("raw", "mitre_attack_techniques")
        ]
        kwargs: dict[str, Any] = {name: as_str_tuple(d.get(name)) for name in names}
        return cls(
            **kwargs,
            mitre_attack_techniques=_technique_ids(d.get("mitre_attack_techniques")),
            raw=d,
        )


@attrs.frozen(kw_only=True)
class CommentVotes(Model):
    """How readers rated a comment."""

    positive: int = 0
    negative: int = 0
    abuse: int = 0


@attrs.frozen(kw_only=True)
class Comment(Model):
    """A community comment (``comment`` object); ``tags`` are the words written with ``#``.

    ``text`` and ``html`` are written by strangers: escape them before showing them anywhere.
    """

    id: str
    date: datetime | None = None
    text: str | None = None
    html: str | None = attrs.field(default=None, repr=False)
    tags: tuple[str, ...] | None = None
    votes: CommentVotes = attrs.field(factory=CommentVotes)
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, obj: Any) -> Self:
        """Build from a comment object; ResponseParseError without an ``id``."""
        payload = require_mapping(obj, "Comment", "virustotal")
        a = wire_attributes(payload)
        votes = as_mapping(a.get("votes")) or EMPTY_MAP
        return cls(
            id=require_id(payload, "Comment", "virustotal"),
            date=epoch_dt(a.get("date")),
            text=as_str(a.get("text")),
            html=as_str(a.get("html")),
            tags=as_str_tuple(a.get("tags")),
            votes=CommentVotes(
                positive=as_count(votes.get("positive")),
                negative=as_count(votes.get("negative")),
                abuse=as_count(votes.get("abuse")),
            ),
            raw=a,
        )


@attrs.frozen(kw_only=True)
class Vote(Model):
    """A community vote (``vote`` object): ``verdict`` is "harmless" or "malicious"."""

    id: str
    date: datetime | None = None
    verdict: str | None = None
    value: int | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, obj: Any) -> Self:
        """Build from a vote object; ResponseParseError without an ``id``."""
        payload = require_mapping(obj, "Vote", "virustotal")
        a = wire_attributes(payload)
        return cls(
            id=require_id(payload, "Vote", "virustotal"),
            date=epoch_dt(a.get("date")),
            verdict=as_str(a.get("verdict")),
            value=as_int(a.get("value")),
            raw=a,
        )


@attrs.frozen(kw_only=True)
class QuotaUsage(Model):
    """One quota of ``overall_quotas``: the user's allowance and use, and the group's when any."""

    allowed: int | None = None
    used: int = 0
    group_allowed: int | None = None
    group_used: int | None = None

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from ``{"user": {"allowed", "used"}, "group"?: {...}}``."""
        entry = as_mapping(data) or EMPTY_MAP
        user = as_mapping(entry.get("user")) or EMPTY_MAP
        group = as_mapping(entry.get("group"))
        return cls(
            allowed=as_int(user.get("allowed")),
            used=as_count(user.get("used")),
            group_allowed=as_int(group.get("allowed")) if group is not None else None,
            group_used=as_int(group.get("used")) if group is not None else None,
        )

    @property
    def remaining(self) -> int | None:
        """Requests left for the user (never negative), or None when the allowance is unknown."""
        return None if self.allowed is None else max(self.allowed - self.used, 0)

    @property
    def exhausted(self) -> bool:
        """True when the user's or the group's allowance is used up."""
        user_out = self.allowed is not None and self.used >= self.allowed
        group_out = (
            self.group_allowed is not None
            and self.group_used is not None
            and self.group_used >= self.group_allowed
        )
        return user_out or group_out


_SCOPES: tuple[tuple[Literal["month", "day", "hour"], str], ...] = (
    ("month", "api_requests_monthly"),
    ("day", "api_requests_daily"),
    ("hour", "api_requests_hourly"),
)


@attrs.frozen(kw_only=True)
class Quotas(Model, Mapping[str, QuotaUsage]):
    """A user's quotas (``GET /users/{id}/overall_quotas``): a read-only map name -> QuotaUsage.

    ``hourly``, ``daily`` and ``monthly`` are the ``api_requests_*`` entries (None when absent).
    """

    usage: Mapping[str, QuotaUsage] = attrs.field(factory=lambda: EMPTY_MAP, repr=short_map_repr)
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from the ``data`` object of an overall_quotas response."""
        d = require_mapping(data, "Quotas", "virustotal")
        usage = {str(k): QuotaUsage.from_api(v) for k, v in d.items() if isinstance(v, Mapping)}
        return cls(usage=frozen_map(usage) or EMPTY_MAP, raw=d)

    def __getitem__(self, key: str) -> QuotaUsage:
        return self.usage[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.usage)

    def __len__(self) -> int:
        return len(self.usage)

    @property
    def hourly(self) -> QuotaUsage | None:
        """``api_requests_hourly``."""
        return self.usage.get("api_requests_hourly")

    @property
    def daily(self) -> QuotaUsage | None:
        """``api_requests_daily``."""
        return self.usage.get("api_requests_daily")

    @property
    def monthly(self) -> QuotaUsage | None:
        """``api_requests_monthly``."""
        return self.usage.get("api_requests_monthly")

    def exhausted_scope(self) -> Literal["month", "day", "hour"] | None:
        """The widest exhausted API request window ("month" > "day" > "hour"), or None."""
        for scope, name in _SCOPES:
            quota = self.usage.get(name)
            if quota is not None and quota.exhausted:
                return scope
        return None


def _count_map(data: Any) -> Mapping[str, int]:
    counts = as_mapping(data) or EMPTY_MAP
    result = {str(k): n for k, v in counts.items() if (n := as_int(v)) is not None}
    return frozen_map(result) or EMPTY_MAP


@attrs.frozen(kw_only=True)
class APIUsage(Model):
    """A user's API usage (``GET /users/{id}/api_usage``).

    ``daily`` maps a day ("YYYY-MM-DD") to request counts per endpoint group; ``total`` sums
    the period per endpoint group.
    """

    daily: Mapping[str, Mapping[str, int]] = attrs.field(
        factory=lambda: EMPTY_MAP, repr=short_map_repr
    )
    total: Mapping[str, int] = attrs.field(factory=lambda: EMPTY_MAP)
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build from the ``data`` object of an api_usage response."""
        d = require_mapping(data, "APIUsage", "virustotal")
        daily_raw = as_mapping(d.get("daily")) or EMPTY_MAP
        daily = {str(day): _count_map(counts) for day, counts in daily_raw.items()}
        return cls(daily=frozen_map(daily) or EMPTY_MAP, total=_count_map(d.get("total")), raw=d)
