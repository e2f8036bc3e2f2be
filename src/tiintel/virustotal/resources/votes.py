"""Votes: list the community verdicts on an object and cast one (a second vote is a ConflictError)."""

from __future__ import annotations

from typing import Final, Literal

from tiintel._exceptions import InvalidArgumentError

from ..._core.request import RequestSpec
from ..._types import JSON
from ...models.virustotal_extras import Vote
from .._ids import ObjectRef, data_of, object_path
from .._pager import AsyncVTIterator, VTIterator, async_pages, pages
from ._base import AsyncResource, SyncResource

Verdict = Literal["harmless", "malicious"]
VERDICTS: Final = ("harmless", "malicious")


def votes_path(obj_or_path: ObjectRef) -> tuple[str, ...]:
    """``/{collection}/{id}/votes``."""
    return (*object_path(obj_or_path), "votes")


def add_spec(obj_or_path: ObjectRef, verdict: str) -> RequestSpec:
    """POST a vote; ValueError for a verdict other than "harmless" or "malicious"."""
    if verdict not in VERDICTS:
        raise InvalidArgumentError(f"verdict must be 'harmless' or 'malicious', got {verdict!r}")
    body = {"data": {"type": "vote", "attributes": {"verdict": verdict}}}
    return RequestSpec(method="POST", path=votes_path(obj_or_path), json=body, idempotent=False)


def parse_vote(payload: JSON) -> Vote:
    """The Vote of a POST answer."""
    return Vote.from_api(data_of(payload, "vote"))


class Votes(SyncResource):
    """``vt.votes(obj)`` lists an object's votes; ``vt.votes.add(obj, verdict)`` casts one."""

    def __call__(
        self,
        obj_or_path: ObjectRef,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> VTIterator[Vote]:
        """A lazy iterator over the votes on ``obj_or_path`` (see relationships for the options)."""
        return pages(
            self._sender,
            votes_path(obj_or_path),
            Vote.from_api,
            limit=limit,
            page_size=page_size,
            cursor=cursor,
        )

    def add(self, obj_or_path: ObjectRef, verdict: Verdict) -> Vote:
        """Vote "harmless" or "malicious" on ``obj_or_path``; voting twice raises ``ConflictError``."""
        return parse_vote(self._sender.request(add_spec(obj_or_path, verdict)))


class AsyncVotes(AsyncResource):
    """``vt.votes(obj)`` lists an object's votes; ``vt.votes.add(obj, verdict)`` casts one."""

    def __call__(
        self,
        obj_or_path: ObjectRef,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> AsyncVTIterator[Vote]:
        """A lazy iterator over the votes on ``obj_or_path`` (see relationships for the options)."""
        return async_pages(
            self._sender,
            votes_path(obj_or_path),
            Vote.from_api,
            limit=limit,
            page_size=page_size,
            cursor=cursor,
        )

    async def add(self, obj_or_path: ObjectRef, verdict: Verdict) -> Vote:
        """Vote "harmless" or "malicious" on ``obj_or_path``; voting twice raises ``ConflictError``."""
        return parse_vote(await self._sender.request(add_spec(obj_or_path, verdict)))
