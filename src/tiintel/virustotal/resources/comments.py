"""Comments: list the community comments on an object, read the latest ones, post one."""

from __future__ import annotations

from tiintel._exceptions import InvalidArgumentError

from ..._core.request import RequestSpec
from ..._types import JSON
from ...models.virustotal_extras import Comment
from .._ids import ObjectRef, data_of, object_path
from .._pager import AsyncVTIterator, VTIterator, async_pages, pages
from ._base import AsyncResource, SyncResource


def comments_path(obj_or_path: ObjectRef) -> tuple[str, ...]:
    """``/{collection}/{id}/comments``."""
    return (*object_path(obj_or_path), "comments")


def add_spec(obj_or_path: ObjectRef, text: str) -> RequestSpec:
    """POST a comment; words starting with ``#`` become its tags."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgumentError("a comment needs some text")
    body = {"data": {"type": "comment", "attributes": {"text": text}}}
    return RequestSpec(method="POST", path=comments_path(obj_or_path), json=body, idempotent=False)


def parse_comment(payload: JSON) -> Comment:
    """The Comment of a POST answer."""
    return Comment.from_api(data_of(payload, "comment"))


class Comments(SyncResource):
    """``vt.comments(obj)`` lists an object's comments; ``vt.comments.add(obj, text)`` posts one."""

    def __call__(
        self,
        obj_or_path: ObjectRef,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> VTIterator[Comment]:
        """A lazy iterator over the comments on ``obj_or_path``, newest first (see relationships)."""
        return pages(
            self._sender,
            comments_path(obj_or_path),
            Comment.from_api,
            limit=limit,
            page_size=page_size,
            cursor=cursor,
        )

    def latest(
        self,
        *,
        filter: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> VTIterator[Comment]:
        """A lazy iterator over the latest comments on VirusTotal; ``filter`` e.g. ``"tag:malware"``."""
        return pages(
            self._sender,
            ("comments",),
            Comment.from_api,
            params={"filter": filter},
            limit=limit,
            page_size=page_size,
            cursor=cursor,
        )

    def add(self, obj_or_path: ObjectRef, text: str) -> Comment:
        """Post a comment on ``obj_or_path`` and return it (``#words`` become its tags)."""
        return parse_comment(self._sender.request(add_spec(obj_or_path, text)))


class AsyncComments(AsyncResource):
    """``vt.comments(obj)`` lists an object's comments; ``vt.comments.add(obj, text)`` posts one."""

    def __call__(
        self,
        obj_or_path: ObjectRef,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> AsyncVTIterator[Comment]:
        """A lazy iterator over the comments on ``obj_or_path``, newest first (see relationships)."""
        return async_pages(
            self._sender,
            comments_path(obj_or_path),
            Comment.from_api,
            limit=limit,
            page_size=page_size,
            cursor=cursor,
        )

    def latest(
        self,
        *,
        filter: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> AsyncVTIterator[Comment]:
        """A lazy iterator over the latest comments on VirusTotal; ``filter`` e.g. ``"tag:malware"``."""
        return async_pages(
            self._sender,
            ("comments",),
            Comment.from_api,
            params={"filter": filter},
            limit=limit,
            page_size=page_size,
            cursor=cursor,
        )

    async def add(self, obj_or_path: ObjectRef, text: str) -> Comment:
        """Post a comment on ``obj_or_path`` and return it (``#words`` become its tags)."""
        return parse_comment(await self._sender.request(add_spec(obj_or_path, text)))
